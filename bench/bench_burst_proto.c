/* bench_burst_proto.c - the burst rate over TLS and HTTP/2 against the
 * peer load tools, same nginx-under-valgrind process, same concurrency,
 * alternated: HTTPS (HTTP/1.1 over TLS, keepalive) against wrk on the same
 * https:// URL, and HTTP/2 over TLS (every stream on one connection)
 * against h2load -c 1 -m CONCURRENCY on the same URL. Each of ours sends
 * as many requests as the tool just did in SECONDS, on held connections
 * (ngx-leaktop's default with keepalive; opened once, before measuring).
 *
 * usage: bench_burst_proto NGINX CONF HTTP_URL HTTPS_URL H2_URL CONCURRENCY SECONDS RUNS
 * (CONF listens on the three: plain, ssl, ssl http2; bench/run.sh writes it) */
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

/* Run a load tool, its stdout read whole; the number after marker. */
static double
run_tool(char *const *argv, const char *marker)
{
	struct proc_spec spec = { .argv = argv, .stdin_fd = -1, .stderr_fd = -1 };
	struct sbuf out = SBUF_INIT;
	int fds[2];
	char buf[4096], *p;
	ssize_t n;
	pid_t pid;
	double v = 0;

	if (!proc_pipe(fds))
		return 0;
	fcntl(fds[0], F_SETFL, 0);	/* blocking: the bench waits for the tool */
	spec.stdout_fd = fds[1];
	pid = proc_spawn(&spec);
	close(fds[1]);
	while ((n = read(fds[0], buf, sizeof buf)) > 0)
		sbuf_add(&out, buf, (size_t)n);
	close(fds[0]);
	while (pid > 0 && waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	if (out.data && (p = strstr(out.data, marker)))
		v = atof(p + strlen(marker));
	sbuf_free(&out);
	return v;
}

static double
run_wrk(const char *url, unsigned conc, unsigned secs)
{
	char c[16], d[16];
	char *argv[] = { "wrk", "-t1", c, d, (char *)url, NULL };

	snprintf(c, sizeof c, "-c%u", conc);
	snprintf(d, sizeof d, "-d%us", secs);
	return run_tool(argv, "Requests/sec:");
}

/* h2load's "finished in 3.00s, 1234.56 req/s, ...": the rate follows the
 * first ", " after "finished in". */
static double
run_h2load(const char *url, unsigned conc, unsigned secs)
{
	char m[16], d[16];
	char *argv[] = { "h2load", "-c1", m, "-D", d, (char *)url, NULL };
	double v;

	snprintf(m, sizeof m, "-m%u", conc);
	snprintf(d, sizeof d, "%u", secs);
	v = run_tool(argv, "s, ");
	return v;
}

static void
own_done(struct burst *burst, const struct burst_stats *st, void *ctx)
{
	(void)burst;
	(void)st;
	*(bool *)ctx = true;
}

/* One burst of n requests on bu; its rate, 0 when any failed. */
static double
run_own(struct bench *b, struct burst *bu, unsigned conc, unsigned long n)
{
	bool fin = false;

	burst_set_shape(bu, n, conc);
	if (!burst_start(bu, own_done, &fin))
		return 0;
	while (!fin && !b->dead)
		evloop_run_once(b->loop);
	if (burst_failed(burst_stats(bu))) {
		fprintf(stderr, "bench: %lu failed: %s\n", burst_failed(burst_stats(bu)),
			burst_stats(bu)->last_error);
		return 0;
	}
	return burst_stats(bu)->rps;
}

/* RUNS rounds of the tool then ours; the medians' ratio. */
static void
compare(struct bench *b, const char *what, char *url, bool http2, unsigned conc,
	unsigned secs, int runs)
{
	double *tool = xcalloc((size_t)runs, sizeof *tool), *ours = xcalloc((size_t)runs, sizeof *ours);
	double mt, mo;
	char name[96];
	int i;
	/* held connections, as ngx-leaktop's rounds have them (the default
	 * with keepalive): the handshakes are paid once, as the tools pay
	 * theirs once per run */
	struct burst_spec sp = { .urls = &url, .nurls = 1, .requests = 200, .concurrency = conc,
		.keepalive = true, .hold = true, .http2 = http2, .timeout_ms = 30000 };
	struct burst *bu = burst_new(b->loop, &sp);

	/* warm valgrind's translation cache for this protocol, and connect */
	run_own(b, bu, conc, 200);
	for (i = 0; i < runs && !b->dead; i++) {
		tool[i] = http2 ? run_h2load(url, conc, secs) : run_wrk(url, conc, secs);
		ours[i] = run_own(b, bu, conc, (unsigned long)(tool[i] * secs) + 1);
		printf("run %d: %s %.0f req/s, ngx-leaktop %.0f req/s\n", i + 1,
			http2 ? "h2load" : "wrk", tool[i], ours[i]);
	}
	snprintf(name, sizeof name, "%s, concurrency %u (baseline)",
		http2 ? "h2load -c1 -m" : "wrk -t1 -c", conc);
	mt = bench_stats(name, "req/s", tool, runs);
	snprintf(name, sizeof name, "ngx-leaktop %s burst, concurrency %u", what, conc);
	mo = bench_stats(name, "req/s", ours, runs);
	printf("RATIO burst_%s %.3f (target >= 0.9)\n", what, mt > 0 ? mo / mt : 0);
	burst_free(bu);
	free(tool);
	free(ours);
}

int
main(int argc, char **argv)
{
	struct bench b = { 0 };
	struct burst_spec spec;
	unsigned conc, secs;
	int runs;

	if (argc != 9 || (runs = atoi(argv[8])) < 1) {
		fprintf(stderr, "usage: bench_burst_proto NGINX CONF HTTP_URL HTTPS_URL H2_URL "
			"CONCURRENCY SECONDS RUNS\n");
		return 2;
	}
	conc = (unsigned)atoi(argv[6]);
	secs = (unsigned)atoi(argv[7]);
	spec = (struct burst_spec){ .urls = &argv[3], .nurls = 1, .requests = 100,
		.concurrency = conc, .keepalive = true, .timeout_ms = 30000 };
	if (!bench_start(&b, argv[1], argv[2], &spec))
		return 2;
	bench_wait_idle(&b);	/* ready + baseline check */
	compare(&b, "https", argv[4], false, conc, secs, runs);
	compare(&b, "h2", argv[5], true, conc, secs, runs);
	bench_finish(&b);
	return 0;
}
