/* test_gdbmi_parse.c - the gdb/MI parser against a real gdb session
 * (tests/data/gdbmi/session.mi: gdb 13 attached through vgdb to the
 * fixture nginx under valgrind, see tests/data/CAPTURED.md). Every C
 * escape is in test_gdbmi_hostile.c, with the lines that must fail. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "gdbmi_int.h"
#include "sbuf.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *
slurp(const char *name, size_t *len)
{
	const char *dir = getenv("LT_TEST_DATA");
	char *path = xasprintf("%s/gdbmi/%s", dir && *dir ? dir : "tests/data", name);
	struct sbuf b = SBUF_INIT;
	char chunk[65536];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f)
		fail_msg("cannot open %s (run from the repository root or set LT_TEST_DATA)", path);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		sbuf_add(&b, chunk, n);
	fclose(f);
	free(path);
	*len = b.len;
	return sbuf_detach(&b);
}

/* The first line of the session that starts with prefix, parsed. */
static void
session_line(const char *prefix, struct gdbmi_record *r)
{
	size_t len;
	char *s = slurp("session.mi", &len), *p = s, err[256];

	for (;;) {
		char *nl = strchr(p, '\n');

		assert_non_null(nl);
		if (!strncmp(p, prefix, strlen(prefix))) {
			if (!gdbmi_parse_line(p, (size_t)(nl - p), r, err, sizeof err))
				fail_msg("%s: %s", prefix, err);
			break;
		}
		p = nl + 1;
	}
	free(s);
}

static void
test_session_all_lines(void **state)
{
	size_t len, lines = 0, seen[GDBMI_PROMPT + 1] = { 0 };
	char *s = slurp("session.mi", &len), *p = s, err[256];
	struct gdbmi_record r;
	int t;

	(void)state;
	while (p < s + len) {
		char *nl = memchr(p, '\n', (size_t)(s + len - p));

		assert_non_null(nl);
		if (!gdbmi_parse_line(p, (size_t)(nl - p), &r, err, sizeof err))
			fail_msg("line %zu: %s", lines + 1, err);
		assert_string_equal(err, "");
		seen[r.type]++;
		if (r.type >= GDBMI_CONSOLE && r.type <= GDBMI_LOG)
			assert_true(r.text && r.text[r.textlen] == '\0' && !r.klass);
		else if (r.type != GDBMI_PROMPT)
			assert_true(r.klass && !r.text);
		gdbmi_record_clear(&r);
		lines++;
		p = nl + 1;
	}
	assert_true(lines > 100);
	for (t = GDBMI_RESULT; t <= GDBMI_PROMPT; t++)
		if (t != GDBMI_STATUS && !seen[t])
			fail_msg("no record of type %d in the session", t);
	free(s);
}

static void
test_connected_and_bkpt(void **state)
{
	struct gdbmi_record r;
	const struct gdbmi_value *groups;

	(void)state;
	session_line("2^", &r);
	assert_int_equal(r.type, GDBMI_RESULT);
	assert_true(r.has_token);
	assert_int_equal(r.token, 2);
	assert_string_equal(r.klass, "connected");
	assert_null(r.results);
	gdbmi_record_clear(&r);

	session_line("3^done,bkpt=", &r);
	assert_string_equal(gdbmi_str(r.results, "bkpt.number"), "1");
	assert_string_equal(gdbmi_str(r.results, "bkpt.line"), "188");
	assert_string_equal(gdbmi_str(r.results, "bkpt.func"), "ngx_http_leaky_leak_alloc");
	assert_string_equal(gdbmi_str(r.results, "bkpt.original-location"), "ngx_http_leaky_module.c:188");
	groups = gdbmi_get(r.results, "bkpt.thread-groups");
	assert_non_null(groups);
	assert_int_equal(groups->kind, GDBMI_LIST);
	assert_null(groups->child->name);
	assert_string_equal(groups->child->str, "i1");
	assert_null(gdbmi_str(r.results, "bkpt"));	/* a tuple, not a string */
	assert_null(gdbmi_str(r.results, "bkpt.nope"));
	assert_null(gdbmi_get(r.results, "bkpt.number.x"));
	assert_null(gdbmi_get(r.results, "bkpt..number"));
	assert_null(gdbmi_get(r.results, ""));
	gdbmi_record_clear(&r);
}

static void
test_stopped_frame(void **state)
{
	struct gdbmi_record r;
	struct gdbmi_frame f;

	(void)state;
	session_line("*stopped,reason=\"breakpoint-hit\"", &r);
	assert_int_equal(r.type, GDBMI_EXEC);
	assert_false(r.has_token);
	assert_string_equal(r.klass, "stopped");
	assert_string_equal(gdbmi_str(r.results, "bkptno"), "1");
	assert_true(gdbmi_frame_from(gdbmi_get(r.results, "frame"), &f));
	assert_int_equal(f.level, 0);
	assert_string_equal(f.func, "ngx_http_leaky_leak_alloc");
	assert_int_equal(f.line, 188);
	assert_non_null(strstr(f.file, "ngx_http_leaky_module.c"));
	assert_true(f.fullname[0] == '/');
	assert_string_equal(f.addr, "0x00000000001f74c1");
	gdbmi_frame_clear(&f);
	assert_null(f.func);
	/* the frame's args list: tuples as bare values */
	assert_string_equal(gdbmi_get(r.results, "frame.args")->child->child->str, "r");
	assert_false(gdbmi_frame_from(gdbmi_get(r.results, "reason"), &f));
	assert_false(gdbmi_frame_from(NULL, &f));
	gdbmi_record_clear(&r);

	/* A frame without debug info: no file, line 0. */
	session_line("*stopped,reason=\"signal-received\"", &r);
	assert_string_equal(gdbmi_str(r.results, "signal-name"), "SIGTRAP");
	assert_true(gdbmi_frame_from(gdbmi_get(r.results, "frame"), &f));
	assert_string_equal(f.func, "epoll_wait");
	assert_int_equal(f.line, 30);
	gdbmi_frame_clear(&f);
	gdbmi_record_clear(&r);
}

