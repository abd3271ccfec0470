/* test_reqset.c - the kinds of a run from every place that names them
 * (reqset.h): -u URLs with the run's -X/-H/-d, request files, --send
 * files over TCP and the editor's entries; unique names; errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "burst.h"
#include "reqset.h"
#include "util.h"

static char tmpdir[64];
static char *api, *hello;	/* a request file and a --send file in tmpdir */

static const char api_text[] =
	"### Create user\n"
	"# @count 4\n"
	"POST /users HTTP/2\n"
	"Content-Type: application/json\n"
	"\n"
	"{\"name\": \"a\"}\n"
	"###\n"
	"GET /users\n"
	"###\n"
	"GET /users\n";

static char *
write_tmp(const char *name, const void *data, size_t len)
{
	char *path = xasprintf("%s/%s", tmpdir, name);
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
	return path;
}

static int
setup(void **state)
{
	(void)state;
	api = write_tmp("api.http", api_text, strlen(api_text));
	hello = write_tmp("hello.bin", "HELO\0\r\n", 7);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	unlink(api);
	unlink(hello);
	free(api);
	free(hello);
	return 0;
}

static void
must(bool ok, const char *err)
{
	if (!ok)
		print_error("unexpected error: %s\n", err);
	assert_true(ok);
}

/* -u kinds get the run's -X/-H/-d copied in, method resolved. */
static void
test_url_defaults(void **state)
{
	char *hdrs[] = { "X-A: 1", "Accept: */*" };
	struct reqset_defaults none = { 0 }, body = { NULL, hdrs, 2, "k=v" }, put = { "PUT", NULL, 0, NULL };
	struct reqset *rs = reqset_new(&none), *rb = reqset_new(&body), *rp = reqset_new(&put);
	const struct burst_req *r;
	char err[256];

	(void)state;
	must(reqset_add_url(rs, "/leak/alloc", err, sizeof err), err);
	must(reqset_add_url(rs, "http://127.0.0.1:8080/x", err, sizeof err), err);
	assert_int_equal(reqset_count(rs), 2);
	r = reqset_reqs(rs);
	assert_string_equal(r[0].method, "GET");
	assert_true(r[0].own_headers && r[0].own_body);
	assert_int_equal(r[0].nheaders, 0);
	assert_null(r[0].body);
	assert_int_equal(r[0].weight, 1);
	assert_string_equal(r[0].name, "/leak/alloc");
	assert_string_equal(reqset_urls(rs)[1], "http://127.0.0.1:8080/x");
	assert_string_equal(reqset_name(rs, 1), "http://127.0.0.1:8080/x");
	assert_string_equal(reqset_entry(rs, 0), "/leak/alloc");
	assert_string_equal(reqset_source(rs, 0), "-u");
	assert_false(reqset_is_tcp(rs, 0));
	assert_null(reqset_name(rs, 2));

	must(reqset_add_url(rb, "/clean", err, sizeof err), err);
	r = reqset_reqs(rb);
	assert_string_equal(r[0].method, "POST");	/* -d without -X */
	assert_int_equal(r[0].nheaders, 2);
	assert_string_equal(r[0].headers[1], "Accept: */*");
	assert_true(r[0].headers[1] != hdrs[1]);	/* copied */
	assert_string_equal(r[0].body, "k=v");
	assert_int_equal(r[0].body_len, 3);

	must(reqset_add_url(rp, "/p", err, sizeof err), err);
	assert_string_equal(reqset_reqs(rp)[0].method, "PUT");
	reqset_free(rs);
	reqset_free(rb);
	reqset_free(rp);
}

static void
test_file_kinds(void **state)
{
	struct reqset *rs = reqset_new(NULL);
	const struct burst_req *r;
	char err[256], *want;

	(void)state;
	must(reqset_add_file(rs, api, NULL, err, sizeof err), err);
	assert_int_equal(reqset_count(rs), 3);
	r = reqset_reqs(rs);
	assert_string_equal(r[0].name, "Create user");
	assert_string_equal(r[0].method, "POST");
	assert_string_equal(reqset_urls(rs)[0], "/users");
	assert_int_equal(r[0].weight, 4);
	assert_true(r[0].own_headers && r[0].own_body);
	assert_string_equal(r[0].headers[0], "Content-Type: application/json");
	assert_int_equal(r[0].body_len, 13);
	assert_memory_equal(r[0].body, "{\"name\": \"a\"}", 13);
	/* two untitled GET /users: the second gets " (2)", attribution keys by name */
	assert_string_equal(r[1].name, "GET /users");
	assert_string_equal(r[2].name, "GET /users (2)");
	assert_string_equal(reqset_name(rs, 2), "GET /users (2)");
	assert_null(r[1].body);
	assert_true(r[1].own_body);
	want = xasprintf("@%s#Create user", api);
	assert_string_equal(reqset_entry(rs, 0), want);
	free(want);
	want = xasprintf("@%s#3", api);
	assert_string_equal(reqset_entry(rs, 2), want);
	free(want);
	want = xasprintf("%s:8", api);
	assert_string_equal(reqset_source(rs, 1), want);
	free(want);
	assert_true(reqset_wants_version(rs, 20));
	assert_false(reqset_wants_version(rs, 11));
	reqset_free(rs);
}

