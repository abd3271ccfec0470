/* test_report_gate.c - the one rule of what fails a run: --fail-on and
 * the budgets per request and per reload. A growing site under every
 * budget it has a figure for passes (and says so: REPORT_UNDER_BUDGET);
 * a figure without a budget fails; nginx core growing on reloads alone,
 * a suppressed site, a bounded one pass; a one-off definite loss fails
 * --fail-on definite whatever the budgets. Rows take their strongest
 * site's verdict; their keys hold no address or line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "reload_fixture.h"
#include "report.h"

static struct model_site
growing(double per_request, double per_reload)
{
	struct model_site s;

	memset(&s, 0, sizeof s);
	s.kind = LEAK_DEFINITE;
	s.present = true;
	s.growth = GROWTH_GROWING;
	s.bytes_per_request = per_request;
	s.bytes_per_reload = per_reload;
	return s;
}

static enum report_verdict
judge(struct model_site s, enum fail_on f, double max_req, double max_reload)
{
	struct report_gate g = { f, max_req, max_reload };

	return report_gate_site(&s, &g);
}

static void
test_per_request_budget(void **state)
{
	(void)state;
	assert_int_equal(judge(growing(10, 0), FAIL_ON_GROWING, -1, -1), REPORT_FAIL);
	assert_int_equal(judge(growing(10, 0), FAIL_ON_GROWING, 16, -1), REPORT_UNDER_BUDGET);
	/* the budget is inclusive: 10 B per request under a budget of 10 */
	assert_int_equal(judge(growing(10, 0), FAIL_ON_GROWING, 10, -1), REPORT_UNDER_BUDGET);
	assert_int_equal(judge(growing(10, 0), FAIL_ON_GROWING, 9.5, -1), REPORT_FAIL);
	/* a reload budget says nothing of growth per request */
	assert_int_equal(judge(growing(10, 0), FAIL_ON_GROWING, -1, 1e9), REPORT_FAIL);
}

static void
test_per_reload_budget(void **state)
{
	(void)state;
	assert_int_equal(judge(growing(0, 1000), FAIL_ON_GROWING, -1, 2000), REPORT_UNDER_BUDGET);
	assert_int_equal(judge(growing(0, 1000), FAIL_ON_GROWING, -1, 999), REPORT_FAIL);
	assert_int_equal(judge(growing(0, 1000), FAIL_ON_GROWING, 1e9, -1), REPORT_FAIL);
	/* growing on both: under both budgets or it fails */
	assert_int_equal(judge(growing(4, 1000), FAIL_ON_GROWING, 8, 2000), REPORT_UNDER_BUDGET);
	assert_int_equal(judge(growing(4, 1000), FAIL_ON_GROWING, 2, 2000), REPORT_FAIL);
	assert_int_equal(judge(growing(4, 1000), FAIL_ON_GROWING, 8, 500), REPORT_FAIL);
	/* growing with no figure yet (too few rounds): no budget excuses it */
	assert_int_equal(judge(growing(0, 0), FAIL_ON_GROWING, 1e9, 1e9), REPORT_FAIL);
}

static void
test_what_passes(void **state)
{
	struct model_site s = growing(10, 0);

	(void)state;
	s.growth = GROWTH_BOUNDED;
	assert_int_equal(judge(s, FAIL_ON_GROWING, -1, -1), REPORT_PASS);
	s = growing(0, 500);
	s.core_only = true;	/* nginx's own per-reload loss */
	assert_int_equal(judge(s, FAIL_ON_GROWING, -1, -1), REPORT_PASS);
	s = growing(10, 0);
	s.suppressed = true;
	assert_int_equal(judge(s, FAIL_ON_GROWING, -1, -1), REPORT_PASS);
	assert_int_equal(judge(s, FAIL_ON_DEFINITE, -1, -1), REPORT_PASS);
	assert_int_equal(judge(growing(10, 0), FAIL_ON_NONE, -1, -1), REPORT_PASS);
	assert_int_equal(judge(growing(10, 0), FAIL_ON_ERROR, -1, -1), REPORT_PASS);
}

static void
test_definite(void **state)
{
	struct model_site s = growing(10, 0);

	(void)state;
	s.growth = GROWTH_STABLE;	/* one block lost once */
	assert_int_equal(judge(s, FAIL_ON_DEFINITE, 1e9, 1e9), REPORT_FAIL);
	s.present = false;
	assert_int_equal(judge(s, FAIL_ON_DEFINITE, -1, -1), REPORT_PASS);
	s = growing(10, 0);
	assert_int_equal(judge(s, FAIL_ON_DEFINITE, 16, -1), REPORT_UNDER_BUDGET);
	s.kind = LEAK_REACHABLE;
	assert_int_equal(judge(s, FAIL_ON_DEFINITE, -1, -1), REPORT_PASS);
	assert_int_equal(judge(s, FAIL_ON_GROWING, -1, -1), REPORT_FAIL);
}

