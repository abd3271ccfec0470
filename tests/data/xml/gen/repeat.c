/* repeat.c - the same errors many times. valgrind writes each distinct
 * error once, when it first happens, and how many times it happened only
 * at exit, in <errorcounts>; test_xmlstream.c asserts those counts.
 *   - read_past: one InvalidRead, 25 times (one <error>, count 25)
 *   - check: a client check of 9 bytes of an uninitialised 8-byte block,
 *     3 times: each time two errors with the same stack (uninitialised
 *     bytes, unaddressable byte), two <error>s of count 3 that ngx-leaktop
 *     groups as one (kind + stack), count 6 */
#include <stdlib.h>
#include <valgrind/memcheck.h>

#define READS 25
#define CHECKS 3

static int __attribute__((noinline))
read_past(const char *p)
{
	return p[16];			/* ERR: InvalidRead x 25 */
}

static void __attribute__((noinline))
check(const char *p)
{
	(void)VALGRIND_CHECK_MEM_IS_DEFINED(p, 9);	/* ERR: ClientCheck x 3, twice */
}

int
main(void)
{
	char *p = malloc(16), *q = malloc(8);
	volatile int sum = 0;
	int i;

	for (i = 0; i < 16; i++)
		p[i] = (char)i;
	for (i = 0; i < READS; i++)
		sum += read_past(p);
	for (i = 0; i < CHECKS; i++)
		check(q);
	free(p);
	free(q);
	return 0;
}
