/* test_model_carry.c - rounds that carry: one random scenario (several
 * sources, sites appearing, falling to 0 and coming back, a source
 * missing from a round, an aborted round in the middle) fed three ways -
 * whole answers, delta answers (model_round_delta: what changed, with
 * deltas, against what each source had), and a session file's carried
 * rounds (model_round_carry + model_round_put of what changed) - gives
 * the truth's values at every round, the changed lists, the sources and
 * the same verdicts each way. Bad deltas clamp at 0. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leakcheck.h"
#include "model.h"

#define NS 14		/* sites */
#define NP 3		/* sources */
#define NR 48		/* rounds */

static const uint32_t pids[NP] = { 100, 201, 202 };

struct val {
	uint64_t v[4];	/* bytes, blocks, direct, indirect */
};

struct scen {
	bool pids;		/* sources are pids (else one, no source) */
	size_t np;
	bool present[NR][NP];	/* the source was checked in round r */
	struct val t[NR][NP][NS];	/* what each source holds */
	size_t abort_before;	/* an aborted round before this one */
};

static uint64_t rng = 88172645463325252ULL;

static uint64_t
rnd(uint64_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng % n;
}

static struct val
val_random(void)
{
	struct val x;

	x.v[1] = 1 + rnd(5);
	x.v[2] = x.v[1] * 16 * (1 + rnd(4));
	x.v[3] = 8 * rnd(3);
	x.v[0] = x.v[2] + x.v[3];
	return x;
}

static void
scen_make(struct scen *sc, bool use_pids, uint64_t seed)
{
	size_t r, p, s;

	memset(sc, 0, sizeof *sc);
	rng = seed;
	sc->pids = use_pids;
	sc->np = use_pids ? NP : 1;
	sc->abort_before = NR / 2;
	for (r = 0; r < NR; r++)
		for (p = 0; p < sc->np; p++) {
			/* the first source is always checked (the master) */
			sc->present[r][p] = !p || !r || rnd(10) < 8;
			for (s = 0; s < NS; s++) {
				struct val *x = &sc->t[r][p][s];

				if (r)
					*x = sc->t[r - 1][p][s];
				/* site s appears from round s/2 on */
				if (s / 2 > r || rnd(10) >= 3)
					continue;
				if (rnd(4))
					*x = val_random();
				else
					memset(x, 0, sizeof *x);
			}
		}
}

static bool
holds(const struct scen *sc, size_t r, size_t p, size_t s)
{
	return sc->present[r][p] && sc->t[r][p][s].v[1] > 0;
}

static struct val
total(const struct scen *sc, size_t r, size_t s)
{
	struct val x = { { 0 } };
	size_t p, v;

	for (p = 0; p < sc->np; p++)
		if (holds(sc, r, p, s))
			for (v = 0; v < 4; v++)
				x.v[v] += sc->t[r][p][s].v[v];
	return x;
}

static bool
site_changed(const struct scen *sc, size_t r, size_t s)
{
	struct val a = total(sc, r, s), b = { { 0 } };
	size_t p;

	if (r)
		b = total(sc, r - 1, s);
	if (memcmp(&a, &b, sizeof a))
		return true;
	for (p = 0; p < sc->np; p++)
		if (holds(sc, r, p, s) != (r && holds(sc, r - 1, p, s)))
			return true;
	return false;
}

/* One record of site s (its one frame names it). */
struct rec_buf {
	char name[16];
	struct leakcheck_frame f;
	struct leakcheck_record rec;
};

static struct leakcheck_record *
rec_of(struct rec_buf *b, const char *name, const struct val *x)
{
	memset(b, 0, sizeof *b);
	snprintf(b->name, sizeof b->name, "%s", name);
	b->f.ip = 0x4000 + (uint64_t)strlen(b->name) * 256 + (uint64_t)b->name[6];
	b->f.fn = (struct lt_slice){ b->name, strlen(b->name) };
	b->f.file = (struct lt_slice){ "mod.c", 5 };
	b->f.line = 7;
	b->rec.kind = LEAK_DEFINITE;
	b->rec.bytes = x->v[0];
	b->rec.blocks = x->v[1];
	b->rec.direct = x->v[2];
	b->rec.indirect = x->v[3];
	b->rec.nframes = 1;
	b->rec.frames = &b->f;
	return &b->rec;
}

static void
site_name(size_t s, char *buf)
{
	snprintf(buf, 16, "site_%02zu", s);
}

