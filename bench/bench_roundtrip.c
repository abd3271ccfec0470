/* bench_roundtrip.c - one leak check through ngx-leaktop (command to model
 * updated) against a raw `vgdb leak_check full reachable any` on the same
 * nginx process, alternated, in one run.
 *
 * usage: bench_roundtrip NGINX_BINARY CONF RUNS
 * Prints median and spread of both and the ratio. */
#include "engine.h"
#include "evloop.h"
#include "model.h"
#include "preflight.h"
#include "proc.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

struct bench {
	struct evloop *loop;
	struct engine *engine;
	bool round;
	bool dead;
};

static void
on_engine(struct engine *e, enum engine_event ev, void *ctx)
{
	struct bench *b = ctx;

	if (ev == ENGINE_EV_ROUND)
		b->round = true;
	if (ev == ENGINE_EV_ERROR)
		fprintf(stderr, "bench: %s\n", engine_message(e));
	if (engine_phase(e) == ENGINE_DEAD)
		b->dead = true;
}

static void
wait_round(struct bench *b)
{
	b->round = false;
	while (!b->round && !b->dead)
		evloop_run_once(b->loop);
}

/* The baseline: what a user types, output to /dev/null. */
static int64_t
raw_vgdb(const char *vgdb, const struct session *s)
{
	char *prefix = xasprintf("--vgdb-prefix=%s", session_vgdb_prefix(s));
	char *pid = xasprintf("--pid=%ld", (long)session_pid(s));
	char *argv[] = { (char *)vgdb, prefix, pid, "leak_check", "full", "reachable", "any", NULL };
	struct proc_spec spec = { .argv = argv, .stdin_fd = -1, .stdout_fd = -1, .stderr_fd = -1 };
	int64_t t0 = util_now_ns();
	pid_t child = proc_spawn(&spec);

	while (child > 0 && waitpid(child, NULL, 0) < 0 && errno == EINTR)
		;
	free(prefix);
	free(pid);
	return util_now_ns() - t0;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static void
stats(const char *name, int64_t *v, int n, double *median)
{
	qsort(v, (size_t)n, sizeof *v, cmp_i64);
	*median = (double)v[n / 2] / 1e6;
	printf("%-34s median %8.1f ms  min %8.1f  max %8.1f  (n=%d)\n", name, *median,
		(double)v[0] / 1e6, (double)v[n - 1] / 1e6, n);
}

int
main(int argc, char **argv)
{
	struct bench b = { 0 };
	struct preflight pf;
	struct engine_opts eo = { 0 };
	char err[512];
	char *urls[] = { "/leak/alloc", "/leak/cycle", "/cache/a", "/" };
	int runs, i;
	int64_t *ours, *raw;
	double m_ours, m_raw;

	if (argc != 4 || (runs = atoi(argv[3])) < 1) {
		fprintf(stderr, "usage: bench_roundtrip NGINX_BINARY CONF RUNS\n");
		return 2;
	}
	if (!preflight_run(argv[1], "valgrind", "vgdb", &pf, err, sizeof err)) {
		fprintf(stderr, "bench: %s\n", err);
		return 2;
	}
	eo.session = (struct session_opts){ .nginx = pf.nginx, .valgrind = pf.valgrind,
		.conf = argv[2], .num_callers = 40, .start_timeout_ms = 120000, .stop_timeout_ms = 20000 };
	eo.load = (struct load_spec){ .urls = urls, .nurls = 4, .requests = 400, .concurrency = 4,
		.keepalive = true, .timeout_ms = 30000 };
	eo.vgdb = pf.vgdb;
	eo.check_timeout_ms = 300000;
	b.loop = evloop_new();
	b.engine = engine_new(b.loop, &eo, on_engine, &b);
	if (!engine_start(b.engine, err, sizeof err)) {
		fprintf(stderr, "bench: %s\n", err);
		return 2;
	}
	wait_round(&b);	/* baseline */
	engine_burst_check(b.engine);	/* a heap with the fixture's leaks in it */
	wait_round(&b);
	ours = xcalloc((size_t)runs, sizeof *ours);
	raw = xcalloc((size_t)runs, sizeof *raw);
	for (i = 0; i < runs && !b.dead; i++) {
		int64_t t0;

		raw[i] = raw_vgdb(pf.vgdb, engine_session(b.engine));
		t0 = util_now_ns();
		engine_check(b.engine);
		wait_round(&b);
		ours[i] = util_now_ns() - t0;
	}
	printf("heap: %zu loss records per check\n", model_nsites(engine_model(b.engine)));
	stats("raw vgdb leak_check (baseline)", raw, runs, &m_raw);
	stats("ngx-leaktop check -> model updated", ours, runs, &m_ours);
	printf("RATIO roundtrip %.3f (target <= 1.05)\n", m_ours / m_raw);
	engine_stop(b.engine);
	while (!b.dead)
		evloop_run_once(b.loop);
	engine_free(b.engine);
	evloop_free(b.loop);
	preflight_free(&pf);
	free(ours);
	free(raw);
	return 0;
}
