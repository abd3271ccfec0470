/* test_model_track.c - the verdicts kept up round by round (model_track.c,
 * model_sums.c, model_lines.c) are the verdicts derived from scratch.
 * Two models are fed the same random rounds; one derives every round
 * from scratch (track_full: model_verdict.c's full derive and
 * model_fit.c's fit on the rows, the code of the rule as it was before
 * the kept-up derive), and after every round every site's derived
 * fields must be equal, to the bit: growth,
 * bytes per request and per reload, URLs and attribution, presence,
 * bytes, blocks, deltas, direct, indirect, sources now.
 *
 * The series rise by a URL's requests, pause, fall (a connection closed),
 * drop to nothing, swing, take a one-off, change blocks only; several
 * stacks share a line (the fit's lines), a pool's new block among them; bursts rotate their URLs; rounds
 * are aborted, baselines move (between rounds and while one is open),
 * now and then a reload round comes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_int.h"
#include "util.h"

#define MAX_SITES 14
#define MAX_URLS 4

/* xorshift: the same scenarios every run, a seed names one */
static uint64_t rng;

static uint32_t
rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return n ? (uint32_t)(rng % n) : 0;
}

static bool
chance(uint32_t percent)
{
	return rnd(100) < percent;
}

/* How a site's bytes move, drawn per scenario. */
struct sim_site {
	uint64_t bytes, blocks, indirect;
	uint32_t url;		/* the URL whose requests it leaks on */
	uint32_t per;		/* bytes per request of it */
	uint32_t p_rise, p_fall, p_zero, p_oneoff, p_blocks, p_swing;
	uint32_t line, caller;	/* its two frames: allocation line, caller */
	bool two_pids;		/* held by two processes (records summed) */
	bool pool;		/* through ngx_palloc_block: a pool's new block */
	/* Named with nothing until its first bytes (a record of 0 bytes, a
	 * site with a source and no bytes): a new site that did not change. */
	bool announce, may_announce;
};

struct scen {
	struct model *inc, *ref;
	struct sim_site site[MAX_SITES];
	size_t nsites, nurls;
	uint32_t url_id[MAX_URLS];
	uint64_t seed;
	bool reloads;		/* reload rounds may come */
};

static void
record(struct model *m, const struct sim_site *s, uint64_t bytes, uint64_t blocks, uint64_t ind)
{
	static const char *const lines[] = { "leak_a", "leak_b", "leak_c", "leak_d" };
	static const char *const callers[] = { "handler_1", "handler_2", "handler_3", "filter_4",
		"filter_5" };
	struct leakcheck_frame f[3] = {
		{ .ip = 0x500, .fn = { "ngx_palloc_block", 16 }, .file = { "src/core/ngx_palloc.c", 21 },
			.line = 7 },
		{ .ip = 0x1000 + s->line, .fn = { lines[s->line], strlen(lines[s->line]) },
			.file = { "mod.c", 5 }, .line = 10 + s->line },
		{ .ip = 0x2000 + s->caller, .fn = { callers[s->caller], strlen(callers[s->caller]) },
			.file = { "mod.c", 5 }, .line = 50 + s->caller },
	};
	struct leakcheck_record rec = { .kind = s->line == 3 ? LEAK_POSSIBLE : LEAK_DEFINITE,
		.bytes = bytes, .blocks = blocks, .direct = bytes - ind, .indirect = ind,
		.nframes = s->pool ? 3 : 2, .frames = s->pool ? f : f + 1, .recno = 1 };

	model_round_add(m, &rec);
}

/* One site's records: one process, or split between two. */
static void
site_records(struct model *m, const struct sim_site *s)
{
	if (!s->bytes && !s->blocks && s->announce) {
		model_round_source(m, 3);
		record(m, s, 0, 0, 0);
	}
	if (!s->bytes && !s->blocks)
		return;
	if (!s->two_pids || s->bytes < 16) {
		model_round_source(m, 1);
		record(m, s, s->bytes, s->blocks, s->indirect);
		return;
	}
	model_round_source(m, 1);
	record(m, s, s->bytes / 2, s->blocks, 0);
	model_round_source(m, 2);
	record(m, s, s->bytes - s->bytes / 2, s->blocks, 0);
}

