/* report_ci_fixture.h - shared by the unit tests of the CI formats
 * (test_report_sarif.c, test_report_junit.c, test_report_ci_diff.c):
 * models fed with the real captured leak checks of the fixture nginx
 * (tests/data/leak_check_full_any_*.txt, CAPTURED.md), memcheck errors
 * from the captured XML, a model of hostile names, a report_set over
 * them, and the validators run as a CI job runs them (argv, no shell).
 * Data files are found under $LT_TEST_DATA, by default "tests/data" (run
 * from the repository root). Header-only because the Makefile builds
 * each tests/unit/test_*.c on its own. */
#ifndef LT_TEST_REPORT_CI_FIXTURE_H
#define LT_TEST_REPORT_CI_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "leakcheck.h"
#include "leakcheck_fixture.h"
#include "memerrors.h"
#include "model.h"
#include "report.h"
#include "util.h"
#include "xmlstream.h"

/* Where the captures' frames live: their paths are under it. */
#define FIX_ROOT "/work/main"
#define FIX_MODULE "tests/fixture/ngx_http_leaky_module/ngx_http_leaky_module.c"

static inline char *
fix_path(const char *name)
{
	const char *dir = getenv("LT_TEST_DATA") ? getenv("LT_TEST_DATA") : "tests/data";

	return xasprintf("%s/%s", dir, name);
}

/* Records whose stack names skip are left out (a run without that leak). */
struct fix_filter {
	struct model *m;
	const char *skip;
};

static inline int
fix_filter_cb(void *ctx, const struct leakcheck_record *rec)
{
	struct fix_filter *f = ctx;
	uint32_t i;

	for (i = 0; f->skip && i < rec->nframes; i++)
		if (rec->frames[i].fn.n == strlen(f->skip) &&
			!memcmp(rec->frames[i].fn.p, f->skip, rec->frames[i].fn.n))
			return 0;
	return model_leakcheck_cb(f->m, rec);
}

static inline void
fix_round_text(struct model *m, const char *text, size_t len, uint64_t requests, const char *skip)
{
	struct fix_filter f = { m, skip };
	struct leak_summary sum;
	struct leakcheck_error err;

	model_round_begin(m, requests, 0);
	assert_int_equal(leakcheck_text(text, len, fix_filter_cb, &f, &sum, &err), LEAKCHECK_OK);
	model_round_end(m, &sum, 1000);
}

/* The three captured checks of the fixture nginx as three rounds
 * (leak_alloc, leak_struct, leak_pool, leak_cycle growing; the cache
 * bounded), without the sites whose stack names skip (NULL: all). */
static inline struct model *
fix_model(const char *skip)
{
	static const char *const files[] = { "leak_check_full_any_1.txt",
		"leak_check_full_any_2.txt", "leak_check_full_any_3.txt" };
	struct model *m = model_new();
	size_t i, len;

	for (i = 0; i < 3; i++) {
		char *text = read_data(files[i], &len);

		fix_round_text(m, text, len, 200, skip);
		free(text);
	}
	return m;
}

/* The captured memcheck errors (InvalidRead, UninitCondition) of the
 * fixture, their frames in m. */
static inline struct xmlstream *
fix_errors(struct model *m)
{
	struct xmlstream *xs = xmlstream_new(m, false, NULL, NULL);
	char *path = fix_path("memcheck_fixture.xml"), err[256];

	assert_true(xmlstream_load_file(xs, path, err, sizeof err));
	assert_true(memerrors_count(xmlstream_errors(xs)) >= 2);
	free(path);
	return xs;
}

/* A real record shape with hostile names: ESC sequences, a C1 CSI, a
 * C0 byte, quotes, "]]>", "<&>", invalid UTF-8 and U+FFFF (valid UTF-8,
 * no XML character), growing over three rounds. */
#define FIX_HOSTILE_FN "evil\x1b[2J\x01\"q'<&>]]>\x9b\xff\xef\xbf\xbf_fn"
static inline struct model *
fix_hostile_model(void)
{
	struct model *m = model_new();
	unsigned r;

	for (r = 1; r <= 3; r++) {
		char *text = xasprintf(
			"==1== %u bytes in %u blocks are definitely lost in loss record 1 of 1\n"
			"==1==    at 0x48417B4: malloc (in /usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so)\n"
			"==1==    by 0x1F74D9: " FIX_HOSTILE_FN " (/tmp/a b\x1b[31m/mo\"d<]]>\x9b\xff.c:12)\n"
			"==1==    by 0x1F74DA: main (/tmp/main.c:3)\n"
			"==1== \n"
			"==1== LEAK SUMMARY:\n"
			"==1==    definitely lost: %u bytes in %u blocks\n"
			"==1==    indirectly lost: 0 bytes in 0 blocks\n"
			"==1==      possibly lost: 0 bytes in 0 blocks\n"
			"==1==    still reachable: 0 bytes in 0 blocks\n"
			"==1==         suppressed: 0 bytes in 0 blocks\n"
			"==1== \n", 100 * r, r, 100 * r, r);

		fix_round_text(m, text, strlen(text), 10, NULL);
		free(text);
	}
	return m;
}

