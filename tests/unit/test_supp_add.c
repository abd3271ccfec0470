/* test_supp_add.c - suppressions on real report rows: report_supp_text of
 * the fixture's leaks (three real checks, tests/data/) reads back and hides
 * exactly those rows, through report_supp_add (a model with no engine) and
 * engine_supp_add (every model an engine holds); a bad text changes
 * nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "evloop.h"
#include "leakcheck.h"
#include "model.h"
#include "report.h"
#include "supp.h"
#include "util.h"

static void
add_round(struct model *m, const char *file, uint64_t requests)
{
	char *path = xasprintf("tests/data/%s", file);
	FILE *f = fopen(path, "rb");
	struct leak_summary sum;
	struct leakcheck_error err;
	char *text = xmalloc(1 << 22);
	size_t len;

	assert_non_null(f);
	len = fread(text, 1, (1 << 22) - 1, f);
	fclose(f);
	free(path);
	model_round_begin(m, requests, 0);
	assert_int_equal(leakcheck_text(text, len, model_leakcheck_cb, m, &sum, &err), LEAKCHECK_OK);
	model_round_end(m, &sum, 1000);
	free(text);
}

static void
fill(struct model *m)
{
	add_round(m, "leak_check_full_any_1.txt", 200);
	add_round(m, "leak_check_full_any_2.txt", 200);
	add_round(m, "leak_check_full_any_3.txt", 200);
}

static size_t
failing(const struct model *m)
{
	struct report_gate g = REPORT_GATE_INIT;
	size_t n, i, fails = 0;
	struct report_row *rows = report_rows(m, &g, false, &n);

	for (i = 0; i < n; i++)
		fails += rows[i].verdict == REPORT_FAIL;
	report_rows_free(rows, n);
	return fails;
}

/* The suppressions of what fails the default gate. */
static char *
gen_text(const struct model *m, size_t *nblocks)
{
	struct report_gate g = REPORT_GATE_INIT;
	size_t n, i, k = 0;
	struct report_row *rows = report_rows(m, &g, false, &n), *fail = xcalloc(n + 1, sizeof *fail);
	char *text, *p;

	for (i = 0; i < n; i++)
		if (rows[i].verdict == REPORT_FAIL)
			fail[k++] = rows[i];
	text = report_supp_text(m, fail, k);
	free(fail);
	report_rows_free(rows, n);
	for (*nblocks = 0, p = text; (p = strstr(p, "\n{\n")); p++)
		(*nblocks)++;
	return text;
}

static void
test_report_supp_add(void **state)
{
	struct model *m = model_new();
	struct supp *set = supp_new();
	struct model_suppressed sup;
	size_t fails, nblocks;
	char err[512], *text;

	(void)state;
	fill(m);
	fails = failing(m);
	assert_true(fails >= 3);
	text = gen_text(m, &nblocks);
	assert_true(nblocks >= fails);
	assert_non_null(strstr(text, "   ...\n}"));
	assert_null(strstr(text, "fun:ngx_http_core_content_phase"));
	/* a bad text: false, nothing hidden */
	assert_false(report_supp_add(m, set, "typed", "{\n x\n Memcheck:Leak\n}\n", err, sizeof err));
	assert_non_null(strstr(err, "typed:4: "));
	model_suppressed(m, &sup);
	assert_int_equal(sup.sites, 0);
	assert_int_equal(failing(m), fails);
	/* the generated text hides every failing row, and counts them */
	if (!report_supp_add(m, set, "gen.supp", text, err, sizeof err))
		fail_msg("%s\n%s", err, text);
	assert_int_equal(supp_count(set), nblocks);
	assert_int_equal(failing(m), 0);
	model_suppressed(m, &sup);
	assert_true(sup.sites >= fails);
	assert_true(sup.bytes > 0);
	free(text);
	model_free(m);
	supp_free(set);
}

static void
test_engine_supp_add(void **state)
{
	struct evloop *loop = evloop_new();
	struct engine_opts o;
	struct engine *e;
	struct model *src = model_new();
	struct model_suppressed sup;
	size_t nblocks;
	char err[512], *text;

	(void)state;
	memset(&o, 0, sizeof o);
	fill(src);
	text = gen_text(src, &nblocks);
	e = engine_new(loop, &o, NULL, NULL);
	fill(engine_model(e));
	assert_true(failing(engine_model(e)) > 0);
	assert_false(engine_supp_add(e, "bad", "{\n", err, sizeof err));
	assert_non_null(strstr(err, "bad:"));
	assert_true(failing(engine_model(e)) > 0);
	assert_true(engine_supp_add(e, "gen", text, err, sizeof err));
	assert_int_equal(failing(engine_model(e)), 0);
	model_suppressed(engine_model(e), &sup);
	assert_true(sup.sites > 0);
	/* sites that come later are judged by the grown set too */
	add_round(engine_model(e), "leak_check_full_any_3.txt", 200);
	assert_int_equal(failing(engine_model(e)), 0);
	engine_free(e);
	evloop_free(loop);
	model_free(src);
	free(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_report_supp_add),
		cmocka_unit_test(test_engine_supp_add),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
