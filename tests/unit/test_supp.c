/* test_supp.c - valgrind suppression files (supp.h): valgrind's own
 * default.supp read whole, the matcher on real nginx stacks, errors with
 * FILE:LINE, hostile bytes, and the writer read back. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "supp.h"
#include "sbuf.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define F(fn, file, line) { fn, "", file, line }
#define O(obj) { "???", obj, "", 0 }

/* The fixture's raw leak, as valgrind's text gives it. */
static const struct supp_frame leaky[] = {
	O("/usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so"),
	F("ngx_alloc", "/build/nginx/src/os/unix/ngx_alloc.c", 22),
	F("ngx_http_leaky_alloc_handler", "/w/tests/fixture/ngx_http_leaky_module.c", 96),
	F("ngx_http_core_content_phase", "/build/nginx/src/http/ngx_http_core_module.c", 1266),
	F("ngx_http_core_run_phases", "/build/nginx/src/http/ngx_http_core_module.c", 875),
	F("ngx_http_handler", "/build/nginx/src/http/ngx_http_core_module.c", 858),
};

static struct supp *
read_ok(const char *text)
{
	struct supp *s = supp_new();
	char err[512] = "";

	if (!supp_add_text(s, "t.supp", text, err, sizeof err))
		fail_msg("%s", err);
	return s;
}

/* The error of a bad text; it must name t.supp:LINE. */
static void
read_bad(const char *text, unsigned line, const char *words)
{
	struct supp *s = supp_new();
	char err[512] = "", want[32];

	assert_false(supp_add_text(s, "t.supp", text, err, sizeof err));
	snprintf(want, sizeof want, "t.supp:%u: ", line);
	if (strncmp(err, want, strlen(want)) || !strstr(err, words) || strchr(err, '\n'))
		fail_msg("want '%s...%s', got '%s'", want, words, err);
	assert_int_equal(supp_count(s), 0);
	supp_free(s);
}

static void
test_valgrind_default_supp(void **state)
{
	static const char *const paths[] = { "/usr/libexec/valgrind/default.supp",
		"/usr/lib/x86_64-linux-gnu/valgrind/default.supp" };
	struct supp *s = supp_new();
	char err[512] = "";
	size_t i;

	(void)state;
	for (i = 0; i < 2 && access(paths[i], R_OK); i++)
		;
	if (i == 2)
		fail_msg("valgrind's default.supp not found (install valgrind: tests/deps.list)");
	if (!supp_add_file(s, paths[i], err, sizeof err))
		fail_msg("%s", err);
	/* 3.19's file: dozens of blocks of Memcheck and the other tools, a few leaks */
	assert_true(supp_count_all(s) > 50);
	assert_true(supp_count(s) >= 1);
	assert_true(supp_count(s) < supp_count_all(s));
	assert_non_null(strstr(supp_origin(s, 0), "default.supp:"));
	supp_free(s);
}

static void
test_match_basics(void **state)
{
	struct supp *s = read_ok(
		"# comment\r\n"
		"{\r\n   raw\r\n   Memcheck:Leak\r\n   match-leak-kinds: definite,possible\r\n"
		"   obj:*vgpreload_memcheck*\r\n   fun:ngx_alloc\r\n   fun:ngx_http_leaky_*\r\n"
		"   ...\r\n}\r\n"
		"\n  # another\n"
		"{\n exact\n Memcheck:Leak\n fun:*\n fun:ngx_alloc\n fun:ngx_http_core_content_phase\n}\n"
		"{\n cond\n Memcheck:Cond\n fun:foo\n}\n"
		"{\n param\n Memcheck:Param\n write(buf)\n fun:foo\n}\n"
		"{\n helgrind\n Helgrind:Race\n whatever goes here\n}\n");

	(void)state;
	assert_int_equal(supp_count(s), 2);
	assert_int_equal(supp_count_all(s), 5);
	assert_string_equal(supp_name(s, 0), "raw");
	assert_string_equal(supp_origin(s, 1), "t.supp:13");
	assert_int_equal(supp_match(s, LEAK_DEFINITE, leaky, 6), 0);
	assert_int_equal(supp_match(s, LEAK_POSSIBLE, leaky, 3), 0);
	/* reachable is not in the kinds; the second wants another 3rd frame */
	assert_int_equal(supp_match(s, LEAK_REACHABLE, leaky, 6), -1);
	/* a stack shorter than the locations does not match */
	assert_int_equal(supp_match(s, LEAK_DEFINITE, leaky, 2), -1);
	supp_free(s);
}

