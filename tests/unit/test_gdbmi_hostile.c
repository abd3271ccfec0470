/* test_gdbmi_hostile.c - the gdb/MI parser's escapes and what it must
 * refuse: truncated lines, deep nesting, huge strings and lines, bad
 * escapes, NUL bytes, garbage. Each refusal is false with a one-line
 * reason and an empty record; nothing crashes or leaks (ASan build). */
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

static const char bkpt[] =
	"3^done,bkpt={number=\"1\",type=\"breakpoint\",disp=\"keep\",enabled=\"y\","
	"addr=\"0x00000000001f74c1\",func=\"ngx_http_leaky_leak_alloc\",file=\"/x/m.c\","
	"line=\"188\",thread-groups=[\"i1\"],times=\"0\"}";

static void
assert_empty(const struct gdbmi_record *r)
{
	assert_null(r->klass);
	assert_null(r->text);
	assert_null(r->results);
	assert_false(r->has_token);
}

/* line (len bytes) must fail with a reason containing want. */
static void
refuse(const char *line, size_t len, const char *want)
{
	struct gdbmi_record r;
	char err[256];

	if (gdbmi_parse_line(line, len, &r, err, sizeof err))
		fail_msg("accepted: %.*s", (int)(len > 80 ? 80 : len), line);
	assert_empty(&r);
	assert_null(strchr(err, '\n'));
	if (!strstr(err, want))
		fail_msg("reason '%s' lacks '%s'", err, want);
}

static void
refuse_s(const char *line, const char *want)
{
	refuse(line, strlen(line), want);
}

static void
test_escapes(void **state)
{
	static const char line[] = "~\"a\\n\\t\\r\\\\\\\"\\'\\?\\a\\b\\f\\v\\e\\101\\0\\7z\\x41\\x4g\\177\"";
	static const char want[] = "a\n\t\r\\\"'?\a\b\f\v\033A\0\7zA\004g\177";
	struct gdbmi_record r;
	char err[256];

	(void)state;
	assert_true(gdbmi_parse_line(line, strlen(line), &r, err, sizeof err));
	assert_int_equal(r.type, GDBMI_CONSOLE);
	assert_int_equal(r.textlen, sizeof want - 1);	/* a NUL inside counts */
	assert_memory_equal(r.text, want, sizeof want - 1);
	assert_int_equal(r.text[r.textlen], '\0');
	gdbmi_record_clear(&r);
	gdbmi_record_clear(&r);	/* twice is harmless */

	/* empty strings are strings (ASan fills fresh memory: a missing NUL shows) */
	assert_true(gdbmi_parse_line("~\"\"", 3, &r, err, sizeof err));
	assert_int_equal(r.textlen, 0);
	assert_string_equal(r.text, "");
	gdbmi_record_clear(&r);
	assert_true(gdbmi_parse_line("^done,a=\"\"", 10, &r, err, sizeof err));
	assert_string_equal(gdbmi_str(r.results, "a"), "");
	gdbmi_record_clear(&r);

	/* raw bytes >= 0x80 and raw control bytes pass through as they are */
	assert_true(gdbmi_parse_line("@\"\xc3\xa9\x1b[2J\"", 9, &r, err, sizeof err));
	assert_string_equal(r.text, "\xc3\xa9\x1b[2J");
	gdbmi_record_clear(&r);
}

static bool
parse(const char *line, struct gdbmi_record *r, char err[256])
{
	return gdbmi_parse_line(line, strlen(line), r, err, 256);
}

static void
test_shapes(void **state)
{
	struct gdbmi_record r;
	char err[256];

	(void)state;
	assert_false(parse("+download,{section=\".text\"}", &r, err));
	assert_true(parse("+download,a={section=\".text\"},b=[]", &r, err));
	assert_int_equal(r.type, GDBMI_STATUS);
	assert_string_equal(r.klass, "download");
	assert_null(gdbmi_get(r.results, "b")->child);
	gdbmi_record_clear(&r);

	/* lists of results, of values, empty tuples; \r\n line ends */
	assert_true(parse("18446744073709551615^done,a=[x=\"1\",x=\"2\"],b={},c=[[],{}]\r", &r, err));
	assert_int_equal(r.token, UINT64_MAX);
	assert_string_equal(gdbmi_str(r.results, "a.x"), "1");	/* the first one */
	assert_int_equal(gdbmi_get(r.results, "c")->child->next->kind, GDBMI_TUPLE);
	gdbmi_record_clear(&r);

	assert_true(gdbmi_parse_line("(gdb) ", 6, &r, err, sizeof err));
	assert_int_equal(r.type, GDBMI_PROMPT);
	gdbmi_record_clear(&r);
	assert_true(gdbmi_parse_line("^exit", 5, &r, err, sizeof err));
	assert_false(r.has_token);
	gdbmi_record_clear(&r);
}

