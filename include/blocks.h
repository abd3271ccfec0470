/* blocks.h - parser for the answers of memcheck's `block_list N` and
 * `who_points_at ADDR [LEN]` monitor commands.
 *
 * One vgdb call may chain several commands (`-c`): their answers come one
 * after the other in one text, and blocks_parse() splits it into answers
 * in order. Lines are prefixed "==PID== " or not at all (valgrind prints
 * the "Address ... is ..." descriptions and its complaints without one).
 * Shapes (valgrind 3.19, see shared VALGRIND.md):
 *
 *   block_list:    "N bytes in M blocks are still reachable in loss record R of T",
 *                  the record's stack, then one "0xADDR[SIZE]" per block
 *                  (indented "  0xADDR[SIZE] indirect loss record K" lines
 *                  below a lost block are not its own blocks);
 *                  or "Can't print obsolete block list : ...",
 *                  "Can't print block list : no valid leak search result",
 *                  "invalid loss record nr", "invalid integer or slice ...".
 *   who_points_at: "Searching for pointers pointing in LEN bytes from 0xADDR"
 *                  (or "Searching for pointers to 0xADDR"), then per pointer
 *                  "*0xAT points at 0xADDR" / "*0xAT interior points at N bytes
 *                  inside 0xADDR" and " Address 0xAT is ...": "N bytes inside
 *                  a block of size S alloc'd" + that block's stack, "N bytes
 *                  inside data symbol "NAME"", "on thread T's stack", or another
 *                  description.
 *
 * Never trusts the input: slices point into it, counts are capped, a
 * malformed line of a known shape is an error with its line number, and
 * lines of no known shape are skipped. */
#ifndef LT_BLOCKS_H
#define LT_BLOCKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "leakcheck.h"

enum blocks_kind {
	BLOCKS_LIST,		/* block_list: the record's blocks */
	BLOCKS_WHO,		/* who_points_at: the pointers found */
	BLOCKS_OBSOLETE,	/* a free since the leak search: redo the search */
	BLOCKS_NO_SEARCH,	/* no leak search ran yet */
	BLOCKS_BAD_NUMBER,	/* no such loss record, or not a number */
};

struct blocks_block {
	uint64_t addr;
	uint64_t size;
};

enum blocks_where {
	BLOCKS_IN_BLOCK,	/* inside a heap block (offset, block_size, frames) */
	BLOCKS_IN_DATA,		/* inside a data symbol (offset, symbol) */
	BLOCKS_ON_STACK,	/* on a thread's stack: a stale local, not an owner */
	BLOCKS_IN_OTHER,	/* anything else: desc says what */
};

struct blocks_pointer {
	uint64_t at;		/* the address holding the pointer */
	bool interior;		/* points inside the block, not at its start */
	enum blocks_where where;
	uint64_t offset;	/* BLOCK, DATA: bytes inside */
	uint64_t block_size;	/* BLOCK */
	struct lt_slice symbol;	/* DATA: the symbol's name */
	struct lt_slice desc;	/* what follows "Address 0xAT is " (empty if none) */
	size_t nframes;
	struct leakcheck_frame *frames;	/* BLOCK: the holding block's allocation stack */
};

/* Kept per answer; further ones are counted (nblocks_seen, npointers_seen). */
#define BLOCKS_MAX_BLOCKS 64
#define BLOCKS_MAX_POINTERS 256
#define BLOCKS_MAX_ANSWERS 1024

struct blocks_answer {
	enum blocks_kind kind;
	unsigned recno, nrecs;	/* LIST */
	uint64_t addr, len;	/* WHO: the range searched */
	size_t nblocks, nblocks_seen;
	struct blocks_block *blocks;	/* LIST: the record's own blocks */
	size_t npointers, npointers_seen;
	struct blocks_pointer *pointers;	/* WHO */
};

struct blocks_result {
	size_t nanswers;
	struct blocks_answer *answers;
};

struct blocks_error {
	unsigned line;		/* 1-based input line, 0 if not line specific */
	char msg[160];
};

/* Parse a (chained) answer into r (free it with blocks_result_free, also
 * after a failure). False with err set on a malformed line. Slices point
 * into buf: keep it while r is used. */
bool blocks_parse(const char *buf, size_t len, struct blocks_result *r, struct blocks_error *err);
void blocks_result_free(struct blocks_result *r);

const char *blocks_kind_name(enum blocks_kind k);

#endif
