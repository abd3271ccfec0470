/* test_long_session.c - the long-session benchmark's path at a small size
 * (bench/long_synth.h, bench/bench_long.c): a full answer, then rounds of
 * `changed` answers through the real parser into the model as deltas and
 * into a session file; --load of the file gives the same model (every
 * site's bytes, blocks and indirect at every round, verdicts, pids). No
 * timings: that is `make bench`. The file stays small: the rounds after
 * the first hold what changed, not every site. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/stat.h>
#include <unistd.h>

#include "sessionfile.h"
#include "../../bench/long_synth.h"

#define ROUNDS 300
#define SITES 400

static char dir[] = "/tmp/lt-long-session-XXXXXX";

static void
assert_same(const struct model *a, const struct model *b)
{
	size_t s, r;

	assert_int_equal(model_nrounds(a), model_nrounds(b));
	assert_int_equal(model_nsites(a), model_nsites(b));
	for (s = 0; s < model_nsites(a); s++) {
		const struct model_site *x = model_site(a, s), *y = model_site(b, s);

		for (r = 0; r < model_nrounds(a); r++) {
			assert_int_equal(model_site_bytes(a, s, r), model_site_bytes(b, s, r));
			assert_int_equal(model_site_blocks(a, s, r), model_site_blocks(b, s, r));
			assert_int_equal(model_site_direct(a, s, r), model_site_direct(b, s, r));
			assert_int_equal(model_site_indirect(a, s, r), model_site_indirect(b, s, r));
		}
		assert_int_equal(x->growth, y->growth);
		assert_float_equal(x->bytes_per_request, y->bytes_per_request, 1e-12);
		assert_int_equal(x->nsources_now, y->nsources_now);
	}
}

static void
test_long_session_loads_the_same(void **state)
{
	struct sessionfile_meta meta = { .nginx = "bench_long", .nginx_version = "synthetic" };
	char *path = xasprintf("%s/long.jsonl", dir), *ngx = NULL, *capture, err[256];
	struct model *m = model_new(), *back = model_new();
	struct sessionfile *j = sessionfile_open(path, &meta, err, sizeof err);
	uint32_t url = model_url_intern(m, "http://127.0.0.1:8080/leak");
	struct long_synth ls;
	struct stat st;
	off_t first = 0;
	size_t r;
	bool torn;

	(void)state;
	assert_non_null(j);
	capture = xasprintf("%s/leak_check_full_any_1.txt",
		getenv("LT_TEST_DATA") ? getenv("LT_TEST_DATA") : "tests/data");
	assert_true(long_synth_init(&ls, capture, SITES));
	free(capture);
	for (r = 0; r < ROUNDS; r++) {
		if (r)
			long_synth_changed(&ls);
		else
			long_synth_any(&ls);
		assert_true(long_synth_feed(m, &ls.text, r > 0, url));
		assert_true(sessionfile_round(j, m, err, sizeof err));
		if (!r) {
			assert_int_equal(stat(path, &st), 0);
			first = st.st_size;
		}
	}
	sessionfile_close(j, "stopped");
	/* the leaks grow, new sites came */
	assert_int_equal(model_site(m, 0)->growth, GROWTH_GROWING);
	assert_int_equal(model_site(m, 1)->growth, GROWTH_GROWING);
	assert_true(model_site(m, 1)->indirect > 0);
	/* what swings or falls to 0 and comes back is no leak */
	for (r = 2; r <= 6; r++)
		assert_int_not_equal(model_site(m, r)->growth, GROWTH_GROWING);
	assert_int_equal(model_nsites(m), SITES + (ROUNDS - 1) / LS_NEW_SITE_EVERY);
	/* a later round is a line of what changed: under 1 KB, where the
	 * first holds every site */
	assert_int_equal(stat(path, &st), 0);
	assert_true((st.st_size - first) / (ROUNDS - 1) < 1024);
	assert_true(first > 40 * 1024);

	assert_true(sessionfile_load(path, back, &ngx, &torn, err, sizeof err));
	assert_false(torn);
	assert_same(m, back);
	free(ngx);
	model_free(m);
	model_free(back);
	long_synth_free(&ls);
	unlink(path);
	free(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_long_session_loads_the_same),
	};
	int rc;

	if (!mkdtemp(dir))
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	rmdir(dir);
	return rc;
}
