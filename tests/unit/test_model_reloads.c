/* test_model_reloads.c - verdicts with nginx reloads and several
 * processes in one model: a per-request leak in the workers is growing
 * across reloads (the new workers start fresh), a block the master loses
 * on each reload is growing with bytes_per_reload counted once (not once
 * per worker that inherits it), both on one line are told apart, a clean
 * nginx reloaded 5 times grows nothing, what each cycle's workers take
 * once is not per request, and without reloads the verdicts
 * are what they were. Sources: order first seen, the latest round's
 * count, an aborted round undone. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "reload_fixture.h"

static void
test_per_request_across_reloads(void **state)
{
	struct model *m = model_new();
	const struct model_site *s;
	/* its bytes round by round: the reloads (rounds 3, 6) drop it to 0 */
	static const uint64_t raw[] = { 0, 100, 200, 0, 100, 200, 0, 100 };
	size_t r;

	(void)state;
	rf_master_and_workers(m);
	assert_int_equal(model_nrounds(m), 8);
	for (r = 0; r < 8; r++)
		assert_int_equal(model_site_bytes(m, rf_site_id(m, RF_PER_REQUEST), r), raw[r]);
	/* judged on the rounds as they come, it would look like a connection
	 * opened again: bounded */
	assert_int_equal(model_growth(raw, 8), GROWTH_BOUNDED);
	s = rf_site(m, RF_PER_REQUEST);
	assert_int_equal(s->growth, GROWTH_GROWING);
	/* 0,100,200,300,400,500 on the burst rounds: 400 bytes over 400 requests */
	assert_float_equal(s->bytes_per_request, 1.0, 1e-9);
	assert_float_equal(s->bytes_per_reload, 0.0, 1e-9);
	assert_int_equal(s->nsources, 6);
	assert_int_equal(s->nsources_now, 2);
	assert_int_equal(s->sources[0], 2);
	assert_int_equal(s->sources[5], 7);
	model_free(m);
}

static void
test_per_reload_in_master(void **state)
{
	struct model *m = model_new();
	const struct model_site *s;
	const struct model_round *rd;

	(void)state;
	rf_master_and_workers(m);
	s = rf_site(m, RF_PER_RELOAD);
	/* 3000 more bytes on each reload: the master's 1000 and a copy in
	 * each of its 2 workers, with bursts between the reloads */
	assert_int_equal(model_site_bytes(m, rf_site_id(m, RF_PER_RELOAD), 6), 6000);
	assert_int_equal(s->growth, GROWTH_GROWING);
	assert_float_equal(s->bytes_per_reload, 1000.0, 1e-9);
	assert_float_equal(s->bytes_per_request, 0.0, 1e-9);
	/* the master first (fed first), then the workers of each reload */
	assert_int_equal(s->nsources, 5);
	assert_int_equal(s->sources[0], 1);
	assert_int_equal(s->sources[1], 4);
	assert_int_equal(s->sources[4], 7);
	assert_int_equal(s->nsources_now, 3);
	rd = model_round(m, 3);
	assert_int_equal(rd->reloads, 1);
	assert_int_equal(rd->total_reloads, 1);
	assert_int_equal(rd->requests, 0);
	assert_int_equal(model_round(m, 5)->reloads, 0);
	assert_int_equal(model_round(m, 5)->total_reloads, 1);
	assert_int_equal(model_round(m, 7)->total_reloads, 2);
	model_free(m);
}

/* The same line leaks per request in the workers and per reload in the
 * master: each rate comes out whole. A reload round's delta alone
 * (6000 - 3200) would have said 2800 per reload. */
static void
test_both_in_one_site(void **state)
{
	struct model *m = model_new();
	const struct model_site *s;
	struct model_group g;

	(void)state;
	rf_master_and_workers(m);
	s = rf_site(m, RF_BOTH);
	assert_int_equal(s->growth, GROWTH_GROWING);
	assert_float_equal(s->bytes_per_request, 1.0, 1e-9);
	assert_float_equal(s->bytes_per_reload, 1000.0, 1e-9);
	/* a row sums its sites' rates */
	model_group_init(&g, s);
	model_group_add(&g, rf_site(m, RF_PER_RELOAD));
	assert_float_equal(g.bytes_per_reload, 2000.0, 1e-9);
	model_free(m);
}

