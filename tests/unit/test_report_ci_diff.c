/* test_report_ci_diff.c - SARIF and JUnit of a diff (--diff OLD NEW) of
 * two runs of the real captured leak checks (report_fixture.h): the
 * results and test cases are the NEW and WORSE rows whose NEW side
 * fails, with their change and the old figures; SAME, BETTER and FIXED
 * rows are left out. OLD lacks /leak/alloc, leaks twice the bytes at
 * /leak/pool and has a second leak in the struct function; NEW leaks
 * twice the bytes at /leak/cycle: alloc is new, cycle worse, pool better,
 * the second struct leak fixed, the first and the cache unchanged. */
#include "report_fixture.h"

#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>

#define ALLOC_FN "ngx_http_leaky_leak_alloc"
#define CYCLE_FN "ngx_http_leaky_leak_cycle"

static const struct report_gate gate = REPORT_GATE_INIT;

/* The diff of the two runs the header describes; *old and *new get the
 * models (freed with fx_done). */
static struct report_diff *
two_runs(struct model **old, struct model **new)
{
	static const struct fx_edit before = { .drop_fn = ALLOC_FN,
		.scale_fn = "ngx_http_leaky_leak_pool", .scale = 2,
		.dup_fn = "ngx_http_leaky_leak_struct", .dup_line = 207 };
	static const struct fx_edit after = { .scale_fn = CYCLE_FN, .scale = 2 };

	*old = fx_model(&before);
	*new = fx_model(&after);
	return report_diff_new(*old, *new, &gate);
}

/* The rows of change c whose NEW side fails the gate. */
static size_t
failing(const struct report_diff *d, enum report_change c)
{
	size_t i, n = 0;

	for (i = 0; i < report_diff_nrows(d); i++) {
		const struct report_diff_row *r = report_diff_row(d, i);

		n += r->change == c && r->new && r->new->verdict == REPORT_FAIL;
	}
	return n;
}

/* The diff has a row of every change, and better and unchanged rows
 * that fail too, so the formats leaving them out is by their change. */
static void
check_diff(const struct report_diff *d)
{
	assert_int_equal(report_diff_count(d, REPORT_NEW), 1);
	assert_int_equal(report_diff_count(d, REPORT_WORSE), 1);
	assert_true(report_diff_count(d, REPORT_FIXED) >= 1);
	assert_true(failing(d, REPORT_BETTER) >= 1);
	assert_true(failing(d, REPORT_SAME) >= 1);
	/* leak_alloc's definite row is new, leak_cycle's reachable row worse */
	assert_int_equal(failing(d, REPORT_NEW) + failing(d, REPORT_WORSE), 2);
}

/* The diff row of NEW's row allocated in fn (NULL if none). */
static const struct report_diff_row *
row_of(const struct report_diff *d, const char *fn)
{
	size_t i;

	for (i = 0; i < report_diff_nrows(d); i++) {
		const struct report_diff_row *r = report_diff_row(d, i);

		if (r->new && !strcmp(model_frame(report_diff_model(d, true), r->new->g.at)->fn, fn))
			return r;
	}
	return NULL;
}

static void
check_sarif(const char *sarif, const struct report_diff *d)
{
	json_t *doc = json_loads(sarif, 0, NULL), *res, *r;
	size_t i, nnew = 0, nworse = 0;

	assert_non_null(doc);
	res = json_object_get(json_array_get(json_object_get(doc, "runs"), 0), "results");
	assert_int_equal(json_array_size(res), 2);
	json_array_foreach(res, i, r) {
		json_t *p = json_object_get(r, "properties");
		const char *change = json_string_value(json_object_get(p, "change"));
		const char *text = json_string_value(json_object_get(json_object_get(r, "message"), "text"));

		assert_string_equal(json_string_value(json_object_get(r, "level")), "error");
		if (!strcmp(change, "new")) {
			nnew++;
			assert_non_null(strstr(text, ALLOC_FN));
			assert_non_null(strstr(text, "new since the old run"));
			assert_null(json_object_get(p, "old_bytes_per_request"));
		} else {
			assert_string_equal(change, "worse");
			nworse++;
			assert_non_null(strstr(text, CYCLE_FN));
			assert_non_null(strstr(text, "worse than the old run"));
			/* OLD's figure, the real one the diff matched */
			assert_non_null(json_object_get(p, "old_bytes_per_request"));
			assert_true(json_real_value(json_object_get(p, "old_bytes_per_request")) ==
				row_of(d, CYCLE_FN)->old->g.bytes_per_request);
		}
	}
	assert_int_equal(nnew, 1);
	assert_int_equal(nworse, 1);
	assert_int_equal(fx_validate_sarif(sarif), 0);
	json_decref(doc);
}

static size_t
nodes(xmlXPathContextPtr c, const char *xpath)
{
	xmlXPathObjectPtr o = xmlXPathEvalExpression(BAD_CAST xpath, c);
	size_t n = o && o->nodesetval ? (size_t)o->nodesetval->nodeNr : 0;

	xmlXPathFreeObject(o);
	return n;
}

static void
check_junit(const char *junit)
{
	xmlDocPtr x = xmlReadMemory(junit, (int)strlen(junit), "j.xml", NULL, XML_PARSE_NONET);
	xmlXPathContextPtr c;

	assert_non_null(x);
	c = xmlXPathNewContext(x);
	assert_int_equal(nodes(c, "//testcase/failure"), 2);
	assert_int_equal(nodes(c, "//testcase"), 2);
	assert_int_equal(nodes(c, "//testcase[contains(@name, '" ALLOC_FN "')]"), 1);
	assert_int_equal(nodes(c, "//testcase[contains(@name, '" CYCLE_FN "')]"), 1);
	xmlXPathFreeContext(c);
	xmlFreeDoc(x);
	assert_int_equal(fx_validate_junit(junit), 0);
}

static void
test_diff_formats(void **state)
{
	struct model *old, *new;
	struct report_diff *d = two_runs(&old, &new);
	struct report_set s = fx_set(new, &gate, NULL);
	char *sarif, *junit;

	(void)state;
	check_diff(d);
	s.diff = d;
	sarif = report_sarif_render(&s);
	check_sarif(sarif, d);
	junit = report_junit_render(&s);
	check_junit(junit);
	free(junit);
	free(sarif);
	fx_set_free(&s);
	fx_done(d, old, new);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_diff_formats),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
