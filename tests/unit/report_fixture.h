/* report_fixture.h - models for the report tests (test_report_*.c) built
 * from the real leak checks of the fixture nginx (tests/data/
 * leak_check_full_any_{1,2,3}.txt: /leak/alloc, /leak/struct, /leak/pool,
 * /leak/cycle growing; the cache and the lazy init bounded), fed through
 * an edit that plays a changed module: every module line shifted (code
 * added above the leaks), a leak's records dropped (fixed) or scaled
 * (worse), a second leak added in the same function a few lines below.
 * Header-only: the Makefile builds each tests/unit/test_*.c on its own. */
#ifndef LT_TEST_REPORT_FIXTURE_H
#define LT_TEST_REPORT_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "leakcheck.h"
#include "leakcheck_fixture.h"	/* read_data */
#include "model.h"
#include "report.h"
#include "util.h"

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

/* The three captured checks, 200 requests before each, through edit e
 * (NULL: as captured). */
static inline struct model *
fx_model(const struct fx_edit *e)
{
	static const char *const files[] = { "leak_check_full_any_1.txt",
		"leak_check_full_any_2.txt", "leak_check_full_any_3.txt" };
	struct fx_edit none = { 0 }, ed = e ? *e : none;
	struct model *m = model_new();
	size_t f;

	ed.m = m;
	for (f = 0; f < 3; f++) {
		struct leak_summary sum;
		struct leakcheck_error err;
		size_t len;
		char *text = read_data(files[f], &len);

		model_round_begin(m, 200, 0);
		if (ed.urls) {
			static const char *const u[] = { "/leak/alloc", "/leak/struct", "/leak/pool",
				"/leak/cycle", "/lazy", "/clean" };
			size_t k;

			for (k = 0; k < LT_ARRAY_SIZE(u); k++)
				model_round_url_requests(m, model_url_intern(m, u[k]),
					10 + 7 * ((k + f) % 3));
		}
		assert_int_equal(leakcheck_text(text, len, fx_cb, &ed, &sum, &err), LEAKCHECK_OK);
		model_round_end(m, &sum, 1000);
		free(text);
	}
	return m;
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

#endif
