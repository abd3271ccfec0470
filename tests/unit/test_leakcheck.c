/* test_leakcheck.c - the leak_check text parser against real valgrind output.
 *
 * The files in tests/data/leakcheck/ are captured from tests/data/gen/leaky.c by
 * tests/data/gen/capture.sh; tests/data/leak_check_*.txt are nginx captures
 * (tests/data/CAPTURED.md). Data files are found under $LT_TEST_DATA, by
 * default "tests/data" (run from the repository root).
 *
 * Every input is copied into a buffer of exactly its length, so ASan catches
 * a read of buf[len]. */
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

#define VGPRELOAD "/usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so"
#define LEAKY_C "/tests/data/gen/leaky.c"

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

static int
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

static void
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
static enum leakcheck_status
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

static enum leakcheck_status
parse_str(struct parsed *p, const char *s)
{
	return parse_mem(p, s, strlen(s));
}

static char *
read_data(const char *name, size_t *len)
{
	const char *dir = getenv("LT_TEST_DATA");
	char *path = xasprintf("%s/%s", dir && *dir ? dir : "tests/data", name);
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

static enum leakcheck_status
parse_file(struct parsed *p, const char *name)
{
	size_t len;
	char *data = read_data(name, &len);

	parse_mem(p, data, len);
	free(data);
	return p->st;
}

static bool
slice_eq(struct lt_slice s, const char *str)
{
	assert_non_null(s.p);
	return s.n == strlen(str) && !memcmp(s.p, str, s.n);
}

static bool
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

static void
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

static void
assert_total(const struct leak_total *t, uint64_t bytes, uint64_t blocks)
{
	assert_int_equal(t->bytes, bytes);
	assert_int_equal(t->blocks, blocks);
}

/* The summary counts direct bytes; with "reachable any" every record is
 * printed, so the records must add up to it. */
static void
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

/* ---- real captures of leaky.c ---- */

static void
test_full_any(void **state)
{
	struct parsed p = { 0 };
	const struct rec_copy *r;
	size_t i;

	(void)state;
	assert_int_equal(parse_file(&p, "leakcheck/full_any.txt"), LEAKCHECK_OK);
	assert_int_equal(p.nrecs, 17);
	assert_int_equal(p.sum.seen, 1);
	assert_int_equal(p.sum.heap_empty, 0);
	assert_total(&p.sum.kind[LEAK_DEFINITE], 1235906, 20);
	assert_total(&p.sum.kind[LEAK_INDIRECT], 248, 3);
	assert_total(&p.sum.kind[LEAK_POSSIBLE], 112, 2);
	assert_total(&p.sum.kind[LEAK_REACHABLE], 76800, 2);
	assert_total(&p.sum.suppressed, 0, 0);
	assert_records_match_summary(&p);
	for (i = 0; i < p.nrecs; i++) {
		assert_false(p.recs[i].r.has_delta);
		assert_int_equal(p.recs[i].r.recno, i + 1);
		assert_int_equal(p.recs[i].r.nrecs, 17);
	}

	/* C++: operator new, then an overload with its signature. */
	r = &p.recs[0];
	assert_int_equal(r->r.kind, LEAK_DEFINITE);
	assert_int_equal(r->r.bytes, 8);
	assert_int_equal(r->r.nframes, 5);
	assert_frame(&r->frames[0], 0x4841F2F, "operator new(unsigned long)", "", 0, VGPRELOAD);
	assert_frame(&r->frames[1], 0x1098B8, "lk::leak(double)", "/tests/data/gen/leaky_cxx.cc", 27, "");
	assert_frame(&r->frames[4], 0x1097D2, "main", LEAKY_C, 256, "");
	/* Full paths (--fullpath-after=) come out whole. */
	assert_true(r->frames[4].file.p[0] == '/');

	/* libc's own relative debug path. */
	r = &p.recs[2];
	assert_int_equal(r->r.kind, LEAK_INDIRECT);
	assert_frame(&r->frames[1], 0x4B1A9A9, "strdup", "strdup.c", 42, "");
	assert_slice(r->frames[1].file, "string/./string/strdup.c");

	/* A template name with a space and parentheses. */
	assert_frame(&p.recs[3].frames[1], 0x10991A, "lk::box<long>* lk::make_box<long>(long)",
		"/tests/data/gen/leaky_cxx.cc", 13, "");

	/* Inlined call: two frames, one address, both kept. */
	r = &p.recs[4];
	assert_int_equal(r->r.bytes, 33);
	assert_frame(&r->frames[1], 0x10947B, "inlined_leak", LEAKY_C, 111, "");
	assert_frame(&r->frames[2], 0x10947B, "call_inlined", LEAKY_C, 117, "");

	/* Code with no symbol and no object: "???". */
	r = &p.recs[5];
	assert_int_equal(r->r.nframes, 7);
	assert_frame(&r->frames[3], 0x485700F, "", "", 0, "");
	assert_frame(&r->frames[4], 0x109532, "leak_from_anonymous_code", LEAKY_C, 156, "");

	/* The direct/indirect split. */
	r = &p.recs[6];
	assert_int_equal(r->r.kind, LEAK_DEFINITE);
	assert_int_equal(r->r.bytes, 40);
	assert_int_equal(r->r.direct, 8);
	assert_int_equal(r->r.indirect, 32);
	assert_int_equal(r->r.blocks, 1);

	/* A stripped library: "??? (in /path/liblk.so)", then a symbol in it. */
	r = &p.recs[8];
	assert_int_equal(r->r.bytes, 52);
	assert_int_equal(r->frames[1].ip, 0x4853120);
	assert_int_equal(r->frames[1].fn.n, 0);
	assert_slice_ends(r->frames[1].obj, "/liblk.so");
	assert_slice(r->frames[2].fn, "lk_lib_leak");
	assert_slice_ends(r->frames[2].obj, "/liblk.so");

	/* --num-callers=30 cut a deep recursion. */
	r = &p.recs[10];
	assert_int_equal(r->r.nframes, 30);
	assert_frame(&r->frames[29], 0x1094A9, "recurse", LEAKY_C, 127, "");

	/* An interior pointer: possibly lost. */
	r = &p.recs[9];
	assert_int_equal(r->r.kind, LEAK_POSSIBLE);
	assert_frame(&r->frames[1], 0x1093BB, "leak_possible", LEAKY_C, 77, "");

	r = &p.recs[13];
	assert_int_equal(r->r.bytes, 1100);
	assert_int_equal(r->r.blocks, 11);
	assert_int_equal(r->r.direct, 1100);
	assert_int_equal(r->r.indirect, 0);

	r = &p.recs[14];
	assert_int_equal(r->r.kind, LEAK_REACHABLE);
	assert_int_equal(r->r.bytes, 4096);
	assert_frame(&r->frames[1], 0x1093F5, "keep_reachable", LEAKY_C, 86, "");

	/* libstdc++'s startup pool: unwinding ends in junk addresses. */
	r = &p.recs[15];
	assert_int_equal(r->r.bytes, 72704);
	assert_frame(&r->frames[6], 0x1, "", "", 0, "");
	assert_slice_ends(r->frames[1].obj, "/libstdc++.so.6.0.30");

	r = &p.recs[16];
	assert_int_equal(r->r.bytes, 1234567);
	assert_slice(r->frames[2].fn,
		"ngx_http_leaky_module_allocate_a_buffer_for_the_request_body_and_forget_to_release_it");
	assert_int_equal(r->frames[2].line, 102);
	parsed_free(&p);
}

static void
test_full_increased(void **state)
{
	struct parsed p = { 0 };
	const struct rec_copy *r;
	size_t i;

	(void)state;
	assert_int_equal(parse_file(&p, "leakcheck/full_increased.txt"), LEAKCHECK_OK);
	assert_int_equal(p.nrecs, 5);
	for (i = 0; i < p.nrecs; i++) {
		assert_true(p.recs[i].r.has_delta);
		assert_int_equal(p.recs[i].r.nrecs, 22);
	}
	r = &p.recs[0];
	assert_int_equal(r->r.kind, LEAK_INDIRECT);
	assert_int_equal(r->r.recno, 4);
	assert_int_equal(r->r.bytes_delta, 16);
	assert_frame(&r->frames[3], 0x1095CA, "leak_more", LEAKY_C, 192, "");

	/* "232 (+232) (16 (+16) direct, 216 (+216) indirect) bytes in 1 (+1)" */
	r = &p.recs[3];
	assert_int_equal(r->r.kind, LEAK_DEFINITE);
	assert_int_equal(r->r.bytes, 232);
	assert_int_equal(r->r.bytes_delta, 232);
	assert_int_equal(r->r.direct, 16);
	assert_int_equal(r->r.indirect, 216);
	assert_int_equal(r->r.blocks, 1);
	assert_int_equal(r->r.blocks_delta, 1);
	assert_int_equal(r->r.recno, 17);

	r = &p.recs[4];
	assert_int_equal(r->r.bytes, 500);
	assert_int_equal(r->r.blocks, 5);
	assert_int_equal(r->r.blocks_delta, 5);

	/* Summary lines with deltas. */
	assert_total(&p.sum.kind[LEAK_DEFINITE], 1236422, 26);
	assert_total(&p.sum.kind[LEAK_INDIRECT], 464, 5);
	assert_total(&p.sum.kind[LEAK_POSSIBLE], 112, 2);
	assert_total(&p.sum.kind[LEAK_REACHABLE], 76928, 10);
	parsed_free(&p);
}

static void
test_full_changed(void **state)
{
	struct parsed p = { 0 };
	const struct rec_copy *r;

	(void)state;
	assert_int_equal(parse_file(&p, "leakcheck/full_changed.txt"), LEAKCHECK_OK);
	assert_int_equal(p.nrecs, 3);
	/* A freed record is printed once more, at zero, with its stack. */
	r = &p.recs[0];
	assert_int_equal(r->r.kind, LEAK_REACHABLE);
	assert_int_equal(r->r.bytes, 0);
	assert_int_equal(r->r.blocks, 0);
	assert_int_equal(r->r.bytes_delta, -4096);
	assert_int_equal(r->r.blocks_delta, -1);
	assert_int_equal(r->r.nframes, 4);
	assert_frame(&r->frames[1], 0x1093F5, "keep_reachable", LEAKY_C, 86, "");
	assert_int_equal(p.recs[1].r.bytes_delta, -128);
	assert_int_equal(p.recs[1].r.blocks_delta, -8);
	/* Record numbers have gaps: only the changed ones are printed. */
	assert_int_equal(p.recs[2].r.recno, 15);
	assert_int_equal(p.recs[2].r.nrecs, 23);
	assert_int_equal(p.recs[2].r.bytes_delta, 100);
	assert_total(&p.sum.kind[LEAK_REACHABLE], 72704, 1);
	parsed_free(&p);
}

static void
test_no_records(void **state)
{
	static const char *const files[] = {
		"leakcheck/summary.txt",		/* "To see details of leaked memory, ..." */
		"leakcheck/full_changed_nothing.txt",
		"leakcheck/full_default.txt",	/* "Reachable blocks ... are not shown." */
	};
	struct parsed p = { 0 };
	size_t i;

	(void)state;
	for (i = 0; i < LT_ARRAY_SIZE(files); i++) {
		assert_int_equal(parse_file(&p, files[i]), LEAKCHECK_OK);
		assert_int_equal(p.nrecs, 0);
		assert_int_equal(p.sum.seen, 1);
		assert_total(&p.sum.kind[LEAK_DEFINITE], 1236522, 27);
		assert_total(&p.sum.kind[LEAK_INDIRECT], 464, 5);
		assert_total(&p.sum.kind[LEAK_POSSIBLE], 112, 2);
		assert_total(&p.sum.kind[LEAK_REACHABLE], 72704, 1);
		assert_total(&p.sum.suppressed, 0, 0);
	}
	parsed_free(&p);
}

#define HEUR_OF_WHICH "   of which reachable via heuristic:\n"
#define HEUR_LENGTH64 "   length64           : 48 bytes in 1 blocks\n"

static void
test_heuristics(void **state)
{
	struct parsed p = { 0 };
	size_t i;

	(void)state;
	assert_int_equal(parse_file(&p, "leakcheck/full_heuristics.txt"), LEAKCHECK_OK);
	/* The summary has the heuristic block, which must not upset it. */
	assert_non_null(memmem(p.buf, p.len, HEUR_OF_WHICH, strlen(HEUR_OF_WHICH)));
	assert_non_null(memmem(p.buf, p.len, HEUR_LENGTH64, strlen(HEUR_LENGTH64)));
	assert_int_equal(p.nrecs, 21);
	/* Record 1 of 22 is the empty one left by the frees: not printed. */
	assert_int_equal(p.recs[0].r.recno, 2);
	/* length64 heuristic: the block is reachable now. */
	for (i = 0; i < p.nrecs; i++)
		if (p.recs[i].r.bytes == 48)
			break;
	assert_true(i < p.nrecs);
	assert_int_equal(p.recs[i].r.kind, LEAK_REACHABLE);
	assert_slice(p.recs[i].frames[1].fn, "keep_length64");
	assert_total(&p.sum.kind[LEAK_POSSIBLE], 64, 1);
	assert_total(&p.sum.kind[LEAK_REACHABLE], 72752, 2);
	assert_records_match_summary(&p);
	parsed_free(&p);
}

static void
test_empty_heap(void **state)
{
	struct parsed p = { 0 };

	(void)state;
	assert_int_equal(parse_file(&p, "leakcheck/empty_heap.txt"), LEAKCHECK_OK);
	assert_int_equal(p.nrecs, 0);
	assert_int_equal(p.sum.seen, 1);
	assert_int_equal(p.sum.heap_empty, 1);
	assert_total(&p.sum.kind[LEAK_DEFINITE], 0, 0);
	assert_int_equal(parse_file(&p, "leakcheck/empty_heap_summary.txt"), LEAKCHECK_OK);
	assert_int_equal(p.sum.heap_empty, 1);
	parsed_free(&p);
}

static void
test_command_rejected(void **state)
{
	struct parsed p = { 0 };

	(void)state;
	assert_int_equal(parse_file(&p, "leakcheck/bad_command.txt"), LEAKCHECK_COMMAND);
	assert_int_equal(p.err.line, 2);
	assert_non_null(strstr(p.err.msg, "fulll does not match"));
	assert_int_equal(p.sum.seen, 0);
	/* valgrind 3.19 complains about a bad number yet still runs a search. */
	assert_int_equal(parse_str(&p, "sending command leak_check limited to pid 9\n"
		"missing or malformed integer value\n==9== LEAK SUMMARY:\n"), LEAKCHECK_COMMAND);
	assert_int_equal(parse_str(&p, "command 'nosuchcmd' not recognised\n"), LEAKCHECK_COMMAND);
	parsed_free(&p);
}

/* ---- real captures of nginx (tests/data/CAPTURED.md) ---- */

/* Bytes, blocks, direct of the records of kind k whose stack holds fn. */
static void
site_totals(const struct parsed *p, enum leak_kind k, const char *fn, uint64_t *out)
{
	size_t i, j;

	out[0] = out[1] = out[2] = 0;
	for (i = 0; i < p->nrecs; i++) {
		const struct rec_copy *r = &p->recs[i];

		if (r->r.kind != k)
			continue;
		for (j = 0; j < r->r.nframes && !slice_eq(r->frames[j].fn, fn); j++)
			;
		if (j == r->r.nframes)
			continue;
		out[0] += r->r.bytes;
		out[1] += r->r.blocks;
		out[2] += r->r.direct;
	}
}

static void
test_nginx_captures(void **state)
{
	static const char *const rounds[] = {
		"leak_check_full_any_1.txt", "leak_check_full_any_2.txt", "leak_check_full_any_3.txt",
	};
	struct parsed p = { 0 };
	uint64_t t[3];
	size_t i, j;

	(void)state;
	for (i = 0; i < LT_ARRAY_SIZE(rounds); i++) {
		uint64_t n = 20 * (i + 1);	/* requests per leak location so far */

		assert_int_equal(parse_file(&p, rounds[i]), LEAKCHECK_OK);
		assert_true(p.nrecs > 100);
		assert_int_equal(p.recs[p.nrecs - 1].r.recno, p.nrecs);
		assert_records_match_summary(&p);
		for (j = 0; j < p.nrecs; j++)
			assert_slice(p.recs[j].frames[0].obj, VGPRELOAD);
		/* leak_alloc: 100 B definitely lost per request. */
		site_totals(&p, LEAK_DEFINITE, "ngx_http_leaky_leak_alloc", t);
		assert_int_equal(t[0], 100 * n);
		assert_int_equal(t[1], n);
		/* leak_struct: 48 B lost, pointing to 200 B indirectly lost. */
		site_totals(&p, LEAK_DEFINITE, "ngx_http_leaky_leak_struct", t);
		assert_int_equal(t[0], 248 * n);
		assert_int_equal(t[2], 48 * n);
		site_totals(&p, LEAK_INDIRECT, "ngx_http_leaky_leak_struct", t);
		assert_int_equal(t[0], 200 * n);
	}
	assert_int_equal(parse_file(&p, "leak_check_full_reachable_increased.txt"), LEAKCHECK_OK);
	assert_true(p.nrecs > 0);
	for (j = 0; j < p.nrecs; j++)
		assert_true(p.recs[j].r.has_delta && p.recs[j].r.bytes_delta > 0);
	assert_int_equal(parse_file(&p, "leak_check_full_reachable_changed.txt"), LEAKCHECK_OK);
	for (j = 0; j < p.nrecs && p.recs[j].r.bytes; j++)
		;
	assert_true(j < p.nrecs);	/* the closed connection's records, at zero */
	assert_true(p.recs[j].r.bytes_delta < 0);
	assert_int_equal(parse_file(&p, "leak_check_summary.txt"), LEAKCHECK_OK);
	assert_int_equal(p.nrecs, 0);
	assert_int_equal(p.sum.seen, 1);
	parsed_free(&p);
}

/* ---- robustness ---- */

/* A real capture cut anywhere: never OK before the summary's last line,
 * never a crash, never a read past the cut (the copy is exact-size). */
static void
check_cuts(const char *name, size_t byte_step)
{
	struct parsed p = { 0 };
	size_t len, cut, complete_at, full_recs;
	char *data = read_data(name, &len);
	const char *sup;

	parse_mem(&p, data, len);
	assert_int_equal(p.st, LEAKCHECK_OK);
	full_recs = p.nrecs;
	/* The answer is complete once the "suppressed:" line is whole. */
	sup = strstr(data, "suppressed: ");
	assert_non_null(sup);
	complete_at = (size_t)((const char *)memchr(sup, '\n', len - (size_t)(sup - data)) - data);
	for (cut = 0; cut < len; cut++) {
		bool at_line = cut == 0 || data[cut - 1] == '\n';

		if (!at_line && cut % byte_step)
			continue;
		parse_mem(&p, data, cut);
		if (cut >= complete_at) {
			if (p.st != LEAKCHECK_OK)
				fail_msg("%s cut at %zu: status %d (%s)", name, cut, p.st, p.err.msg);
		} else if (p.st != LEAKCHECK_INCOMPLETE) {
			fail_msg("%s cut at %zu: status %d (%s)", name, cut, p.st, p.err.msg);
		}
		assert_true(p.nrecs <= full_recs);
	}
	parsed_free(&p);
	free(data);
}

static void
test_truncated(void **state)
{
	(void)state;
	check_cuts("leakcheck/full_any.txt", 1);
	check_cuts("leakcheck/full_increased.txt", 1);
	check_cuts("leakcheck/full_heuristics.txt", 1);
	check_cuts("leakcheck/summary.txt", 1);
	check_cuts("leak_check_full_reachable_changed.txt", 7);
}

/* Random byte damage to a real capture: any status, but no crash. */
static void
test_mutations(void **state)
{
	static const char junk[] = { '\0', '\n', ' ', '(', ')', ':', ',', '=', '9', 'x', '\xff' };
	struct parsed p = { 0 };
	size_t len, i;
	char *data = read_data("leakcheck/full_increased.txt", &len);
	char *copy = xmalloc(len);
	uint32_t seed = 12345;

	(void)state;
	for (i = 0; i < 3000; i++) {
		int k, nflips = 1 + (int)(i % 4);

		memcpy(copy, data, len);
		for (k = 0; k < nflips; k++) {
			seed = seed * 1103515245u + 12345u;
			copy[(seed >> 8) % len] = junk[(seed >> 4) % sizeof(junk)];
		}
		parse_mem(&p, copy, len);
		assert_true(p.st <= LEAKCHECK_COMMAND);
		if (p.st == LEAKCHECK_ERROR)
			assert_true(p.err.line > 0 && p.err.msg[0]);
	}
	parsed_free(&p);
	free(copy);
	free(data);
}

static void
test_garbage(void **state)
{
	struct parsed p = { 0 };

	(void)state;
	assert_int_equal(parse_str(&p, ""), LEAKCHECK_INCOMPLETE);
	/* Not a leak check at all: nothing valgrind said. */
	assert_int_equal(parse_str(&p, "hello\nworld\n"), LEAKCHECK_INCOMPLETE);
	/* Valgrind's prefix, then nonsense. */
	assert_int_equal(parse_str(&p, "==1== LEAK SUMMARY:\n==1==    definitely lost: 1 bytes in 1 blocks\n"
		"==1== what is this\n"), LEAKCHECK_ERROR);
	assert_int_equal(p.err.line, 3);
	assert_int_equal(parse_str(&p, "==1== 12 bytes in 1 blocks are stolen in loss record 1 of 1\n"),
		LEAKCHECK_ERROR);
	assert_non_null(strstr(p.err.msg, "kind"));
	assert_int_equal(parse_str(&p, "==1==    by 0x1: f (a.c:1)\n"), LEAKCHECK_ERROR);
	assert_int_equal(parse_str(&p, "==1==x\n"), LEAKCHECK_ERROR);
	/* Two processes in one answer. */
	assert_int_equal(parse_str(&p, "==1== \n==2== \n"), LEAKCHECK_ERROR);
	assert_int_equal(p.err.line, 2);
	parsed_free(&p);
}

#define SUMMARY_TEXT \
	"==7== LEAK SUMMARY:\n" \
	"==7==    definitely lost: 0 bytes in 0 blocks\n" \
	"==7==    indirectly lost: 0 bytes in 0 blocks\n" \
	"==7==      possibly lost: 0 bytes in 0 blocks\n" \
	"==7==    still reachable: 0 bytes in 0 blocks\n" \
	"==7==         suppressed: 0 bytes in 0 blocks\n" \
	"==7== \n"

/* One record: header, then nframes frames with the given function. */
static void
add_record(struct sbuf *b, const char *header, size_t nframes, const char *fn)
{
	size_t i;

	sbuf_printf(b, "==7== %s\n", header);
	for (i = 0; i < nframes; i++)
		sbuf_printf(b, "==7==    %s 0x%zX: %s\n", i ? "by" : "at", 0x400000 + i, fn);
	sbuf_adds(b, "==7== \n");
}

static enum leakcheck_status
parse_record(struct parsed *p, const char *header, size_t nframes, const char *fn)
{
	struct sbuf b = SBUF_INIT;

	add_record(&b, header, nframes, fn);
	sbuf_adds(&b, SUMMARY_TEXT);
	parse_mem(p, b.data, b.len);
	sbuf_free(&b);
	return p->st;
}

static void
test_long_line(void **state)
{
	struct parsed p = { 0 };
	struct sbuf b = SBUF_INIT;
	const char *hdr = "1 bytes in 1 blocks are definitely lost in loss record 1 of 1";
	size_t fixed = strlen("==7==    by 0x400000: ");
	char *fn;

	(void)state;
	/* 100 KB of garbage on one line. */
	fn = xmalloc(100 * 1024 + 1);
	memset(fn, 'x', 100 * 1024);
	fn[100 * 1024] = '\0';
	sbuf_printf(&b, "==7== %s\n", fn);
	assert_int_equal(parse_mem(&p, b.data, b.len), LEAKCHECK_ERROR);
	assert_int_equal(p.err.line, 1);
	assert_non_null(strstr(p.err.msg, "longer"));
	/* ... unterminated, at the end: still an error, not a cut line. */
	assert_int_equal(parse_mem(&p, b.data, b.len - 1), LEAKCHECK_ERROR);
	/* A frame line of exactly the limit is fine, one byte more is not. */
	fn[LEAKCHECK_MAX_LINE - fixed] = '\0';
	assert_int_equal(parse_record(&p, hdr, 1, fn), LEAKCHECK_OK);
	assert_int_equal(p.recs[0].frames[0].fn.n, LEAKCHECK_MAX_LINE - fixed);
	fn[LEAKCHECK_MAX_LINE - fixed] = 'x';
	fn[LEAKCHECK_MAX_LINE - fixed + 1] = '\0';
	assert_int_equal(parse_record(&p, hdr, 1, fn), LEAKCHECK_ERROR);
	assert_int_equal(p.err.line, 2);
	free(fn);
	sbuf_free(&b);
	parsed_free(&p);
}

static void
test_frames_limit(void **state)
{
	struct parsed p = { 0 };
	const char *hdr = "1 bytes in 1 blocks are definitely lost in loss record 1 of 1";

	(void)state;
	assert_int_equal(parse_record(&p, hdr, LEAKCHECK_MAX_FRAMES, "f (a.c:1)"), LEAKCHECK_OK);
	assert_int_equal(p.recs[0].r.nframes, LEAKCHECK_MAX_FRAMES);
	assert_int_equal(p.recs[0].frames[LEAKCHECK_MAX_FRAMES - 1].ip, 0x400000 + LEAKCHECK_MAX_FRAMES - 1);
	assert_int_equal(parse_record(&p, hdr, LEAKCHECK_MAX_FRAMES + 1, "f (a.c:1)"), LEAKCHECK_ERROR);
	assert_int_equal(p.err.line, LEAKCHECK_MAX_FRAMES + 2);
	/* A header with no stack. */
	assert_int_equal(parse_record(&p, hdr, 0, "f"), LEAKCHECK_ERROR);
	assert_int_equal(p.err.line, 2);
	assert_non_null(strstr(p.err.msg, "no stack"));
	parsed_free(&p);
}

static void
test_nul_byte(void **state)
{
	struct parsed p = { 0 };
	size_t len, off;
	char *data = read_data("leakcheck/full_any.txt", &len);
	const char *line3 = data;
	int i;

	(void)state;
	for (i = 0; i < 2; i++)
		line3 = memchr(line3, '\n', len) + 1;
	off = (size_t)(line3 - data) + 40;
	data[off] = '\0';
	assert_int_equal(parse_mem(&p, data, len), LEAKCHECK_ERROR);
	assert_int_equal(p.err.line, 3);
	assert_non_null(strstr(p.err.msg, "NUL"));
	assert_int_equal(p.nrecs, 0);
	/* In vgdb's unprefixed chatter too; and in a cut last line. */
	assert_int_equal(parse_mem(&p, "sending\0command\n", 16), LEAKCHECK_ERROR);
	assert_int_equal(parse_mem(&p, "==7== LEAK\0", 11), LEAKCHECK_ERROR);
	free(data);
	parsed_free(&p);
}

static void
test_numbers(void **state)
{
	static const struct {
		const char *header;
		enum leakcheck_status st;
	} cases[] = {
		{ "18,446,744,073,709,551,615 bytes in 1 blocks are definitely lost in loss record 1 of 1", LEAKCHECK_OK },
		{ "18,446,744,073,709,551,616 bytes in 1 blocks are definitely lost in loss record 1 of 1", LEAKCHECK_ERROR },
		{ "99999999999999999999999 bytes in 1 blocks are definitely lost in loss record 1 of 1", LEAKCHECK_ERROR },
		{ "1 (+9,223,372,036,854,775,807) bytes in 1 (-9,223,372,036,854,775,807) blocks are still reachable in loss record 1 of 1", LEAKCHECK_OK },
		{ "1 (+9,223,372,036,854,775,808) bytes in 1 (+1) blocks are still reachable in loss record 1 of 1", LEAKCHECK_ERROR },
		{ "1 bytes in 1 blocks are definitely lost in loss record 4,294,967,295 of 4,294,967,295", LEAKCHECK_OK },
		{ "1 bytes in 1 blocks are definitely lost in loss record 1 of 4,294,967,296", LEAKCHECK_ERROR },
		{ "1,00 bytes in 1 blocks are definitely lost in loss record 1 of 1", LEAKCHECK_ERROR },
		{ "1000,000 bytes in 1 blocks are definitely lost in loss record 1 of 1", LEAKCHECK_ERROR },
		{ "1,0000 bytes in 1 blocks are definitely lost in loss record 1 of 1", LEAKCHECK_ERROR },
		{ "5 (2 direct, 2 indirect) bytes in 1 blocks are definitely lost in loss record 1 of 1", LEAKCHECK_ERROR },
		{ "5 (+5) (2 direct, 3 indirect) bytes in 1 (+1) blocks are definitely lost in loss record 1 of 1", LEAKCHECK_ERROR },
		{ "5 (+5) bytes in 1 blocks are definitely lost in loss record 1 of 1", LEAKCHECK_ERROR },
		{ "1 bytes in 1 blocks are definitely lost in loss record 2 of 1", LEAKCHECK_ERROR },
		{ "1 bytes in 1 blocks are definitely lost in loss record 1 of 1 and more", LEAKCHECK_ERROR },
	};
	struct parsed p = { 0 };
	size_t i;

	(void)state;
	for (i = 0; i < LT_ARRAY_SIZE(cases); i++)
		if (parse_record(&p, cases[i].header, 1, "f (a.c:1)") != cases[i].st)
			fail_msg("case %zu: status %d (%s), want %d", i, p.st, p.err.msg, cases[i].st);
	assert_int_equal(parse_record(&p, cases[0].header, 1, "f"), LEAKCHECK_OK);
	assert_int_equal(p.recs[0].r.bytes, UINT64_MAX);
	assert_int_equal(parse_record(&p, cases[3].header, 1, "f"), LEAKCHECK_OK);
	assert_int_equal(p.recs[0].r.bytes_delta, INT64_MAX);
	assert_int_equal(p.recs[0].r.blocks_delta, -INT64_MAX);
	/* Addresses: 16 hex digits at most; line numbers fit an unsigned. */
	assert_int_equal(parse_mem(&p, "==7== 1 bytes in 1 blocks are definitely lost in loss record 1 of 1\n"
		"==7==    at 0xFFFFFFFFFFFFFFFF: f (a.c:4294967295)\n==7== \n" SUMMARY_TEXT,
		strlen("==7== 1 bytes in 1 blocks are definitely lost in loss record 1 of 1\n"
		"==7==    at 0xFFFFFFFFFFFFFFFF: f (a.c:4294967295)\n==7== \n" SUMMARY_TEXT)), LEAKCHECK_OK);
	assert_int_equal(p.recs[0].frames[0].ip, UINT64_MAX);
	assert_int_equal(p.recs[0].frames[0].line, 4294967295u);
	assert_int_equal(parse_str(&p, "==7== 1 bytes in 1 blocks are definitely lost in loss record 1 of 1\n"
		"==7==    at 0x1FFFFFFFFFFFFFFFF: f\n"), LEAKCHECK_ERROR);
	assert_int_equal(parse_str(&p, "==7== 1 bytes in 1 blocks are definitely lost in loss record 1 of 1\n"
		"==7==    at 0x1: f (a.c:4294967296)\n"), LEAKCHECK_ERROR);
	assert_int_equal(parse_str(&p, "==7== 1 bytes in 1 blocks are definitely lost in loss record 1 of 1\n"
		"==7==    at 0xZ1: f\n"), LEAKCHECK_ERROR);
	assert_int_equal(parse_str(&p, "==7== LEAK SUMMARY:\n"
		"==7==    definitely lost: 99,999,999,999,999,999,999 bytes in 0 blocks\n"), LEAKCHECK_ERROR);
	parsed_free(&p);
}

/* Function names and paths valgrind may print; the location is the last
 * parenthesised group. */
static void
test_frame_shapes(void **state)
{
	struct parsed p = { 0 };
	struct sbuf b = SBUF_INIT;
	const struct leakcheck_frame *f;

	(void)state;
	sbuf_adds(&b, "==7== 1 bytes in 1 blocks are definitely lost in loss record 1 of 1\n"
		"==7==    at 0x4841F2F: operator new(unsigned long) (in /usr/lib/vg preload.so)\n"
		"==7==    by 0x2: foo(int) const (/home/a (copy)/x:y.c:12)\n"
		"==7==    by 0x3: std::function<void (int)>::operator()(int) const (in /lib/libstdc++.so.6)\n"
		"==7==    by 0x4: ??? (foo.c:3)\n"
		"==7==    by 0x5: main (file with space.c:7)\n"
		"==7==    by 0x6: bar()\n"
		"==7==    by 0x7: baz (not a location)\n"
		"==7==    by 0xabcdef: ???\n"
		"==7== \n" SUMMARY_TEXT);
	assert_int_equal(parse_mem(&p, b.data, b.len), LEAKCHECK_OK);
	assert_int_equal(p.recs[0].r.nframes, 8);
	f = p.recs[0].frames;
	assert_frame(&f[0], 0x4841F2F, "operator new(unsigned long)", "", 0, "/usr/lib/vg preload.so");
	assert_frame(&f[1], 2, "foo(int) const", "/home/a (copy)/x:y.c", 12, "");
	assert_frame(&f[2], 3, "std::function<void (int)>::operator()(int) const", "", 0,
		"/lib/libstdc++.so.6");
	assert_frame(&f[3], 4, "", "foo.c", 3, "");
	assert_frame(&f[4], 5, "main", "file with space.c", 7, "");
	assert_frame(&f[5], 6, "bar()", "", 0, "");
	assert_frame(&f[6], 7, "baz (not a location)", "", 0, "");
	assert_frame(&f[7], 0xABCDEF, "", "", 0, "");
	sbuf_free(&b);

	/* "at" starts a stack, "by" continues it. */
	assert_int_equal(parse_str(&p, "==7== 1 bytes in 1 blocks are definitely lost in loss record 1 of 1\n"
		"==7==    by 0x1: f\n"), LEAKCHECK_ERROR);
	assert_int_equal(parse_str(&p, "==7== 1 bytes in 1 blocks are definitely lost in loss record 1 of 1\n"
		"==7==    at 0x1: f\n==7==    at 0x1: f\n"), LEAKCHECK_ERROR);
	assert_int_equal(parse_str(&p, "==7== 1 bytes in 1 blocks are definitely lost in loss record 1 of 1\n"
		"==7==    at 0x1: \n"), LEAKCHECK_ERROR);
	parsed_free(&p);
}

static void
test_structure(void **state)
{
	struct parsed p = { 0 };
	struct sbuf b = SBUF_INIT;
	const char *hdr = "1 bytes in 1 blocks are definitely lost in loss record 1 of 1";

	(void)state;
	/* CRLF line ends, vgdb's chatter inside a record, no final newline. */
	assert_int_equal(parse_str(&p, "sending command leak_check full to pid 7\r\n"
		"==7== 1 bytes in 1 blocks are definitely lost in loss record 1 of 1\r\n"
		"==7==    at 0x1: f (a.c:1)\r\nsome vgdb line\n==7==    by 0x2: g (b.c:2)\r\n==7== \r\n"
		"==7== LEAK SUMMARY:\n==7==    definitely lost: 1 bytes in 1 blocks\n"
		"==7==    indirectly lost: 0 bytes in 0 blocks\n==7==      possibly lost: 0 bytes in 0 blocks\n"
		"==7==    still reachable: 0 bytes in 0 blocks\n==7==         suppressed: 0 bytes in 0 blocks"),
		LEAKCHECK_OK);
	assert_int_equal(p.nrecs, 1);
	assert_int_equal(p.recs[0].r.nframes, 2);
	assert_int_equal(p.recs[0].frames[0].line, 1);
	assert_slice(p.recs[0].frames[1].fn, "g");
	assert_total(&p.sum.kind[LEAK_DEFINITE], 1, 1);

	/* A record after the summary: two answers glued together. */
	add_record(&b, hdr, 1, "f");
	sbuf_adds(&b, SUMMARY_TEXT);
	add_record(&b, hdr, 1, "f");
	assert_int_equal(parse_mem(&p, b.data, b.len), LEAKCHECK_ERROR);
	assert_int_equal(p.err.line, 11);
	sbuf_reset(&b);
	sbuf_adds(&b, SUMMARY_TEXT SUMMARY_TEXT);
	assert_int_equal(parse_mem(&p, b.data, b.len), LEAKCHECK_ERROR);

	/* A summary that stops early, or repeats a line. */
	assert_int_equal(parse_str(&p, "==7== LEAK SUMMARY:\n==7==    definitely lost: 0 bytes in 0 blocks\n"
		"==7== \n"), LEAKCHECK_ERROR);
	assert_int_equal(parse_str(&p, "==7== LEAK SUMMARY:\n==7==    definitely lost: 0 bytes in 0 blocks\n"),
		LEAKCHECK_INCOMPLETE);
	assert_int_equal(parse_str(&p, "==7== LEAK SUMMARY:\n==7==    definitely lost: 0 bytes in 0 blocks\n"
		"==7==    definitely lost: 0 bytes in 0 blocks\n"), LEAKCHECK_ERROR);
	/* A heuristic line needs its "of which" line first. */
	assert_int_equal(parse_str(&p, "==7== LEAK SUMMARY:\n==7==    length64 : 8 bytes in 1 blocks\n"),
		LEAKCHECK_ERROR);
	sbuf_free(&b);
	parsed_free(&p);
}

static void
test_callback_stop(void **state)
{
	struct parsed p = { 0 };

	(void)state;
	p.stop_after = 3;
	assert_int_equal(parse_file(&p, "leakcheck/full_any.txt"), LEAKCHECK_CALLBACK);
	assert_int_equal(p.nrecs, 3);
	/* No callback, no summary, no error struct: still parses. */
	assert_int_equal(leakcheck_text(p.buf, p.len, NULL, NULL, NULL, NULL), LEAKCHECK_OK);
	parsed_free(&p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_any),
		cmocka_unit_test(test_full_increased),
		cmocka_unit_test(test_full_changed),
		cmocka_unit_test(test_no_records),
		cmocka_unit_test(test_heuristics),
		cmocka_unit_test(test_empty_heap),
		cmocka_unit_test(test_command_rejected),
		cmocka_unit_test(test_nginx_captures),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_mutations),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_frames_limit),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_frame_shapes),
		cmocka_unit_test(test_structure),
		cmocka_unit_test(test_callback_stop),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
