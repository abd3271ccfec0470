/* bench_engine.h - what the engine benchmarks share: an engine on the
 * fixture nginx under valgrind, waits on its events, and the median and
 * spread of a series. Header-only: the Makefile builds each bench .c file into
 * a program of its own. */
#ifndef LT_BENCH_ENGINE_H
#define LT_BENCH_ENGINE_H

#include "engine.h"
#include "evloop.h"
#include "preflight.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

struct bench {
	struct evloop *loop;
	struct engine *engine;
	struct preflight pf;
	bool idle, round, dead;
	bool vgdb_full;		/* valgrind --vgdb=full (the live screen's), set before bench_start */
	unsigned workers;	/* a master and this many workers (0: one process), before bench_start */
	const char *extra_server;	/* with conf NULL: the generated config's server directives */
};

static void
bench_on_engine(struct engine *e, enum engine_event ev, void *ctx)
{
	struct bench *b = ctx;

	if (ev == ENGINE_EV_ROUND)
		b->round = true;
	if (ev == ENGINE_EV_ERROR)
		fprintf(stderr, "bench: %s\n", engine_message(e));
	if (engine_phase(e) == ENGINE_IDLE)
		b->idle = true;
	if (engine_phase(e) == ENGINE_DEAD)
		b->dead = true;
}

/* nginx (the fixture's conf) under valgrind, bursts of load; false with a
 * message on stderr if it cannot start. */
static inline bool
bench_start(struct bench *b, const char *nginx, const char *conf, const struct burst_spec *spec)
{
	struct engine_opts eo = { 0 };
	char err[512];

	if (!preflight_run(nginx, "valgrind", "vgdb", &b->pf, err, sizeof err)) {
		fprintf(stderr, "bench: %s\n", err);
		return false;
	}
	eo.target = (struct target_opts){ .nginx = b->pf.nginx, .valgrind = b->pf.valgrind,
		.conf = conf, .num_callers = 40, .vgdb_full = b->vgdb_full, .start_timeout_ms = 120000, .stop_timeout_ms = 20000,
		.workers = b->workers, .extra_server = b->extra_server };
	eo.burst = *spec;
	eo.vgdb = b->pf.vgdb;
	eo.check_timeout_ms = 300000;
	b->loop = evloop_new();
	b->engine = engine_new(b->loop, &eo, bench_on_engine, b);
	if (!engine_start(b->engine, err, sizeof err)) {
		fprintf(stderr, "bench: %s\n", err);
		return false;
	}
	return true;
}

static inline void
bench_wait_idle(struct bench *b)
{
	b->idle = engine_phase(b->engine) == ENGINE_IDLE;
	while (!b->idle && !b->dead)
		evloop_run_once(b->loop);
}

static inline void
bench_wait_round(struct bench *b)
{
	b->round = false;
	while (!b->round && !b->dead)
		evloop_run_once(b->loop);
}

/* Stop nginx gracefully and free everything. */
static inline void
bench_finish(struct bench *b)
{
	if (b->engine) {
		engine_stop(b->engine);
		while (!b->dead)
			evloop_run_once(b->loop);
	}
	engine_free(b->engine);
	evloop_free(b->loop);
	preflight_free(&b->pf);
}

static int
bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Sort v and print "NAME median M UNIT  min A  max B  (n=N)"; the median. */
static inline double
bench_stats(const char *name, const char *unit, double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, bench_cmp_double);
	printf("%-34s median %8.1f %s  min %8.1f  max %8.1f  (n=%d)\n", name, v[n / 2], unit,
		v[0], v[n - 1], n);
	return v[n / 2];
}

#endif
