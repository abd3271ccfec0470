/* test_reqfile.c - request files as editors' REST clients write them
 * (reqfile.h): variables, comments, several requests, JSON bodies, bodies
 * from files (binary ones too), CRLF files; and malformed files, each
 * error checked for its file:line and its reason. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "reqfile.h"
#include "util.h"

static char tmpdir[64];

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

static void
parse_ok(const char *text, struct reqfile *rf)
{
	char err[512];
	char *path = xasprintf("%s/t.http", tmpdir);
	bool ok = reqfile_parse(path, text, strlen(text), rf, err, sizeof err);

	if (!ok)
		print_error("unexpected error: %s\n", err);
	assert_true(ok);
	assert_true(rf->n > 0);
	free(path);
}

/* The text must fail with "t.http:LINE: ..." naming want. */
static void
parse_bad(const char *text, size_t len, unsigned line, const char *want)
{
	struct reqfile rf;
	char err[512], prefix[32];

	assert_false(reqfile_parse("t.http", text, len, &rf, err, sizeof err));
	assert_int_equal(rf.n, 0);
	assert_null(rf.reqs);
	if (line)
		snprintf(prefix, sizeof prefix, "t.http:%u: ", line);
	else
		snprintf(prefix, sizeof prefix, "t.http: ");
	if (strncmp(err, prefix, strlen(prefix)) || !strstr(err, want))
		print_error("got '%s', want '%s' ... '%s'\n", err, prefix, want);
	assert_true(strncmp(err, prefix, strlen(prefix)) == 0);
	assert_non_null(strstr(err, want));
	assert_null(strchr(err, '\n'));	/* one line */
	for (const char *c = err; *c; c++)	/* nothing raw reaches a terminal */
		assert_true((unsigned char)*c >= 0x20 && *c != 0x7f);
}

#define BAD(text, line, want) parse_bad(text, strlen(text), line, want)

static void
test_rest_client_sample(void **state)
{
	static const char text[] =
		"# A sample in the REST Client manner\n"
		"@host = http://127.0.0.1:8080\n"
		"@contentType = application/json\n"
		"@user = {{host}}/users\n"
		"\n"
		"### List users\n"
		"GET {{user}}?page=2 HTTP/1.1\n"
		"Accept: {{contentType}}\n"
		"// a comment between headers\n"
		"X-Trace:   abc  \n"
		"\n"
		"###\n"
		"# @name create\n"
		"# @count 3\n"
		"POST {{user}}\n"
		"Content-Type: {{ contentType }}\n"
		"\n"
		"{\n"
		"  \"name\": \"Ann\",\n"
		"\n"
		"  \"tags\": [\"a\", \"b\"]\n"
		"}\n"
		"\n"
		"\n"
		"### Delete one\n"
		"# @name ignored, the title wins\n"
		"DELETE /users/1 HTTP/2\n"
		"###\n"
		"/health\n";
	struct reqfile rf;
	const struct reqfile_req *r;

	(void)state;
	parse_ok(text, &rf);
	assert_int_equal(rf.n, 4);
	r = &rf.reqs[0];
	assert_string_equal(r->title, "List users");
	assert_string_equal(r->method, "GET");
	assert_string_equal(r->url, "http://127.0.0.1:8080/users?page=2");
	assert_int_equal(r->http_version, 11);
	assert_int_equal(r->nheaders, 2);
	assert_string_equal(r->headers[0], "Accept: application/json");
	assert_string_equal(r->headers[1], "X-Trace: abc");
	assert_null(r->body);
	assert_int_equal(r->count, 1);
	assert_int_equal(r->line, 7);
	r = &rf.reqs[1];
	assert_string_equal(r->title, "create");
	assert_string_equal(r->method, "POST");
	assert_int_equal(r->count, 3);
	assert_int_equal(r->http_version, 0);
	assert_string_equal(r->headers[0], "Content-Type: application/json");
	assert_string_equal(r->body, "{\n  \"name\": \"Ann\",\n\n  \"tags\": [\"a\", \"b\"]\n}");
	assert_int_equal(r->body_len, strlen(r->body));
	assert_int_equal(r->line, 15);
	r = &rf.reqs[2];
	assert_string_equal(r->title, "Delete one");
	assert_int_equal(r->http_version, 20);
	assert_int_equal(r->nheaders, 0);
	r = &rf.reqs[3];
	assert_null(r->title);
	assert_string_equal(r->method, "GET");	/* URL alone */
	assert_string_equal(r->url, "/health");
	assert_true(strstr(r->file, "t.http") != NULL);
	reqfile_free(&rf);
}

