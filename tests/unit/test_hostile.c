/* test_hostile.c - bytes from valgrind are untrusted: escape sequences,
 * C1 controls and invalid UTF-8 in function names and paths must come out
 * of the table and the JSON report escaped, never raw; long names clipped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "leakcheck.h"
#include "model.h"
#include "report.h"
#include "sbuf.h"
#include "util.h"

/* A real record shape with hostile names: ESC [2J clears a screen, ESC ]
 * sets a title, \x9b is a C1 CSI, \xff is not UTF-8. */
static const char hostile[] =
	"==1== 100 bytes in 1 blocks are definitely lost in loss record 1 of 1\n"
	"==1==    at 0x48417B4: malloc (in /usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so)\n"
	"==1==    by 0x1F74D9: evil\x1b[2J\x1b]0;pwned\x07_fn (/tmp/a\x1b[31m/mod\x9b\xff.c:12)\n"
	"==1==    by 0x1F74DA: main (/tmp/main.c:3)\n"
	"==1== \n"
	"==1== LEAK SUMMARY:\n"
	"==1==    definitely lost: 100 bytes in 1 blocks\n"
	"==1==    indirectly lost: 0 bytes in 0 blocks\n"
	"==1==      possibly lost: 0 bytes in 0 blocks\n"
	"==1==    still reachable: 0 bytes in 0 blocks\n"
	"==1==         suppressed: 0 bytes in 0 blocks\n"
	"==1== \n";

static struct model *
hostile_model(void)
{
	struct model *m = model_new();
	struct leak_summary sum;
	struct leakcheck_error err;

	model_round_begin(m, 0, 0);
	assert_int_equal(leakcheck_text(hostile, sizeof hostile - 1, model_leakcheck_cb, m, &sum, &err),
		LEAKCHECK_OK);
	model_round_end(m, &sum, 0);
	return m;
}

/* No C0 control but \n, no DEL, no C1 (as raw byte or UTF-8 U+0080..9F). */
static void
assert_no_raw_controls(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\n')
			continue;
		assert_false(c < 0x20 || c == 0x7f);
		assert_false(c == 0xc2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 &&
			(unsigned char)s[i + 1] <= 0x9f);
		assert_int_not_equal(c, 0xff);
		assert_int_not_equal(c, 0x9b);
	}
}

static void
test_escape_basics(void **state)
{
	char *e;

	(void)state;
	e = escape_dup("a\x1b[2Jb", 6, 0);
	assert_string_equal(e, "a\\x1b[2Jb");
	free(e);
	e = escape_dup("tab\there", 8, 0);
	assert_string_equal(e, "tab\\x09here");
	free(e);
	e = escape_dup("tab\there", 8, ESC_KEEP_TAB);
	assert_string_equal(e, "tab\there");
	free(e);
	e = escape_dup("\xc2\x9b" "x", 3, 0);	/* UTF-8 encoded C1 CSI */
	assert_string_equal(e, "\\xc2\\x9bx");
	free(e);
	e = escape_dup("caf\xc3\xa9 \xe2\x82\xac", 9, 0);	/* valid UTF-8 stays */
	assert_string_equal(e, "caf\xc3\xa9 \xe2\x82\xac");
	free(e);
	e = escape_dup("\xed\xa0\x80", 3, 0);	/* a surrogate is not UTF-8 */
	assert_string_equal(e, "\\xed\\xa0\\x80");
	free(e);
	e = escape_dup("\xf0\x9f", 2, 0);		/* cut sequence */
	assert_string_equal(e, "\\xf0\\x9f");
	free(e);
	assert_true(escape_is_clean("plain", 5, 0));
	assert_false(escape_is_clean("\x1b", 1, 0));
}

static void
test_table_is_escaped(void **state)
{
	struct model *m = hostile_model();
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	report_table_print(f, m, 0);
	fclose(f);
	assert_no_raw_controls(buf, len);
	/* visible, not lost: the escape is shown as text */
	assert_non_null(strstr(buf, "evil\\x1b[2J"));
	free(buf);
	model_free(m);
}

static void
test_json_is_escaped(void **state)
{
	struct model *m = hostile_model();
	struct report_meta meta = { .nginx = "/x/ngin\x1bx", .nginx_version = "1" };
	char *json = report_json_render(m, &meta);

	(void)state;
	assert_no_raw_controls(json, strlen(json));
	/* jansson escapes '\' itself: the text shows \\x1b */
	assert_non_null(strstr(json, "evil\\\\x1b[2J"));
	assert_non_null(strstr(json, "\\\\x9b\\\\xff.c"));
	free(json);
	model_free(m);
}

static void
test_long_names_clipped(void **state)
{
	struct sbuf in = SBUF_INIT;
	struct model *m = model_new();
	struct leak_summary sum;
	struct leakcheck_error err;
	char *buf = NULL, *line, *save = NULL;
	size_t len = 0, i;
	FILE *f;

	(void)state;
	sbuf_adds(&in, "==1== 8 bytes in 1 blocks are definitely lost in loss record 1 of 1\n"
		"==1==    at 0x1: malloc (in /usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so)\n"
		"==1==    by 0x2: ");
	for (i = 0; i < 5000; i++)
		sbuf_addc(&in, 'f');
	sbuf_adds(&in, " (/");
	for (i = 0; i < 5000; i++)
		sbuf_adds(&in, "d/");
	sbuf_adds(&in, "x.c:1)\n==1== \n==1== LEAK SUMMARY:\n"
		"==1==    definitely lost: 8 bytes in 1 blocks\n"
		"==1==    indirectly lost: 0 bytes in 0 blocks\n"
		"==1==      possibly lost: 0 bytes in 0 blocks\n"
		"==1==    still reachable: 0 bytes in 0 blocks\n"
		"==1==         suppressed: 0 bytes in 0 blocks\n==1== \n");
	model_round_begin(m, 0, 0);
	if (leakcheck_text(in.data, in.len, model_leakcheck_cb, m, &sum, &err) != LEAKCHECK_OK)
		fail_msg("line %u: %s", err.line, err.msg);
	model_round_end(m, &sum, 0);
	f = open_memstream(&buf, &len);
	report_table_print(f, m, 0);
	fclose(f);
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		assert_true(strlen(line) < 200);	/* clipped to the columns */
	free(buf);
	sbuf_free(&in);
	model_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_basics),
		cmocka_unit_test(test_table_is_escaped),
		cmocka_unit_test(test_json_is_escaped),
		cmocka_unit_test(test_long_names_clipped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
