/* test_sessionfile_reloads.c - the session file keeps a round's reloads
 * and which processes had each site: --load gives the same verdicts,
 * bytes_per_reload and pids; a site no process was named for stays
 * without one; a file from before (no reloads, no pids) still loads;
 * reloads or pids that cannot be are refused. The JSON report and the
 * table show them (rounds[].reloads, sites[].bytes_per_reload and pids;
 * the B/RELOAD column only when a round had reloads). */
#define SF_DIR "/tmp/lt-sessionfile-reloads-XXXXXX"
#include "sessionfile_fixture.h"

#include <jansson.h>

#include "reload_fixture.h"
#include "report.h"

static void
assert_same_site(const struct model *a, const struct model *b, size_t site)
{
	const struct model_site *x = rf_site(a, site), *y = rf_site(b, site);
	uint32_t k;

	assert_non_null(x);
	assert_non_null(y);
	assert_int_equal(x->growth, y->growth);
	assert_float_equal(x->bytes_per_request, y->bytes_per_request, 1e-12);
	assert_float_equal(x->bytes_per_reload, y->bytes_per_reload, 1e-12);
	assert_int_equal(x->nsources, y->nsources);
	assert_int_equal(x->nsources_now, y->nsources_now);
	for (k = 0; k < x->nsources; k++)
		assert_int_equal(x->sources[k], y->sources[k]);
}

/* sf_write_round as rf_master_and_workers_each calls it. */
static void
write_round(struct model *m, void *j)
{
	sf_write_round(j, m);
}

static void
test_round_trip(void **state)
{
	struct model *m = model_new(), *back;
	char *path = xasprintf("%s/a.jsonl", sf_dir);
	struct sessionfile *j = sf_open(path);
	struct leak_summary sum = { .seen = 1 };
	bool torn;
	size_t r, s;

	(void)state;
	/* the rounds of reload_fixture.h, each written as it ends */
	rf_master_and_workers_each(m, write_round, j);
	/* a site no process was named for, among named ones */
	model_round_begin(m, 100, 0);
	model_round_source(m, 1);
	rf_record(m, RF_PER_RELOAD, 2000);
	model_round_source(m, MODEL_NO_SOURCE);
	rf_record(m, RF_LAZY, 64);
	model_round_source(m, 9);
	rf_record(m, RF_BOTH, 2000);
	model_round_end(m, &sum, 1000);
	sf_write_round(j, m);
	sessionfile_close(j, "stopped");

	back = sf_load(path, &torn);
	assert_false(torn);
	assert_int_equal(model_nrounds(back), model_nrounds(m));
	for (r = 0; r < model_nrounds(m); r++) {
		assert_int_equal(model_round(back, r)->reloads, model_round(m, r)->reloads);
		assert_int_equal(model_round(back, r)->total_reloads, model_round(m, r)->total_reloads);
		for (s = 0; s < model_nsites(m); s++)
			assert_int_equal(model_site_bytes(back, s, r), model_site_bytes(m, s, r));
	}
	assert_int_equal(model_round(back, 3)->reloads, 1);
	assert_int_equal(model_round(back, 8)->total_reloads, 2);
	for (s = 0; s < RF_NSITES; s++)
		if (rf_site(m, s))
			assert_same_site(m, back, s);
	assert_int_equal(rf_site(back, RF_PER_RELOAD)->nsources, 5);
	assert_int_equal(rf_site(back, RF_PER_RELOAD)->nsources_now, 1);
	assert_int_equal(rf_site(back, RF_BOTH)->nsources, 8);	/* 2 3 1 4 5 6 7 9 */
	assert_int_equal(rf_site(back, RF_BOTH)->sources[7], 9);
	assert_int_equal(rf_site(back, RF_BOTH)->sources[2], 1);
	assert_int_equal(rf_site(back, RF_LAZY)->nsources, 0);
	model_free(m);
	model_free(back);
	unlink(path);
	free(path);
}

#define ROUND(n, values, extra) "{\"type\":\"round\",\"n\":" #n ",\"requests\":10,\"failed\":0," \
	"\"check_ns\":1,\"time_ms\":1,\"summary\":{},\"frames\":[[\"0x1\",\"f\",\"m.c\",1,\"\"]]," \
	"\"sites\":[[\"definite\",[0]]],\"values\":" values extra "}\n"

/* Before reloads and pids: [site, bytes, blocks, direct, indirect]. */
static void
test_old_file_loads(void **state)
{
	bool torn;
	struct model *m = sf_load_text("old.jsonl", SF_HEADER ROUND(0, "[[0,10,1,10,0]]", ""), &torn);

	(void)state;
	assert_int_equal(model_nrounds(m), 1);
	assert_int_equal(model_round(m, 0)->reloads, 0);
	assert_int_equal(model_site(m, 0)->nsources, 0);
	assert_int_equal(model_site_bytes(m, 0, 0), 10);
	model_free(m);
}