static void
test_refusals(void **state)
{
	(void)state;
	refuse_s("", "empty line");
	refuse_s("\r", "empty line");
	refuse_s("hello world", "expected a record");
	refuse_s("Reading symbols from x...", "expected a record");
	refuse_s("12", "expected a record");
	refuse_s("^", "record class");
	refuse_s("^done,", "a result's name");
	refuse_s("^done,a", "expected '='");
	refuse_s("^done,a=", "expected a value");
	refuse_s("^done,a=x", "expected a value");
	refuse_s("^done,a=\"x", "not closed");
	refuse_s("^done,a={b=\"1\"", "expected ','");
	refuse_s("^done,a={\"1\"}", "a result's name");	/* tuples hold results only */
	refuse_s("^done,a=[\"1\"", "expected ','");
	refuse_s("^done,a=\"1\"}", "after the end");
	refuse_s("^done a", "after the end");
	refuse_s("~\"x\" ", "after the end");
	refuse_s("7~\"x\"", "stream record has no token");
	refuse_s("~x", "expected '\"'");
	refuse_s("~\"\\q\"", "unknown escape");
	refuse_s("~\"\\777\"", "more than a byte");
	refuse_s("~\"\\x\"", "without hex digits");
	refuse_s("~\"\\", "unknown escape \\ followed by end of line");
	refuse_s("18446744073709551616^done", "does not fit in 64 bits");
	refuse_s("000000000000000000001^done", "token longer than 20");
	refuse_s("(gdb)x", "after the end");
	refuse("~\"a\0b\"", 6, "NUL byte inside");
	refuse("^done,a=\"1\"\0", 12, "byte 0x00 after the end");
	refuse("\0", 1, "byte 0x00");
	refuse_s("\x1b[2J", "byte 0x1b");
}

/* Every prefix of a real record: a clean error or (at a record's end) a
 * record; the column of the error is within the line. */
static void
test_truncated(void **state)
{
	size_t len = strlen(bkpt), cut, ok = 0;

	(void)state;
	for (cut = 0; cut <= len; cut++) {
		struct gdbmi_record r;
		char err[256];

		if (gdbmi_parse_line(bkpt, cut, &r, err, sizeof err)) {
			ok++;
			gdbmi_record_clear(&r);
			continue;
		}
		assert_empty(&r);
		assert_true(strstr(err, "gdb/MI column ") == err);
		assert_true((size_t)atol(err + 14) <= cut + 1);
	}
	/* "3^d" to "3^done" (a class is any name) and the whole line are
	 * records, nothing in between */
	assert_int_equal(ok, 5);
}

static char *
nested(unsigned depth)
{
	struct sbuf b = SBUF_INIT;
	unsigned i;

	sbuf_adds(&b, "^done,a=");
	for (i = 0; i < depth; i++)
		sbuf_adds(&b, i % 2 ? "{b=" : "[");
	sbuf_adds(&b, "\"x\"");
	for (i = depth; i-- > 0;)
		sbuf_adds(&b, i % 2 ? "}" : "]");
	return sbuf_detach(&b);
}