static void
test_file_select(void **state)
{
	struct reqset *rs = reqset_new(NULL);
	char err[256];

	(void)state;
	must(reqset_add_file(rs, api, "2", err, sizeof err), err);
	must(reqset_add_file(rs, api, "Create user", err, sizeof err), err);
	assert_int_equal(reqset_count(rs), 2);
	assert_string_equal(reqset_name(rs, 0), "GET /users");
	assert_string_equal(reqset_name(rs, 1), "Create user");
	assert_false(reqset_add_file(rs, api, "Delete user", err, sizeof err));
	assert_non_null(strstr(err, "api.http: no request titled 'Delete user' (titles: Create "
		"user; or a number from 1 to 3)"));
	assert_false(reqset_add_file(rs, api, "4", err, sizeof err));
	assert_non_null(strstr(err, "no request titled '4'"));
	assert_int_equal(reqset_count(rs), 2);
	reqset_free(rs);
}

static void
test_tcp_kinds(void **state)
{
	struct reqset *rs = reqset_new(NULL), *next;
	const struct burst_req *r;
	char err[256], *want;

	(void)state;
	must(reqset_add_tcp(rs, NULL, hello, 5, 200, err, sizeof err), err);
	must(reqset_add_tcp(rs, "127.0.0.1:9000", hello, 0, 0, err, sizeof err), err);
	must(reqset_add_tcp(rs, "[::1]:9000", hello, 0, 0, err, sizeof err), err);
	must(reqset_add_tcp(rs, "localhost:1", hello, 0, 0, err, sizeof err), err);
	r = reqset_reqs(rs);
	assert_string_equal(reqset_urls(rs)[0], "tcp:");
	assert_string_equal(reqset_urls(rs)[1], "tcp://127.0.0.1:9000");
	assert_string_equal(reqset_urls(rs)[2], "tcp://[::1]:9000");
	assert_true(reqset_is_tcp(rs, 0) && reqset_is_tcp(rs, 3));
	assert_string_equal(r[0].name, "tcp hello.bin");
	assert_string_equal(r[1].name, "tcp 127.0.0.1:9000 hello.bin");
	assert_int_equal(r[0].body_len, 7);
	assert_memory_equal(r[0].body, "HELO\0\r\n", 7);
	assert_int_equal(r[0].read_bytes, 5);
	assert_int_equal(r[0].idle_ms, 200);
	assert_null(r[0].method);
	want = xasprintf("tcp < %s", hello);
	assert_string_equal(reqset_entry(rs, 0), want);
	free(want);
	want = xasprintf("tcp 127.0.0.1:9000 < %s", hello);
	assert_string_equal(reqset_entry(rs, 1), want);
	free(want);
	want = xasprintf("--send %s", hello);
	assert_string_equal(reqset_source(rs, 1), want);
	free(want);
	/* the editor's next set: no kinds, the same defaults and --read/--idle */
	next = reqset_empty_like(rs);
	assert_int_equal(reqset_count(next), 0);
	want = xasprintf("tcp<%s", hello);
	must(reqset_add_entry(next, want, err, sizeof err), err);
	free(want);
	assert_int_equal(reqset_reqs(next)[0].idle_ms, 0);	/* the last add_tcp's */
	reqset_free(next);
	reqset_free(rs);
}

