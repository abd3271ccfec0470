/* abort.c - a named thread calls abort(): <fatal_signal> SIGABRT with a
 * <threadname> and a negative si_code (SI_TKILL). */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdlib.h>

static void __attribute__((noinline))
die(void)
{
	abort();			/* ERR: fatal SIGABRT */
}

static void *
run(void *arg)
{
	(void)arg;
	pthread_setname_np(pthread_self(), "doomed");
	die();
	return NULL;
}

int
main(void)
{
	pthread_t t;

	pthread_create(&t, NULL, run, NULL);
	pthread_join(t, NULL);
	return 0;
}
