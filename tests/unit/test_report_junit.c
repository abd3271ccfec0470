/* test_report_junit.c - the JUnit XML report on the real captured leak
 * checks and memcheck errors of the fixture nginx: a test case per row
 * and per error, failures for what fails the gate with the stack, stable
 * names, valid by tests/data/junit/junit.xsd (which rejects a broken
 * report), well-formed XML 1.0 whatever bytes the names carry. */
#include "report_fixture.h"

#include <libxml/parser.h>
#include <libxml/xpath.h>

static xmlDocPtr
parse(const char *text)
{
	xmlDocPtr d = xmlReadMemory(text, (int)strlen(text), "junit.xml", NULL,
		XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);

	assert_non_null(d);	/* well-formed, no recovery */
	return d;
}

static size_t
count(xmlDocPtr d, const char *xpath)
{
	xmlXPathContextPtr c = xmlXPathNewContext(d);
	xmlXPathObjectPtr o = xmlXPathEvalExpression(BAD_CAST xpath, c);
	size_t n = o && o->nodesetval ? (size_t)o->nodesetval->nodeNr : 0;

	xmlXPathFreeObject(o);
	xmlXPathFreeContext(c);
	return n;
}

/* The string value of xpath (malloc'd, "" when none). */
static char *
value(xmlDocPtr d, const char *xpath)
{
	xmlXPathContextPtr c = xmlXPathNewContext(d);
	char *expr = xasprintf("string(%s)", xpath);
	xmlXPathObjectPtr o = xmlXPathEvalExpression(BAD_CAST expr, c);
	char *v = xstrdup(o && o->stringval ? (const char *)o->stringval : "");

	xmlXPathFreeObject(o);
	xmlXPathFreeContext(c);
	free(expr);
	return v;
}

static unsigned
alloc_line(const struct model *m, const char *fn)
{
	size_t i;

	for (i = 0; i < model_nsites(m); i++) {
		const struct model_site *s = model_site(m, i);
		const struct model_frame *f = model_site_frame(m, s, s->alloc_at);

		if (!strcmp(f->fn, fn))
			return f->line;
	}
	return 0;
}

static void
test_fixture_cases(void **state)
{
	struct model *m = fx_model(NULL);
	struct report_gate g = REPORT_GATE_INIT;
	struct report_set s = fx_set(m, &g, NULL);
	char *text = report_junit_render(&s), *v, *xp;
	xmlDocPtr d = parse(text);
	size_t nfail = fx_count(&s, REPORT_FAIL);

	(void)state;
	assert_int_equal(fx_validate_junit(text), 0);
	assert_int_equal(count(d, "/testsuites/testsuite"), 1);
	assert_int_equal(count(d, "//testcase"), s.nrows);
	assert_int_equal(count(d, "//testcase/failure"), nfail);
	v = value(d, "/testsuites/testsuite/@failures");
	assert_int_equal(strtoul(v, NULL, 10), nfail);
	free(v);
	xp = xasprintf("//testcase[@name='ngx_http_leaky_module.c:%u ngx_http_leaky_leak_alloc "
		"(definite)']", alloc_line(m, "ngx_http_leaky_leak_alloc"));
	assert_int_equal(count(d, xp), 1);
	v = value(d, xp);	/* the failure's body: the stack */
	assert_non_null(strstr(v, "at main ("));
	assert_non_null(strstr(v, "at ngx_http_leaky_leak_alloc (" FX_MODULE ":"));
	free(v);
	free(xp);
	assert_int_equal(count(d, "//testcase[@classname='ngx_http_leaky_module.c' and "
		"@file='" FX_MODULE "']"), count(d, "//testcase[contains(@name, 'ngx_http_leaky_')]"));
	/* the bounded cache passes, and says why */
	assert_int_equal(count(d, "//testcase[contains(@name, 'ngx_http_leaky_cache')]/failure"), 0);
	assert_int_equal(count(d, "//testcase[contains(@name, 'ngx_http_leaky_cache')]/system-out"), 1);
	xmlFreeDoc(d);
	free(text);
	fx_set_free(&s);
	model_free(m);
}

/* Rows all of whose frames are nginx's (its start-up heap, in the rows
 * of every site) are the class "nginx", the module's rows its file. */
static void
test_core_rows(void **state)
{
	struct model *m = fx_model(NULL);
	struct report_gate g = REPORT_GATE_INIT;
	struct report_set s = fx_set(m, &g, NULL);
	struct report_row *all;
	char *text;
	xmlDocPtr d;
	size_t i, ncore = 0;

	(void)state;
	fx_set_free(&s);
	s.rows = all = report_rows(m, &g, true, &s.nrows);
	for (i = 0; i < s.nrows; i++)
		ncore += all[i].g.core_only;
	text = report_junit_render(&s);
	d = parse(text);
	assert_true(ncore > 0);
	assert_int_equal(count(d, "//testcase[@classname='nginx']"), ncore);
	assert_int_equal(count(d, "//testcase[@classname='ngx_http_leaky_module.c']") + ncore, s.nrows -
		count(d, "//testcase[@classname!='nginx' and @classname!='ngx_http_leaky_module.c']"));
	xmlFreeDoc(d);
	free(text);
	report_rows_free(all, s.nrows);
	model_free(m);
}