static void
test_kind_names(void **state)
{
	struct reqfile rf;
	char *a, *b;

	(void)state;
	parse_ok("### Leaky one\nGET /leak/alloc\n###\nPUT /x?a=1\n", &rf);
	a = reqfile_kind_name(&rf.reqs[0]);
	b = reqfile_kind_name(&rf.reqs[1]);
	assert_string_equal(a, "Leaky one");
	assert_string_equal(b, "PUT /x?a=1");
	free(a);
	free(b);
	reqfile_free(&rf);
}

/* CRLF files: the line ends go, inside a body they stay as written. */
static void
test_crlf(void **state)
{
	struct reqfile rf;

	(void)state;
	parse_ok("@v = 7\r\n### one\r\nPOST /a HTTP/1.1\r\nContent-Type: text/plain\r\n\r\n"
		"x={{v}}\r\ny=2\r\n\r\n\r\n###\r\nGET /b\r\n", &rf);
	assert_int_equal(rf.n, 2);
	assert_string_equal(rf.reqs[0].title, "one");
	assert_string_equal(rf.reqs[0].headers[0], "Content-Type: text/plain");
	assert_string_equal(rf.reqs[0].body, "x=7\r\ny=2");
	assert_int_equal(rf.reqs[0].http_version, 11);
	assert_string_equal(rf.reqs[1].url, "/b");
	assert_null(rf.reqs[1].body);
	reqfile_free(&rf);
}

/* "< path": the file's bytes as they are, NUL bytes and all, relative
 * to the request file's directory; "<@": with variables. */
static void
test_body_files(void **state)
{
	static const char bin[] = { 'P', 0, 1, '\n', (char)0xff, 0, 'Z' };
	struct reqfile rf;
	char err[512], *bpath, *tpath, *rpath, *abs;
	const char *text;

	(void)state;
	bpath = write_tmp("body.bin", bin, sizeof bin);
	tpath = write_tmp("tmpl.json", "{\"id\": \"{{id}}\"}\n", 17);
	abs = xasprintf("### abs\nPOST /c\n\n< %s\n", bpath);
	text = "@id = 42\n### bin\nPOST /up\nContent-Type: application/octet-stream\n\n"
		"< ./body.bin\n\n###\nPOST /t\n\n<@ tmpl.json\n"
		"### multipart\nPOST /m\n\n--B\r\n< body.bin\r\n--B--\r\n";
	rpath = write_tmp("api.http", text, strlen(text));
	assert_true(reqfile_load(rpath, &rf, err, sizeof err));
	assert_int_equal(rf.n, 3);
	assert_int_equal(rf.reqs[0].body_len, sizeof bin);
	assert_memory_equal(rf.reqs[0].body, bin, sizeof bin);
	assert_string_equal(rf.reqs[1].body, "{\"id\": \"42\"}\n");
	assert_int_equal(rf.reqs[2].body_len, 6 + sizeof bin + 6);
	assert_memory_equal(rf.reqs[2].body, "--B\r\n", 5);
	assert_memory_equal(rf.reqs[2].body + 5, bin, sizeof bin);
	assert_memory_equal(rf.reqs[2].body + 5 + sizeof bin, "\r\n--B--", 7);
	reqfile_free(&rf);
	parse_ok(abs, &rf);	/* an absolute path, anchored nowhere */
	assert_int_equal(rf.reqs[0].body_len, sizeof bin);
	reqfile_free(&rf);
	unlink(bpath);
	unlink(tpath);
	unlink(rpath);
	free(bpath);
	free(tpath);
	free(rpath);
	free(abs);
}

