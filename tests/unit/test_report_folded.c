/* test_report_folded.c - folded stacks of real leak checks
 * (report_fixture.h): only the failing rows, root first, one line per
 * distinct stack (sites of the same functions summed), names made safe;
 * with a diff, "stack OLD NEW" for rows that fail in either run. Every
 * line is checked against the format flamegraph.pl and inferno read. */
#include "report_fixture.h"

static const struct report_gate gate = REPORT_GATE_INIT;

/* "a;b;c N" (or "a;b;c N M"): frames of no space, ';' or control byte */
static void
check_format(const char *text, int numbers)
{
	const char *p = text;

	assert_true(*text);
	while (*p) {
		const char *eol = strchr(p, '\n'), *q = p;
		int n;

		assert_non_null(eol);
		assert_true(q < eol && *q != ';');
		while (q < eol && *q != ' ') {
			assert_true((unsigned char)*q > ' ' && (unsigned char)*q < 0x7f);
			assert_false(*q == ';' && (q[1] == ';' || q[1] == ' '));
			q++;
		}
		for (n = 0; n < numbers; n++) {
			assert_true(*q == ' ');
			q++;
			assert_true(*q >= '0' && *q <= '9');
			while (*q >= '0' && *q <= '9')
				q++;
		}
		assert_ptr_equal(q, eol);
		p = eol + 1;
	}
}

/* The bytes of the line whose stack ends with suffix (the innermost
 * frames); -1 if none. */
static long long
line_bytes(const char *text, const char *suffix, int col)
{
	const char *p = text;
	size_t n = strlen(suffix);

	while (*p) {
		const char *sp = strchr(p, ' '), *eol = strchr(p, '\n');

		if ((size_t)(sp - p) >= n && !memcmp(sp - n, suffix, n)) {
			while (col-- > 0)
				sp = strchr(sp + 1, ' ');
			return strtoll(sp + 1, NULL, 10);
		}
		p = eol + 1;
	}
	return -1;
}

static char *
render(const struct model *m, const struct report_diff *d)
{
	struct report_set set = fx_set(m, &gate, NULL);
	char *text;

	set.diff = d;
	text = report_folded_render(&set);
	fx_set_free(&set);
	return text;
}

static void
test_failing_rows_root_first(void **state)
{
	struct model *m = fx_model(NULL);
	char *text = render(m, NULL);
	uint64_t want = 0;
	size_t i;

	(void)state;
	check_format(text, 1);
	assert_true(!strncmp(text, "main;", 5));
	/* the growing leaks are there, the cache and the lazy init are not */
	assert_non_null(strstr(text, ";ngx_http_leaky_leak_alloc;ngx_alloc;malloc "));
	assert_non_null(strstr(text, "ngx_http_leaky_leak_cycle"));
	assert_null(strstr(text, "ngx_http_leaky_cache"));
	assert_null(strstr(text, "ngx_http_leaky_lazy"));
	/* the latest bytes: /leak/alloc's sites sum to 3 rounds x 20 x 100 B */
	for (i = 0; i < model_nsites(m); i++) {
		const struct model_site *s = model_site(m, i);
		const struct model_frame *f = model_site_frame(m, s, s->alloc_at);

		if (s->kind == LEAK_DEFINITE && !strcmp(f->fn, "ngx_http_leaky_leak_alloc"))
			want += s->bytes;
	}
	assert_int_equal(want, 6000);
	free(text);
	model_free(m);
}

/* Two sites of the same functions at other lines are one stack, their
 * bytes summed; hostile names are made safe. */
static void
test_merge_and_sanitize(void **state)
{
	struct fx_edit dup = { .dup_fn = "ngx_http_leaky_leak_alloc", .dup_line = 190,
		.rename_fn = "ngx_http_leaky_leak_cycle", .rename_to = "bad name;x\x1b[0m" };
	struct model *plain = fx_model(NULL), *m = fx_model(&dup);
	char *one = render(plain, NULL), *two = render(m, NULL);
	const char *suffix = ";ngx_http_leaky_handler;ngx_http_leaky_leak_alloc;ngx_alloc;malloc";

	(void)state;
	check_format(two, 1);
	assert_true(line_bytes(one, suffix, 0) > 0);
	assert_int_equal(line_bytes(two, suffix, 0), 2 * line_bytes(one, suffix, 0));
	assert_non_null(strstr(two, ";bad_name_x_[0m;"));
	assert_null(strchr(two, '\x1b'));
	free(one);
	free(two);
	model_free(plain);
	model_free(m);
}

static void
test_differential(void **state)
{
	struct fx_edit fixed = { .line_shift = 4, .drop_fn = "ngx_http_leaky_leak_alloc",
		.scale_fn = "ngx_http_leaky_leak_pool", .scale = 2 };
	struct model *old = fx_model(NULL), *new = fx_model(&fixed);
	struct report_diff *d = report_diff_new(old, new, &gate);
	char *base = render(old, NULL), *text = render(new, d);
	const char *alloc = ";ngx_http_leaky_leak_alloc;ngx_alloc;malloc";
	const char *pool = ";ngx_http_leaky_leak_pool;ngx_create_pool;ngx_memalign;posix_memalign;memalign";

	(void)state;
	check_format(text, 2);
	/* fixed: OLD's bytes, 0 in NEW */
	assert_int_equal(line_bytes(text, alloc, 0), line_bytes(base, alloc, 0));
	assert_int_equal(line_bytes(text, alloc, 1), 0);
	/* worse: twice the bytes in NEW, whatever the lines */
	assert_true(line_bytes(text, pool, 0) > 0);
	assert_int_equal(line_bytes(text, pool, 1), 2 * line_bytes(text, pool, 0));
	assert_null(strstr(text, "ngx_http_leaky_cache"));
	free(base);
	free(text);
	fx_done(d, old, new);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_failing_rows_root_first),
		cmocka_unit_test(test_merge_and_sanitize),
		cmocka_unit_test(test_differential),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