static void
add_abs(struct model *m, size_t s, const struct val *x)
{
	struct rec_buf b;
	char name[16];

	site_name(s, name);
	model_round_add(m, rec_of(&b, name, x));
}

static void
add_delta(struct model *m, size_t s, const struct val *old, const struct val *now)
{
	struct rec_buf b;
	char name[16];
	struct leakcheck_record *rec;

	site_name(s, name);
	rec = rec_of(&b, name, now);
	rec->has_delta = true;
	rec->bytes_delta = (int64_t)now->v[0] - (int64_t)old->v[0];
	rec->blocks_delta = (int64_t)now->v[1] - (int64_t)old->v[1];
	rec->direct_delta = (int64_t)now->v[2] - (int64_t)old->v[2];
	rec->indirect_delta = (int64_t)now->v[3] - (int64_t)old->v[3];
	model_round_add(m, rec);
}

enum feed { FEED_FULL, FEED_DELTA, FEED_CARRY };

static void
feed_source(struct model *m, const struct scen *sc, size_t r, size_t p, enum feed how)
{
	static const struct val zero;
	bool delta = how == FEED_DELTA && r && sc->present[r - 1][p];
	size_t s;

	if (sc->pids)
		model_round_source(m, pids[p]);
	if (delta)
		model_round_delta(m);
	for (s = 0; s < NS; s++) {
		const struct val *now = holds(sc, r, p, s) ? &sc->t[r][p][s] : &zero;
		const struct val *old = delta && holds(sc, r - 1, p, s) ? &sc->t[r - 1][p][s] : &zero;

		if (!delta && now->v[1])
			add_abs(m, s, now);
		else if (delta && memcmp(now, old, sizeof *now))
			add_delta(m, s, old, now);
	}
}

static void
feed_carry(struct model *m, const struct scen *sc, size_t r)
{
	uint32_t held[NP];
	size_t s, p, n;
	struct rec_buf b;
	char name[16];

	model_round_carry(m);
	for (s = 0; s < NS; s++) {
		struct val x = total(sc, r, s);

		if (!site_changed(sc, r, s))
			continue;
		for (n = p = 0; p < sc->np; p++)
			if (holds(sc, r, p, s))
				held[n++] = pids[p];
		site_name(s, name);
		model_round_put(m, rec_of(&b, name, &x), held, sc->pids ? n : 0);
	}
}

/* A round that fails half way: records of known sites, a new site, a
 * new source, then the abort. */
static void
feed_aborted(struct model *m, const struct scen *sc, enum feed how)
{
	struct val junk = { { 999, 9, 999, 0 } };
	struct rec_buf b;
	uint32_t ghost_pid = 777;

	model_round_begin(m, 5, 0);
	if (how == FEED_CARRY) {
		model_round_carry(m);
		model_round_put(m, rec_of(&b, "ghost", &junk), &ghost_pid, 1);
		model_round_put(m, rec_of(&b, "site_00", &junk), &ghost_pid, 1);
	} else {
		feed_source(m, sc, NR / 2, 0, how);
		if (sc->pids)
			model_round_source(m, ghost_pid);
		if (how == FEED_DELTA)
			model_round_delta(m);
		add_abs(m, 1, &junk);
		model_round_add(m, rec_of(&b, "ghost", &junk));
	}
	model_round_abort(m);
}

static void
feed_round(struct model *m, const struct scen *sc, size_t r, enum feed how)
{
	struct leak_summary sum = { .seen = 1 };
	size_t p;

	if (r == sc->abort_before)
		feed_aborted(m, sc, how);
	model_round_begin(m, 100, 0);
	if (how == FEED_CARRY)
		feed_carry(m, sc, r);
	else
		for (p = 0; p < sc->np; p++)
			if (sc->present[r][p])
				feed_source(m, sc, r, p, how);
	model_round_end(m, &sum, 1000);
}

static size_t
site_by_name(const struct model *m, size_t s)
{
	char name[16];
	size_t i;

	site_name(s, name);
	for (i = 0; i < model_nsites(m); i++)
		if (!strcmp(model_site_frame(m, model_site(m, i), 0)->fn, name))
			return i;
	return SIZE_MAX;
}