/* Every entry form, and each kind's entry makes the kind again. */
static void
test_entries(void **state)
{
	char *hdrs[] = { "X-Run: 1" };
	struct reqset_defaults d = { NULL, hdrs, 1, NULL };
	struct reqset *rs = reqset_new(&d), *again;
	const struct burst_req *r, *q;
	char err[256], *e;
	size_t i;

	(void)state;
	must(reqset_add_entry(rs, "  /leak/alloc  ", err, sizeof err), err);
	must(reqset_add_entry(rs, "https://127.0.0.1:8443/x", err, sizeof err), err);
	must(reqset_add_entry(rs, "POST /upload", err, sizeof err), err);
	e = xasprintf("@%s", api);
	must(reqset_add_entry(rs, e, err, sizeof err), err);
	free(e);
	e = xasprintf("@%s#Create user", api);
	must(reqset_add_entry(rs, e, err, sizeof err), err);
	free(e);
	e = xasprintf("@%s#2", api);
	must(reqset_add_entry(rs, e, err, sizeof err), err);
	free(e);
	e = xasprintf("tcp < %s", hello);
	must(reqset_add_entry(rs, e, err, sizeof err), err);
	free(e);
	e = xasprintf("tcp 127.0.0.2:7000 < %s", hello);
	must(reqset_add_entry(rs, e, err, sizeof err), err);
	free(e);
	e = xasprintf("tcp://127.0.0.2:7000 < %s", hello);
	must(reqset_add_entry(rs, e, err, sizeof err), err);
	free(e);
	assert_int_equal(reqset_count(rs), 11);
	r = reqset_reqs(rs);
	assert_string_equal(r[0].name, "/leak/alloc");
	assert_string_equal(r[2].name, "POST /upload");
	assert_string_equal(r[2].method, "POST");
	assert_string_equal(r[2].headers[0], "X-Run: 1");	/* the rest the run's */
	assert_string_equal(reqset_urls(rs)[2], "/upload");
	assert_string_equal(r[6].name, "Create user (2)");
	assert_string_equal(r[7].name, "GET /users (3)");
	assert_string_equal(r[9].name, "tcp 127.0.0.2:7000 hello.bin");
	assert_string_equal(r[10].name, "tcp 127.0.0.2:7000 hello.bin (2)");
	assert_string_equal(reqset_urls(rs)[10], "tcp://127.0.0.2:7000");
	/* names are unique */
	for (i = 0; i < reqset_count(rs); i++)
		for (size_t j = i + 1; j < reqset_count(rs); j++)
			assert_string_not_equal(reqset_name(rs, i), reqset_name(rs, j));
	/* the entries make the same kinds again */
	again = reqset_empty_like(rs);
	for (i = 0; i < reqset_count(rs); i++)
		must(reqset_add_entry(again, reqset_entry(rs, i), err, sizeof err), err);
	assert_int_equal(reqset_count(again), reqset_count(rs));
	q = reqset_reqs(again);
	for (i = 0; i < reqset_count(rs); i++) {
		assert_string_equal(reqset_name(again, i), reqset_name(rs, i));
		assert_string_equal(reqset_urls(again)[i], reqset_urls(rs)[i]);
		assert_int_equal(q[i].body_len, r[i].body_len);
		assert_int_equal(q[i].nheaders, r[i].nheaders);
		assert_int_equal(q[i].weight, r[i].weight);
		assert_true((q[i].method == NULL) == (r[i].method == NULL));
		if (q[i].method)
			assert_string_equal(q[i].method, r[i].method);
	}
	reqset_free(again);
	reqset_free(rs);
}

/* Two requests titled alike: the second's entry is its number. */
static void
test_same_titles(void **state)
{
	struct reqset *rs = reqset_new(NULL), *again;
	char err[256], *path, *want;
	size_t i;

	(void)state;
	path = write_tmp("same.http", "### Same\nGET /a\n### Same\nGET /b\n", 32);
	must(reqset_add_file(rs, path, NULL, err, sizeof err), err);
	want = xasprintf("@%s#2", path);
	assert_string_equal(reqset_entry(rs, 1), want);
	free(want);
	assert_string_equal(reqset_name(rs, 1), "Same (2)");
	again = reqset_empty_like(rs);
	for (i = 0; i < 2; i++)
		must(reqset_add_entry(again, reqset_entry(rs, i), err, sizeof err), err);
	assert_string_equal(reqset_urls(again)[0], "/a");
	assert_string_equal(reqset_urls(again)[1], "/b");
	/* --tcp tcp://HOST:PORT is HOST:PORT */
	must(reqset_add_tcp(rs, "tcp://127.0.0.1:9", hello, 0, 0, err, sizeof err), err);
	assert_string_equal(reqset_urls(rs)[2], "tcp://127.0.0.1:9");
	unlink(path);
	free(path);
	reqset_free(again);
	reqset_free(rs);
}