static void
test_bad_reloads_and_pids_refused(void **state)
{
	static const char *const bad[] = {
		ROUND(0, "[[0,10,1,10,0]]", ",\"reloads\":-1"),
		ROUND(0, "[[0,10,1,10,0]]", ",\"reloads\":\"1\""),
		ROUND(0, "[[0,10,1,10,0]]", ",\"reloads\":4294967296"),
		ROUND(0, "[[0,10,1,10,0,[-1]]]", ""),
		ROUND(0, "[[0,10,1,10,0,[4294967295]]]", ""),
		ROUND(0, "[[0,10,1,10,0,[\"7\"]]]", ""),
		ROUND(0, "[[0,10,1,10,0,7]]", ""),
	};
	struct model *m;
	bool torn;

	(void)state;
	sf_assert_rounds_refused(bad, sizeof bad / sizeof *bad);
	/* and the good form of the same loads */
	m = sf_load_text("good.jsonl", SF_HEADER
		ROUND(0, "[[0,10,1,10,0,[7,8]]]", ",\"reloads\":2"), &torn);
	assert_int_equal(model_round(m, 0)->reloads, 2);
	assert_int_equal(model_site(m, 0)->nsources, 2);
	assert_int_equal(model_site(m, 0)->sources[1], 8);
	assert_int_equal(model_site(m, 0)->nsources_now, 2);
	assert_int_equal(model_site_bytes(m, 0, 0), 10);
	model_free(m);
}

static json_t *
json_site_of(json_t *root, const char *fn)
{
	json_t *sites = json_object_get(root, "sites"), *s;
	size_t i;

	json_array_foreach(sites, i, s)
		if (!strcmp(json_string_value(json_object_get(s, "function")), fn))
			return s;
	fail_msg("no site %s in the JSON", fn);
	return NULL;
}

static void
test_report(void **state)
{
	struct report_meta meta = { .nginx = "nginx" };
	struct model *m = model_new();
	json_t *root, *site, *pids;
	char *text, table[8192];
	FILE *f;

	(void)state;
	rf_master_and_workers(m);
	text = report_json_render(m, &meta);
	root = json_loads(text, 0, NULL);
	assert_non_null(root);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(
		json_object_get(root, "rounds"), 3), "reloads")), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(
		json_object_get(root, "rounds"), 4), "reloads")), 0);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(
		json_object_get(root, "rounds"), 7), "total_reloads")), 2);
	site = json_site_of(root, "per_reload");
	assert_float_equal(json_real_value(json_object_get(site, "bytes_per_reload")), 1000, 1e-9);
	assert_string_equal(json_string_value(json_object_get(site, "growth")), "growing");
	pids = json_object_get(site, "pids");
	assert_int_equal(json_array_size(pids), 5);
	assert_int_equal(json_integer_value(json_array_get(pids, 0)), 1);
	assert_int_equal(json_integer_value(json_array_get(pids, 4)), 7);
	site = json_site_of(root, "per_request");
	assert_float_equal(json_real_value(json_object_get(site, "bytes_per_reload")), 0, 1e-9);
	assert_float_equal(json_real_value(json_object_get(site, "bytes_per_request")), 1, 1e-9);
	json_decref(root);
	free(text);

	f = fmemopen(table, sizeof table, "w");
	report_table_print(f, m, 0);
	fclose(f);
	assert_non_null(strstr(table, "B/REQ  B/RELOAD VERDICT"));
	assert_non_null(strstr(table, "      0.0    1000.0 growing"));	/* per_reload */
	assert_non_null(strstr(table, "      1.0    1000.0 growing"));	/* both */
	model_free(m);

	/* no reloads: no column */
	m = model_new();
	rf_round(m, 0, 0, (struct rf_proc[]){ { 1, { 0 } } }, 1);
	rf_round(m, 100, 0, (struct rf_proc[]){ { 1, { [RF_PER_REQUEST] = 100 } } }, 1);
	f = fmemopen(table, sizeof table, "w");
	report_table_print(f, m, 0);
	fclose(f);
	assert_null(strstr(table, "B/RELOAD"));
	assert_non_null(strstr(table, "B/REQ VERDICT"));
	model_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_old_file_loads),
		cmocka_unit_test(test_bad_reloads_and_pids_refused),
		cmocka_unit_test(test_report),
	};

	return cmocka_run_group_tests(tests, sf_setup, sf_teardown);
}