static void
test_stack_frames(void **state)
{
	struct gdbmi_record r;
	struct gdbmi_frame *f;
	size_t n, i;

	(void)state;
	session_line("6^done,stack=", &r);
	n = gdbmi_frames(r.results, &f);
	assert_true(n >= 8);
	for (i = 0; i < n; i++) {
		assert_int_equal(f[i].level, i);
		assert_non_null(f[i].func);
		assert_non_null(f[i].addr);
	}
	assert_string_equal(f[0].func, "ngx_http_leaky_leak_alloc");
	assert_int_equal(f[0].line, 189);
	assert_string_equal(f[1].func, "ngx_http_leaky_handler");
	assert_string_equal(f[n - 1].func, "main");
	assert_string_equal(gdbmi_str(r.results, "stack.frame.func"), f[0].func);
	gdbmi_frames_free(f, n);
	gdbmi_record_clear(&r);
}

static void
test_variables(void **state)
{
	struct gdbmi_record r;
	struct gdbmi_var *v;
	size_t n;

	(void)state;
	session_line("7^done,variables=", &r);
	n = gdbmi_vars(r.results, &v);
	assert_int_equal(n, 3);
	assert_string_equal(v[0].name, "r");
	assert_true(v[0].arg);
	assert_string_equal(v[0].type, "ngx_http_request_t *");
	assert_string_equal(v[0].value, "0x4ba3010");
	assert_string_equal(v[1].name, "msg");
	assert_true(v[1].arg);
	assert_string_equal(v[2].name, "p");
	assert_false(v[2].arg);
	assert_string_equal(v[2].type, "u_char *");
	assert_string_equal(v[2].value, "0x4ba4220 \"\"");	/* \" unescaped */
	gdbmi_vars_free(v, n);
	gdbmi_record_clear(&r);

	session_line("8^done,value=", &r);
	assert_string_equal(gdbmi_str(r.results, "value"), "0x4ba4220 \"\"");
	gdbmi_record_clear(&r);
}

static void
test_error_and_streams(void **state)
{
	struct gdbmi_record r;

	(void)state;
	session_line("23^error", &r);
	assert_string_equal(gdbmi_str(r.results, "msg"),
		"Cannot execute this command while the target is running.\n"
		"Use the \"interrupt\" command to stop the target\nand then try again.");
	gdbmi_record_clear(&r);

	session_line("&\"30\\t", &r);
	assert_int_equal(r.type, GDBMI_LOG);
	assert_memory_equal(r.text, "30\t../sysdeps", 13);
	gdbmi_record_clear(&r);

	session_line("@\"==", &r);
	assert_int_equal(r.type, GDBMI_TARGET);
	assert_non_null(strstr(r.text, "LEAK SUMMARY:\n"));
	assert_int_equal(r.textlen, strlen(r.text));
	gdbmi_record_clear(&r);

	session_line("=library-loaded", &r);
	assert_int_equal(r.type, GDBMI_NOTIFY);
	assert_string_equal(gdbmi_get(r.results, "ranges")->child->child->name, "from");
	gdbmi_record_clear(&r);

	session_line("(gdb)", &r);
	assert_int_equal(r.type, GDBMI_PROMPT);
	assert_null(r.klass);
	gdbmi_record_clear(&r);
}

/* `monitor leak_check full reachable any` as @ records, joined: the
 * same bytes as Python's unicode_escape made of them (leak_full.txt). */
static void
test_leak_check_stream(void **state)
{
	size_t len, wlen;
	char *s = slurp("leak_full.mi", &len), *want = slurp("leak_full.txt", &wlen), *p = s;
	struct sbuf got = SBUF_INIT;
	struct gdbmi_record r;
	char err[256];

	(void)state;
	while (p < s + len) {
		char *nl = memchr(p, '\n', (size_t)(s + len - p));

		assert_non_null(nl);
		assert_true(gdbmi_parse_line(p, (size_t)(nl - p), &r, err, sizeof err));
		if (r.type == GDBMI_TARGET)
			sbuf_add(&got, r.text, r.textlen);
		gdbmi_record_clear(&r);
		p = nl + 1;
	}
	assert_true(wlen > 200000);
	assert_int_equal(got.len, wlen);
	assert_memory_equal(got.data, want, wlen);
	sbuf_free(&got);
	free(s);
	free(want);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_session_all_lines),
		cmocka_unit_test(test_connected_and_bkpt),
		cmocka_unit_test(test_stopped_frame),
		cmocka_unit_test(test_stack_frames),
		cmocka_unit_test(test_variables),
		cmocka_unit_test(test_error_and_streams),
		cmocka_unit_test(test_leak_check_stream),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