static void
test_dots_and_src(void **state)
{
	struct supp *s = read_ok(
		"{\n a\n Memcheck:Leak\n match-leak-kinds: definite\n ...\n src:ngx_http_leaky_module.c:96\n"
		" ...\n fun:ngx_http_handler\n}\n"
		"{\n b\n Memcheck:Leak\n match-leak-kinds: reachable\n ...\n src:ngx_alloc.?\n}\n"
		"{\n c\n Memcheck:Leak\n match-leak-kinds: indirect\n fun:ngx_\\*\n}\n");
	struct supp_frame star[] = { F("ngx_*", "", 0) };

	(void)state;
	assert_int_equal(supp_match(s, LEAK_DEFINITE, leaky, 6), 0);
	/* the line is checked: :96 only */
	struct supp_frame moved[6];
	memcpy(moved, leaky, sizeof moved);
	moved[2].line = 97;
	assert_int_equal(supp_match(s, LEAK_DEFINITE, moved, 6), -1);
	/* src: is the file name without its directory */
	assert_int_equal(supp_match(s, LEAK_REACHABLE, leaky, 6), 1);
	/* \* is a star, not a glob */
	assert_int_equal(supp_match(s, LEAK_INDIRECT, leaky, 6), -1);
	assert_int_equal(supp_match(s, LEAK_INDIRECT, star, 1), 2);
	supp_free(s);
}

static void
test_kinds_all_none(void **state)
{
	struct supp *s = read_ok(
		"{\n none\n Memcheck:Leak\n match-leak-kinds: none\n fun:*\n}\n"
		"{\n all\n Memcheck:Leak\n match-leak-kinds: all\n obj:*memcheck*\n}\n");

	(void)state;
	assert_int_equal(supp_match(s, LEAK_INDIRECT, leaky, 6), 1);
	assert_int_equal(supp_match(s, LEAK_REACHABLE, leaky + 1, 5), -1);
	supp_free(s);
}

static void
test_errors(void **state)
{
	(void)state;
	read_bad("fun:x\n", 1, "expected '{'");
	read_bad("{\n}\n", 2, "needs a name");
	read_bad("{\n n\n Leak\n fun:x\n}\n", 3, "TOOL:KIND");
	read_bad("{\n n\n Memcheck:Leek\n fun:x\n}\n", 3, "no such suppression kind");
	read_bad("{\n n\n Memcheck:Leak\n match-leak-kinds: definitely\n fun:x\n}\n", 4,
		"not a leak kind");
	read_bad("{\n n\n Memcheck:Leak\n match-leak-kinds: all,none\n fun:x\n}\n", 4,
		"not a leak kind");
	read_bad("{\n n\n Memcheck:Leak\n fn:x\n}\n", 4, "fun:NAME");
	read_bad("{\n n\n Memcheck:Leak\n ...\n}\n", 5, "other than ...");
	read_bad("{\n n\n Memcheck:Leak\n src:a.c:x\n}\n", 4, "line number");
	read_bad("{\n n\n Memcheck:Leak\n fun:x\n", 4, "ends inside the suppression that starts "
		"at line 1");
	read_bad("{\n n\n Memcheck:Leak\n fun:x\n}\n{\n m\n\n", 8, "starts at line 6");
	{
		struct sbuf b = SBUF_INIT;
		int i;

		sbuf_adds(&b, "{\n n\n Memcheck:Leak\n");
		for (i = 0; i < 25; i++)
			sbuf_adds(&b, " fun:x\n");
		sbuf_adds(&b, "}\n");
		read_bad(b.data, 28, "at most 24");
		sbuf_free(&b);
	}
}

