/* test_report_sarif.c - the SARIF 2.1.0 report on the real captured leak
 * checks and memcheck errors of the fixture nginx: results are the rows
 * that fail the gate, at their allocation site relative to the source
 * root, stacks root first, fingerprints stable; valid by the official
 * schema (and the validator rejects a broken file); hostile names escaped. */
#include "report_fixture.h"

#include <jansson.h>

static json_t *
render(const struct report_set *s)
{
	char *text = report_sarif_render(s);
	json_error_t e;
	json_t *j = json_loads(text, 0, &e);

	assert_non_null(j);
	free(text);
	return j;
}

/* Validate doc by the schema: the validator's exit status. */
static int
validate(json_t *doc)
{
	char *text = json_dumps(doc, 0);
	int rc = fx_validate_sarif(text);

	free(text);
	return rc;
}

/* Whether doc's JSON (compact) holds needle. */
static bool
holds(json_t *doc, const char *needle)
{
	char *text = json_dumps(doc, JSON_COMPACT);
	bool yes = strstr(text, needle) != NULL;

	free(text);
	return yes;
}

static json_t *
results(json_t *doc)
{
	return json_object_get(json_array_get(json_object_get(doc, "runs"), 0), "results");
}

/* The result whose message names fn, kind rule. */
static json_t *
result_of(json_t *doc, const char *rule, const char *fn)
{
	size_t i;
	json_t *r;

	json_array_foreach(results(doc), i, r) {
		const char *text = json_string_value(json_object_get(json_object_get(r, "message"), "text"));

		if (!strcmp(json_string_value(json_object_get(r, "ruleId")), rule) &&
			strstr(text, fn))
			return r;
	}
	return NULL;
}

static void
test_fixture_results(void **state)
{
	struct model *m = fx_model(NULL);
	struct report_gate g = REPORT_GATE_INIT;
	struct report_set s = fx_set(m, &g, NULL);
	json_t *doc = render(&s), *run = json_array_get(json_object_get(doc, "runs"), 0), *r, *loc;
	json_t *rules = json_object_get(json_object_get(json_object_get(run, "tool"), "driver"), "rules");
	json_t *flow;
	const char *fp;
	size_t nfail = fx_count(&s, REPORT_FAIL);

	(void)state;
	assert_string_equal(json_string_value(json_object_get(doc, "version")), "2.1.0");
	assert_int_equal(json_array_size(rules), 4);
	assert_string_equal(json_string_value(json_object_get(json_array_get(rules, 3), "id")),
		"leak/reachable");
	/* the growing rows of the fixture fail: alloc, struct (+ member), pool (+ palloc), cycle */
	assert_true(nfail >= 6);
	assert_int_equal(json_array_size(results(doc)), nfail);
	r = result_of(doc, "leak/definite", "ngx_http_leaky_leak_alloc");
	assert_non_null(r);
	assert_string_equal(json_string_value(json_object_get(r, "level")), "error");
	assert_non_null(strstr(json_string_value(json_object_get(json_object_get(r, "message"), "text")),
		"bytes per request"));
	loc = json_object_get(json_array_get(json_object_get(r, "locations"), 0), "physicalLocation");
	assert_string_equal(json_string_value(json_object_get(json_object_get(loc, "artifactLocation"),
		"uri")), FX_MODULE);
	assert_string_equal(json_string_value(json_object_get(json_object_get(loc, "artifactLocation"),
		"uriBaseId")), "SRCROOT");
	assert_true(json_integer_value(json_object_get(json_object_get(loc, "region"), "startLine")) > 0);
	assert_string_equal(json_string_value(json_object_get(json_object_get(json_object_get(run,
		"originalUriBaseIds"), "SRCROOT"), "uri")), "file://" FX_ROOT "/");
	/* the stack in execution order: main first, the allocator last */
	flow = json_object_get(json_array_get(json_object_get(json_array_get(json_object_get(r,
		"codeFlows"), 0), "threadFlows"), 0), "locations");
	assert_true(json_array_size(flow) > 3);
	assert_true(holds(json_array_get(flow, 0), "\"name\":\"main\""));
	assert_true(holds(json_array_get(flow, json_array_size(flow) - 1), "\"name\":\"malloc\""));
	fp = json_string_value(json_object_get(json_object_get(r, "partialFingerprints"),
		"ngxLeaktopSite/v1"));
	assert_non_null(fp);
	assert_int_equal(strlen(fp), 16);
	/* the cache is bounded: no result */
	assert_null(result_of(doc, "leak/reachable", "ngx_http_leaky_cache"));
	assert_int_equal(validate(doc), 0);
	json_decref(doc);
	fx_set_free(&s);
	model_free(m);
}

/* The same leaks in another run (another model from the same checks)
 * have the same fingerprints, distinct from each other. */
