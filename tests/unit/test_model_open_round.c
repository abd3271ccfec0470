/* test_model_open_round.c - what the front ends read of the model while a
 * round is open: the engine feeds a big answer's records piece by piece
 * (leakcheck_stream) and the screen draws between pieces. Between feeds
 * the rounds before stay as they were (model_nrounds excludes the open
 * one; their sites' numbers and verdicts unchanged) and the sites the
 * open round creates have nothing yet (not present, stable, no bytes in
 * any round). At the end the model equals one fed the answer whole. */
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

static void
add_round(struct model *m, const char *file)
{
	struct leak_summary sum;
	struct leakcheck_error err;
	size_t len;
	char *text = slurp(file, &len);

	model_round_begin(m, 200, 0);
	assert_int_equal(leakcheck_text(text, len, model_leakcheck_cb, m, &sum, &err), LEAKCHECK_OK);
	model_round_end(m, &sum, 1000);
	free(text);
}

/* What a screen reads of a site. */
struct seen {
	int present, growth;
	uint64_t bytes, blocks, r0, r1;
};

static struct seen
seen_of(const struct model *m, size_t i)
{
	const struct model_site *s = model_site(m, i);

	return (struct seen){ s->present, (int)s->growth, s->bytes, s->blocks,
		model_site_bytes(m, i, 0), model_site_bytes(m, i, 1) };
}

static void
assert_closed_rounds_kept(const struct model *m, const struct seen *before, size_t nbefore)
{
	size_t i;

	assert_int_equal(model_nrounds(m), 2);
	assert_null(model_round(m, 2));
	for (i = 0; i < model_nsites(m); i++) {
		struct seen now = seen_of(m, i);

		if (i < nbefore) {
			assert_memory_equal(&now, &before[i], sizeof now);
		} else {	/* the open round's: nothing to show yet */
			assert_false(now.present);
			assert_int_equal(now.growth, GROWTH_STABLE);
			assert_true(now.bytes == 0 && now.r0 == 0 && now.r1 == 0);
			assert_int_equal(model_site_bytes(m, i, 2), 0);
		}
	}
}

static void
test_open_round(void **state)
{
	struct model *m = model_new(), *w = model_new();
	struct leak_summary sum;
	struct leakcheck_error err;
	struct leakcheck_stream *ls;
	struct seen *before;
	size_t len, at, n, nbefore, i, grew = 0;
	char *text = slurp("leakcheck/full_any.txt", &len);

	(void)state;
	add_round(m, "leak_check_full_any_1.txt");
	add_round(m, "leak_check_full_any_2.txt");
	nbefore = model_nsites(m);
	before = xmalloc(nbefore * sizeof *before);
	for (i = 0; i < nbefore; i++)
		before[i] = seen_of(m, i);
	/* a third round of another program's answer: its sites are all new */
	model_round_begin(m, 200, 0);
	ls = leakcheck_stream_new(model_leakcheck_cb, m);
	for (at = 0; at < len; at += n) {
		n = len - at < 512 ? len - at : 512;
		assert_int_equal(leakcheck_stream_feed(ls, text + at, n, &err), LEAKCHECK_OK);
		grew += model_nsites(m) > nbefore;
		assert_closed_rounds_kept(m, before, nbefore);
	}
	assert_int_equal(leakcheck_stream_end(ls, &sum, &err), LEAKCHECK_OK);
	leakcheck_stream_free(ls);
	assert_true(grew > 5);	/* new sites came while the round was open */
	model_round_end(m, &sum, 1000);
	assert_int_equal(model_nrounds(m), 3);

	/* the same model as with the answer parsed whole */
	add_round(w, "leak_check_full_any_1.txt");
	add_round(w, "leak_check_full_any_2.txt");
	add_round(w, "leakcheck/full_any.txt");
	assert_int_equal(model_nsites(m), model_nsites(w));
	for (i = 0; i < model_nsites(m); i++) {
		struct seen a = seen_of(m, i), b = seen_of(w, i);

		assert_memory_equal(&a, &b, sizeof a);
		assert_int_equal(model_site_bytes(m, i, 2), model_site_bytes(w, i, 2));
	}
	free(before);
	free(text);
	model_free(m);
	model_free(w);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_round),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
