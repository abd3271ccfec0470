/* fuzz_blocks.c - libFuzzer target for the block_list / who_points_at
 * parser (blocks.h). Every slice of every answer is read, so one pointing
 * outside the input is caught by ASan; counts must stay within their caps. */
#include "blocks.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile size_t sink;
static const char *in_start, *in_end;

static void
touch(struct lt_slice s)
{
	size_t i;

	if (s.n && (s.p < in_start || s.p + s.n > in_end))
		abort();
	for (i = 0; i < s.n; i++)
		sink += (unsigned char)s.p[i];
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct blocks_result r;
	struct blocks_error err;
	size_t i, j, k;

	in_start = (const char *)data;
	in_end = in_start + size;
	sink += blocks_parse((const char *)data, size, &r, &err);
	if (memchr(err.msg, '\0', sizeof err.msg) == NULL || r.nanswers > BLOCKS_MAX_ANSWERS)
		abort();
	for (i = 0; i < r.nanswers; i++) {
		const struct blocks_answer *a = &r.answers[i];

		if (a->nblocks > BLOCKS_MAX_BLOCKS || a->npointers > BLOCKS_MAX_POINTERS ||
			a->nblocks > a->nblocks_seen || a->npointers > a->npointers_seen)
			abort();
		sink += strlen(blocks_kind_name(a->kind)) + a->recno + a->nrecs + a->addr + a->len;
		for (j = 0; j < a->nblocks; j++)
			sink += a->blocks[j].addr + a->blocks[j].size;
		for (j = 0; j < a->npointers; j++) {
			const struct blocks_pointer *pt = &a->pointers[j];

			if (pt->nframes > LEAKCHECK_MAX_FRAMES)
				abort();
			sink += pt->at + pt->interior + pt->where + pt->offset + pt->block_size;
			touch(pt->symbol);
			touch(pt->desc);
			for (k = 0; k < pt->nframes; k++) {
				sink += pt->frames[k].ip + pt->frames[k].line;
				touch(pt->frames[k].fn);
				touch(pt->frames[k].file);
				touch(pt->frames[k].obj);
			}
		}
	}
	blocks_result_free(&r);
	return 0;
}
