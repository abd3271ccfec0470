/* test_model.c - verdicts, allocation sites and rounds, fed with the
 * real captured leak checks of the fixture nginx (tests/data). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leakcheck.h"
#include "model.h"
#include "util.h"

static char *
slurp(const char *name, size_t *len)
{
	const char *dir = getenv("LT_TEST_DATA") ? getenv("LT_TEST_DATA") : "tests/data";
	char *path = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = xmalloc((size_t)n + 1);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	free(path);
	*len = (size_t)n;
	return buf;
}

/* One real check as one round of the model. */
static void
add_round(struct model *m, const char *file, uint64_t requests)
{
	struct leak_summary sum;
	struct leakcheck_error err;
	size_t len;
	char *text = slurp(file, &len);

	model_round_begin(m, requests, 0);
	assert_int_equal(leakcheck_text(text, len, model_leakcheck_cb, m, &sum, &err), LEAKCHECK_OK);
	model_round_end(m, &sum, 1000);
	free(text);
}

static struct model *
fixture_model(void)
{
	struct model *m = model_new();

	add_round(m, "leak_check_full_any_1.txt", 200);
	add_round(m, "leak_check_full_any_2.txt", 200);
	add_round(m, "leak_check_full_any_3.txt", 200);
	return m;
}

/* Sum of bytes at round r of the sites of kind k allocated in fn. */
static uint64_t
bytes_at(const struct model *m, enum leak_kind k, const char *fn, size_t r, enum growth *g)
{
	uint64_t total = 0;
	size_t i;

	for (i = 0; i < model_nsites(m); i++) {
		const struct model_site *s = model_site(m, i);
		const struct model_frame *f = model_site_frame(m, s, s->alloc_at);

		if (s->kind == k && !strcmp(f->fn, fn)) {
			total += model_site_bytes(m, i, r);
			if (g)
				*g = s->growth;
		}
	}
	return total;
}

/* A series of a site's bytes, the baseline first, and the verdict it must get. */
struct shape {
	const char *what;
	uint64_t bytes[8];
	size_t n;
	enum growth want;
};

static const struct shape shapes[] = {
	{ "steady leak", { 0, 100, 200, 300 }, 4, GROWTH_GROWING },
	{ "every other round", { 0, 100, 100, 200 }, 4, GROWTH_GROWING },
	{ "every other round, ends on a pause", { 0, 100, 100, 200, 200 }, 5, GROWTH_GROWING },
	{ "every third round", { 0, 0, 100, 100, 100, 200 }, 6, GROWTH_GROWING },
	{ "small burst after a long plateau", { 0, 50, 50, 50, 100 }, 5, GROWTH_GROWING },
	{ "starts late, then steady", { 0, 0, 50, 90 }, 4, GROWTH_GROWING },
	{ "frees some, but new highs", { 0, 100, 90, 190, 180, 280 }, 6, GROWTH_GROWING },
	{ "one round: too early to call bounded", { 0, 100 }, 2, GROWTH_GROWING },
	{ "rose in the latest round only", { 0, 0, 0, 100 }, 4, GROWTH_GROWING },
	{ "a connection's leak, growing again after nginx closed it", { 0, 100, 200, 300, 400, 50, 150, 250 }, 8, GROWTH_GROWING },
	{ "a connection opened again: one rise, not growth", { 0, 500, 500, 500, 0, 500, 500, 500 }, 8, GROWTH_BOUNDED },
	{ "a connection opened again in the latest round", { 0, 500, 500, 500, 100, 500 }, 6, GROWTH_BOUNDED },
	{ "a cache evicted, refilled, flat again", { 0, 100, 200, 300, 100, 200, 300, 300 }, 8, GROWTH_BOUNDED },
	{ "cache filled in two rounds, flat since", { 0, 100, 200, 200, 200, 200 }, 6, GROWTH_BOUNDED },
	{ "cache filled in two rounds, one flat", { 0, 100, 200, 200 }, 4, GROWTH_BOUNDED },
	{ "lazy init", { 0, 512, 512, 512 }, 4, GROWTH_BOUNDED },
	{ "one-off in the middle", { 0, 0, 100, 100, 100 }, 5, GROWTH_BOUNDED },
	{ "flat for longer than it paused", { 0, 100, 100, 200, 200, 200 }, 6, GROWTH_BOUNDED },
	{ "swings under its first high", { 0, 100, 50, 100, 50, 100 }, 6, GROWTH_BOUNDED },
	{ "back under the baseline", { 100, 150, 100, 200, 50 }, 5, GROWTH_BOUNDED },
	{ "flat", { 10, 10, 10 }, 3, GROWTH_STABLE },
	{ "shrinks", { 300, 200, 100 }, 3, GROWTH_STABLE },
	{ "shrinks, comes back under its baseline", { 300, 200, 250 }, 3, GROWTH_STABLE },
	{ "the baseline alone", { 0 }, 1, GROWTH_STABLE },
};

