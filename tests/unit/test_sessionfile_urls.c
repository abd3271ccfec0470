/* test_sessionfile_urls.c - the session file keeps which request: the URL
 * table and each round's requests per URL are written and come back with
 * --load (the same ids, the same counts, a URL added mid-run included);
 * a session file from before (no "urls") still loads, with no per-URL
 * counts; a per-URL count naming a URL never written is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "leak.h"
#include "model.h"
#include "sessionfile.h"
#include "util.h"

static char dir[] = "/tmp/lt-sessionfile-urls-XXXXXX";

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
	struct sessionfile_meta meta = { .nginx = "nginx", .nginx_version = "nginx/1.22.1" };
	struct model *m = model_new(), *back = model_new();
	char *path = xasprintf("%s/a.jsonl", dir), *ngx = NULL, err[256];
	struct sessionfile *j = sessionfile_open(path, &meta, err, sizeof err);
	bool torn;
	size_t r, u;

	(void)state;
	assert_non_null(j);
	assert_int_equal(model_url_intern(m, "http://127.0.0.1:8080/"), 0);
	assert_int_equal(model_url_intern(m, "http://127.0.0.1:8080/leak/pool"), 1);
	assert_int_equal(model_url_intern(m, "http://127.0.0.1:8080/clean"), 2);
	round_with(m, NULL, 0, 0);	/* the baseline: none */
	assert_true(sessionfile_round(j, m, err, sizeof err));
	round_with(m, (uint64_t[]){ 20, 5, 5 }, 3, 30);
	assert_true(sessionfile_round(j, m, err, sizeof err));
	round_with(m, (uint64_t[]){ 5, 20, 4 }, 3, 30);	/* one request failed */
	assert_true(sessionfile_round(j, m, err, sizeof err));
	/* a URL set changed mid-run: a new URL, an old one gone */
	assert_int_equal(model_url_intern(m, "http://127.0.0.1:8080/rare"), 3);
	round_with(m, (uint64_t[]){ 0, 15, 0, 45 }, 4, 60);
	assert_true(sessionfile_round(j, m, err, sizeof err));
	sessionfile_close(j, "stopped");

	assert_true(sessionfile_load(path, back, &ngx, &torn, err, sizeof err));
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
	free(ngx);
	model_free(m);
	model_free(back);
	unlink(path);
	free(path);
}

static char *
write_file(const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

#define HEADER "{\"type\":\"session\",\"ngx_leaktop\":\"0.1.0\",\"nginx\":\"n\",\"version\":\"v\"," \
	"\"debug_palloc\":true,\"started_ms\":1}\n"
#define ROUND(n, extra) "{\"type\":\"round\",\"n\":" #n ",\"requests\":10,\"failed\":0," \
	"\"check_ns\":1,\"time_ms\":1,\"summary\":{},\"frames\":[],\"sites\":[],\"values\":[]" \
	extra "}\n"

static void
test_old_file_loads(void **state)
{
	char *path = write_file("old.jsonl", HEADER ROUND(0, "") ROUND(1, ""));
	struct model *m = model_new();
	char *ngx = NULL, err[256];
	bool torn;

	(void)state;
	assert_true(sessionfile_load(path, m, &ngx, &torn, err, sizeof err));
	assert_int_equal(model_nrounds(m), 2);
	assert_int_equal(model_nurls(m), 0);
	assert_int_equal(model_round_url(m, 1, 0), 0);
	free(ngx);
	model_free(m);
	unlink(path);
	free(path);
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
	size_t i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof *bad; i++) {
		char *text = xasprintf("%s%s", HEADER, bad[i]);
		char *path = write_file("bad.jsonl", text);
		struct model *m = model_new();
		char *ngx = NULL, err[256];
		bool torn;

		assert_false(sessionfile_load(path, m, &ngx, &torn, err, sizeof err));
		assert_non_null(strstr(err, "malformed round"));
		free(ngx);
		model_free(m);
		unlink(path);
		free(path);
		free(text);
	}
	/* and the good form of the same loads */
	{
		char *path = write_file("good.jsonl", HEADER
			ROUND(0, ",\"urls\":[\"http://x/\"],\"url_requests\":[[0,5]]"));
		struct model *m = model_new();
		char *ngx = NULL, err[256];
		bool torn;

		assert_true(sessionfile_load(path, m, &ngx, &torn, err, sizeof err));
		assert_int_equal(model_round_url(m, 0, 0), 5);
		free(ngx);
		model_free(m);
		unlink(path);
		free(path);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_urls_round_trip),
		cmocka_unit_test(test_old_file_loads),
		cmocka_unit_test(test_bad_url_counts_refused),
	};
	int rc;

	if (!mkdtemp(dir))
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	rmdir(dir);
	return rc;
}