static void
test_shapes(void **state)
{
	struct reqfile rf;

	(void)state;
	/* a BOM, blocks with nothing in them, query lines, metadata we do
	 * not use, an unclosed {{ left alone, a tab in a header value */
	parse_ok("\xef\xbb\xbf###\n# just a comment\n###\n# @no-redirect\n"
		"GET https://localhost:8443/q\n  ?a=1\n  &b={{x\nX-A: 1\t2\n###\n\n###\n"
		"PATCH /p HTTP/1.0\n\n{{ not closed\n###\nOPTIONS /o HTTP/2.0\n", &rf);
	assert_int_equal(rf.n, 3);
	assert_string_equal(rf.reqs[0].url, "https://localhost:8443/q?a=1&b={{x");
	assert_string_equal(rf.reqs[0].headers[0], "X-A: 1\t2");
	assert_int_equal(rf.reqs[1].http_version, 10);
	assert_string_equal(rf.reqs[1].body, "{{ not closed");
	assert_int_equal(rf.reqs[2].http_version, 20);
	assert_string_equal(rf.reqs[2].method, "OPTIONS");
	reqfile_free(&rf);
	/* a comment, not a separator: "## x"; the last definition wins */
	parse_ok("@a = 1\n@a=2\n## only two hashes\nGET /{{a}}\n", &rf);
	assert_int_equal(rf.n, 1);
	assert_string_equal(rf.reqs[0].url, "/2");
	reqfile_free(&rf);
	/* an empty value (the fuzzer's first find: it was not terminated) */
	parse_ok("@v =\nGET /{{v}}x{{v}}\n", &rf);
	assert_string_equal(rf.reqs[0].url, "/x");
	reqfile_free(&rf);
	/* a request line that is only an empty variable (the fuzzer's second) */
	BAD("@v =\n{{v}}\r\n", 2, "the request line is empty once its {{variables}}");
	BAD("@v = \n### t\n  {{v}}  \n", 3, "the request line is empty");
}

/* A JetBrains file: response handlers and references are not sent. */
static void
test_jetbrains(void **state)
{
	struct reqfile rf;

	(void)state;
	parse_ok("### Get\nGET /a\nAccept: text/plain\n\n> {%\n  client.test(\"ok\", function() {\n"
		"    client.assert(response.status === 200);\n  });\n%}\n\n"
		"### Post\nPOST /b\n\n{\"k\": 1}\n\n>> out.json\n\n### Check\nGET /c\n> check.js\n"
		"<> 2024-01-01T000000.200.json\n", &rf);
	assert_int_equal(rf.n, 3);
	assert_null(rf.reqs[0].body);
	assert_int_equal(rf.reqs[0].nheaders, 1);
	assert_string_equal(rf.reqs[1].body, "{\"k\": 1}");
	assert_int_equal(rf.reqs[2].nheaders, 0);
	reqfile_free(&rf);
}

static void
test_sample_files(void **state)
{
	struct reqfile rf;
	char err[512];

	(void)state;
	assert_true(reqfile_load("tests/data/reqfile/mixed.http", &rf, err, sizeof err));
	assert_int_equal(rf.n, 3);
	assert_string_equal(rf.reqs[0].title, "leaks");
	assert_string_equal(rf.reqs[1].title, "clean post");
	assert_string_equal(rf.reqs[1].method, "POST");
	assert_int_equal(rf.reqs[1].nheaders, 2);
	assert_non_null(strstr(rf.reqs[1].body, "\"items\": [1, 2, 3]"));
	assert_string_equal(rf.reqs[2].url, "/err/bad");
	assert_int_equal(rf.reqs[2].count, 2);
	reqfile_free(&rf);
	assert_true(reqfile_load("tests/data/reqfile/rest-client.http", &rf, err, sizeof err));
	assert_int_equal(rf.n, 3);
	assert_string_equal(rf.reqs[0].title, "ok");
	assert_string_equal(rf.reqs[0].url, "/err/ok?page=1&size=10");
	assert_string_equal(rf.reqs[0].headers[1], "Authorization: Bearer 0123456789abcdef");
	assert_string_equal(rf.reqs[1].title, "upload");
	assert_int_equal(rf.reqs[1].count, 3);
	assert_int_equal(rf.reqs[1].body_len, 23);
	assert_memory_equal(rf.reqs[1].body, "LT\0\1\2binary\0", 12);
	assert_string_equal(rf.reqs[2].title, "conn leak over a kept-alive connection");
	reqfile_free(&rf);
	assert_false(reqfile_load("tests/data/reqfile/malformed.http", &rf, err, sizeof err));
	assert_string_equal(err, "tests/data/reqfile/malformed.http:3: header 'X-Broken header' "
		"has no ':' (want Name: value, then a blank line before the body)");
}

