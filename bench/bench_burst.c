/* bench_burst.c - burst throughput of ngx-leaktop's load against wrk, same
 * URL, same concurrency, same nginx-under-valgrind process, alternated.
 *
 * usage: bench_burst NGINX_BINARY CONF PATH CONCURRENCY SECONDS RUNS */
#include "engine.h"
#include "evloop.h"
#include "load.h"
#include "preflight.h"
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

struct bench {
	struct evloop *loop;
	struct engine *engine;
	bool idle, dead;
};

static void
on_engine(struct engine *e, enum engine_event ev, void *ctx)
{
	struct bench *b = ctx;

	if (ev == ENGINE_EV_ERROR)
		fprintf(stderr, "bench: %s\n", engine_message(e));
	if (engine_phase(e) == ENGINE_IDLE)
		b->idle = true;
	if (engine_phase(e) == ENGINE_DEAD)
		b->dead = true;
}

static void
wait_idle(struct bench *b)
{
	b->idle = engine_phase(b->engine) == ENGINE_IDLE;
	while (!b->idle && !b->dead)
		evloop_run_once(b->loop);
}

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

static int
cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
	struct bench b = { 0 };
	struct preflight pf;
	struct engine_opts eo = { 0 };
	char err[512], *url;
	char *urls[1];
	unsigned conc, secs;
	int runs, i;
	double *ours, *wrk;

	if (argc != 7 || (runs = atoi(argv[6])) < 1) {
		fprintf(stderr, "usage: bench_burst NGINX_BINARY CONF PATH CONCURRENCY SECONDS RUNS\n");
		return 2;
	}
	conc = (unsigned)atoi(argv[4]);
	secs = (unsigned)atoi(argv[5]);
	if (!preflight_run(argv[1], "valgrind", "vgdb", &pf, err, sizeof err)) {
		fprintf(stderr, "bench: %s\n", err);
		return 2;
	}
	urls[0] = argv[3];
	eo.session = (struct session_opts){ .nginx = pf.nginx, .valgrind = pf.valgrind,
		.conf = argv[2], .num_callers = 40, .start_timeout_ms = 120000, .stop_timeout_ms = 20000 };
	eo.load = (struct load_spec){ .urls = urls, .nurls = 1, .requests = 1000,
		.concurrency = conc, .keepalive = true, .timeout_ms = 30000 };
	eo.vgdb = pf.vgdb;
	eo.check_timeout_ms = 300000;
	b.loop = evloop_new();
	b.engine = engine_new(b.loop, &eo, on_engine, &b);
	if (!engine_start(b.engine, err, sizeof err)) {
		fprintf(stderr, "bench: %s\n", err);
		return 2;
	}
	wait_idle(&b);	/* ready + baseline check */
	url = xstrdup(engine_load_spec(b.engine)->urls[0]);
	ours = xcalloc((size_t)runs, sizeof *ours);
	wrk = xcalloc((size_t)runs, sizeof *wrk);
	/* warm valgrind's translation cache before measuring either */
	run_wrk(url, conc, 1);
	for (i = 0; i < runs && !b.dead; i++) {
		wrk[i] = run_wrk(url, conc, secs);
		/* the same amount of work as wrk just did */
		engine_set_shape(b.engine, (unsigned long)(wrk[i] * secs) + 1, conc);
		engine_burst(b.engine);
		wait_idle(&b);
		ours[i] = engine_load_stats(b.engine)->rps;
		printf("run %d: wrk %.0f req/s, ngx-leaktop %.0f req/s\n", i + 1, wrk[i], ours[i]);
	}
	qsort(ours, (size_t)runs, sizeof *ours, cmp_d);
	qsort(wrk, (size_t)runs, sizeof *wrk, cmp_d);
	printf("wrk -t1 -c%u (baseline)          median %8.0f req/s  min %8.0f  max %8.0f\n", conc,
		wrk[runs / 2], wrk[0], wrk[runs - 1]);
	printf("ngx-leaktop burst, concurrency %u median %8.0f req/s  min %8.0f  max %8.0f\n", conc,
		ours[runs / 2], ours[0], ours[runs - 1]);
	printf("RATIO burst %.3f (target >= 0.95)\n", ours[runs / 2] / wrk[runs / 2]);
	engine_stop(b.engine);
	while (!b.dead)
		evloop_run_once(b.loop);
	engine_free(b.engine);
	evloop_free(b.loop);
	preflight_free(&pf);
	free(url);
	free(ours);
	free(wrk);
	return 0;
}
