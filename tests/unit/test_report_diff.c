/* test_report_diff.c - --diff's matching and verdicts on models of real
 * leak checks (report_fixture.h): an edit above the leaks shifts every
 * line and nothing changes; a leak gone is fixed, one added is new and
 * fails; two leaks in one function pair by line, and only the one that
 * grew more is worse; the table and the JSON say the same. */
#include "report_fixture.h"

#include <jansson.h>

static const struct report_gate gate = REPORT_GATE_INIT;

static void
test_shifted_lines_unchanged(void **state)
{
	struct fx_edit shift = { .line_shift = 7 };
	struct model *old = fx_model(NULL), *new = fx_model(&shift);
	struct report_diff *d = report_diff_new(old, new, &gate);
	const struct report_diff_row *r;
	size_t nrows, i;
	struct report_row *rows = report_rows(old, &gate, false, &nrows);

	(void)state;
	assert_true(nrows >= 6);	/* alloc, struct x2, pool x2, cycle, cache, lazy */
	assert_int_equal(report_diff_nrows(d), nrows);
	assert_int_equal(report_diff_count(d, REPORT_SAME), nrows);
	for (i = 0; i < report_diff_nrows(d); i++) {
		assert_int_equal(report_diff_row(d, i)->change, REPORT_SAME);
		assert_non_null(report_diff_row(d, i)->old);
		assert_non_null(report_diff_row(d, i)->new);
	}
	r = fx_diff_row(d, "ngx_http_leaky_leak_alloc", 188 + 7, LEAK_DEFINITE);
	assert_non_null(r);
	assert_int_equal(model_frame(old, r->old->g.at)->line, 188);
	assert_int_equal(r->new->g.growth, GROWTH_GROWING);
	assert_false(report_diff_fails(d));
	report_rows_free(rows, nrows);
	fx_done(d, old, new);
}

static void
test_fixed_and_new(void **state)
{
	struct fx_edit fixed = { .line_shift = 3, .drop_fn = "ngx_http_leaky_leak_alloc" };
	struct model *leaking = fx_model(NULL), *fixedm = fx_model(&fixed);
	struct report_diff *d = report_diff_new(leaking, fixedm, &gate);
	const struct report_diff_row *r = fx_diff_row(d, "ngx_http_leaky_leak_alloc", 188,
		LEAK_DEFINITE);

	(void)state;
	assert_non_null(r);
	assert_int_equal(r->change, REPORT_FIXED);
	assert_null(r->new);
	assert_int_equal(report_diff_count(d, REPORT_FIXED), 1);
	assert_int_equal(report_diff_count(d, REPORT_NEW), 0);
	assert_false(report_diff_fails(d));
	/* a fixed row is listed after what is new or worse */
	assert_int_equal(report_diff_row(d, 0)->change, REPORT_FIXED);
	report_diff_free(d);

	/* the other way round: the leak is new, and it fails */
	d = report_diff_new(fixedm, leaking, &gate);
	r = fx_diff_row(d, "ngx_http_leaky_leak_alloc", 188, LEAK_DEFINITE);
	assert_non_null(r);
	assert_int_equal(r->change, REPORT_NEW);
	assert_null(r->old);
	assert_int_equal(r->new->verdict, REPORT_FAIL);
	assert_int_equal(report_diff_row(d, 0)->change, REPORT_NEW);
	assert_true(report_diff_fails(d));
	report_diff_free(d);
	model_free(leaking);
	model_free(fixedm);
}

static void
test_two_leaks_in_one_function(void **state)
{
	struct fx_edit before = { .dup_fn = "ngx_http_leaky_leak_alloc", .dup_line = 190 };
	struct fx_edit after = { .dup_fn = "ngx_http_leaky_leak_alloc", .dup_line = 190,
		.dup_scale = 3, .line_shift = 5 };
	struct model *old = fx_model(&before), *new = fx_model(&after);
	struct report_diff *d = report_diff_new(old, new, &gate);
	const struct report_diff_row *first, *second;
	char *k1, *k2;

	(void)state;
	first = fx_diff_row(d, "ngx_http_leaky_leak_alloc", 188 + 5, LEAK_DEFINITE);
	second = fx_diff_row(d, "ngx_http_leaky_leak_alloc", 190 + 5, LEAK_DEFINITE);
	assert_non_null(first);
	assert_non_null(second);
	/* one key, told apart by line */
	k1 = report_row_key(new, first->new);
	k2 = report_row_key(new, second->new);
	assert_string_equal(k1, k2);
	assert_int_equal(model_frame(old, first->old->g.at)->line, 188);
	assert_int_equal(model_frame(old, second->old->g.at)->line, 190);
	assert_ptr_equal(report_diff_find(d, LEAK_DEFINITE, second->new->g.at), second);
	assert_ptr_equal(report_diff_find(d, LEAK_DEFINITE, first->new->g.at), first);
	assert_null(report_diff_find(d, LEAK_POSSIBLE, first->new->g.at));
	assert_int_equal(first->change, REPORT_SAME);
	assert_int_equal(second->change, REPORT_WORSE);
	assert_true(second->new->g.bytes_per_request > 2.5 * second->old->g.bytes_per_request);
	assert_int_equal(report_diff_count(d, REPORT_WORSE), 1);
	assert_true(report_diff_fails(d));
	free(k1);
	free(k2);
	report_diff_free(d);

	/* and back: better, which does not fail */
	d = report_diff_new(new, old, &gate);
	assert_int_equal(report_diff_count(d, REPORT_BETTER), 1);
	assert_int_equal(report_diff_count(d, REPORT_WORSE), 0);
	assert_false(report_diff_fails(d));
	fx_done(d, old, new);
}