/* A clean nginx reloaded 5 times: the master's lazy init at the first
 * reload (copied into each worker), a master whose memory swings from
 * cycle to cycle, a worker's lazy init on its first requests. */
static void
test_clean_five_reloads(void **state)
{
	struct model *m = model_new();
	static const uint64_t swing[] = { 100, 80, 100, 80, 100 };
	uint32_t w = 2;
	size_t i;

	(void)state;
	rf_round(m, 0, 0, (struct rf_proc[]){ { 1, { 0 } }, { 2, { 0 } }, { 3, { 0 } } }, 3);
	rf_round(m, 100, 0, (struct rf_proc[]){ { 1, { 0 } },
		{ 2, { [RF_WORKER_INIT] = 256 } }, { 3, { [RF_WORKER_INIT] = 256 } } }, 3);
	rf_round(m, 100, 0, (struct rf_proc[]){ { 1, { 0 } },
		{ 2, { [RF_WORKER_INIT] = 256 } }, { 3, { [RF_WORKER_INIT] = 256 } } }, 3);
	for (i = 0; i < 5; i++) {
		w += 2;
		rf_round(m, 0, 1, (struct rf_proc[]){
			{ 1, { [RF_LAZY] = 100, [RF_SWING] = swing[i] } },
			{ w, { [RF_LAZY] = 100, [RF_SWING] = swing[i] } },
			{ w + 1, { [RF_LAZY] = 100, [RF_SWING] = swing[i] } } }, 3);
	}
	for (i = 0; i < model_nsites(m); i++)
		assert_int_not_equal(model_site(m, i)->growth, GROWTH_GROWING);
	assert_int_equal(rf_site(m, RF_LAZY)->growth, GROWTH_BOUNDED);
	assert_float_equal(rf_site(m, RF_LAZY)->bytes_per_reload, 0.0, 1e-9);
	assert_int_equal(rf_site(m, RF_SWING)->growth, GROWTH_BOUNDED);
	assert_int_equal(rf_site(m, RF_WORKER_INIT)->growth, GROWTH_BOUNDED);
	assert_int_equal(model_round(m, 7)->total_reloads, 5);
	/* one more reload that loses 100 more in the master: growing again */
	rf_round(m, 0, 1, (struct rf_proc[]){ { 1, { [RF_LAZY] = 200 } },
		{ w + 2, { [RF_LAZY] = 200 } }, { w + 3, { [RF_LAZY] = 200 } } }, 3);
	assert_int_equal(rf_site(m, RF_LAZY)->growth, GROWTH_GROWING);
	model_free(m);
}

/* Workers that take something once per cycle - a lazy init on their
 * first request, a cache they fill over two bursts - rise again after
 * each reload on the burst rounds, like a leak; judged per cycle they
 * are bounded. A cycle of one burst alone cannot tell. */