static void
sim_step(struct sim_site *s, const uint64_t *req)
{
	uint64_t was = s->bytes;

	if (s->bytes)
		s->announce = s->may_announce = false;
	else if (s->may_announce && chance(15))
		s->announce = true;
	if (chance(s->p_rise))
		s->bytes += s->per * req[s->url];
	if (chance(s->p_oneoff))
		s->bytes += 8 * (1 + rnd(64));
	if (chance(s->p_swing))
		s->bytes = 8 * rnd(16);
	if (chance(s->p_fall) && s->bytes)
		s->bytes -= 8 * rnd((uint32_t)(s->bytes / 8) + 1);
	if (chance(s->p_zero))
		s->bytes = 0;
	s->indirect = s->bytes > 32 && chance(50) ? 16 : s->indirect > s->bytes ? 0 : s->indirect;
	if (s->bytes != was || chance(s->p_blocks))
		s->blocks = s->bytes ? 1 + rnd(4) : 0;
	if (s->bytes && !s->blocks)
		s->blocks = 1;
}

static bool
stack_taken(const struct scen *sc, size_t i)
{
	size_t j;

	for (j = 0; j < i; j++)
		if (sc->site[j].line == sc->site[i].line && sc->site[j].caller == sc->site[i].caller &&
			sc->site[j].pool == sc->site[i].pool)
			return true;
	return false;
}

static void
sim_init(struct scen *sc)
{
	static const uint32_t pr[] = { 0, 5, 20, 50, 90, 100, 100 };
	size_t i;

	sc->nsites = 1 + rnd(MAX_SITES);
	sc->nurls = 1 + rnd(MAX_URLS);
	sc->reloads = chance(15);
	for (i = 0; i < sc->nsites; i++) {
		struct sim_site *s = &sc->site[i];

		memset(s, 0, sizeof *s);
		s->url = rnd((uint32_t)sc->nurls);
		s->per = chance(20) ? 0 : 1 + rnd(24);
		s->p_rise = pr[rnd(LT_ARRAY_SIZE(pr))];
		s->p_fall = chance(40) ? rnd(15) : 0;
		s->p_zero = chance(25) ? rnd(8) : 0;
		s->p_oneoff = chance(30) ? rnd(10) : 0;
		s->p_swing = chance(15) ? rnd(40) : 0;
		s->p_blocks = chance(30) ? rnd(20) : 0;
		s->pool = chance(10);
		/* a stack of its own: two sim sites on one stack would be one
		 * model site whose sources change with its bytes unchanged */
		do {
			s->line = rnd(4);
			s->caller = rnd(5);
		} while (stack_taken(sc, i));
		s->two_pids = chance(20);
		s->bytes = chance(40) ? 8 * rnd(32) : 0;
		s->blocks = s->bytes ? 1 : 0;
		s->may_announce = !s->bytes && chance(20);
	}
}

/* A round of the scenario into one model; the baseline moved to mid
 * while the round is open, when not SIZE_MAX. */
static void
feed(struct scen *sc, struct model *m, const uint64_t *req, uint64_t total, unsigned reloads,
	bool abort, size_t mid)
{
	struct leak_summary sum;
	size_t i, u;

	memset(&sum, 0, sizeof sum);
	model_round_begin(m, total, 0);
	if (reloads)
		model_round_reloads(m, reloads);
	for (u = 0; u < sc->nurls; u++)
		if (req[u])
			model_round_url_requests(m, model_url_intern(m, (const char *[]){ "/a", "/b",
				"/c", "/d" }[u]), req[u]);
	for (i = 0; i < sc->nsites; i++)
		site_records(m, &sc->site[i]);
	if (mid != SIZE_MAX)
		model_set_baseline(m, mid);
	if (abort)
		model_round_abort(m);
	else
		model_round_end(m, &sum, 1000);
}

