/* report_fixture.h - shared by the report tests (test_report_*.c,
 * test_tui_screens.c): models built from the real leak checks of the
 * fixture nginx (tests/data/leak_check_full_any_{1,2,3}.txt, CAPTURED.md:
 * /leak/alloc, /leak/struct, /leak/pool, /leak/cycle growing; the cache
 * and the lazy init bounded), fed through an edit that plays a changed
 * module: every module line shifted (code added above the leaks), a
 * leak's records dropped (fixed) or scaled (worse), a second leak added
 * in the same function a few lines below. Also: a model of hostile names,
 * memcheck errors from the captured XML, a report_set over a model, diff
 * rows by function and line, and the validators run as a CI job runs
 * them (argv, no shell). Data files are found under $LT_TEST_DATA, by
 * default "tests/data" (run from the repository root). Header-only: the
 * Makefile builds each tests/unit/test_*.c on its own. */
#ifndef LT_TEST_REPORT_FIXTURE_H
#define LT_TEST_REPORT_FIXTURE_H

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
#include "leakcheck_fixture.h"	/* data_path, read_data */
#include "memerrors.h"
#include "model.h"
#include "report.h"
#include "util.h"
#include "xmlstream.h"

/* Where the captures' frames live: their paths are under it. */
#define FX_ROOT "/work/main"
#define FX_MODULE "tests/fixture/ngx_http_leaky_module/ngx_http_leaky_module.c"

/* ---- models ---- */

struct fx_edit {
	int line_shift;		/* added to every line of the module's frames */
	const char *drop_fn;	/* records with a frame of this function are gone */
	const char *scale_fn;	/* records allocated in this function ... */
	unsigned scale;		/* ... hold this many times the bytes (0: as captured) */
	const char *dup_fn;	/* a second leak in this function: its records again */
	unsigned dup_line;	/* at this line of the allocation frame (before the shift) */
	unsigned dup_scale;	/* with this many times the bytes (0: 1) */
	const char *rename_fn, *rename_to;	/* a function called otherwise */
	bool urls;		/* per-URL requests (a mix that changes per round) */
	/* the state of one round */
	struct model *m;
};

static inline bool
fx_is(const struct lt_slice *s, const char *name)
{
	return name && s->n == strlen(name) && !memcmp(s->p, name, s->n);
}

static inline bool
fx_module(const struct leakcheck_frame *f)
{
	static const char mod[] = "ngx_http_leaky_module.c";
	size_t n = sizeof mod - 1;

	return f->file.n >= n && !memcmp(f->file.p + f->file.n - n, mod, n);
}

/* The first module frame: where the fixture's leaks are allocated. */
static inline size_t
fx_alloc_frame(const struct leakcheck_record *rec)
{
	size_t i;

	for (i = 0; i < rec->nframes; i++)
		if (fx_module(&rec->frames[i]))
			return i;
	return SIZE_MAX;
}

static inline int
fx_cb(void *ctx, const struct leakcheck_record *in)
{
	struct fx_edit *e = ctx;
	struct leakcheck_frame fr[LEAKCHECK_MAX_FRAMES];
	struct leakcheck_record rec = *in;
	size_t i, at = fx_alloc_frame(in);
	bool alloc_in = false;

	for (i = 0; i < in->nframes; i++) {
		fr[i] = in->frames[i];
		fr[i].text_id = 0;	/* edited: no cache by the text it came from */
		if (fx_is(&fr[i].fn, e->drop_fn))
			return 0;
		if (fx_is(&fr[i].fn, e->rename_fn))
			fr[i].fn = (struct lt_slice){ e->rename_to, strlen(e->rename_to) };
		if (fx_module(&fr[i]) && fr[i].line)
			fr[i].line = (unsigned)((int)fr[i].line + e->line_shift);
	}
	rec.frames = fr;
	rec.parse_id = 0;
	alloc_in = at != SIZE_MAX && fx_is(&in->frames[at].fn, e->scale_fn);
	if (alloc_in && e->scale) {
		rec.bytes *= e->scale;
		rec.direct *= e->scale;
		rec.indirect *= e->scale;
	}
	model_round_add(e->m, &rec);
	if (at != SIZE_MAX && fx_is(&in->frames[at].fn, e->dup_fn)) {
		unsigned k = e->dup_scale ? e->dup_scale : 1;

		rec = *in;
		rec.frames = fr;
		rec.parse_id = 0;
		rec.bytes *= k;
		rec.direct *= k;
		rec.indirect *= k;
		fr[at].line = (unsigned)((int)e->dup_line + e->line_shift);
		fr[at].ip += 0x40;
		model_round_add(e->m, &rec);
	}
	return 0;
}