static void
expect_error(bool ok, const char *err, const char *want)
{
	if (ok || !strstr(err, want))
		print_error("got %s '%s', want '%s'\n", ok ? "success" : "error", err, want);
	assert_false(ok);
	assert_non_null(strstr(err, want));
	assert_null(strchr(err, '\n'));
}

static void
test_errors(void **state)
{
	struct reqset *rs = reqset_new(NULL);
	char err[512], *e, *bad;

	(void)state;
	expect_error(reqset_add_url(rs, "http://example.com/", err, sizeof err), err,
		"--url 'http://example.com/': load goes to loopback only (use 127.0.0.1, localhost or [::1])");
	expect_error(reqset_add_url(rs, "leak", err, sizeof err), err, "'leak' is not a path");
	expect_error(reqset_add_entry(rs, "   ", err, sizeof err), err, "empty entry (want /path");
	expect_error(reqset_add_entry(rs, "post /x", err, sizeof err), err, "'post /x' is not a path");
	expect_error(reqset_add_entry(rs, "/a\x1b[2J", err, sizeof err), err, "'/a\\x1b[2J' is not a path");
	expect_error(reqset_add_entry(rs, "@", err, sizeof err), err, "'@' names no request file");
	expect_error(reqset_add_entry(rs, "@no-such.http", err, sizeof err), err,
		"no-such.http: cannot read the request file (No such file or directory)");
	expect_error(reqset_add_entry(rs, "tcp 127.0.0.1:9", err, sizeof err), err,
		"tcp entry without '< FILE'");
	expect_error(reqset_add_entry(rs, "tcp <  ", err, sizeof err), err, "names no file after '<'");
	e = xasprintf("tcp 10.0.0.1:80 < %s", hello);
	expect_error(reqset_add_entry(rs, e, err, sizeof err), err,
		"--tcp 10.0.0.1:80: not a loopback HOST:PORT (use 127.0.0.1:PORT, localhost:PORT or "
		"[::1]:PORT; load goes to this machine only)");
	free(e);
	expect_error(reqset_add_tcp(rs, "example.com:80", hello, 0, 0, err, sizeof err), err,
		"not a loopback HOST:PORT");
	expect_error(reqset_add_tcp(rs, "127.0.0.1", hello, 0, 0, err, sizeof err), err,
		"not a loopback HOST:PORT");
	expect_error(reqset_add_tcp(rs, "127.0.0.1:0", hello, 0, 0, err, sizeof err), err,
		"not a loopback HOST:PORT");
	expect_error(reqset_add_tcp(rs, "127.0.0.1:65536", hello, 0, 0, err, sizeof err), err,
		"not a loopback HOST:PORT");
	expect_error(reqset_add_tcp(rs, "[::2]:80", hello, 0, 0, err, sizeof err), err,
		"not a loopback HOST:PORT");
	expect_error(reqset_add_tcp(rs, NULL, "no-such.bin", 0, 0, err, sizeof err), err,
		"--send no-such.bin: No such file or directory");
	/* a request file's full URL off this machine: said at its file:line */
	bad = write_tmp("bad.http", "GET /ok\n###\n\nGET http://10.1.2.3/x\n", 35);
	expect_error(reqset_add_file(rs, bad, NULL, err, sizeof err), err,
		"bad.http:4: 'http://10.1.2.3/x': load goes to loopback only");
	/* ... and the file's own errors come through as they are */
	e = xasprintf("@%s#1", bad);
	must(reqset_add_entry(rs, e, err, sizeof err), err);	/* the good one alone */
	free(e);
	unlink(bad);
	free(bad);
	assert_int_equal(reqset_count(rs), 1);	/* failures added nothing */
	assert_false(reqset_wants_version(rs, 20));
	reqset_free(rs);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_url_defaults),
		cmocka_unit_test(test_file_kinds),
		cmocka_unit_test(test_file_select),
		cmocka_unit_test(test_tcp_kinds),
		cmocka_unit_test(test_entries),
		cmocka_unit_test(test_same_titles),
		cmocka_unit_test(test_errors),
	};
	int rc;

	snprintf(tmpdir, sizeof tmpdir, "/tmp/lt-reqset-XXXXXX");
	if (!mkdtemp(tmpdir))
		return 1;
	rc = cmocka_run_group_tests(tests, setup, teardown);
	rmdir(tmpdir);
	return rc;
}