static const struct report_row *
row_of(const struct model *m, const struct report_row *rows, size_t n, const char *fn)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(model_site_frame(m, model_site(m, rows[i].site), 0)->fn, fn))
			return &rows[i];
	return NULL;
}

/* A master and workers over reloads (reload_fixture.h): per_request grows
 * 1 B per request, per_reload 1000 B per reload, both does both. */
static void
test_rows(void **state)
{
	struct model *m = model_new();
	struct report_gate g = REPORT_GATE_INIT;
	struct report_row *rows;
	size_t n;

	(void)state;
	rf_master_and_workers(m);
	assert_int_equal(rf_site(m, RF_PER_REQUEST)->growth, GROWTH_GROWING);
	rows = report_rows(m, &g, false, &n);
	assert_non_null(row_of(m, rows, n, "per_request"));
	assert_int_equal(row_of(m, rows, n, "per_request")->verdict, REPORT_FAIL);
	assert_int_equal(row_of(m, rows, n, "per_reload")->verdict, REPORT_FAIL);
	assert_true(report_gate_fails(rows, n, NULL, &g));
	report_rows_free(rows, n);

	g.max_per_request = 2;
	rows = report_rows(m, &g, false, &n);
	assert_int_equal(row_of(m, rows, n, "per_request")->verdict, REPORT_UNDER_BUDGET);
	assert_int_equal(row_of(m, rows, n, "per_reload")->verdict, REPORT_FAIL);
	report_rows_free(rows, n);

	g.max_per_reload = 1000;
	rows = report_rows(m, &g, false, &n);
	assert_int_equal(row_of(m, rows, n, "both")->verdict, REPORT_UNDER_BUDGET);
	assert_false(report_gate_fails(rows, n, NULL, &g));
	report_rows_free(rows, n);
	model_free(m);
}

/* One line reached through two call paths: a record per path, each
 * growing `per` bytes per request. */
static void
two_paths_round(struct model *m, uint64_t requests, uint64_t per_path)
{
	static const char *const callers[] = { "first_request", "keepalive" };
	struct leak_summary sum;
	size_t p;

	memset(&sum, 0, sizeof sum);
	sum.seen = 1;
	model_round_begin(m, requests, 0);
	for (p = 0; p < 2; p++) {
		struct leakcheck_frame f[2] = {
			{ .ip = 0x2000, .fn = { "mod_alloc", 9 }, .file = { "mod.c", 5 }, .line = 42 },
			{ .ip = 0x3000 + p, .fn = { callers[p], strlen(callers[p]) },
			  .file = { "core.c", 6 }, .line = 7 },
		};
		struct leakcheck_record rec = { .kind = LEAK_DEFINITE, .bytes = per_path,
			.direct = per_path, .blocks = 1, .nframes = 2, .frames = f };

		if (per_path)
			model_round_add(m, &rec);
	}
	model_round_end(m, &sum, 1000);
}

/* A budget is for the line the table shows: 13 + 5 B per request through
 * two paths is 18 B per request on that line, over a budget of 15. */
static void
test_row_budget_is_the_line(void **state)
{
	struct model *m = model_new();
	struct report_gate g = { FAIL_ON_GROWING, 15, -1 };
	struct report_row *rows;
	size_t n, r;

	(void)state;
	for (r = 0; r < 5; r++)
		two_paths_round(m, r ? 100 : 0, r * 900);	/* 9 B per request a path */
	rows = report_rows(m, &g, false, &n);
	assert_int_equal(n, 1);
	assert_int_equal(rows[0].nsites, 2);
	assert_float_equal(rows[0].g.bytes_per_request, 18.0, 1e-9);
	assert_int_equal(report_gate_site(model_site(m, rows[0].sites[0]), &g), REPORT_UNDER_BUDGET);
	assert_int_equal(rows[0].verdict, REPORT_FAIL);
	report_rows_free(rows, n);
	g.max_per_request = 18;
	rows = report_rows(m, &g, false, &n);
	assert_int_equal(rows[0].verdict, REPORT_UNDER_BUDGET);
	report_rows_free(rows, n);
	model_free(m);
}

static void
test_row_key(void **state)
{
	struct model *m = model_new();
	struct report_gate g = REPORT_GATE_INIT;
	struct report_row *rows;
	const struct report_row *r;
	char *key;
	size_t n;

	(void)state;
	rf_master_and_workers(m);
	rows = report_rows(m, &g, false, &n);
	r = row_of(m, rows, n, "per_request");
	key = report_row_key(m, r);
	assert_string_equal(key, "definite|mod.c|per_request");
	free(key);
	report_rows_free(rows, n);
	model_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_per_request_budget),
		cmocka_unit_test(test_per_reload_budget),
		cmocka_unit_test(test_what_passes),
		cmocka_unit_test(test_definite),
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_row_key),
		cmocka_unit_test(test_row_budget_is_the_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
