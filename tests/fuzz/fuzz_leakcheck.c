/* fuzz_leakcheck.c - libFuzzer target for the leak_check text parser
 * (leakcheck.h). The callback reads every field of every frame, so a slice
 * pointing outside the input is caught by ASan; the first byte says whether
 * it asks to stop at some record. */
#include "leak.h"
#include "leakcheck.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile size_t sink;
static const char *in_start, *in_end;
static unsigned stop_at, nrecords;

static void
touch(struct lt_slice s)
{
	size_t i;

	if (s.n && (s.p < in_start || s.p + s.n > in_end))
		abort();
	for (i = 0; i < s.n; i++)
		sink += (unsigned char)s.p[i];
}

static int
on_record(void *ctx, const struct leakcheck_record *r)
{
	size_t i;

	(void)ctx;
	if ((unsigned)r->kind >= LEAK_KIND_COUNT || r->nframes > LEAKCHECK_MAX_FRAMES ||
		(r->nframes && !r->frames))
		abort();
	sink += r->bytes + r->blocks + r->direct + r->indirect + r->has_delta +
		(size_t)r->bytes_delta + (size_t)r->blocks_delta + r->recno + r->nrecs;
	sink += strlen(leak_kind_text(r->kind)) + strlen(leak_kind_json(r->kind));
	for (i = 0; i < r->nframes; i++) {
		const struct leakcheck_frame *f = &r->frames[i];

		sink += f->ip + f->line;
		touch(f->fn);
		touch(f->file);
		touch(f->obj);
	}
	return ++nrecords == stop_at;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct leak_summary sum;
	struct leakcheck_error err;
	enum leakcheck_status st;
	int k;

	stop_at = size ? data[0] % 4 : 0;	/* 0: never stop */
	nrecords = 0;
	in_start = (const char *)data;
	in_end = in_start + size;
	memset(&sum, 0, sizeof(sum));
	memset(&err, 0, sizeof(err));
	st = leakcheck_text((const char *)data, size, on_record, NULL, &sum, &err);
	if ((unsigned)st > LEAKCHECK_COMMAND || memchr(err.msg, '\0', sizeof(err.msg)) == NULL)
		abort();
	for (k = 0; k < LEAK_KIND_COUNT; k++)
		sink += sum.kind[k].bytes + sum.kind[k].blocks;
	sink += sum.seen + sum.heap_empty + sum.suppressed.bytes + err.line + strlen(err.msg);
	return 0;
}