/* A file with a bad block keeps nothing of it: the set is as before. */
static void
test_error_keeps_set(void **state)
{
	struct supp *s = read_ok("{\n a\n Memcheck:Leak\n fun:x\n}\n");
	char err[256];

	(void)state;
	assert_false(supp_add_text(s, "u.supp", "{\n b\n Memcheck:Leak\n fun:y\n}\n{\n", err,
		sizeof err));
	assert_int_equal(supp_count(s), 1);
	assert_int_equal(supp_count_all(s), 1);
	supp_free(s);
}

static void
test_hostile(void **state)
{
	static const char bin[] = "{\n a\x01\x1b[2J\n Memcheck:Leak\n fun:\xff\xfe\n}\n";
	struct supp *s = supp_new();
	char err[256], path[] = "/tmp/test_supp.XXXXXX";
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	assert_true(util_write_all(fd, "{\n a\n\0Memcheck:Leak\n}\n", 22));
	close(fd);
	assert_false(supp_add_file(s, path, err, sizeof err));
	assert_non_null(strstr(err, ":3: a NUL byte"));
	unlink(path);
	assert_false(supp_add_file(s, "/nonexistent/x.supp", err, sizeof err));
	assert_non_null(strstr(err, "/nonexistent/x.supp"));
	assert_false(supp_add_file(s, "/nonexistent/\x1b[2J\n.supp", err, sizeof err));
	assert_non_null(strstr(err, "/nonexistent/?[2J?.supp: No such file"));
	assert_false(supp_add_text(s, "a\tb", "x\n", err, sizeof err));
	assert_string_equal(err, "a?b:1: 'x': expected '{' to start a suppression (or a # comment)");
	assert_true(supp_add_text(s, "b", bin, err, sizeof err));
	assert_false(supp_add_text(s, "c", "{\n a\n Memcheck:Leak\n \x1b[31mfun\n}\n", err,
		sizeof err));
	assert_null(strchr(err, '\x1b'));
	assert_true(supp_add_text(s, "d", "", err, sizeof err));
	assert_true(supp_add_text(s, "e", "# only\n\n\r\n", err, sizeof err));
	supp_free(s);
}

/* What supp_format writes reads back and matches its stack; names and
 * frames that would break the format are cleaned. */
static void
test_format_roundtrip(void **state)
{
	struct supp_frame odd[] = { F("operator new[](unsigned long)", "", 0),
		F("tmpl<a*, b?>\n}", "", 0), O("/lib/x.so"), F("", "", 0), F("main", "", 0) };
	struct sbuf b = SBUF_INIT;
	struct supp *s = supp_new();
	char err[256];

	(void)state;
	supp_format(&b, "ngx-leaktop:definite:m.c:96:f", LEAK_DEFINITE, leaky, 3, true);
	supp_format(&b, "  # evil\n{name}", LEAK_REACHABLE, odd, 4, false);
	supp_format(&b, "", LEAK_INDIRECT, leaky, 0, true);
	assert_non_null(strstr(b.data, "   fun:ngx_http_leaky_alloc_handler\n   ...\n}\n"));
	assert_non_null(strstr(b.data, "   obj:/usr/libexec/valgrind/vgpreload_memcheck-amd64-"));
	assert_non_null(strstr(b.data, "   fun:tmpl<a\\*, b\\?>__\n"));
	if (!supp_add_text(s, "gen", b.data, err, sizeof err))
		fail_msg("%s\n%s", err, b.data);
	assert_int_equal(supp_count(s), 3);
	assert_string_equal(supp_name(s, 1), "evil__name_");
	assert_int_equal(supp_match(s, LEAK_DEFINITE, leaky, 6), 0);
	assert_int_equal(supp_match(s, LEAK_DEFINITE, leaky, 3), 0);
	/* a definite site also when a stale pointer makes it possibly lost or
	 * reachable (the scan is conservative); not as another lost kind */
	assert_int_equal(supp_match(s, LEAK_POSSIBLE, leaky, 6), 0);
	assert_int_equal(supp_match(s, LEAK_REACHABLE, leaky, 6), 0);
	assert_int_equal(supp_match(s, LEAK_INDIRECT, leaky, 3), 2);	/* the third block's */
	assert_non_null(strstr(b.data, "match-leak-kinds: definite,possible,reachable\n"));
	odd[1].fn = "tmpl<a*, b?>__";
	assert_int_equal(supp_match(s, LEAK_REACHABLE, odd, 5), 1);
	odd[1].fn = "tmpl<aX, bY>__";	/* not the second block: the third's "fun:* ..." alone */
	assert_int_equal(supp_match(s, LEAK_REACHABLE, odd, 5), 2);
	sbuf_free(&b);
	supp_free(s);
}