static void
test_limits(void **state)
{
	struct gdbmi_record r;
	char err[256], *s;
	struct sbuf b = SBUF_INIT;
	size_t i;

	(void)state;
	s = nested(GDBMI_MAX_DEPTH);
	assert_true(gdbmi_parse_line(s, strlen(s), &r, err, sizeof err));
	gdbmi_record_clear(&r);
	free(s);
	s = nested(GDBMI_MAX_DEPTH + 1);
	refuse_s(s, "nested deeper than 64");
	free(s);
	s = nested(100000);	/* no stack overflow */
	refuse_s(s, "nested deeper");
	free(s);

	/* a 4 MiB string is fine */
	sbuf_adds(&b, "@\"");
	for (i = 0; i < (4u << 20); i++)
		sbuf_addc(&b, (char)('a' + i % 26));
	sbuf_adds(&b, "\"");
	assert_true(gdbmi_parse_line(b.data, b.len, &r, err, sizeof err));
	assert_int_equal(r.textlen, 4u << 20);
	gdbmi_record_clear(&r);
	sbuf_reset(&b);

	/* too many values */
	sbuf_adds(&b, "^done,a=[");
	for (i = 0; i <= GDBMI_MAX_VALUES; i++)
		sbuf_adds(&b, "\"\",");
	sbuf_adds(&b, "\"\"]");
	refuse(b.data, b.len, "values in one record");
	sbuf_reset(&b);

	/* a line over the cap is refused before it is read */
	sbuf_reserve(&b, GDBMI_MAX_LINE + 2);
	memset(b.data, 'a', GDBMI_MAX_LINE + 1);
	b.data[0] = '~';
	refuse(b.data, GDBMI_MAX_LINE + 1, "more than");
	sbuf_free(&b);

	/* a tiny error buffer is cut, still terminated */
	assert_false(gdbmi_parse_line("x", 1, &r, err, 5));
	assert_int_equal(strlen(err), 4);
	assert_false(gdbmi_parse_line("x", 1, &r, NULL, 0));
}

static void
test_garbage(void **state)
{
	unsigned seed = 14, i, j;
	char line[64], err[256];

	(void)state;
	for (i = 0; i < 20000; i++) {
		struct gdbmi_record r;
		size_t len = 1 + rand_r(&seed) % sizeof line;

		for (j = 0; j < len; j++)
			line[j] = "^*+=~@&\"{}[],=\\01x9a(gdb) "[rand_r(&seed) % 27];
		if (gdbmi_parse_line(line, len, &r, err, sizeof err))
			gdbmi_record_clear(&r);
		else
			assert_true(err[0] != '\0' && !strchr(err, '\n'));
	}
}

static void
test_extractors_hostile(void **state)
{
	static const char *lines[] = {
		"^done,stack=\"x\"",
		"^done,stack=[]",
		"^done,stack=[frame=\"x\",\"y\",frame={level=\"99999999999\",line=\"-3\",func=[]}]",
		"^done,variables={name=\"x\"}",
		"^done,variables=[{name=\"a\",arg=\"2\",value={}},\"x\",{}]",
	};
	static const size_t want[] = { 0, 0, 1, 0, 2 };
	size_t i;

	(void)state;
	for (i = 0; i < LT_ARRAY_SIZE(lines); i++) {
		struct gdbmi_record r;
		struct gdbmi_frame *f;
		struct gdbmi_var *v;
		char err[256];
		size_t n;

		assert_true(gdbmi_parse_line(lines[i], strlen(lines[i]), &r, err, sizeof err));
		n = i < 3 ? gdbmi_frames(r.results, &f) : gdbmi_vars(r.results, &v);
		assert_int_equal(n, want[i]);
		if (i == 2) {
			assert_int_equal(f[0].level, 0);
			assert_int_equal(f[0].line, 0);
			assert_null(f[0].func);
		}
		if (i == 4) {
			assert_false(v[0].arg);
			assert_null(v[0].value);
			assert_null(v[1].name);
		}
		if (i < 3)
			gdbmi_frames_free(f, n);
		else
			gdbmi_vars_free(v, n);
		gdbmi_record_clear(&r);
	}
}

static void
test_quote(void **state)
{
	char all[256], *q, err[256];
	struct gdbmi_record r;
	struct sbuf b = SBUF_INIT;
	int i;

	(void)state;
	q = gdbmi_quote("a \"b\"\n");
	assert_string_equal(q, "\"a \\\"b\\\"\\n\"");
	free(q);
	for (i = 1; i < 256; i++)
		all[i - 1] = (char)i;
	all[255] = '\0';
	q = gdbmi_quote(all);
	sbuf_addc(&b, '~');
	sbuf_adds(&b, q);
	assert_true(gdbmi_parse_line(b.data, b.len, &r, err, sizeof err));
	assert_string_equal(r.text, all);
	for (i = 0; q[i]; i++)
		assert_true((unsigned char)q[i] >= 0x80 || (q[i] >= 0x20 && q[i] < 0x7f));
	gdbmi_record_clear(&r);
	sbuf_free(&b);
	free(q);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_shapes),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_extractors_hostile),
		cmocka_unit_test(test_quote),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
