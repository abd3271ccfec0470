/* test_sessionfile_carry.c - the session file appends what changed: a
 * round line lists the sites whose values or pids changed ("carry":
 * true), and --load rebuilds the same model as the live one (every site's
 * bytes, blocks, direct and indirect at every round, the verdicts, the
 * pids, the URLs, the holders) from rounds taken as deltas
 * (model_round_delta) and as whole answers alike. A round after a gap in
 * the file (a failed write) is written whole; a file of the older shape
 * (every present site every round, no flag) loads with an absent site at
 * 0, not carried; a torn last line is still skipped. */
#define SF_DIR "/tmp/lt-sessionfile-carry-XXXXXX"
#include "sessionfile_fixture.h"

#include <jansson.h>

#include "leakcheck.h"

/* The sites, by their one function name; each its own kind. */
enum { S_LEAK, S_SPLIT, S_CACHE, S_SWING, S_LATE, S_GONE, NSITES };
static const char *const fn_of[NSITES] = { "leak", "split", "cache", "swing", "late", "gone" };
static const enum leak_kind kind_of[NSITES] = { LEAK_DEFINITE, LEAK_DEFINITE, LEAK_REACHABLE,
	LEAK_REACHABLE, LEAK_POSSIBLE, LEAK_REACHABLE };

/* What a site holds in one round: bytes (indirect included), indirect,
 * blocks. */
struct val {
	uint64_t bytes, indirect, blocks;
};

static void
record(struct model *m, size_t site, struct val now, struct val before, bool delta)
{
	struct leakcheck_frame f[2] = {
		{ .ip = 0x4000 + site, .fn = { "malloc", 6 }, .obj = { "vgpreload.so", 12 } },
		{ .ip = 0x1000 + site, .fn = { fn_of[site], strlen(fn_of[site]) },
			.file = { "mod.c", 5 }, .line = 10 + (unsigned)site },
	};
	struct leakcheck_record rec = { .kind = kind_of[site], .bytes = now.bytes,
		.blocks = now.blocks, .direct = now.bytes - now.indirect, .indirect = now.indirect,
		.nframes = 2, .frames = f, .recno = 1 + (unsigned)site };

	if (delta) {
		rec.has_delta = true;
		rec.bytes_delta = (int64_t)now.bytes - (int64_t)before.bytes;
		rec.blocks_delta = (int64_t)now.blocks - (int64_t)before.blocks;
		rec.indirect_delta = (int64_t)now.indirect - (int64_t)before.indirect;
		rec.direct_delta = rec.bytes_delta - rec.indirect_delta;
	}
	model_round_add(m, &rec);
}

/* A site's id in m, by its function. */
static size_t
site_of(const struct model *m, size_t site)
{
	size_t i;

	for (i = 0; i < model_nsites(m); i++)
		if (!strcmp(model_site_frame(m, model_site(m, i), 1)->fn, fn_of[site]))
			return i;
	fail_msg("no site %s", fn_of[site]);
	return 0;
}

static bool
same_val(struct val a, struct val b)
{
	return a.bytes == b.bytes && a.indirect == b.indirect && a.blocks == b.blocks;
}

/* One round from one process: a whole answer (every site it holds) or,
 * with delta, what `leak_check ... changed` prints (the sites that
 * changed since the round before, one that fell to 0 at 0). */
static void
feed_round(struct model *m, uint32_t pid, const struct val *now, struct val *prev, bool delta,
	uint64_t requests)
{
	struct leak_summary sum = { .seen = 1 };
	size_t s;

	model_round_begin(m, requests, 0);
	model_round_url_requests(m, model_url_intern(m, "http://127.0.0.1:1/leak"), requests / 2);
	model_round_url_requests(m, model_url_intern(m, "http://127.0.0.1:1/other"),
		requests - requests / 2);
	model_round_source(m, pid);
	if (delta)
		model_round_delta(m);
	for (s = 0; s < NSITES; s++) {
		if (delta ? !same_val(now[s], prev[s]) : now[s].bytes || now[s].blocks)
			record(m, s, now[s], prev[s], delta);
		prev[s] = now[s];
	}
	model_round_end(m, &sum, 1000);
}

/* Round r's values: a steady leak, a definite leak with an indirect part,
 * a cache that fills and stops, a site that swings, one that appears late
 * and one that falls to 0 and comes back. */
