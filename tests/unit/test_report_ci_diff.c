/* test_report_ci_diff.c - SARIF and JUnit of a diff (--diff OLD NEW):
 * the results and test cases are the NEW and WORSE rows whose NEW side
 * fails, with their change and the old figures; SAME, BETTER and FIXED
 * rows are left out. The diff is a fake (report_diff.c matches rows on
 * its own, tested with it): the writers are compiled here with the diff's
 * two accessors renamed to the fake's, so this test pins what they do
 * with any diff. */
/* The writers under other names, reading the fake diff: before any
 * header, so every declaration and use agrees. */
#define report_diff_nrows fake_diff_nrows
#define report_diff_row fake_diff_row
#define report_sarif_render t_sarif_render
#define report_junit_render t_junit_render
#define report_ci_items t_ci_items
#define report_ci_row_text t_ci_row_text
#define report_ci_budget_text t_ci_budget_text
#define report_ci_stack_text t_ci_stack_text
#define report_ci_path t_ci_path
#define report_ci_root t_ci_root
#define report_ci_uri_path t_ci_uri_path
#define report_ci_hash t_ci_hash
#define report_ci_jstr t_ci_jstr
#include "report_ci_fixture.h"

#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>

#include "../../src/report/report_ci.c"
#include "../../src/report/report_sarif.c"
#include "../../src/report/report_junit.c"

struct report_diff {
	struct report_diff_row rows[64];
	size_t n;
};

size_t
fake_diff_nrows(const struct report_diff *d)
{
	return d->n;
}

const struct report_diff_row *
fake_diff_row(const struct report_diff *d, size_t i)
{
	return i < d->n ? &d->rows[i] : NULL;
}

static const char *
row_fn(const struct model *m, const struct report_row *r)
{
	const struct model_site *s = model_site(m, r->site);

	return model_site_frame(m, s, s->alloc_at)->fn;
}

/* OLD without leak_alloc; in NEW it is NEW, leak_cycle WORSE (the fake
 * says so), the rest SAME, and one FIXED row from OLD alone. */
static void
fake_diff(struct report_diff *d, const struct report_set *old, const struct report_set *new)
{
	size_t i, j;

	d->n = 0;
	for (i = 0; i < new->nrows && d->n < 63; i++) {
		const struct report_row *r = &new->rows[i], *o = NULL;
		char *key = report_row_key(new->m, r);

		for (j = 0; j < old->nrows && !o; j++) {
			char *k = report_row_key(old->m, &old->rows[j]);

			if (!strcmp(k, key))
				o = &old->rows[j];
			free(k);
		}
		free(key);
		d->rows[d->n].old = o;
		d->rows[d->n].new = r;
		d->rows[d->n].change = !o ? REPORT_NEW :
			!strcmp(row_fn(new->m, r), "ngx_http_leaky_leak_cycle") ? REPORT_WORSE : REPORT_SAME;
		d->n++;
	}
	d->rows[d->n].old = &old->rows[0];
	d->rows[d->n].new = NULL;
	d->rows[d->n++].change = REPORT_FIXED;
}

static size_t
expected(const struct report_diff *d)
{
	size_t i, n = 0;

	for (i = 0; i < d->n; i++)
		n += (d->rows[i].change == REPORT_NEW || d->rows[i].change == REPORT_WORSE) &&
			d->rows[i].new->verdict == REPORT_FAIL;
	return n;
}

static void
test_diff_formats(void **state)
{
	struct model *mo = fix_model("ngx_http_leaky_leak_alloc"), *mn = fix_model(NULL);
	struct report_gate g = REPORT_GATE_INIT;
	struct report_set so = fix_set(mo, &g, NULL), sn = fix_set(mn, &g, NULL);
	struct report_diff d;
	struct report_set s;
	char *sarif, *junit;
	json_t *doc, *res, *r;
	xmlDocPtr x;
	size_t i, nnew = 0, nworse = 0;

	(void)state;
	fake_diff(&d, &so, &sn);
	s = (struct report_set){ .m = mn, .diff = &d, .gate = &g, .source_root = FIX_ROOT };
	/* leak_alloc's definite row is new, leak_cycle's reachable row worse */
	assert_int_equal(expected(&d), 2);
	sarif = t_sarif_render(&s);
	doc = json_loads(sarif, 0, NULL);
	res = json_object_get(json_array_get(json_object_get(doc, "runs"), 0), "results");
	assert_int_equal(json_array_size(res), 2);
	json_array_foreach(res, i, r) {
		json_t *p = json_object_get(r, "properties");
		const char *change = json_string_value(json_object_get(p, "change"));
		const char *text = json_string_value(json_object_get(json_object_get(r, "message"), "text"));

		if (!strcmp(change, "new")) {
			nnew++;
			assert_non_null(strstr(text, "ngx_http_leaky_leak_alloc"));
			assert_non_null(strstr(text, "new since the old run"));
			assert_null(json_object_get(p, "old_bytes_per_request"));
		} else {
			assert_string_equal(change, "worse");
			nworse++;
			assert_non_null(strstr(text, "ngx_http_leaky_leak_cycle"));
			assert_non_null(json_object_get(p, "old_bytes_per_request"));
		}
	}
	assert_int_equal(nnew, 1);
	assert_int_equal(nworse, 1);
	assert_int_equal(fix_validate_sarif(sarif), 0);
	junit = t_junit_render(&s);
	x = xmlReadMemory(junit, (int)strlen(junit), "j.xml", NULL, XML_PARSE_NONET);
	assert_non_null(x);
	{
		xmlXPathContextPtr c = xmlXPathNewContext(x);
		xmlXPathObjectPtr o = xmlXPathEvalExpression(BAD_CAST "//testcase/failure", c);

		assert_int_equal(o->nodesetval ? o->nodesetval->nodeNr : 0, 2);
		xmlXPathFreeObject(o);
		o = xmlXPathEvalExpression(BAD_CAST "//testcase", c);
		assert_int_equal(o->nodesetval ? o->nodesetval->nodeNr : 0, 2);
		xmlXPathFreeObject(o);
		xmlXPathFreeContext(c);
	}
	assert_int_equal(fix_validate_junit(junit), 0);
	xmlFreeDoc(x);
	free(junit);
	free(sarif);
	json_decref(doc);
	fix_set_free(&so);
	fix_set_free(&sn);
	model_free(mo);
	model_free(mn);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_diff_formats),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