static void
test_growth_rule(void **state)
{
	size_t i, bad = 0;

	(void)state;
	for (i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
		enum growth got = model_growth(shapes[i].bytes, shapes[i].n);

		if (got != shapes[i].want) {
			print_error("%s: want %s, got %s\n", shapes[i].what,
				model_growth_name(shapes[i].want), model_growth_name(got));
			bad++;
		}
	}
	assert_int_equal(bad, 0);
}

/* One synthetic round: each named site with its bytes (none when 0). */
static void
synthetic_round(struct model *m, uint64_t requests, const char *const *fn, const uint64_t *bytes,
	size_t nfn)
{
	struct leak_summary sum;
	size_t i;

	memset(&sum, 0, sizeof sum);
	model_round_begin(m, requests, 0);
	for (i = 0; i < nfn; i++) {
		struct leakcheck_frame f = { .ip = 0x1000 + i, .fn = { fn[i], strlen(fn[i]) },
			.file = { "mod.c", 5 }, .line = 10 + (unsigned)i };
		struct leakcheck_record rec = { .kind = LEAK_DEFINITE, .bytes = bytes[i],
			.direct = bytes[i], .blocks = 1, .nframes = 1, .frames = &f };

		if (bytes[i])
			model_round_add(m, &rec);
	}
	model_round_end(m, &sum, 0);
}

static const struct model_site *
site_of(const struct model *m, const char *fn)
{
	size_t i;

	for (i = 0; i < model_nsites(m); i++) {
		const struct model_site *s = model_site(m, i);

		if (!strcmp(model_site_frame(m, s, 0)->fn, fn))
			return s;
	}
	fail_msg("no site in %s", fn);
	return NULL;
}

static void
test_bytes_per_request(void **state)
{
	static const char *const fn[] = { "steady", "alternate", "cache", "late", "init_then_leak" };
	/* rounds 0..5 (0 is the baseline); uneven requests catch a window off by one */
	static const uint64_t requests[] = { 0, 100, 200, 300, 400, 500 };
	static const uint64_t bytes[][5] = {
		{ 0, 0, 0, 0, 0 },
		{ 100, 0, 100, 0, 1000 },
		{ 200, 100, 200, 0, 1010 },
		{ 300, 100, 200, 0, 1020 },
		{ 400, 100, 200, 0, 1030 },
		{ 500, 200, 200, 100, 1040 },
	};
	struct model *m = model_new();
	size_t r;

	(void)state;
	for (r = 0; r < 6; r++)
		synthetic_round(m, requests[r], fn, bytes[r], 5);
	assert_int_equal(site_of(m, "steady")->growth, GROWTH_GROWING);
	/* from the first rise to the latest: 400 bytes in rounds 2..5 */
	assert_float_equal(site_of(m, "steady")->bytes_per_request, 400.0 / 1400, 1e-9);
	/* rises in rounds 2 and 5: 100 bytes over rounds 3..5, one whole period */
	assert_int_equal(site_of(m, "alternate")->growth, GROWTH_GROWING);
	assert_float_equal(site_of(m, "alternate")->bytes_per_request, 100.0 / 1200, 1e-9);
	/* a bounded site: the last two rounds added nothing */
	assert_int_equal(site_of(m, "cache")->growth, GROWTH_BOUNDED);
	assert_float_equal(site_of(m, "cache")->bytes_per_request, 0.0, 1e-9);
	/* one rise: over every request since the baseline */
	assert_int_equal(site_of(m, "late")->growth, GROWTH_GROWING);
	assert_float_equal(site_of(m, "late")->bytes_per_request, 100.0 / 1500, 1e-9);
	/* a one-off 1000 bytes at the first rise does not count as per request */
	assert_int_equal(site_of(m, "init_then_leak")->growth, GROWTH_GROWING);
	assert_float_equal(site_of(m, "init_then_leak")->bytes_per_request, 40.0 / 1400, 1e-9);

	/* From round 2 on: the windows move with the baseline. */
	model_set_baseline(m, 2);
	assert_float_equal(site_of(m, "steady")->bytes_per_request, 200.0 / 900, 1e-9);
	assert_int_equal(site_of(m, "alternate")->growth, GROWTH_GROWING);	/* its rise is the latest */
	assert_float_equal(site_of(m, "alternate")->bytes_per_request, 100.0 / 1200, 1e-9);
	assert_int_equal(site_of(m, "cache")->growth, GROWTH_STABLE);
	assert_float_equal(site_of(m, "late")->bytes_per_request, 100.0 / 1200, 1e-9);
	model_free(m);
}