static void
check_values(const struct model *m, const struct scen *sc, size_t upto)
{
	size_t r, s;

	for (s = 0; s < NS; s++) {
		size_t id = site_by_name(m, s);

		for (r = 0; r <= upto; r++) {
			struct val x = total(sc, r, s);

			if (id == SIZE_MAX) {
				assert_int_equal(x.v[1], 0);
				continue;
			}
			assert_int_equal(model_site_bytes(m, id, r), x.v[0]);
			assert_int_equal(model_site_blocks(m, id, r), x.v[1]);
			assert_int_equal(model_site_direct(m, id, r), x.v[2]);
			assert_int_equal(model_site_indirect(m, id, r), x.v[3]);
		}
	}
}

static void
check_changed(const struct model *m, const struct scen *sc, size_t r)
{
	const uint32_t *ids;
	size_t n = model_changed(m, &ids), i, s, want = 0;

	for (i = 1; i < n; i++)
		assert_true(ids[i - 1] < ids[i]);
	for (s = 0; s < NS; s++) {
		size_t id = site_by_name(m, s);
		bool listed = false;

		for (i = 0; i < n; i++)
			listed |= ids[i] == id;
		assert_int_equal(listed, site_changed(sc, r, s));
		want += listed;
	}
	assert_int_equal(n, want);
}

static void
check_sources(const struct model *m, const struct model *full, const struct scen *sc, size_t r)
{
	size_t s, p, k;

	for (s = 0; s < NS; s++) {
		size_t id = site_by_name(m, s), fid = site_by_name(full, s);
		const struct model_site *ms, *fs;
		uint32_t now = 0;

		if (id == SIZE_MAX)
			continue;
		ms = model_site(m, id);
		fs = model_site(full, fid);
		for (p = 0; p < sc->np; p++)
			now += sc->pids && holds(sc, r, p, s);
		assert_int_equal(ms->nsources_now, now);
		assert_int_equal(ms->nsources, fs->nsources);
		for (k = 0; k < ms->nsources; k++) {
			assert_int_equal(ms->sources[k], fs->sources[k]);
			for (p = 0; p < sc->np && pids[p] != ms->sources[k]; p++)
				;
			assert_true(p < sc->np);
			assert_int_equal(model_site_source_now(m, id, (uint32_t)k), holds(sc, r, p, s));
		}
	}
}

static void
check_verdicts(const struct model *m, const struct model *full)
{
	size_t s;

	for (s = 0; s < NS; s++) {
		size_t id = site_by_name(m, s), fid = site_by_name(full, s);
		const struct model_site *a, *b;

		if (id == SIZE_MAX)
			continue;
		a = model_site(m, id);
		b = model_site(full, fid);
		assert_int_equal(a->growth, b->growth);
		assert_float_equal(a->bytes_per_request, b->bytes_per_request, 1e-12);
		assert_int_equal(a->bytes, b->bytes);
		assert_int_equal(a->direct, b->direct);
		assert_int_equal(a->indirect, b->indirect);
		assert_int_equal(a->delta_bytes, b->delta_bytes);
		assert_int_equal(a->present, b->present);
	}
}

/* The scenario has what the test is about: a source missing from a
 * round (pids), and a site a source held that fell to 0 and came back. */
static void
scen_covers(const struct scen *sc)
{
	size_t r, p, s, missing = 0, back = 0;

	for (p = 0; p < sc->np; p++)
		for (s = 0; s < NS; s++) {
			bool fell = false;

			for (r = 1; r < NR; r++) {
				missing += !sc->present[r][p];
				if (holds(sc, r - 1, p, s) && !sc->t[r][p][s].v[1])
					fell = true;
				else if (fell && holds(sc, r, p, s)) {
					back++;
					fell = false;
				}
			}
		}
	assert_true(back > 0);
	assert_true(!sc->pids || missing > 0);
}

static void
run_scenario(bool use_pids, uint64_t seed)
{
	struct scen *sc = malloc(sizeof *sc);
	struct model *m[3];
	size_t r, i;

	scen_make(sc, use_pids, seed);
	scen_covers(sc);
	for (i = 0; i < 3; i++)
		m[i] = model_new();
	for (r = 0; r < NR; r++) {
		for (i = 0; i < 3; i++) {
			feed_round(m[i], sc, r, (enum feed)i);
			assert_int_equal(model_nrounds(m[i]), r + 1);
			check_values(m[i], sc, r);
			check_changed(m[i], sc, r);
			check_sources(m[i], m[FEED_FULL], sc, r);
			check_verdicts(m[i], m[FEED_FULL]);
		}
		assert_int_equal(model_nsites(m[FEED_DELTA]), model_nsites(m[FEED_FULL]));
		assert_int_equal(model_nsites(m[FEED_CARRY]), model_nsites(m[FEED_FULL]));
	}
	for (i = 0; i < 3; i++)
		model_free(m[i]);
	free(sc);
}