/* Round f's per-URL requests: a mix that changes per round, so a
 * per-URL rate is told from the round's total. */
static inline void
fx_round_urls(struct model *m, size_t f)
{
	static const char *const u[] = { "/leak/alloc", "/leak/struct", "/leak/pool",
		"/leak/cycle", "/lazy", "/clean" };
	size_t k;

	for (k = 0; k < LT_ARRAY_SIZE(u); k++)
		model_round_url_requests(m, model_url_intern(m, u[k]), 10 + 7 * ((k + f) % 3));
}

/* One round of m: requests before it, then the leak check text through
 * edit e (NULL: as it is). */
static inline void
fx_round(struct model *m, const char *text, size_t len, uint64_t requests,
	const struct fx_edit *e)
{
	struct fx_edit none = { 0 }, ed = e ? *e : none;
	size_t f = model_nrounds(m);
	struct leak_summary sum;
	struct leakcheck_error err;

	ed.m = m;
	model_round_begin(m, requests, 0);
	if (ed.urls)
		fx_round_urls(m, f);
	assert_int_equal(leakcheck_text(text, len, fx_cb, &ed, &sum, &err), LEAKCHECK_OK);
	model_round_end(m, &sum, 1000);
}

/* The three captured checks, 200 requests before each, through edit e
 * (NULL: as captured). */
static inline struct model *
fx_model(const struct fx_edit *e)
{
	static const char *const files[] = { "leak_check_full_any_1.txt",
		"leak_check_full_any_2.txt", "leak_check_full_any_3.txt" };
	struct model *m = model_new();
	size_t f;

	for (f = 0; f < LT_ARRAY_SIZE(files); f++) {
		size_t len;
		char *text = read_data(files[f], &len);

		fx_round(m, text, len, 200, e);
		free(text);
	}
	return m;
}

/* A real record shape with hostile names: ESC sequences, a C1 CSI, a
 * C0 byte, quotes, "]]>", "<&>", invalid UTF-8 and U+FFFF (valid UTF-8,
 * no XML character), growing over three rounds. */
#define FX_HOSTILE_FN "evil\x1b[2J\x01\"q'<&>]]>\x9b\xff\xef\xbf\xbf_fn"
static inline struct model *
fx_hostile_model(void)
{
	struct model *m = model_new();
	unsigned r;

	for (r = 1; r <= 3; r++) {
		char *text = xasprintf(
			"==1== %u bytes in %u blocks are definitely lost in loss record 1 of 1\n"
			"==1==    at 0x48417B4: malloc (in /usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so)\n"
			"==1==    by 0x1F74D9: " FX_HOSTILE_FN " (/tmp/a b\x1b[31m/mo\"d<]]>\x9b\xff.c:12)\n"
			"==1==    by 0x1F74DA: main (/tmp/main.c:3)\n"
			"==1== \n"
			"==1== LEAK SUMMARY:\n"
			"==1==    definitely lost: %u bytes in %u blocks\n"
			"==1==    indirectly lost: 0 bytes in 0 blocks\n"
			"==1==      possibly lost: 0 bytes in 0 blocks\n"
			"==1==    still reachable: 0 bytes in 0 blocks\n"
			"==1==         suppressed: 0 bytes in 0 blocks\n"
			"==1== \n", 100 * r, r, 100 * r, r);

		fx_round(m, text, strlen(text), 10, NULL);
		free(text);
	}
	return m;
}

/* The captured memcheck errors (InvalidRead, UninitCondition) of the
 * fixture, their frames in m. */
static inline struct xmlstream *
fx_errors(struct model *m)
{
	struct xmlstream *xs = xmlstream_new(m, false, NULL, NULL);
	char *path = data_path("memcheck_fixture.xml"), err[256];

	assert_true(xmlstream_load_file(xs, path, err, sizeof err));
	assert_true(memerrors_count(xmlstream_errors(xs)) >= 2);
	free(path);
	return xs;
}

/* ---- report sets and diffs ---- */