static void
values_at(size_t r, struct val *v)
{
	memset(v, 0, NSITES * sizeof *v);
	v[S_LEAK] = (struct val){ 100 * (r + 1), 0, r + 1 };
	v[S_SPLIT] = (struct val){ 248 * r, 200 * r, 2 * r };
	v[S_CACHE] = (struct val){ 256 * (r < 4 ? r : 4), 0, r < 4 ? r : 4 };
	v[S_SWING] = (struct val){ r % 3 ? 512 : 64, 0, r % 3 ? 2 : 1 };
	if (r >= 5)
		v[S_LATE] = (struct val){ 40, 0, 1 };
	if (r % 4 != 2)
		v[S_GONE] = (struct val){ 16, 0, 1 };
}

static void
assert_same_sites(const struct model *a, const struct model *b)
{
	size_t i, r, k;

	assert_int_equal(model_nrounds(a), model_nrounds(b));
	assert_int_equal(model_nsites(a), model_nsites(b));
	for (i = 0; i < model_nsites(a); i++) {
		const struct model_site *x = model_site(a, i), *y = model_site(b, i);

		assert_int_equal(x->kind, y->kind);
		assert_int_equal(x->nframes, y->nframes);
		assert_string_equal(model_site_frame(a, x, 1)->fn, model_site_frame(b, y, 1)->fn);
		for (r = 0; r < model_nrounds(a); r++) {
			assert_int_equal(model_site_bytes(a, i, r), model_site_bytes(b, i, r));
			assert_int_equal(model_site_blocks(a, i, r), model_site_blocks(b, i, r));
			assert_int_equal(model_site_direct(a, i, r), model_site_direct(b, i, r));
			assert_int_equal(model_site_indirect(a, i, r), model_site_indirect(b, i, r));
		}
		assert_int_equal(x->growth, y->growth);
		assert_int_equal(x->present, y->present);
		assert_int_equal(x->delta_bytes, y->delta_bytes);
		assert_float_equal(x->bytes_per_request, y->bytes_per_request, 1e-12);
		assert_int_equal(x->nsources, y->nsources);
		assert_int_equal(x->nsources_now, y->nsources_now);
		for (k = 0; k < x->nsources; k++)
			assert_int_equal(x->sources[k], y->sources[k]);
		assert_int_equal(x->attrib, y->attrib);
		assert_int_equal(x->nurls, y->nurls);
		for (k = 0; k < x->nurls; k++) {
			assert_int_equal(x->urls[k].url, y->urls[k].url);
			assert_float_equal(x->urls[k].bytes_per_request,
				y->urls[k].bytes_per_request, 1e-12);
		}
		assert_int_equal(x->holder.pool, y->holder.pool);
	}
}

/* The round lines of a file, parsed. */
static json_t *
round_lines(const char *path)
{
	json_t *all = json_array(), *line;
	FILE *f = fopen(path, "r");
	char buf[65536];

	assert_non_null(f);
	while (fgets(buf, sizeof buf, f)) {
		line = json_loads(buf, 0, NULL);
		assert_non_null(line);
		if (!strcmp(json_string_value(json_object_get(line, "type")), "round"))
			json_array_append(all, line);
		json_decref(line);
	}
	fclose(f);
	return all;
}

/* The bytes a round line lists for a site; -1 when not listed. */
static json_int_t
value_of(json_t *line, size_t site)
{
	json_t *v;
	size_t i;

	json_array_foreach(json_object_get(line, "values"), i, v)
		if (json_integer_value(json_array_get(v, 0)) == (json_int_t)site)
			return json_integer_value(json_array_get(v, 1));
	return -1;
}