static void
test_delta_and_carry_match_full_pids(void **state)
{
	uint64_t seed;

	(void)state;
	for (seed = 1; seed <= 6; seed++)
		run_scenario(true, seed * 0x9e3779b97f4a7c15ULL);
}

static void
test_delta_and_carry_match_full_one_source(void **state)
{
	(void)state;
	run_scenario(false, 0x2545f4914f6cdd1dULL);
	run_scenario(false, 0x1234567887654321ULL);
}

/* Deltas that would take a value below 0 (or past the top) clamp; a
 * record without deltas in a delta round says where it is now. */
static void
test_bad_deltas_clamp(void **state)
{
	struct model *m = model_new();
	struct leak_summary sum = { .seen = 1 };
	struct val a = { { 100, 2, 100, 0 } };
	struct rec_buf b;
	struct leakcheck_record *rec;

	(void)state;
	model_round_begin(m, 1, 0);
	add_abs(m, 0, &a);
	model_round_end(m, &sum, 1);
	model_round_begin(m, 1, 0);
	model_round_delta(m);
	rec = rec_of(&b, "site_00", &a);
	rec->has_delta = true;
	rec->bytes_delta = INT64_MIN;
	rec->blocks_delta = -3;
	rec->direct_delta = INT64_MAX;
	rec->indirect_delta = 5;
	model_round_add(m, rec);
	model_round_end(m, &sum, 1);
	assert_int_equal(model_site_bytes(m, 0, 1), 0);
	assert_int_equal(model_site_blocks(m, 0, 1), 0);
	assert_int_equal(model_site_direct(m, 0, 1), 100 + (uint64_t)INT64_MAX);
	assert_int_equal(model_site_indirect(m, 0, 1), 5);
	assert_int_equal(model_site(m, 0)->present, false);
	model_round_begin(m, 1, 0);
	model_round_delta(m);
	rec->direct_delta = INT64_MAX;
	model_round_add(m, rec);
	model_round_end(m, &sum, 1);
	assert_int_equal(model_site_direct(m, 0, 2), UINT64_MAX);
	model_round_begin(m, 1, 0);
	model_round_delta(m);
	add_abs(m, 0, &a);
	model_round_end(m, &sum, 1);
	assert_int_equal(model_site_bytes(m, 0, 3), 100);
	assert_int_equal(model_site_blocks(m, 0, 3), 2);
	assert_int_equal(model_site_bytes(m, 0, 0), 100);
	model_free(m);
}

/* A site's record number is the latest round's: 0 when that round did
 * not name it (a delta round names only what changed). */
static void
test_recno_latest_round(void **state)
{
	struct model *m = model_new();
	struct leak_summary sum = { .seen = 1 };
	struct val a = { { 100, 2, 100, 0 } }, b2 = { { 200, 3, 200, 0 } };
	struct rec_buf b;

	(void)state;
	model_round_begin(m, 1, 0);
	rec_of(&b, "site_00", &a)->recno = 1;
	model_round_add(m, &b.rec);
	rec_of(&b, "site_01", &a)->recno = 2;
	model_round_add(m, &b.rec);
	model_round_end(m, &sum, 1);
	assert_int_equal(model_site(m, 0)->recno, 1);
	assert_int_equal(model_site(m, 1)->recno, 2);
	model_round_begin(m, 1, 0);
	model_round_delta(m);
	rec_of(&b, "site_01", &b2)->recno = 5;
	model_round_add(m, &b.rec);
	model_round_end(m, &sum, 1);
	assert_int_equal(model_site(m, 0)->recno, 0);
	assert_int_equal(model_site(m, 1)->recno, 5);
	assert_int_equal(model_site_bytes(m, 0, 1), 100);
	model_round_begin(m, 1, 0);
	model_round_delta(m);
	model_round_end(m, &sum, 1);
	assert_int_equal(model_site(m, 1)->recno, 0);
	assert_int_equal(model_site_bytes(m, 1, 2), 200);
	model_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_delta_and_carry_match_full_pids),
		cmocka_unit_test(test_delta_and_carry_match_full_one_source),
		cmocka_unit_test(test_bad_deltas_clamp),
		cmocka_unit_test(test_recno_latest_round),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
