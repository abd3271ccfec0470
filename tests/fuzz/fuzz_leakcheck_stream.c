/* fuzz_leakcheck_stream.c - libFuzzer target for leakcheck_stream_* (the
 * leak_check parse fed piece by piece): the input is cut at fuzzer-chosen
 * points and fed piece by piece, each piece an exact-size copy freed after
 * its feed; the outcome (every record field, every frame's text and
 * text_id, summary, status, error line and message) must equal
 * leakcheck_text's of the whole. Frame text is read byte by byte, so a
 * slice left in a freed piece is caught by ASan.
 *
 * Input: byte 0 = the callback stops at record byte0 % 4 (0: never);
 * byte 1 = n, the number of cuts (n % 16); then n 2-byte little-endian
 * offsets (taken mod the text's length); then the text. */
#include "leak.h"
#include "leakcheck.h"
#include "sbuf.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct outcome {
	struct sbuf out;
	unsigned nrecs, stop_at;
};

static void
add_slice(struct sbuf *b, struct lt_slice s)
{
	size_t i;

	for (i = 0; i < s.n; i++)
		sbuf_add(b, &s.p[i], 1);
	sbuf_add(b, "|", 1);
}

static int
on_record(void *ctx, const struct leakcheck_record *r)
{
	struct outcome *o = ctx;
	size_t i;

	sbuf_printf(&o->out, "%d %llu %llu %llu %llu %d %lld %lld %lld %lld %u %u %zu\n", (int)r->kind,
		(unsigned long long)r->bytes, (unsigned long long)r->blocks,
		(unsigned long long)r->direct, (unsigned long long)r->indirect, r->has_delta,
		(long long)r->bytes_delta, (long long)r->blocks_delta, (long long)r->direct_delta,
		(long long)r->indirect_delta, r->recno, r->nrecs, r->nframes);
	for (i = 0; i < r->nframes; i++) {
		sbuf_printf(&o->out, "%llx %u %u|", (unsigned long long)r->frames[i].ip,
			r->frames[i].line, r->frames[i].text_id);
		add_slice(&o->out, r->frames[i].fn);
		add_slice(&o->out, r->frames[i].file);
		add_slice(&o->out, r->frames[i].obj);
	}
	return ++o->nrecs == o->stop_at;
}

static void
outcome_end(struct outcome *o, enum leakcheck_status st, const struct leak_summary *sum,
	const struct leakcheck_error *err)
{
	int k;

	if ((unsigned)st > LEAKCHECK_COMMAND || !memchr(err->msg, '\0', sizeof err->msg))
		abort();
	sbuf_printf(&o->out, "st %d %u %s %d %d %llu", (int)st, err->line, err->msg, sum->seen,
		sum->heap_empty, (unsigned long long)sum->suppressed.bytes);
	for (k = 0; k < LEAK_KIND_COUNT; k++)
		sbuf_printf(&o->out, " %llu/%llu", (unsigned long long)sum->kind[k].bytes,
			(unsigned long long)sum->kind[k].blocks);
}

static int
cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

static void
streamed(struct outcome *o, const char *text, size_t len, size_t *cuts, size_t ncuts)
{
	struct leakcheck_stream *s = leakcheck_stream_new(on_record, o);
	struct leak_summary sum;
	struct leakcheck_error err;
	size_t i, at = 0, to;
	char *piece;

	for (i = 0; i <= ncuts; i++) {
		to = i < ncuts ? cuts[i] : len;
		piece = malloc(to - at + 1);
		memcpy(piece, text + at, to - at);
		leakcheck_stream_feed(s, piece, to - at, &err);
		free(piece);
		at = to;
	}
	outcome_end(o, leakcheck_stream_end(s, &sum, &err), &sum, &err);
	leakcheck_stream_free(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct outcome whole = { 0 }, parts = { 0 };
	struct leak_summary sum;
	struct leakcheck_error err;
	size_t ncuts, cuts[16], i, len;
	const char *text;

	if (size < 2 || size < 2 + 2 * (size_t)(data[1] % 16))
		return 0;
	ncuts = data[1] % 16;
	text = (const char *)data + 2 + 2 * ncuts;
	len = size - 2 - 2 * ncuts;
	for (i = 0; i < ncuts; i++)
		cuts[i] = len ? (size_t)(data[2 + 2 * i] | data[3 + 2 * i] << 8) % (len + 1) : 0;
	qsort(cuts, ncuts, sizeof *cuts, cmp_size);
	whole.stop_at = parts.stop_at = data[0] % 4;
	outcome_end(&whole, leakcheck_text(text, len, on_record, &whole, &sum, &err), &sum, &err);
	streamed(&parts, text, len, cuts, ncuts);
	if (whole.out.len != parts.out.len || memcmp(whole.out.data, parts.out.data, whole.out.len))
		abort();
	sbuf_free(&whole.out);
	sbuf_free(&parts.out);
	return 0;
}