static void
expect_same(const struct scen *sc, size_t round)
{
	size_t i, k;

	assert_int_equal(model_nsites(sc->inc), model_nsites(sc->ref));
	for (i = 0; i < model_nsites(sc->ref); i++) {
		const struct model_site *a = model_site(sc->inc, i), *b = model_site(sc->ref, i);
		bool same = a->growth == b->growth && a->bytes_per_request == b->bytes_per_request &&
			a->bytes_per_reload == b->bytes_per_reload && a->present == b->present &&
			a->bytes == b->bytes && a->blocks == b->blocks && a->direct == b->direct &&
			a->indirect == b->indirect && a->delta_bytes == b->delta_bytes &&
			a->delta_blocks == b->delta_blocks && a->nsources_now == b->nsources_now &&
			a->attrib == b->attrib && a->nurls == b->nurls;

		for (k = 0; same && k < a->nurls; k++)
			same = a->urls[k].url == b->urls[k].url &&
				a->urls[k].bytes_per_request == b->urls[k].bytes_per_request;
		if (!same)
			fail_msg("seed %llu round %zu site %zu: growth %d/%d bpr %.17g/%.17g attrib %d/%d "
				"nurls %u/%u delta %lld/%lld bytes %llu/%llu src %u/%u", (unsigned long long)sc->seed,
				round, i, a->growth, b->growth, a->bytes_per_request, b->bytes_per_request,
				a->attrib, b->attrib, a->nurls, b->nurls, (long long)a->delta_bytes,
				(long long)b->delta_bytes, (unsigned long long)a->bytes,
				(unsigned long long)b->bytes, a->nsources_now, b->nsources_now);
	}
}

/* The requests of a round: the URLs' mix rotates, some rounds are idle. */
static uint64_t
burst(const struct scen *sc, uint64_t *req, size_t r)
{
	uint64_t total = 0;
	size_t u;

	for (u = 0; u < MAX_URLS; u++) {
		req[u] = u < sc->nurls && !chance(10) ? (uint64_t)(10 + 7 * ((r + u) % 5) + rnd(5)) : 0;
		total += req[u];
	}
	return total;
}

static void
run_scenario(uint64_t seed, size_t rounds)
{
	struct scen sc;
	uint64_t req[MAX_URLS], total;
	size_t r, i;

	memset(&sc, 0, sizeof sc);
	sc.seed = seed;
	rng = seed * 0x9e3779b97f4a7c15ULL + 1;
	sim_init(&sc);
	sc.inc = model_new();
	sc.ref = model_new();
	sc.ref->track_full = true;
	for (r = 0; r < rounds; r++) {
		unsigned reloads = sc.reloads && r && chance(8) ? 1 : 0;
		size_t mid = r && chance(3) ? rnd((uint32_t)model_nrounds(sc.ref)) : SIZE_MAX;

		total = reloads ? 0 : r ? burst(&sc, req, r) : 0;
		if (!total)
			memset(req, 0, sizeof req);
		for (i = 0; i < sc.nsites; i++)
			sim_step(&sc.site[i], req);
		if (r && chance(3)) {	/* a round that failed half way */
			feed(&sc, sc.inc, req, total, reloads, true, mid);
			feed(&sc, sc.ref, req, total, reloads, true, mid);
			expect_same(&sc, r);
			continue;
		}
		feed(&sc, sc.inc, req, total, reloads, false, mid);
		feed(&sc, sc.ref, req, total, reloads, false, mid);
		expect_same(&sc, r);
		if (chance(4)) {	/* "reset baseline", or back to an older round */
			size_t b = chance(50) ? model_nrounds(sc.ref) - 1 : rnd((uint32_t)model_nrounds(sc.ref));

			model_set_baseline(sc.inc, b);
			model_set_baseline(sc.ref, b);
			expect_same(&sc, r);
		}
	}
	model_free(sc.inc);
	model_free(sc.ref);
}

static void
test_random_scenarios(void **state)
{
	uint64_t seed;

	(void)state;
	for (seed = 1; seed <= 3000; seed++)
		run_scenario(seed, 5 + seed % 56);
}

/* Past the fit's window, and long pauses that turn growing to bounded
 * rounds after the latest change. */
static void
test_long_scenarios(void **state)
{
	uint64_t seed;

	(void)state;
	for (seed = 10001; seed <= 10004; seed++)
		run_scenario(seed, 320);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_scenarios),
		cmocka_unit_test(test_long_scenarios),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
