/* bench_burst.c - burst throughput of ngx-leaktop's bursts against wrk, same
 * URL, same concurrency, same nginx-under-valgrind process, alternated.
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
	bench_finish(&b);
	free(url);
	free(ours);
	free(wrk);
	return 0;
}
