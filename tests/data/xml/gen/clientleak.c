/* clientleak.c - leak checks by client request while running: their
 * Leak_* errors come before <status>FINISHED</status>, and the added
 * check prints deltas. */
#include <stdlib.h>
#include <valgrind/memcheck.h>

static void *keep[4];

static void __attribute__((noinline))
leak(size_t n)
{
	char *p = malloc(n);		/* ERR: client leak */

	p[0] = 1;
}

int
main(void)
{
	leak(64);
	keep[0] = malloc(16);		/* ERR: reachable */
	VALGRIND_DO_LEAK_CHECK;
	leak(64);
	leak(128);
	VALGRIND_DO_ADDED_LEAK_CHECK;
	free(keep[0]);
	return 0;
}
