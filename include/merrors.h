/* merrors.h - memcheck errors (InvalidRead, UninitCondition, ...) as they
 * arrive on valgrind's XML stream, grouped by kind + stack.
 *
 * Frames live in the model's frame table (model_frame_intern), so a
 * front end shows an error's backtrace and source the same way as a
 * leak's. No curses here. */
#ifndef LT_MERRORS_H
#define LT_MERRORS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct model;
struct xparse_error;

struct merror_stack {
	const char *note;	/* the auxwhat heading it ("Block was alloc'd at"), or "" */
	uint32_t nframes;
	uint32_t *frames;	/* model frame ids, innermost first */
};

struct merror {
	int kind;		/* enum xparse_kind */
	const char *kind_name;	/* "InvalidRead" */
	char *what;		/* the first occurrence's text */
	char *remarks;		/* notes not heading a stack, joined by "; " */
	uint64_t count;		/* occurrences */
	size_t first_round;	/* model rounds completed when first seen */
	int64_t first_ms, last_ms;	/* CLOCK_REALTIME */
	uint32_t at;		/* index in stacks[0] of the first frame outside valgrind */
	uint32_t nstacks;
	struct merror_stack *stacks;	/* stacks[0]: where it happened */
};

struct merrors;

struct merrors *merrors_new(struct model *m);
void merrors_free(struct merrors *e);

/* Record one <error> that is not a Leak_* one; returns true if it is a new
 * kind + stack (false: a repeat, counted). */
bool merrors_add(struct merrors *e, const struct xparse_error *x);
size_t merrors_count(const struct merrors *e);
const struct merror *merrors_get(const struct merrors *e, size_t i);
uint64_t merrors_total(const struct merrors *e);

/* Shared by the model's users: an xparse frame into the model's table
 * (dir + "/" + file joined into the path). */
uint32_t merrors_frame(struct model *m, const void *xparse_frame);

#endif