static void
test_per_cycle_not_per_request(void **state)
{
	struct model *m = model_new();
	/* 'b' burst, 'r' reload */
	static const char plan[] = "bbbrbbbrbb";
	uint64_t lazy = 0, cache = 0;
	uint32_t w = 2;
	size_t i;

	(void)state;
	rf_round(m, 0, 0, (struct rf_proc[]){ { 1, { 0 } }, { 2, { 0 } }, { 3, { 0 } } }, 3);
	for (i = 0; plan[i]; i++) {
		bool reload = plan[i] == 'r';

		if (reload) {
			w += 2;
			lazy = cache = 0;
		} else {
			lazy = 512;
			cache = cache < 200 ? cache + 100 : cache;
		}
		rf_round(m, reload ? 0 : 100, reload, (struct rf_proc[]){ { 1, { 0 } },
			{ w, { [RF_WORKER_INIT] = lazy, [RF_SWING] = cache } },
			{ w + 1, { [RF_WORKER_INIT] = lazy, [RF_SWING] = cache } } }, 3);
	}
	/* on the burst rounds alone: 0, 1024, 1024, 1024, 2048, ... */
	assert_int_equal(rf_site(m, RF_WORKER_INIT)->growth, GROWTH_BOUNDED);
	assert_int_equal(rf_site(m, RF_SWING)->growth, GROWTH_BOUNDED);
	/* a cycle of one burst after the latest reload: still bounded, the
	 * cycles before told */
	rf_round(m, 0, 1, (struct rf_proc[]){ { 1, { 0 } } }, 1);
	rf_round(m, 100, 0, (struct rf_proc[]){ { 1, { 0 } },
		{ w + 2, { [RF_WORKER_INIT] = 512 } }, { w + 3, { [RF_WORKER_INIT] = 512 } } }, 3);
	assert_int_equal(rf_site(m, RF_WORKER_INIT)->growth, GROWTH_BOUNDED);
	model_free(m);

	/* of cycles as long, the latest tells: the first workers' 0, 100,
	 * 100, 200 grows, the next ones' 0, 100, 200, 200 stopped (on the
	 * burst rounds alone, 0 100 100 200 300 400 400, still growing) */
	m = model_new();
	rf_round(m, 0, 0, NULL, 0);
	rf_round(m, 100, 0, (struct rf_proc[]){ { 2, { [RF_SWING] = 100 } } }, 1);
	rf_round(m, 100, 0, (struct rf_proc[]){ { 2, { [RF_SWING] = 100 } } }, 1);
	rf_round(m, 100, 0, (struct rf_proc[]){ { 2, { [RF_SWING] = 200 } } }, 1);
	rf_round(m, 0, 1, NULL, 0);
	rf_round(m, 100, 0, (struct rf_proc[]){ { 4, { [RF_SWING] = 100 } } }, 1);
	rf_round(m, 100, 0, (struct rf_proc[]){ { 4, { [RF_SWING] = 200 } } }, 1);
	rf_round(m, 100, 0, (struct rf_proc[]){ { 4, { [RF_SWING] = 200 } } }, 1);
	assert_int_equal(rf_site(m, RF_SWING)->growth, GROWTH_BOUNDED);
	model_free(m);
}

/* Without reloads, sources or not, the verdicts are the ones of a model
 * fed by one process (test_model.c's shapes and rates). */
static void
test_no_reloads_unchanged(void **state)
{
	static const uint64_t bytes[][3] = {
		{ 0, 0, 0 }, { 100, 0, 100 }, { 200, 100, 200 }, { 300, 100, 200 },
		{ 400, 100, 200 }, { 500, 200, 200 },
	};
	struct model *one = model_new(), *two = model_new();
	size_t r, i;

	(void)state;
	for (r = 0; r < 6; r++) {
		struct rf_proc p = { 9, { bytes[r][0], bytes[r][1], bytes[r][2] } };
		struct rf_proc half[2] = {
			{ 1, { bytes[r][0] / 2, bytes[r][1] / 2, bytes[r][2] / 2 } },
			{ 2, { bytes[r][0] / 2, bytes[r][1] / 2, bytes[r][2] / 2 } },
		};

		rf_round(one, r * 100, 0, &p, 1);
		rf_round(two, r * 100, 0, half, 2);
	}
	for (i = 0; i < 3; i++) {
		const struct model_site *a = rf_site(one, i), *b = rf_site(two, i);

		assert_int_equal(a->growth, b->growth);
		assert_float_equal(a->bytes_per_request, b->bytes_per_request, 1e-12);
		assert_float_equal(b->bytes_per_reload, 0.0, 1e-12);
		assert_int_equal(b->nsources, 2);
		assert_int_equal(a->nsources, 1);
	}
	assert_int_equal(rf_site(one, 0)->growth, GROWTH_GROWING);
	assert_float_equal(rf_site(one, 0)->bytes_per_request, 400.0 / 1400, 1e-9);
	assert_int_equal(rf_site(one, 2)->growth, GROWTH_BOUNDED);
	model_free(one);
	model_free(two);
}

/* An aborted round takes back the pids it added; the baseline moved past
 * the reloads judges the rounds since alone. */