/* Rounds 0 and 6 whole, the others deltas; a holder found on the way. */
static void
test_delta_rounds_load_the_same(void **state)
{
	char *path = xasprintf("%s/delta.jsonl", sf_dir), err[256];
	struct model *m = model_new(), *back;
	struct sessionfile *j = sf_open(path);
	struct val now[NSITES], prev[NSITES] = { { 0, 0, 0 } };
	struct model_holder h = { .pool = MODEL_POOL_CYCLE, .searched = true,
		.created_at = UINT32_MAX };
	json_t *lines;
	bool torn;
	size_t r;

	(void)state;
	for (r = 0; r < 12; r++) {
		values_at(r, now);
		feed_round(m, 7, now, prev, r != 0 && r != 6, r ? 200 : 0);
		sf_write_round(j, m);
		if (r == 3) {
			model_site_set_holder(m, site_of(m, S_CACHE), &h);
			assert_true(sessionfile_holders(j, m, err, sizeof err));
		}
	}
	sessionfile_close(j, "stopped");
	assert_int_equal(model_site(m, site_of(m, S_LEAK))->growth, GROWTH_GROWING);
	assert_int_equal(model_site(m, site_of(m, S_CACHE))->growth, GROWTH_BOUNDED);

	back = sf_load(path, &torn);
	assert_false(torn);
	assert_same_sites(m, back);
	assert_int_equal(model_site(back, site_of(back, S_CACHE))->holder.pool, MODEL_POOL_CYCLE);

	/* what the lines hold: round 0 every site present (leak, swing,
	 * gone); later rounds only what changed: round 5 the leaks and the
	 * new site, not the full cache, the swing at 512 again nor gone */
	lines = round_lines(path);
	assert_int_equal(json_array_size(lines), 12);
	assert_true(json_is_true(json_object_get(json_array_get(lines, 0), "carry")));
	assert_int_equal(json_array_size(json_object_get(json_array_get(lines, 0), "values")), 3);
	assert_true(json_is_true(json_object_get(json_array_get(lines, 5), "carry")));
	assert_int_equal(json_array_size(json_object_get(json_array_get(lines, 5), "values")), 3);
	/* round 6, a whole answer in the model: gone fell to 0, listed at 0 */
	assert_int_equal(value_of(json_array_get(lines, 6), site_of(m, S_GONE)), 0);
	assert_int_equal(json_array_size(json_object_get(json_array_get(lines, 6), "values")), 4);
	json_decref(lines);
	model_free(m);
	model_free(back);
	unlink(path);
	free(path);
}

/* Two processes, each with its own pid, in one model: a site that one of
 * them stops holding changes its pids, not its numbers. The contract's
 * model_round_carry keeps every site's sources and model_changed lists
 * a change of pids: the first cut of 141bbbb did neither (late's pid 12
 * not "now" in round 8, in the live model and the loaded one alike). */
static void
test_pids_carried(void **state)
{
	char *path = xasprintf("%s/pids.jsonl", sf_dir);
	struct model *m = model_new(), *back;
	struct sessionfile *j = sf_open(path);
	struct val a[NSITES], b[NSITES], pa[NSITES] = { { 0, 0, 0 } }, pb[NSITES] = { { 0, 0, 0 } };
	struct leak_summary sum = { .seen = 1 };
	bool torn;
	size_t r, s;

	(void)state;
	for (r = 0; r < 9; r++) {
		values_at(r, a);
		values_at(r + 1, b);
		if (r >= 4)	/* the second process no longer has the cache */
			b[S_CACHE] = (struct val){ 0, 0, 0 };
		if (r >= 7) {	/* late moves to the second: the same sum, other pids */
			a[S_LATE] = (struct val){ 0, 0, 0 };
			b[S_LATE] = (struct val){ 80, 0, 2 };
		}
		model_round_begin(m, r ? 100 : 0, 0);
		model_round_source(m, 11);
		if (r)
			model_round_delta(m);
		for (s = 0; s < NSITES; s++) {
			if (r ? !same_val(a[s], pa[s]) : a[s].bytes != 0)
				record(m, s, a[s], pa[s], r != 0);
			pa[s] = a[s];
		}
		model_round_source(m, 12);
		if (r)
			model_round_delta(m);
		for (s = 0; s < NSITES; s++) {
			if (r ? !same_val(b[s], pb[s]) : b[s].bytes != 0)
				record(m, s, b[s], pb[s], r != 0);
			pb[s] = b[s];
		}
		model_round_end(m, &sum, 1000);
		sf_write_round(j, m);
	}
	sessionfile_close(j, "stopped");
	back = sf_load(path, &torn);
	assert_same_sites(m, back);
	assert_int_equal(model_site(back, site_of(back, S_LEAK))->nsources_now, 2);
	assert_int_equal(model_site(back, site_of(back, S_LATE))->nsources_now, 1);
	model_free(m);
	model_free(back);
	unlink(path);
	free(path);
}

/* A round the file missed (a write that failed): the next line is whole,
 * so a site that fell to 0 in the missed round is not carried. */