static void
test_default_set_reads(void **state)
{
	struct supp *s = supp_new();
	char err[512] = "";

	(void)state;
	if (!supp_add_text(s, SUPP_DEFAULT_NAME, supp_default_text(), err, sizeof err))
		fail_msg("%s", err);
	/* nothing of the fixture module's own leak */
	assert_int_equal(supp_match(s, LEAK_DEFINITE, leaky, 6), -1);
	assert_int_equal(supp_match(s, LEAK_REACHABLE, leaky, 6), -1);
	/* the measured noise (stacks of valgrind's exit report), and the same
	 * allocation made by a module under the same core caller is not */
	{
		struct supp_frame env[] = { F("malloc", "", 0), F("ngx_alloc", "ngx_alloc.c", 22),
			F("ngx_set_environment", "nginx.c", 589),
			F("ngx_worker_process_init", "ngx_process_cycle.c", 763) };
		struct supp_frame ev[] = { F("malloc", "", 0), F("ngx_alloc", "ngx_alloc.c", 22),
			F("ngx_event_process_init", "ngx_event.c", 734), F("main", "nginx.c", 380) };
		struct supp_frame mod[] = { F("malloc", "", 0), F("ngx_alloc", "ngx_alloc.c", 22),
			F("ngx_http_leaky_init_process", "ngx_http_leaky_module.c", 50),
			F("ngx_event_process_init", "ngx_event.c", 734), F("main", "nginx.c", 380) };
		struct supp_frame nss[] = { F("malloc", "", 0), F("malloc", "", 0),
			F("_dlfo_mappings_segment_allocate", "", 0), F("_dl_open", "", 0),
			F("__nss_module_load", "", 0), F("internal_getgrouplist", "", 0),
			F("initgroups", "", 0), F("ngx_worker_process_init", "", 0),
			F("ngx_worker_process_cycle", "", 0) };
		struct supp_frame nssmod[] = { F("malloc", "", 0), F("__nss_module_load", "", 0),
			F("initgroups", "", 0), F("ngx_http_leaky_init_process", "", 0),
			F("ngx_worker_process_init", "", 0) };

		assert_true(supp_match(s, LEAK_DEFINITE, env, 4) >= 0);
		assert_true(supp_match(s, LEAK_DEFINITE, ev, 4) >= 0);
		assert_true(supp_match(s, LEAK_INDIRECT, ev, 4) >= 0);
		assert_true(supp_match(s, LEAK_POSSIBLE, ev, 4) >= 0);
		assert_true(supp_match(s, LEAK_REACHABLE, ev, 4) < 0);
		assert_true(supp_match(s, LEAK_DEFINITE, mod, 5) < 0);
		assert_true(supp_match(s, LEAK_REACHABLE, mod, 5) < 0);
		assert_true(supp_match(s, LEAK_POSSIBLE, nss, 9) >= 0);
		assert_true(supp_match(s, LEAK_DEFINITE, nss, 9) < 0);
		assert_true(supp_match(s, LEAK_POSSIBLE, nssmod, 5) < 0);
	}
	supp_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valgrind_default_supp),
		cmocka_unit_test(test_match_basics),
		cmocka_unit_test(test_dots_and_src),
		cmocka_unit_test(test_kinds_all_none),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_error_keeps_set),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_format_roundtrip),
		cmocka_unit_test(test_default_set_reads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