static void
test_abort_and_baseline(void **state)
{
	struct model *m = model_new();
	const struct model_site *s;

	(void)state;
	rf_master_and_workers(m);
	/* from round 4 on: no reload left but round 6's */
	model_set_baseline(m, 4);
	s = rf_site(m, RF_PER_REQUEST);
	assert_int_equal(s->growth, GROWTH_GROWING);
	assert_float_equal(s->bytes_per_request, 1.0, 1e-9);
	model_set_baseline(m, 7);
	assert_int_equal(rf_site(m, RF_PER_RELOAD)->growth, GROWTH_STABLE);
	assert_float_equal(rf_site(m, RF_PER_RELOAD)->bytes_per_reload, 0.0, 1e-9);
	model_round_begin(m, 100, 0);
	model_round_reloads(m, 3);
	model_round_source(m, 77);
	rf_record(m, RF_PER_RELOAD, 9000);
	rf_record(m, RF_LAZY, 5);	/* a new site */
	model_round_source(m, 1);
	rf_record(m, RF_PER_RELOAD, 9000);
	model_round_abort(m);
	assert_int_equal(model_nrounds(m), 8);
	assert_null(rf_site(m, RF_LAZY));
	s = rf_site(m, RF_PER_RELOAD);
	assert_int_equal(s->nsources, 5);
	/* the round after: the master alone had it; 6 and 7 were not checked */
	rf_round(m, 100, 0, (struct rf_proc[]){ { 1, { [RF_PER_RELOAD] = 2000 } } }, 1);
	s = rf_site(m, RF_PER_RELOAD);
	assert_int_equal(s->nsources, 5);
	assert_int_equal(s->nsources_now, 1);
	assert_true(model_site_source_now(m, rf_site_id(m, RF_PER_RELOAD), 0));
	assert_false(model_site_source_now(m, rf_site_id(m, RF_PER_RELOAD), 4));
	assert_int_equal(model_round(m, 8)->total_reloads, 2);
	model_free(m);
}

/* Which request: the readiness probe after a reload reaches /b once,
 * while the reload adds 3000 bytes (the master's loss and its copies):
 * the fit leaves reload rounds out, so /a alone drives the line. */
static void
test_fit_leaves_reloads_out(void **state)
{
	static const struct { unsigned a, b; bool reload; } plan[] = {
		{ 80, 20, false }, { 20, 80, false }, { 50, 50, false }, { 0, 1, true },
		{ 70, 30, false }, { 30, 70, false }, { 0, 1, true }, { 60, 40, false },
	};
	struct model *m = model_new();
	struct leak_summary sum = { .seen = 1 };
	const struct model_site *s;
	uint32_t a = model_url_intern(m, "http://127.0.0.1/a");
	uint32_t b = model_url_intern(m, "http://127.0.0.1/b");
	uint64_t lost = 0, leak = 0;
	size_t i;

	(void)state;
	rf_round(m, 0, 0, NULL, 0);
	for (i = 0; i < sizeof plan / sizeof *plan; i++) {
		if (plan[i].reload) {
			lost += 3000;
			leak = 0;
		} else {
			leak += plan[i].a;
		}
		model_round_begin(m, plan[i].a + plan[i].b, 0);
		model_round_reloads(m, plan[i].reload);
		model_round_url_requests(m, a, plan[i].a);
		model_round_url_requests(m, b, plan[i].b);
		model_round_source(m, 1);
		rf_record(m, RF_BOTH, lost + leak);
		model_round_end(m, &sum, 1000);
	}
	s = rf_site(m, RF_BOTH);
	assert_int_equal(s->growth, GROWTH_GROWING);
	assert_int_equal(s->attrib, MODEL_ATTRIB_DONE);
	assert_int_equal(s->nurls, 1);
	assert_int_equal(s->urls[0].url, a);
	assert_float_equal(s->urls[0].bytes_per_request, 1.0, 1e-6);
	assert_float_equal(s->bytes_per_reload, 3000.0, 1e-9);
	model_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_per_request_across_reloads),
		cmocka_unit_test(test_per_reload_in_master),
		cmocka_unit_test(test_both_in_one_site),
		cmocka_unit_test(test_clean_five_reloads),
		cmocka_unit_test(test_no_reloads_unchanged),
		cmocka_unit_test(test_abort_and_baseline),
		cmocka_unit_test(test_per_cycle_not_per_request),
		cmocka_unit_test(test_fit_leaves_reloads_out),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