static void
test_fingerprints_stable(void **state)
{
	struct fx_two t;
	json_t *da, *r;
	size_t i, j;

	(void)state;
	fx_two_render(&t, report_sarif_render);
	da = json_loads(t.ta, 0, NULL);
	assert_string_equal(t.ta, t.tb);
	json_array_foreach(results(da), i, r) {
		json_t *q;
		const char *fp = json_string_value(json_object_get(json_object_get(r,
			"partialFingerprints"), "ngxLeaktopSite/v1"));

		json_array_foreach(results(da), j, q)
			if (j != i)
				assert_string_not_equal(fp, json_string_value(json_object_get(
					json_object_get(q, "partialFingerprints"), "ngxLeaktopSite/v1")));
	}
	json_decref(da);
	fx_two_free(&t);
}

static void
test_fail_on_none_and_budgets(void **state)
{
	struct model *m = fx_model(NULL);
	struct report_gate none = { FAIL_ON_NONE, -1, -1 }, budget = { FAIL_ON_GROWING, 1e9, 1e9 };
	struct report_set s = fx_set(m, &none, NULL), t = fx_set(m, &budget, NULL);
	json_t *a = render(&s), *b = render(&t);

	(void)state;
	assert_int_equal(json_array_size(results(a)), 0);
	assert_int_equal(json_array_size(results(b)), 0);
	assert_true(fx_count(&t, REPORT_UNDER_BUDGET) >= 6);
	json_decref(a);
	json_decref(b);
	fx_set_free(&s);
	fx_set_free(&t);
	model_free(m);
}

/* memcheck errors: always results, level by --fail-on error; a rule each. */
static void
test_errors(void **state)
{
	struct model *m = fx_model(NULL);
	struct xmlstream *xs = fx_errors(m);
	struct report_gate g = REPORT_GATE_INIT, ge = { FAIL_ON_ERROR, -1, -1 };
	struct report_set s = fx_set(m, &g, xmlstream_errors(xs)), t = fx_set(m, &ge, xmlstream_errors(xs));
	json_t *a = render(&s), *b = render(&t), *r;
	size_t nerr = memerrors_count(xmlstream_errors(xs));

	(void)state;
	assert_int_equal(json_array_size(results(a)), fx_count(&s, REPORT_FAIL) + nerr);
	r = result_of(a, "memcheck/InvalidRead", "");
	assert_non_null(r);
	assert_string_equal(json_string_value(json_object_get(r, "level")), "warning");
	assert_true(holds(r, "\"startLine\""));
	r = result_of(b, "memcheck/InvalidRead", "");
	assert_string_equal(json_string_value(json_object_get(r, "level")), "error");
	/* with --fail-on error no leak row fails: the errors alone */
	assert_int_equal(json_array_size(results(b)), nerr);
	assert_true(holds(a, "\"id\":\"memcheck/UninitCondition\""));
	assert_int_equal(validate(a), 0);
	json_decref(a);
	json_decref(b);
	fx_set_free(&s);
	fx_set_free(&t);
	xmlstream_free(xs);
	model_free(m);
}

static void
test_hostile(void **state)
{
	struct model *m = fx_hostile_model();
	struct report_gate g = REPORT_GATE_INIT;
	struct report_set s = fx_set(m, &g, NULL);
	char *text = report_sarif_render(&s);
	json_t *doc = json_loads(text, 0, NULL);
	const char *uri;

	(void)state;
	assert_non_null(doc);	/* jansson takes only valid UTF-8 */
	fx_assert_clean(text, false);
	assert_int_equal(json_array_size(results(doc)), 1);
	assert_non_null(strstr(text, "evil\\\\x1b[2J"));	/* shown, as text */
	uri = json_string_value(json_object_get(json_object_get(json_object_get(json_array_get(
		json_object_get(json_array_get(results(doc), 0), "locations"), 0), "physicalLocation"),
		"artifactLocation"), "uri"));
	/* not under the root: an absolute URI, every odd byte percent-encoded */
	assert_string_equal(uri, "file:///tmp/a%20b%1B%5B31m/mo%22d%3C%5D%5D%3E%9B%FF.c");
	assert_int_equal(fx_validate_sarif(text), 0);
	json_decref(doc);
	free(text);
	fx_set_free(&s);
	model_free(m);
}

/* The validator of make check is no rubber stamp. */
static void
test_validator_rejects(void **state)
{
	struct model *m = fx_model(NULL);
	struct report_gate g = REPORT_GATE_INIT;
	struct report_set s = fx_set(m, &g, NULL);
	json_t *doc = render(&s), *r = json_array_get(results(doc), 0);

	(void)state;
	json_object_del(r, "message");	/* a result must have a message */
	assert_int_equal(validate(doc), 1);
	json_decref(doc);
	doc = render(&s);
	json_object_set_new(doc, "version", json_string("2.0.0"));
	assert_int_equal(validate(doc), 1);
	json_object_set_new(doc, "version", json_string("2.1.0"));
	json_object_set_new(json_array_get(results(doc), 0), "level", json_string("fatal"));
	assert_int_equal(validate(doc), 1);
	assert_int_equal(fx_validate_sarif("{\"version\": \"2.1.0\", \"runs\": [}"), 1);
	json_decref(doc);
	fx_set_free(&s);
	model_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixture_results),
		cmocka_unit_test(test_fingerprints_stable),
		cmocka_unit_test(test_fail_on_none_and_budgets),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_validator_rejects),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
