/* threads.c - errors and leaks from named threads (<threadname> in the XML),
 * and a data race for the helgrind capture. Built with gcc -O0 -g -pthread.
 *   threads        the workers run one after the other (stable output)
 *   threads race   they run together and race on a counter (helgrind) */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static int shared;			/* raced on by both workers (helgrind) */
static pthread_mutex_t order = PTHREAD_MUTEX_INITIALIZER;

static void __attribute__((noinline))
worker_bug(int n)
{
	char *p = malloc(8);
	volatile char c;

	if (n == 1) {
		c = p[8];		/* ERR: InvalidRead in worker-1 */
		(void)c;
	} else {
		p[9] = 1;		/* ERR: InvalidWrite in worker-2 */
	}
	free(p);
}

static void *
worker(void *arg)
{
	int n = (int)(long)arg;
	char name[16] = "worker-0";

	name[7] = (char)('0' + n);
	pthread_setname_np(pthread_self(), name);
	pthread_mutex_lock(&order);
	worker_bug(n);
	pthread_mutex_unlock(&order);
	shared++;			/* RACE */
	return malloc(32 + (size_t)n);	/* ERR: leak from a thread */
}

int
main(int argc, char **argv)
{
	pthread_t t[2];
	void *ret;
	long i;

	(void)argv;
	for (i = 0; i < 2; i++) {
		pthread_create(&t[i], NULL, worker, (void *)(i + 1));
		/* serialised unless racing: stable unique numbers and tids */
		if (argc < 2)
			pthread_join(t[i], &ret);	/* ret dropped: definitely lost */
	}
	for (i = 0; argc >= 2 && i < 2; i++)
		pthread_join(t[i], &ret);
	return 0;
}