/* A report set over m (rows by g); free with fix_set_free. */
static inline struct report_set
fix_set(const struct model *m, const struct report_gate *g, const struct memerrors *errs)
{
	struct report_set s = { .m = m, .errs = errs, .gate = g, .source_root = FIX_ROOT,
		.nginx = "/usr/sbin/nginx" };

	s.rows = report_rows(m, g, false, &s.nrows);
	return s;
}

static inline void
fix_set_free(struct report_set *s)
{
	report_rows_free((struct report_row *)s->rows, s->nrows);
}

/* The same captured checks as two runs, each rendered by render. */
struct fix_two {
	struct model *a, *b;
	struct report_gate g;
	struct report_set sa, sb;
	char *ta, *tb;
};

static inline void
fix_two_render(struct fix_two *t, char *(*render)(const struct report_set *))
{
	t->a = fix_model(NULL);
	t->b = fix_model(NULL);
	t->g = (struct report_gate)REPORT_GATE_INIT;
	t->sa = fix_set(t->a, &t->g, NULL);
	t->sb = fix_set(t->b, &t->g, NULL);
	t->ta = render(&t->sa);
	t->tb = render(&t->sb);
}

static inline void
fix_two_free(struct fix_two *t)
{
	free(t->ta);
	free(t->tb);
	fix_set_free(&t->sa);
	fix_set_free(&t->sb);
	model_free(t->a);
	model_free(t->b);
}

static inline size_t
fix_count(const struct report_set *s, enum report_verdict v)
{
	size_t i, n = 0;

	for (i = 0; i < s->nrows; i++)
		n += s->rows[i].verdict == v;
	return n;
}

/* Write text to a temporary file; malloc'd path. */
static inline char *
fix_tmpfile(const char *text, const char *suffix)
{
	char *path = xasprintf("%s/lt-ci-XXXXXX%s", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
		suffix);
	int fd = mkstemps(path, (int)strlen(suffix));
	size_t n = strlen(text);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, n), (ssize_t)n);
	close(fd);
	return path;
}

/* Run argv (execvp; stdout and stderr to /dev/null unless LT_TEST_VERBOSE); its
 * exit status, or -1 when it could not run. */
static inline int
fix_run(char *const argv[])
{
	int st;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		if (!getenv("LT_TEST_VERBOSE") && (!freopen("/dev/null", "w", stdout) ||
			!freopen("/dev/null", "w", stderr)))
			_exit(127);
		execvp(argv[0], argv);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Validate text (written to a file of that suffix) with argv, the file
 * at argv[slot]: the validator's exit status. A validator that probe
 * shows missing fails the test, saying what to install. */
static inline int
fix_validate(const char *text, const char *suffix, char **probe, const char *missing,
	char **argv, size_t slot)
{
	char *path;
	int rc;

	if (fix_run(probe) != 0)
		fail_msg("%s", missing);
	argv[slot] = path = fix_tmpfile(text, suffix);
	rc = fix_run(argv);
	unlink(path);
	free(path);
	return rc;
}

/* The SARIF validator of make check on text. */
static inline int
fix_validate_sarif(const char *text)
{
	char *probe[] = { "/usr/bin/python3", "-c", "import jsonschema", NULL };
	char *argv[] = { "/usr/bin/python3", "tests/tools/validate-sarif.py",
		"tests/data/sarif/sarif-schema-2.1.0.json", NULL, NULL };

	return fix_validate(text, ".sarif", probe, "/usr/bin/python3 cannot import jsonschema "
		"(apt-get install python3-jsonschema; make deps installs it)", argv, 3);
}

/* xmllint against the JUnit schema. */
static inline int
fix_validate_junit(const char *text)
{
	char *probe[] = { "xmllint", "--version", NULL };
	char *argv[] = { "xmllint", "--noout", "--schema", "tests/data/junit/junit.xsd", NULL, NULL };

	return fix_validate(text, ".xml", probe, "xmllint is not installed (apt-get install "
		"libxml2-utils; make deps installs it)", argv, 4);
}

/* No C0 control but \n, no DEL, no raw C1, no invalid byte; xml: no
 * U+FFFE/U+FFFF either (no XML 1.0 characters). */
static inline void
fix_assert_clean(const char *s, bool xml)
{
	size_t i, n = strlen(s);

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\n')
			continue;
		assert_false(c < 0x20 || c == 0x7f || c == 0xff || c == 0x9b);
		assert_false(c == 0xc2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 &&
			(unsigned char)s[i + 1] <= 0x9f);
		assert_false(xml && c == 0xef && i + 2 < n && (unsigned char)s[i + 1] == 0xbf &&
			(unsigned char)s[i + 2] >= 0xbe);
	}
}

#endif
