/* leakcheck_fixture.h - shared by the unit tests of the leak_check text
 * parser (test_leakcheck_*.c): records copied as the callback sees them,
 * parses of an exact-size copy of the input, the data files, assertions
 * on slices, frames and summary totals, and a small answer built by hand.
 *
 * The files in tests/data/leakcheck/ are captured from tests/data/gen/leaky.c by
 * tests/data/gen/capture.sh; tests/data/leak_check_*.txt are nginx captures
 * (tests/data/CAPTURED.md). Data files are found under $LT_TEST_DATA, by
 * default "tests/data" (run from the repository root).
 *
 * Every input is copied into a buffer of exactly its length, so ASan catches
 * a read of buf[len]. Header-only because the Makefile builds each
 * tests/unit/test_*.c on its own. */
#ifndef LT_TEST_LEAKCHECK_FIXTURE_H
#define LT_TEST_LEAKCHECK_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "leakcheck.h"
#include "sbuf.h"
#include "util.h"

struct rec_copy {
	struct leakcheck_record r;
	struct leakcheck_frame *frames;	/* owned copy; slices still point into the input */
};

struct parsed {
	char *buf;
	size_t len;
	enum leakcheck_status st;
	struct leak_summary sum;
	struct leakcheck_error err;
	struct rec_copy *recs;
	size_t nrecs, cap;
	size_t stop_after;	/* callback stops after this many records, 0 = never */
};

static inline int
collect_cb(void *ctx, const struct leakcheck_record *rec)
{
	struct parsed *p = ctx;
	struct rec_copy *c;

	assert_non_null(rec->frames);
	assert_true(rec->nframes > 0 && rec->nframes <= LEAKCHECK_MAX_FRAMES);
	xgrow((void **)&p->recs, &p->cap, p->nrecs + 1, sizeof(*p->recs));
	c = &p->recs[p->nrecs++];
	c->r = *rec;
	c->frames = xmalloc(rec->nframes * sizeof(*c->frames));
	memcpy(c->frames, rec->frames, rec->nframes * sizeof(*c->frames));
	c->r.frames = c->frames;
	return p->stop_after && p->nrecs == p->stop_after ? 7 : 0;
}

static inline void
parsed_free(struct parsed *p)
{
	size_t i;

	for (i = 0; i < p->nrecs; i++)
		free(p->recs[i].frames);
	free(p->recs);
	free(p->buf);
	memset(p, 0, sizeof(*p));
}

/* Parse len bytes of src from an exact-size copy. */
static inline enum leakcheck_status
parse_mem(struct parsed *p, const char *src, size_t len)
{
	size_t i;

	for (i = 0; i < p->nrecs; i++)
		free(p->recs[i].frames);
	p->nrecs = 0;
	free(p->buf);
	p->buf = xmalloc(len ? len : 1);
	memcpy(p->buf, src, len);
	p->len = len;
	p->st = leakcheck_text(p->buf, len, collect_cb, p, &p->sum, &p->err);
	return p->st;
}

static inline enum leakcheck_status
parse_str(struct parsed *p, const char *s)
{
	return parse_mem(p, s, strlen(s));
}

/* A data file's path: under $LT_TEST_DATA, else tests/data. Malloc'd. */
static inline char *
data_path(const char *name)
{
	const char *dir = getenv("LT_TEST_DATA");

	return xasprintf("%s/%s", dir && *dir ? dir : "tests/data", name);
}

static inline char *
read_data(const char *name, size_t *len)
{
	char *path = data_path(name);
	struct sbuf b = SBUF_INIT;
	char chunk[65536];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f)
		fail_msg("cannot open %s (run from the repository root or set LT_TEST_DATA)", path);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		sbuf_add(&b, chunk, n);
	fclose(f);
	free(path);
	*len = b.len;
	return sbuf_detach(&b);
}

static inline enum leakcheck_status
parse_file(struct parsed *p, const char *name)
{
	size_t len;
	char *data = read_data(name, &len);

	parse_mem(p, data, len);
	free(data);
	return p->st;
}

static inline bool
slice_eq(struct lt_slice s, const char *str)
{
	assert_non_null(s.p);
	return s.n == strlen(str) && !memcmp(s.p, str, s.n);
}

static inline bool
slice_ends(struct lt_slice s, const char *suffix)
{
	size_t n = strlen(suffix);

	assert_non_null(s.p);
	return s.n >= n && !memcmp(s.p + s.n - n, suffix, n);
}

#define assert_slice(s, str) do { \
	if (!slice_eq((s), (str))) \
		fail_msg("%s is \"%.*s\", want \"%s\"", #s, (int)(s).n, (s).p ? (s).p : "", (str)); \
} while (0)

#define assert_slice_ends(s, str) do { \
	if (!slice_ends((s), (str))) \
		fail_msg("%s is \"%.*s\", want ...\"%s\"", #s, (int)(s).n, (s).p ? (s).p : "", (str)); \
} while (0)

static inline void
assert_frame(const struct leakcheck_frame *f, uint64_t ip, const char *fn, const char *file_suffix,
	unsigned line, const char *obj)
{
	assert_int_equal(f->ip, ip);
	assert_slice(f->fn, fn);
	if (*file_suffix)
		assert_slice_ends(f->file, file_suffix);
	else
		assert_int_equal(f->file.n, 0);
	assert_int_equal(f->line, line);
	assert_slice(f->obj, obj);
}

static inline void
assert_total(const struct leak_total *t, uint64_t bytes, uint64_t blocks)
{
	assert_int_equal(t->bytes, bytes);
	assert_int_equal(t->blocks, blocks);
}

/* The summary counts direct bytes; with "reachable any" every record is
 * printed, so the records must add up to it. */
static inline void
assert_records_match_summary(const struct parsed *p)
{
	uint64_t bytes[LEAK_KIND_COUNT] = { 0 }, blocks[LEAK_KIND_COUNT] = { 0 };
	size_t i;
	int k;

	for (i = 0; i < p->nrecs; i++) {
		bytes[p->recs[i].r.kind] += p->recs[i].r.direct;
		blocks[p->recs[i].r.kind] += p->recs[i].r.blocks;
	}
	for (k = 0; k < LEAK_KIND_COUNT; k++)
		assert_total(&p->sum.kind[k], bytes[k], blocks[k]);
}

/* ---- an answer built by hand ---- */

#define SUMMARY_TEXT \
	"==7== LEAK SUMMARY:\n" \
	"==7==    definitely lost: 0 bytes in 0 blocks\n" \
	"==7==    indirectly lost: 0 bytes in 0 blocks\n" \
	"==7==      possibly lost: 0 bytes in 0 blocks\n" \
	"==7==    still reachable: 0 bytes in 0 blocks\n" \
	"==7==         suppressed: 0 bytes in 0 blocks\n" \
	"==7== \n"

/* One record: header, then nframes frames with the given function. */
static inline void
add_record(struct sbuf *b, const char *header, size_t nframes, const char *fn)
{
	size_t i;

	sbuf_printf(b, "==7== %s\n", header);
	for (i = 0; i < nframes; i++)
		sbuf_printf(b, "==7==    %s 0x%zX: %s\n", i ? "by" : "at", 0x400000 + i, fn);
	sbuf_adds(b, "==7== \n");
}

static inline enum leakcheck_status
parse_record(struct parsed *p, const char *header, size_t nframes, const char *fn)
{
	struct sbuf b = SBUF_INIT;

	add_record(&b, header, nframes, fn);
	sbuf_adds(&b, SUMMARY_TEXT);
	parse_mem(p, b.data, b.len);
	sbuf_free(&b);
	return p->st;
}

#endif
