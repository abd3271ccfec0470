/* test_sessionfile_oldfile.c - a session file written before rounds
 * carried (tests/data/session/old-format-fixture.jsonl: ngx-leaktop at
 * 141bbbb on the fixture nginx, 5 rounds of 40 requests over its 10 URLs;
 * every present site in every round, no "carry") loads with the loader
 * of today as it did: each site's bytes and blocks in each round are
 * what its line lists (0 when not listed), and the fixture's leaks get
 * the verdicts, rates and holders that version's report gave. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "sessionfile.h"
#include "util.h"

static char *old_file;

static struct model *
load_old(void)
{
	struct model *m = model_new();
	char *ngx = NULL, err[256];
	bool torn;

	if (!sessionfile_load(old_file, m, &ngx, &torn, err, sizeof err))
		fail_msg("load: %s", err);
	assert_false(torn);
	free(ngx);
	return m;
}

/* Round r's line against the model: listed sites have their numbers,
 * the others nothing. */
static void
assert_round_as_listed(const struct model *m, json_t *line, size_t r)
{
	size_t nsites = model_nsites(m), i;
	uint64_t *bytes = calloc(nsites, sizeof *bytes), *blocks = calloc(nsites, sizeof *blocks);
	json_t *v;

	assert_non_null(bytes);
	assert_non_null(blocks);
	assert_null(json_object_get(line, "carry"));
	json_array_foreach(json_object_get(line, "values"), i, v) {
		json_int_t id = json_integer_value(json_array_get(v, 0));

		assert_true(id >= 0 && (size_t)id < nsites);
		bytes[id] = (uint64_t)json_integer_value(json_array_get(v, 1));
		blocks[id] = (uint64_t)json_integer_value(json_array_get(v, 2));
	}
	for (i = 0; i < nsites; i++) {
		assert_int_equal(model_site_bytes(m, i, r), bytes[i]);
		assert_int_equal(model_site_blocks(m, i, r), blocks[i]);
	}
	free(bytes);
	free(blocks);
}

static void
test_series_as_written(void **state)
{
	struct model *m = load_old();
	FILE *f = fopen(old_file, "r");
	char *buf = NULL;
	size_t cap = 0, r = 0;

	(void)state;
	assert_non_null(f);
	assert_int_equal(model_nrounds(m), 6);
	assert_int_equal(model_nsites(m), 903);
	while (getline(&buf, &cap, f) > 0) {
		json_t *line = json_loads(buf, 0, NULL);

		assert_non_null(line);
		if (!strcmp(json_string_value(json_object_get(line, "type")), "round"))
			assert_round_as_listed(m, line, r++);
		json_decref(line);
	}
	assert_int_equal(r, 6);
	free(buf);
	fclose(f);
	model_free(m);
}

/* The site of kind at fn:line whose latest bytes are these. */
static const struct model_site *
site_at(const struct model *m, enum leak_kind kind, const char *fn, unsigned line, uint64_t bytes)
{
	size_t i;

	for (i = 0; i < model_nsites(m); i++) {
		const struct model_site *s = model_site(m, i);
		const struct model_frame *f = model_site_frame(m, s, s->alloc_at);

		if (s->kind == kind && !strcmp(f->fn, fn) && f->line == line && s->bytes == bytes)
			return s;
	}
	fail_msg("no %s site at %s:%u with %" PRIu64 " bytes", leak_kind_json(kind), fn, line, bytes);
	return NULL;
}

/* What that version's --json report said of the fixture's sites. */
static void
test_verdicts_as_reported(void **state)
{
	struct model *m = load_old();
	const struct model_site *s;

	(void)state;
	s = site_at(m, LEAK_DEFINITE, "ngx_http_leaky_leak_pool", 232, 32640);
	assert_int_equal(s->growth, GROWTH_GROWING);
	assert_float_equal(s->bytes_per_request, 190.4, 0.05);
	assert_int_equal(s->direct, 30720);
	assert_int_equal(s->indirect, 1920);
	s = site_at(m, LEAK_DEFINITE, "ngx_http_leaky_leak_alloc", 188, 2700);
	assert_int_equal(s->growth, GROWTH_GROWING);
	assert_float_equal(s->bytes_per_request, 5.0, 0.05);
	s = site_at(m, LEAK_DEFINITE, "ngx_http_leaky_leak_alloc", 188, 300);
	assert_int_equal(s->growth, GROWTH_STABLE);
	s = site_at(m, LEAK_REACHABLE, "ngx_http_leaky_leak_cycle", 255, 330);
	assert_int_equal(s->growth, GROWTH_GROWING);
	assert_int_equal(s->holder.pool, MODEL_POOL_CYCLE);
	s = site_at(m, LEAK_REACHABLE, "ngx_http_leaky_cache", 294, 768);
	assert_int_equal(s->growth, GROWTH_BOUNDED);
	s = site_at(m, LEAK_REACHABLE, "ngx_http_leaky_lazy", 323, 512);
	assert_int_equal(s->growth, GROWTH_BOUNDED);
	assert_int_equal(model_round(m, 5)->total_requests, 200);
	model_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_series_as_written),
		cmocka_unit_test(test_verdicts_as_reported),
	};

	int rc;

	old_file = xasprintf("%s/session/old-format-fixture.jsonl",
		getenv("LT_TEST_DATA") ? getenv("LT_TEST_DATA") : "tests/data");
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	free(old_file);
	return rc;
}