static void
test_bad_headers(void **state)
{
	(void)state;
	BAD("GET /a\nX-Ok: 1\nX-Broken header\n", 3, "header 'X-Broken header' has no ':'");
	BAD("GET /a\n: value\n", 2, "header ': value' has an empty name");
	BAD("GET /a\nX-A: 1\x01\x1b[2J\n", 2, "header 'X-A: 1\\x01\\x1b[2J' has a control character");
	BAD("GET /a\nX A: 1\n", 2, "header name 'X A' has a character not allowed");
	BAD("GET /a\n# @count 2\n", 2, "'# @count 2' after the request line (put it above");
}

static void
test_bad_request_lines(void **state)
{
	(void)state;
	BAD("\n\nGET /a HTTP/3\n", 3, "'HTTP/3' is not an HTTP version (want HTTP/1.0, HTTP/1.1 or HTTP/2)");
	BAD("get /a\n", 1, "method 'get' is not in capitals");
	BAD("GET\n", 1, "request line 'GET' has no URL");
	BAD("GET example.com/a\n", 1, "'example.com/a' is neither a path nor an http(s):// URL");
	BAD("GET /a b HTTP/1.1\n", 1, "has 4 words (want METHOD URL [HTTP/1.1])");
	BAD("G3T /a HTTP/1.1\n", 1, "'G3T' is not a method");
	BAD("GET /a\x7f\n", 1, "request line 'GET /a\\x7f' has a control character");
	BAD("GET /a\n  ?q=a b\n", 2, "query line '?q=a b' has a space or control character");
	BAD("GET /a\n\nGET /b\n", 3, "'GET /b' reads as a request line inside the body of the request at "
		"line 1 (put ### before it)");
}

static void
test_bad_variables(void **state)
{
	(void)state;
	BAD("@a = 1\n\nGET /{{b}}\n", 3, "undefined variable {{b}} (define it above: @b = value; environment files are not read)");
	BAD("GET /a\nX: {{later}}\n\n###\n@later = 1\n", 2, "undefined variable {{later}}");
	BAD("POST /a\n\n{\"id\": \"{{$guid}}\"}\n", 3, "{{$guid}}: system variables are not supported");
	BAD("GET /a\nAuthorization: {{login.response.body.token}}\n", 2,
		"request variables are not supported");
	BAD("# vars\n@token\n", 2, "variable line '@token' has no '=' (want @name = value)");
	BAD("@ = 3\n", 1, "variable line '@ = 3' has no name");
	BAD("@a b = 3\n", 1, "variable name 'a b' may have only letters");
	BAD("@a = {{a}}\n", 1, "undefined variable {{a}}");
}

static void
test_bad_metadata_and_titles(void **state)
{
	(void)state;
	BAD("###\n# @count 0\nGET /a\n", 2, "'# @count 0' is not a number from 1 to 1000000");
	BAD("# @count many\nGET /a\n", 1, "'# @count many' is not a number");
	BAD("// @count 1000001\nGET /a\n", 1, "'# @count 1000001' is not a number");
	BAD("# @name\nGET /a\n", 1, "'# @name' has no name (want # @name NAME)");
	BAD("# @name a\x01" "b\nGET /a\n", 1, "'# @name a\\x01b' has a control character");
	BAD("### bad \x1b]0;title\x07\nGET /a\n", 1, "title 'bad \\x1b]0;title\\x07' has a control");
}

