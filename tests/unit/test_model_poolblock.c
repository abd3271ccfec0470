/* test_model_poolblock.c - a pool's new block on a leak's line. Under
 * NGX_DEBUG_PALLOC each ngx_palloc is its own malloc, plus a 16-byte
 * link taken from the pool's small memory; every thousand or so links the
 * pool takes a new block (16 KB for the cycle's), through
 * ngx_palloc_block, at the same allocation line as the leak. That step
 * lands in whichever round it lands; summed with the line it pulled the
 * line's fit to that round's favoured URL (seen with headers-more leaking
 * ngx_pstrdup(ngx_cycle->pool) per request: "post echo 8.6 B" instead of
 * the header's 24 B). The line is fitted without it, and the block's own
 * stack drives no URL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "leakcheck.h"
#include "model.h"
#include "util.h"

#define NU 7

/* the kinds of the run that showed it (a request file, 7 kinds) */
static const char *const urls[NU] = { "hm tagged", "post echo", "get echo", "put echo", "dup",
	"hm untagged", "post hm tagged" };

static void
add(struct model *m, const char *const *fns, size_t n, uint64_t bytes)
{
	struct leakcheck_frame f[8];
	struct leakcheck_record rec = { .kind = LEAK_REACHABLE, .blocks = 1, .nframes = n,
		.frames = f, .bytes = bytes, .direct = bytes };
	size_t i;

	memset(f, 0, sizeof f);
	for (i = 0; i < n; i++) {
		f[i].ip = 0x1000 + (uint64_t)(fns[i][0] * 7 + i) + (n > 5 ? 0x100 : 0);
		f[i].fn.p = fns[i];
		f[i].fn.n = strlen(fns[i]);
		if (i == n - 1) {	/* the same call in the module: one line */
			f[i].ip = 0x5000;
			f[i].file.p = "headers_in.c";
			f[i].file.n = strlen("headers_in.c");
			f[i].line = 297;
		}
	}
	model_round_add(m, &rec);
}

static const char *const leak_stack[] = { "malloc", "ngx_alloc", "ngx_palloc_large", "ngx_pnalloc",
	"ngx_pstrdup", "ngx_http_set_header_helper" };
static const char *const block_stack[] = { "memalign", "ngx_memalign", "ngx_palloc_block",
	"ngx_palloc_small", "ngx_palloc_large", "ngx_pnalloc", "ngx_pstrdup",
	"ngx_http_set_header_helper" };

/* 9 rounds of 120 requests in the rotation (burst_plan: the focus at
 * n+1 of 2n); 24 B per request of "hm tagged", 16 B per "post hm
 * tagged"; the pool's new block in round `step` (0: none). */
static struct model *
run(size_t step)
{
	struct model *m = model_new();
	struct leak_summary sum;
	uint64_t leak = 0, req[NU];
	size_t k, i;

	memset(&sum, 0, sizeof sum);
	for (k = 0; k <= 9; k++) {
		uint64_t total = 0;

		for (i = 0; i < NU; i++) {
			req[i] = k ? 120 * (i == (k - 1) % NU ? NU + 1 : 1) / (2 * NU) : 0;
			total += req[i];
		}
		model_round_begin(m, total, 0);
		for (i = 0; i < NU; i++)
			if (req[i])
				model_round_url_requests(m, model_url_intern(m, urls[i]), req[i]);
		leak += 24 * req[0] + 16 * req[6];
		if (leak)
			add(m, leak_stack, LT_ARRAY_SIZE(leak_stack), leak);
		if (step && k >= step)
			add(m, block_stack, LT_ARRAY_SIZE(block_stack), 16384);
		model_round_end(m, &sum, 0);
	}
	return m;
}

static const struct model_site *
site_through(const struct model *m, const char *fn)
{
	size_t i, j;

	for (i = 0; i < model_nsites(m); i++) {
		const struct model_site *s = model_site(m, i);

		for (j = 0; j < s->nframes; j++)
			if (!strcmp(model_site_frame(m, s, j)->fn, fn))
				return s;
	}
	fail_msg("no site through %s", fn);
	return NULL;
}

static void
assert_header_leak(const struct model *m)
{
	const struct model_site *s = site_through(m, "ngx_palloc_large");
	uint32_t i;

	for (i = 0; getenv("DBG") && i < s->nurls; i++)
		print_error("%s %.2f (growth %d, attrib %d)\n", model_url(m, s->urls[i].url),
			s->urls[i].bytes_per_request, s->growth, s->attrib);
	assert_int_equal(s->growth, GROWTH_GROWING);
	assert_int_equal(s->nurls, 2);
	assert_string_equal(model_url(m, s->urls[0].url), "hm tagged");
	assert_float_equal(s->urls[0].bytes_per_request, 24.0, 0.5);
	assert_string_equal(model_url(m, s->urls[1].url), "post hm tagged");
	assert_float_equal(s->urls[1].bytes_per_request, 16.0, 0.5);
}

/* The block in the last round, where "post echo" is favoured. */
static void
test_block_in_the_last_round(void **state)
{
	struct model *m = run(9);
	const struct model_site *b = site_through(m, "ngx_palloc_block");

	(void)state;
	assert_header_leak(m);
	assert_int_equal(b->nurls, 0);	/* the block's step drives no URL */
	model_free(m);
}

/* Wherever it lands, the leak's URL and rate stay. */
static void
test_block_anywhere(void **state)
{
	size_t step;

	(void)state;
	for (step = 0; step <= 9; step++) {
		struct model *m = run(step);

		assert_header_leak(m);
		model_free(m);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_block_in_the_last_round),
		cmocka_unit_test(test_block_anywhere),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
