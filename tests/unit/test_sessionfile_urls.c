/* test_sessionfile_urls.c - the session file keeps which request: the URL
 * table and each round's requests per URL are written and come back with
 * --load (the same ids, the same counts, a URL added mid-run included);
 * a session file from before (no "urls") still loads, with no per-URL
 * counts; a per-URL count naming a URL never written is refused. */
#define SF_DIR "/tmp/lt-sessionfile-urls-XXXXXX"
#include "sessionfile_fixture.h"

#include "leak.h"

static void
round_with(struct model *m, const uint64_t *reached, size_t n, uint64_t requests)
{
	struct leak_summary sum;
	size_t i;

	memset(&sum, 0, sizeof sum);
	sum.seen = 1;
	model_round_begin(m, requests, 0);
	for (i = 0; i < n; i++)
		if (reached[i])
			model_round_url_requests(m, (uint32_t)i, reached[i]);
	model_round_end(m, &sum, 1000);
}

static void
test_urls_round_trip(void **state)
{
	struct model *m = model_new(), *back;
	char *path = xasprintf("%s/a.jsonl", sf_dir);
	struct sessionfile *j = sf_open(path);
	bool torn;
	size_t r, u;

	(void)state;
	assert_int_equal(model_url_intern(m, "http://127.0.0.1:8080/"), 0);
	assert_int_equal(model_url_intern(m, "http://127.0.0.1:8080/leak/pool"), 1);
	assert_int_equal(model_url_intern(m, "http://127.0.0.1:8080/clean"), 2);
	round_with(m, NULL, 0, 0);	/* the baseline: none */
	sf_write_round(j, m);
	round_with(m, (uint64_t[]){ 20, 5, 5 }, 3, 30);
	sf_write_round(j, m);
	round_with(m, (uint64_t[]){ 5, 20, 4 }, 3, 30);	/* one request failed */
	sf_write_round(j, m);
	/* a URL set changed mid-run: a new URL, an old one gone */
	assert_int_equal(model_url_intern(m, "http://127.0.0.1:8080/rare"), 3);
	round_with(m, (uint64_t[]){ 0, 15, 0, 45 }, 4, 60);
	sf_write_round(j, m);
	sessionfile_close(j, "stopped");

	back = sf_load(path, &torn);
	assert_false(torn);
	assert_int_equal(model_nurls(back), 4);
	assert_int_equal(model_nrounds(back), 4);
	for (u = 0; u < 4; u++)
		assert_string_equal(model_url(back, (uint32_t)u), model_url(m, (uint32_t)u));
	for (r = 0; r < 4; r++)
		for (u = 0; u < 4; u++)
			assert_int_equal(model_round_url(back, r, (uint32_t)u),
				model_round_url(m, r, (uint32_t)u));
	assert_int_equal(model_round_url(back, 2, 1), 20);
	assert_int_equal(model_round_url(back, 3, 3), 45);
	assert_int_equal(model_round_url(back, 0, 0), 0);
	model_free(m);
	model_free(back);
	unlink(path);
	free(path);
}

#define ROUND(n, extra) "{\"type\":\"round\",\"n\":" #n ",\"requests\":10,\"failed\":0," \
	"\"check_ns\":1,\"time_ms\":1,\"summary\":{},\"frames\":[],\"sites\":[],\"values\":[]" \
	extra "}\n"

static void
test_old_file_loads(void **state)
{
	bool torn;
	struct model *m = sf_load_text("old.jsonl", SF_HEADER ROUND(0, "") ROUND(1, ""), &torn);

	(void)state;
	assert_int_equal(model_nrounds(m), 2);
	assert_int_equal(model_nurls(m), 0);
	assert_int_equal(model_round_url(m, 1, 0), 0);
	model_free(m);
}

static void
test_bad_url_counts_refused(void **state)
{
	static const char *const bad[] = {
		ROUND(0, ",\"urls\":[\"http://x/\"],\"url_requests\":[[1,5]]"),	/* no URL 1 */
		ROUND(0, ",\"urls\":[\"http://x/\"],\"url_requests\":[[0,-5]]"),
		ROUND(0, ",\"urls\":[\"http://x/\"],\"url_requests\":[[\"0\",5]]"),
		ROUND(0, ",\"urls\":[7]"),
		ROUND(0, ",\"urls\":\"http://x/\""),
	};
	struct model *m;
	bool torn;

	(void)state;
	sf_assert_rounds_refused(bad, sizeof bad / sizeof *bad);
	/* and the good form of the same loads */
	m = sf_load_text("good.jsonl", SF_HEADER
		ROUND(0, ",\"urls\":[\"http://x/\"],\"url_requests\":[[0,5]]"), &torn);
	assert_int_equal(model_round_url(m, 0, 0), 5);
	model_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_urls_round_trip),
		cmocka_unit_test(test_old_file_loads),
		cmocka_unit_test(test_bad_url_counts_refused),
	};

	return cmocka_run_group_tests(tests, sf_setup, sf_teardown);
}