/* A report set over m (rows by g); free with fx_set_free. */
static inline struct report_set
fx_set(const struct model *m, const struct report_gate *g, const struct memerrors *errs)
{
	struct report_set s = { .m = m, .errs = errs, .gate = g, .source_root = FX_ROOT,
		.nginx = "/usr/sbin/nginx" };

	s.rows = report_rows(m, g, false, &s.nrows);
	return s;
}

static inline void
fx_set_free(struct report_set *s)
{
	report_rows_free((struct report_row *)s->rows, s->nrows);
}

static inline size_t
fx_count(const struct report_set *s, enum report_verdict v)
{
	size_t i, n = 0;

	for (i = 0; i < s->nrows; i++)
		n += s->rows[i].verdict == v;
	return n;
}

/* The same captured checks as two runs, each rendered by render. */
struct fx_two {
	struct model *a, *b;
	struct report_gate g;
	struct report_set sa, sb;
	char *ta, *tb;
};

static inline void
fx_two_render(struct fx_two *t, char *(*render)(const struct report_set *))
{
	t->a = fx_model(NULL);
	t->b = fx_model(NULL);
	t->g = (struct report_gate)REPORT_GATE_INIT;
	t->sa = fx_set(t->a, &t->g, NULL);
	t->sb = fx_set(t->b, &t->g, NULL);
	t->ta = render(&t->sa);
	t->tb = render(&t->sb);
}

static inline void
fx_two_free(struct fx_two *t)
{
	free(t->ta);
	free(t->tb);
	fx_set_free(&t->sa);
	fx_set_free(&t->sb);
	model_free(t->a);
	model_free(t->b);
}

/* The diff row whose shown side (NEW's, else OLD's) is allocated in fn
 * at line, of kind; NULL if none. */
static inline const struct report_diff_row *
fx_diff_row(const struct report_diff *d, const char *fn, unsigned line, enum leak_kind kind)
{
	size_t i;

	for (i = 0; i < report_diff_nrows(d); i++) {
		const struct report_diff_row *r = report_diff_row(d, i);
		const struct model *m = report_diff_model(d, r->new != NULL);
		const struct report_row *row = r->new ? r->new : r->old;
		const struct model_frame *f = model_frame(m, row->g.at);

		if (row->g.kind == kind && !strcmp(f->fn, fn) && f->line == line)
			return r;
	}
	return NULL;
}

/* A test's end: the diff (may be NULL) and both models freed. */
static inline void
fx_done(struct report_diff *d, struct model *old, struct model *new)
{
	report_diff_free(d);
	model_free(old);
	model_free(new);
}

/* ---- validators ---- */

/* Write text to a temporary file; malloc'd path. */
static inline char *
fx_tmpfile(const char *text, const char *suffix)
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
fx_run(char *const argv[])
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
fx_validate(const char *text, const char *suffix, char **probe, const char *missing,
	char **argv, size_t slot)
{
	char *path;
	int rc;

	if (fx_run(probe) != 0)
		fail_msg("%s", missing);
	argv[slot] = path = fx_tmpfile(text, suffix);
	rc = fx_run(argv);
	unlink(path);
	free(path);
	return rc;
}

/* The SARIF validator of make check on text. */
static inline int
fx_validate_sarif(const char *text)
{
	char *probe[] = { "/usr/bin/python3", "-c", "import jsonschema", NULL };
	char *argv[] = { "/usr/bin/python3", "tests/tools/validate-sarif.py",
		"tests/data/sarif/sarif-schema-2.1.0.json", NULL, NULL };

	return fx_validate(text, ".sarif", probe, "/usr/bin/python3 cannot import jsonschema "
		"(apt-get install python3-jsonschema; make deps installs it)", argv, 3);
}

/* xmllint against the JUnit schema. */
static inline int
fx_validate_junit(const char *text)
{
	char *probe[] = { "xmllint", "--version", NULL };
	char *argv[] = { "xmllint", "--noout", "--schema", "tests/data/junit/junit.xsd", NULL, NULL };

	return fx_validate(text, ".xml", probe, "xmllint is not installed (apt-get install "
		"libxml2-utils; make deps installs it)", argv, 4);
}

/* No C0 control but \n, no DEL, no raw C1, no invalid byte; xml: no
 * U+FFFE/U+FFFF either (no XML 1.0 characters). */
static inline void
fx_assert_clean(const char *s, bool xml)
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