static void
test_fixture_leak_alloc(void **state)
{
	struct model *m = fixture_model();
	enum growth g = GROWTH_STABLE;
	size_t i;

	(void)state;
	assert_int_equal(model_nrounds(m), 3);
	/* 20 requests per round to /leak/alloc, 100 bytes each. */
	assert_int_equal(bytes_at(m, LEAK_DEFINITE, "ngx_http_leaky_leak_alloc", 0, &g), 2000);
	assert_int_equal(bytes_at(m, LEAK_DEFINITE, "ngx_http_leaky_leak_alloc", 1, &g), 4000);
	assert_int_equal(bytes_at(m, LEAK_DEFINITE, "ngx_http_leaky_leak_alloc", 2, &g), 6000);
	assert_int_equal(g, GROWTH_GROWING);
	for (i = 0; i < model_nsites(m); i++) {
		const struct model_site *s = model_site(m, i);
		const struct model_frame *at = model_site_frame(m, s, s->alloc_at);

		if (strcmp(at->fn, "ngx_http_leaky_leak_alloc"))
			continue;
		/* malloc and ngx_alloc are allocators, the module line is the site */
		assert_int_equal(s->alloc_at, 2);
		assert_true(model_site_frame(m, s, 0)->alloc);
		assert_string_equal(model_site_frame(m, s, 1)->fn, "ngx_alloc");
		assert_true(model_site_frame(m, s, 1)->alloc);
		assert_int_equal(at->line, 188);
		assert_non_null(strstr(at->file, "ngx_http_leaky_module.c"));
		assert_false(at->core);
		assert_false(s->core_only);
		assert_true(s->bytes_per_request > 0);
	}
	model_free(m);
}

static void
test_fixture_verdicts(void **state)
{
	struct model *m = fixture_model();
	enum growth g = GROWTH_GROWING;
	size_t i, core = 0;

	(void)state;
	assert_int_equal(bytes_at(m, LEAK_REACHABLE, "ngx_http_leaky_cache", 0, &g), 1024);
	assert_int_equal(bytes_at(m, LEAK_REACHABLE, "ngx_http_leaky_cache", 2, &g), 2048);
	assert_int_equal(g, GROWTH_BOUNDED);	/* filled in round 2, flat in 3 */
	assert_int_equal(bytes_at(m, LEAK_REACHABLE, "ngx_http_leaky_lazy", 2, &g), 512);
	assert_int_equal(g, GROWTH_STABLE);	/* allocated before the first check */
	bytes_at(m, LEAK_REACHABLE, "ngx_http_leaky_leak_cycle", 2, &g);
	assert_int_equal(g, GROWTH_GROWING);	/* "still reachable", and a leak */
	assert_int_equal(bytes_at(m, LEAK_DEFINITE, "ngx_http_leaky_clean", 2, NULL), 0);
	for (i = 0; i < model_nsites(m); i++) {
		const struct model_site *s = model_site(m, i);

		if (s->core_only) {
			core++;
			/* nginx's own heap does not grow under load */
			assert_int_not_equal(s->growth, GROWTH_GROWING);
		}
	}
	assert_true(core > 200);
	model_free(m);
}

static void
test_alloc_fn_option(void **state)
{
	struct model *m = model_new();
	size_t i;
	int seen = 0;

	(void)state;
	/* A module's own wrapper: the site moves to its caller. */
	model_add_alloc_fn(m, "ngx_http_leaky_leak_*");
	add_round(m, "leak_check_full_any_1.txt", 0);
	for (i = 0; i < model_nsites(m); i++) {
		const struct model_site *s = model_site(m, i);

		if (strcmp(model_site_frame(m, s, 2)->fn, "ngx_http_leaky_leak_alloc"))
			continue;
		assert_string_equal(model_site_frame(m, s, s->alloc_at)->fn, "ngx_http_leaky_handler");
		seen++;
	}
	assert_int_equal(seen, 2);
	model_free(m);
}

static void
test_abort_and_baseline(void **state)
{
	struct model *m = model_new();
	struct leak_summary sum;
	struct leakcheck_error err;
	size_t len, n1;
	char *text = slurp("leak_check_full_any_2.txt", &len);

	(void)state;
	add_round(m, "leak_check_full_any_1.txt", 100);
	n1 = model_nsites(m);
	/* A check cut off half way: nothing of it may stay in the model. */
	model_round_begin(m, 100, 0);
	leakcheck_text(text, len / 2, model_leakcheck_cb, m, &sum, &err);
	model_round_abort(m);
	assert_int_equal(model_nrounds(m), 1);
	assert_int_equal(model_nsites(m), n1);
	add_round(m, "leak_check_full_any_2.txt", 100);
	add_round(m, "leak_check_full_any_3.txt", 100);
	assert_int_equal(bytes_at(m, LEAK_DEFINITE, "ngx_http_leaky_leak_alloc", 1, NULL), 4000);
	/* Reset baseline: nothing has grown since the latest round. */
	model_set_baseline(m, model_nrounds(m) - 1);
	for (size_t i = 0; i < model_nsites(m); i++)
		assert_int_equal(model_site(m, i)->growth, GROWTH_STABLE);
	assert_true(model_memory(m) > 0);
	free(text);
	model_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_growth_rule),
		cmocka_unit_test(test_bytes_per_request),
		cmocka_unit_test(test_fixture_leak_alloc),
		cmocka_unit_test(test_fixture_verdicts),
		cmocka_unit_test(test_alloc_fn_option),
		cmocka_unit_test(test_abort_and_baseline),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