/* Within the tolerance (10%) is unchanged; a budget that excuses the
 * worse leak makes the diff pass. */
static void
test_tolerance_and_budget(void **state)
{
	struct fx_edit twice = { .scale_fn = "ngx_http_leaky_leak_pool", .scale = 2 };
	struct model *old = fx_model(NULL), *new = fx_model(&twice);
	struct report_gate budget = { FAIL_ON_GROWING, 100000, -1 };
	struct report_diff *d = report_diff_new(old, new, &gate);

	(void)state;
	assert_int_equal(report_diff_count(d, REPORT_WORSE), 2);	/* direct and indirect */
	assert_true(report_diff_fails(d));
	report_diff_free(d);
	d = report_diff_new(old, new, &budget);
	assert_int_equal(report_diff_count(d, REPORT_WORSE), 2);
	assert_false(report_diff_fails(d));
	report_diff_free(d);
	model_free(new);
	d = report_diff_new(old, old, &gate);
	assert_int_equal(report_diff_count(d, REPORT_SAME), report_diff_nrows(d));
	assert_false(report_diff_fails(d));
	report_diff_free(d);
	model_free(old);
}

static void
test_table_and_json(void **state)
{
	struct fx_edit fixed = { .drop_fn = "ngx_http_leaky_leak_alloc",
		.rename_fn = "ngx_http_leaky_leak_cycle", .rename_to = "evil\x1b[2Jname" };
	struct model *old = fx_model(NULL), *new = fx_model(&fixed);
	struct report_diff *d = report_diff_new(old, new, &gate);
	char *text = NULL, *js;
	static const char *const want[] = { "CHANGE", " -> - ", "evil\\x1b[2Jname",
		"fixed     definite  ngx_http_leaky_module.c:188", "1 new, 2 fixed, 0 worse, 0 better, " };
	size_t len, i, nfixed = 0;
	FILE *out = open_memstream(&text, &len);
	json_error_t jerr;
	json_t *root, *row;

	(void)state;
	report_diff_set_names(d, "old.json", "/old/nginx", "new.jsonl", "/new/nginx");
	report_diff_print(out, d);
	fclose(out);
	/* the renamed cycle leak: a new row (its key changed), escaped */
	for (i = 0; i < LT_ARRAY_SIZE(want); i++)
		if (!strstr(text, want[i]))
			fail_msg("the table lacks '%s':\n%s", want[i], text);
	assert_null(strchr(text, '\x1b'));
	free(text);

	js = report_diff_json(d);
	root = json_loads(js, 0, &jerr);
	assert_non_null(root);
	assert_null(strchr(js, '\x1b'));
	assert_string_equal(json_string_value(json_object_get(json_object_get(root, "old"), "path")),
		"old.json");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(root, "counts"),
		"fixed")), 2);
	assert_true(json_is_true(json_object_get(root, "fails")));
	json_array_foreach(json_object_get(root, "rows"), i, row) {
		if (strcmp(json_string_value(json_object_get(row, "change")), "fixed"))
			continue;
		nfixed++;
		assert_true(json_is_null(json_object_get(row, "new")));
		assert_true(json_is_object(json_object_get(row, "old")));
		assert_non_null(strstr(json_string_value(json_object_get(row, "key")), "|"));
	}
	assert_int_equal(nfixed, 2);
	json_decref(root);
	free(js);
	fx_done(d, old, new);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shifted_lines_unchanged),
		cmocka_unit_test(test_fixed_and_new),
		cmocka_unit_test(test_two_leaks_in_one_function),
		cmocka_unit_test(test_tolerance_and_budget),
		cmocka_unit_test(test_table_and_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