static void
test_bad_bodies(void **state)
{
	struct reqfile rf;
	char err[512], *path;

	(void)state;
	BAD("POST /a\n\n< ./no-such-file.bin\n", 3, "cannot read body file './no-such-file.bin' "
		"(No such file or directory; a relative path starts at the request file's directory)");
	BAD("POST /a\n\n<   \n", 3, "names no file (want < path/to/body)");
	BAD("POST /a\n\n< /\n", 3, "cannot read body file '/' (Is a directory");
	BAD("POST /a\n\n< /dev/zero\n", 3, "body file '/dev/zero' is not a regular file");
	/* the path in the error is the one opened: anchored at the file's dir */
	assert_false(reqfile_parse("dir/sub/t.http", "###\nPOST /a\n\n< b.bin\n", 22, &rf, err,
		sizeof err));
	assert_non_null(strstr(err, "dir/sub/t.http:4: cannot read body file 'dir/sub/b.bin'"));
	/* 16 MB: the file, and the file with its body files */
	path = xasprintf("%s/big.bin", tmpdir);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(ftruncate(fileno(f), (16 << 20) - 10), 0);
	fclose(f);
	char *text = xasprintf("POST /a\n\n< %s\n", path);
	BAD(text, 3, "makes the requests larger than 16 MB (use a smaller file)");
	free(text);
	unlink(path);
	free(path);
}

static void
test_no_request(void **state)
{
	char *big;

	(void)state;
	BAD("", 0, "no request (want METHOD URL lines separated by ###)");
	BAD("# only comments\n\n###\n@a = 1\n### title alone\n", 0, "no request (want METHOD URL");
	parse_bad("GET /a\n", (16 << 20) + 1, 0, "larger than 16 MB (split it)");
	big = xmalloc((16 << 20) + 2);
	memset(big, 'x', (16 << 20) + 1);
	big[(16 << 20) + 1] = '\0';
	memcpy(big, "POST /a\n\n", 9);
	parse_bad(big, (16 << 20) + 1, 0, "larger than 16 MB (split it)");
	free(big);
	/* variables that double at each line stop at 16 MB, not at memory's end */
	char *v = xstrdup("@a0 = 0123456789012345678901234567890123456789012345678901234567\n");
	for (int i = 1; i < 40; i++) {
		char *n = xasprintf("%s@a%d = {{a%d}}{{a%d}}\n", v, i, i - 1, i - 1);
		free(v);
		v = n;
	}
	BAD(v, 19, "variables make the requests larger than 16 MB (use shorter values)");
	free(v);
}

/* The file's own name is untrusted too; unreadable files say why. */
static void
test_load_errors(void **state)
{
	struct reqfile rf;
	char err[512];

	(void)state;
	assert_false(reqfile_load("no/such\x1b[1m.http", &rf, err, sizeof err));
	assert_string_equal(err, "no/such\\x1b[1m.http: cannot read the request file "
		"(No such file or directory)");
	assert_false(reqfile_parse("x\x1b.http", "GET a\n", 6, &rf, err, sizeof err));
	assert_string_equal(err, "x\\x1b.http:1: 'a' is neither a path nor an http(s):// URL "
		"(write /path or http://127.0.0.1:PORT/path)");
	assert_false(reqfile_load("/", &rf, err, sizeof err));
	assert_string_equal(err, "/: cannot read the request file (Is a directory)");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rest_client_sample),
		cmocka_unit_test(test_kind_names),
		cmocka_unit_test(test_crlf),
		cmocka_unit_test(test_body_files),
		cmocka_unit_test(test_shapes),
		cmocka_unit_test(test_jetbrains),
		cmocka_unit_test(test_sample_files),
		cmocka_unit_test(test_bad_headers),
		cmocka_unit_test(test_bad_request_lines),
		cmocka_unit_test(test_bad_variables),
		cmocka_unit_test(test_bad_metadata_and_titles),
		cmocka_unit_test(test_bad_bodies),
		cmocka_unit_test(test_no_request),
		cmocka_unit_test(test_load_errors),
	};
	int rc;

	snprintf(tmpdir, sizeof tmpdir, "/tmp/lt-reqfile-XXXXXX");
	if (!mkdtemp(tmpdir))
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	rmdir(tmpdir);
	return rc;
}