static void
test_gap_written_whole(void **state)
{
	char *path = xasprintf("%s/gap.jsonl", sf_dir);
	struct model *m = model_new(), *back;
	struct sessionfile *j = sf_open(path);
	struct val now[NSITES], prev[NSITES] = { { 0, 0, 0 } };
	json_t *lines;
	bool torn;
	size_t r, i, last;

	(void)state;
	for (r = 0; r < 4; r++) {
		values_at(r, now);
		feed_round(m, 7, now, prev, r != 0, r ? 200 : 0);
		if (r != 2)	/* round 2: gone falls to 0, not written */
			sf_write_round(j, m);
	}
	sessionfile_close(j, "stopped");
	lines = round_lines(path);
	assert_int_equal(json_array_size(lines), 3);
	assert_null(json_object_get(json_array_get(lines, 2), "carry"));
	json_decref(lines);
	back = sf_load(path, &torn);
	assert_int_equal(model_nrounds(back), 3);
	last = model_nrounds(m) - 1;
	assert_int_equal(model_site_bytes(m, site_of(m, S_GONE), 2), 0);
	for (i = 0; i < model_nsites(m); i++) {
		assert_int_equal(model_site_bytes(back, i, 2), model_site_bytes(m, i, last));
		assert_int_equal(model_site_blocks(back, i, 2), model_site_blocks(m, i, last));
	}
	model_free(m);
	model_free(back);
	unlink(path);
	free(path);
}

#define ROUND(n, frames, sites, values, extra) "{\"type\":\"round\",\"n\":" #n \
	",\"requests\":10,\"failed\":0,\"check_ns\":1,\"time_ms\":1,\"summary\":{},\"frames\":" \
	frames ",\"sites\":" sites ",\"values\":" values extra "}\n"
#define TWO_FRAMES "[[\"0x1\",\"f\",\"m.c\",1,\"\"],[\"0x2\",\"g\",\"m.c\",2,\"\"]]"
#define TWO_SITES "[[\"definite\",[0]],[\"reachable\",[1]]]"

/* The older shape: every present site each round and no flag; site 1,
 * absent from round 1, has 0 there (not its round-0 value). */
static void
test_old_shape_loads(void **state)
{
	struct model *m;
	bool torn;

	(void)state;
	m = sf_load_text("old.jsonl", SF_HEADER
		ROUND(0, TWO_FRAMES, TWO_SITES, "[[0,10,1,10,0],[1,64,1,64,0]]", "")
		ROUND(1, "[]", "[]", "[[0,20,2,20,0]]", "")
		ROUND(2, "[]", "[]", "[[0,30,3,30,0],[1,64,1,64,0]]", ""), &torn);
	assert_int_equal(model_nrounds(m), 3);
	assert_int_equal(model_site_bytes(m, 1, 0), 64);
	assert_int_equal(model_site_bytes(m, 1, 1), 0);
	assert_int_equal(model_site_bytes(m, 1, 2), 64);
	assert_int_equal(model_site_bytes(m, 0, 2), 30);
	assert_int_equal(model_site(m, 0)->growth, GROWTH_GROWING);
	model_free(m);

	/* the same rounds carrying: site 1 keeps its 64 in round 1 */
	m = sf_load_text("new.jsonl", SF_HEADER
		ROUND(0, TWO_FRAMES, TWO_SITES, "[[0,10,1,10,0],[1,64,1,64,0]]", ",\"carry\":true")
		ROUND(1, "[]", "[]", "[[0,20,2,20,0]]", ",\"carry\":true")
		ROUND(2, "[]", "[]", "[[0,30,3,30,0],[1,0,0,0,0]]", ",\"carry\":true"), &torn);
	assert_int_equal(model_site_bytes(m, 1, 1), 64);
	assert_int_equal(model_site_bytes(m, 1, 2), 0);
	assert_int_equal(model_site_bytes(m, 0, 2), 30);
	model_free(m);
}

/* A crash mid-write leaves a torn last line: skipped, the rounds before
 * kept; "carry" that is not a boolean is refused. */
static void
test_torn_and_bad_carry(void **state)
{
	struct model *m;
	bool torn;

	(void)state;
	m = sf_load_text("torn.jsonl", SF_HEADER
		ROUND(0, TWO_FRAMES, TWO_SITES, "[[0,10,1,10,0],[1,64,1,64,0]]", ",\"carry\":true")
		ROUND(1, "[]", "[]", "[[0,20,2,20,0]]", ",\"carry\":true")
		"{\"type\":\"round\",\"n\":2,\"requests\":10,\"fai", &torn);
	assert_true(torn);
	assert_int_equal(model_nrounds(m), 2);
	assert_int_equal(model_site_bytes(m, 1, 1), 64);
	model_free(m);

	sf_assert_refused("bad.jsonl", SF_HEADER
		ROUND(0, TWO_FRAMES, TWO_SITES, "[[0,10,1,10,0]]", ",\"carry\":1"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_delta_rounds_load_the_same),
		cmocka_unit_test(test_pids_carried),
		cmocka_unit_test(test_gap_written_whole),
		cmocka_unit_test(test_old_shape_loads),
		cmocka_unit_test(test_torn_and_bad_carry),
	};

	return cmocka_run_group_tests(tests, sf_setup, sf_teardown);
}
