/* bench_burst.c - burst throughput of ngx-leaktop's bursts against wrk, same
 * URL, same concurrency, same nginx-under-valgrind process, alternated.
 * Then the cost of held connections: rounds of bursts of 200 (the default
 * -n) with the connections held between bursts (the default with
 * keepalive: no connect, a quiesce probe at the end) against the same
 * bursts closing their connections (connect, half-close and drain), on the
 * same nginx, alternated.
 *
 * usage: bench_burst NGINX_BINARY CONF PATH CONCURRENCY SECONDS RUNS */
#include "bench_engine.h"
#include "burst.h"
#include "proc.h"
#include "sbuf.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* wrk's "Requests/sec:" for the same URL and concurrency. */
static double
run_wrk(const char *url, unsigned conc, unsigned secs)
{
	char c[16], d[16];
	char *argv[] = { "wrk", "-t1", c, d, (char *)url, NULL };
	struct proc_spec spec = { .argv = argv, .stdin_fd = -1, .stderr_fd = -1 };
	struct sbuf out = SBUF_INIT;
	int fds[2];
	char buf[4096], *p;
	ssize_t n;
	pid_t pid;
	double rps = 0;

	snprintf(c, sizeof c, "-c%u", conc);
	snprintf(d, sizeof d, "-d%us", secs);
	if (!proc_pipe(fds))
		return 0;
	fcntl(fds[0], F_SETFL, 0);	/* blocking: the bench waits for wrk */
	spec.stdout_fd = fds[1];
	pid = proc_spawn(&spec);
	close(fds[1]);
	while ((n = read(fds[0], buf, sizeof buf)) > 0)
		sbuf_add(&out, buf, (size_t)n);
	close(fds[0]);
	while (pid > 0 && waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	if (out.data && (p = strstr(out.data, "Requests/sec:")))
		rps = atof(p + 13);
	sbuf_free(&out);
	return rps;
}

static void
own_done(struct burst *burst, const struct burst_stats *st, void *ctx)
{
	(void)burst;
	(void)st;
	*(bool *)ctx = true;
}

/* requests/s of `bursts` bursts of bu, from their own elapsed times. */
static double
run_own(struct bench *b, struct burst *bu, int bursts)
{
	double done = 0, ns = 0;
	int i;

	for (i = 0; i < bursts && !b->dead; i++) {
		bool fin = false;

		if (!burst_start(bu, own_done, &fin))
			return 0;
		while (!fin && !b->dead)
			evloop_run_once(b->loop);
		done += (double)burst_stats(bu)->done;
		ns += (double)burst_stats(bu)->elapsed_ns;
	}
	return ns > 0 ? done * 1e9 / ns : 0;
}

/* Held against closed connections, alternated; the ratio held / closed. */
static void
bench_hold(struct bench *b, char *url, unsigned conc, int runs)
{
	struct burst_spec sp = { .urls = &url, .nurls = 1, .requests = 200, .concurrency = conc,
		.keepalive = true, .timeout_ms = 30000 };
	struct burst *held, *closed;
	double *h = xcalloc((size_t)runs, sizeof *h), *c = xcalloc((size_t)runs, sizeof *c);
	double mh, mc;
	int i;

	sp.hold = true;
	held = burst_new(b->loop, &sp);
	sp.hold = false;
	closed = burst_new(b->loop, &sp);
	run_own(b, held, 1);	/* connects once, as the first round does */
	run_own(b, closed, 1);
	for (i = 0; i < runs && !b->dead; i++) {
		h[i] = run_own(b, held, 5);
		c[i] = run_own(b, closed, 5);
		printf("run %d: held %.0f req/s, closed %.0f req/s (5 bursts of 200 each)\n",
			i + 1, h[i], c[i]);
	}
	mh = bench_stats("bursts of 200, connections held", "req/s", h, runs);
	mc = bench_stats("bursts of 200, connections closed", "req/s", c, runs);
	printf("RATIO burst_hold %.3f (target >= 0.9)\n", mc > 0 ? mh / mc : 0);
	burst_free(held);
	burst_free(closed);
	free(h);
	free(c);
}

int
main(int argc, char **argv)
{
	struct bench b = { 0 };
	struct burst_spec burst;
	char *url, *urls[1];
	unsigned conc, secs;
	int runs, i;
	double *ours, *wrk, m_ours, m_wrk;
	char name[64];

	if (argc != 7 || (runs = atoi(argv[6])) < 1) {
		fprintf(stderr, "usage: bench_burst NGINX_BINARY CONF PATH CONCURRENCY SECONDS RUNS\n");
		return 2;
	}
	conc = (unsigned)atoi(argv[4]);
	secs = (unsigned)atoi(argv[5]);
	urls[0] = argv[3];
	burst = (struct burst_spec){ .urls = urls, .nurls = 1, .requests = 1000,
		.concurrency = conc, .keepalive = true, .timeout_ms = 30000 };
	if (!bench_start(&b, argv[1], argv[2], &burst))
		return 2;
	bench_wait_idle(&b);	/* ready + baseline check */
	url = xstrdup(engine_burst_spec(b.engine)->urls[0]);
	ours = xcalloc((size_t)runs, sizeof *ours);
	wrk = xcalloc((size_t)runs, sizeof *wrk);
	/* warm valgrind's translation cache before measuring either */
	run_wrk(url, conc, 1);
	for (i = 0; i < runs && !b.dead; i++) {
		wrk[i] = run_wrk(url, conc, secs);
		/* the same amount of work as wrk just did */
		engine_set_shape(b.engine, (unsigned long)(wrk[i] * secs) + 1, conc);
		engine_burst(b.engine);
		bench_wait_idle(&b);
		ours[i] = engine_burst_stats(b.engine)->rps;
		printf("run %d: wrk %.0f req/s, ngx-leaktop %.0f req/s\n", i + 1, wrk[i], ours[i]);
	}
	snprintf(name, sizeof name, "wrk -t1 -c%u (baseline)", conc);
	m_wrk = bench_stats(name, "req/s", wrk, runs);
	snprintf(name, sizeof name, "ngx-leaktop burst, concurrency %u", conc);
	m_ours = bench_stats(name, "req/s", ours, runs);
	printf("RATIO burst %.3f (target >= 0.95)\n", m_ours / m_wrk);
	bench_hold(&b, url, conc, runs);
	bench_finish(&b);
	free(url);
	free(ours);
	free(wrk);
	return 0;
}
