/* liblk.c - built as a stripped shared library: its static function has no
 * symbol, so valgrind prints "??? (in /path/liblk.so)". */
#include <stdlib.h>

void lk_lib_leak(void);

static void * __attribute__((noinline))
hidden_alloc(size_t n)
{
	return malloc(n);
}

void
lk_lib_leak(void)
{
	(void) !hidden_alloc(52);
}