static void
test_budgets(void **state)
{
	struct model *m = fx_model(NULL);
	struct report_gate g = { FAIL_ON_GROWING, 1e9, 1e9 };
	struct report_set s = fx_set(m, &g, NULL);
	char *text = report_junit_render(&s);
	xmlDocPtr d = parse(text);

	(void)state;
	assert_int_equal(fx_validate_junit(text), 0);
	assert_int_equal(count(d, "//failure"), 0);
	assert_int_equal(count(d, "//testcase/system-out[contains(., 'under budget')]"),
		fx_count(&s, REPORT_UNDER_BUDGET));
	assert_true(fx_count(&s, REPORT_UNDER_BUDGET) >= 6);
	assert_int_equal(count(d, "//property[@name='budgets']"), 1);
	xmlFreeDoc(d);
	free(text);
	fx_set_free(&s);
	model_free(m);
}

static void
test_errors(void **state)
{
	struct model *m = fx_model(NULL);
	struct xmlstream *xs = fx_errors(m);
	const struct memerrors *e = xmlstream_errors(xs);
	struct report_gate g = REPORT_GATE_INIT, ge = { FAIL_ON_ERROR, -1, -1 };
	struct report_set s = fx_set(m, &g, e), t = fx_set(m, &ge, e);
	char *a = report_junit_render(&s), *b = report_junit_render(&t);
	xmlDocPtr da = parse(a), db = parse(b);
	size_t nerr = memerrors_count(e);

	(void)state;
	assert_int_equal(fx_validate_junit(a), 0);
	assert_int_equal(count(da, "//testcase"), s.nrows + nerr);
	assert_int_equal(count(da, "//testcase[starts-with(@name, 'InvalidRead at ')]"), 1);
	assert_int_equal(count(da, "//testcase[starts-with(@name, 'InvalidRead at ')]/failure"), 0);
	assert_int_equal(count(db, "//testcase[starts-with(@name, 'InvalidRead at ')]"
		"/failure[@type='memcheck/InvalidRead']"), 1);
	assert_int_equal(count(db, "//failure"), nerr);
	xmlFreeDoc(da);
	xmlFreeDoc(db);
	free(a);
	free(b);
	fx_set_free(&s);
	fx_set_free(&t);
	xmlstream_free(xs);
	model_free(m);
}

/* Test case names from two runs of the same leaks are the same. */
static void
test_names_stable(void **state)
{
	struct fx_two t;
	xmlDocPtr da, db;
	size_t i, n;

	(void)state;
	fx_two_render(&t, report_junit_render);
	da = parse(t.ta);
	db = parse(t.tb);
	n = count(da, "//testcase");
	assert_int_equal(n, count(db, "//testcase"));
	for (i = 1; i <= n; i++) {
		char *xp = xasprintf("(//testcase)[%zu]/@name", i);
		char *na = value(da, xp), *nb = value(db, xp);

		assert_true(*na);
		assert_string_equal(na, nb);
		free(na);
		free(nb);
		free(xp);
	}
	xmlFreeDoc(da);
	xmlFreeDoc(db);
	fx_two_free(&t);
}

static void
test_hostile(void **state)
{
	struct model *m = fx_hostile_model();
	struct report_gate g = REPORT_GATE_INIT;
	struct report_set s = fx_set(m, &g, NULL);
	char *text = report_junit_render(&s);
	xmlDocPtr d = parse(text);

	(void)state;
	fx_assert_clean(text, true);
	assert_non_null(strstr(text, "]]&gt;"));
	assert_non_null(strstr(text, "evil\\x1b[2J\\x01"));	/* shown, as text */
	assert_int_equal(count(d, "//failure"), 1);
	assert_int_equal(fx_validate_junit(text), 0);
	xmlFreeDoc(d);
	free(text);
	fx_set_free(&s);
	model_free(m);
}

/* The schema of make check is no rubber stamp. */
static void
test_schema_rejects(void **state)
{
	static const char *const bad[] = {
		/* no classname */
		"<testsuites><testsuite name='x' tests='1' failures='0' errors='0'>"
		"<testcase name='a'/></testsuite></testsuites>",
		/* two outcomes */
		"<testsuites><testsuite name='x' tests='1' failures='1' errors='0'>"
		"<testcase name='a' classname='c'><failure/><skipped/></testcase></testsuite></testsuites>",
		/* a count that is no number */
		"<testsuites><testsuite name='x' tests='one' failures='0' errors='0'/></testsuites>",
		/* not well-formed */
		"<testsuites><testsuite name='x' tests='1' failures='0' errors='0'>",
	};
	size_t i;

	(void)state;
	assert_int_equal(fx_validate_junit("<testsuites><testsuite name='x' tests='1' "
		"failures='0' errors='0'><testcase name='a' classname='c'/></testsuite></testsuites>"), 0);
	for (i = 0; i < LT_ARRAY_SIZE(bad); i++)
		assert_int_not_equal(fx_validate_junit(bad[i]), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixture_cases),
		cmocka_unit_test(test_core_rows),
		cmocka_unit_test(test_budgets),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_names_stable),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_schema_rejects),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
