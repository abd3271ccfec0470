/* memerrors.h - memcheck errors (InvalidRead, UninitCondition, ...) as they
 * arrive on valgrind's XML stream, grouped by kind + stack.
 *
 * valgrind writes each distinct error once, when it first happens, and how
 * many times each happened only at exit, in <errorcounts> (pairs of count
 * and <unique> id). So a group counts one per <error> while nginx runs, and
 * the sum of valgrind's counts of its errors once memerrors_set_count has
 * been given them.
 *
 * Frames live in the model's frame table (model_frame_intern), so a
 * front end shows an error's backtrace and source the same way as a
 * leak's. No curses here. */
#ifndef LT_MERRORS_H
#define LT_MERRORS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Unique ids kept for <errorcounts>. valgrind writes an <error> once per
 * distinct error (top frames, kind), so in its files nearly every id opens
 * a group of its own (kind + whole stack) and costs less than the group:
 * those are kept up to MEMERRORS_MAX_IDS, against hostile input. An id of
 * an error whose group another id opened (an input that repeats errors,
 * as bench/gen_xml.c does) is kept only up to MEMERRORS_MAX_REPEAT_IDS:
 * past that, memory holds constant however long the file (--load,
 * tests/integration/xml_memory.sh) and each such error counts once. */
#define MEMERRORS_MAX_IDS 65536
#define MEMERRORS_MAX_REPEAT_IDS 4096

struct model;
struct vgxml_error;

struct memerror_stack {
	const char *note;	/* the auxwhat heading it ("Block was alloc'd at"), or "" */
	uint32_t nframes;
	uint32_t *frames;	/* model frame ids, innermost first */
};

struct memerror {
	int kind;		/* enum vgxml_kind */
	const char *kind_name;	/* "InvalidRead" */
	char *what;		/* the first occurrence's text */
	char *remarks;		/* notes not heading a stack, joined by "; " */
	uint64_t count;		/* occurrences: see above */
	size_t first_round;	/* model rounds completed when first seen */
	int64_t first_ms, last_ms;	/* CLOCK_REALTIME */
	uint32_t at;		/* index in stacks[0] of the first frame outside valgrind */
	uint32_t nstacks;
	struct memerror_stack *stacks;	/* stacks[0]: where it happened */
};

struct memerrors;

struct memerrors *memerrors_new(struct model *m);
void memerrors_free(struct memerrors *e);

/* Record one <error> that is not a Leak_* one; returns true if it is a new
 * kind + stack (false: a repeat, counted). Its <unique> id is kept for
 * memerrors_set_count; an id that comes again stays with its first error. */
bool memerrors_add(struct memerrors *e, const struct vgxml_error *x);
/* valgrind's count of the error with that <unique> id (a <pair> of
 * <errorcounts>): its group counts it `count` times instead of once.
 * Giving an id's count again replaces it. Returns false, changing nothing,
 * for an id no <error> had (or one not kept: see MEMERRORS_MAX_IDS). */
bool memerrors_set_count(struct memerrors *e, uint64_t unique_id, uint64_t count);
size_t memerrors_count(const struct memerrors *e);
const struct memerror *memerrors_get(const struct memerrors *e, size_t i);
/* Occurrences of all errors: the sum of the groups' counts. */
uint64_t memerrors_total(const struct memerrors *e);

/* Shared by the model's users: an vgxml frame into the model's table
 * (dir + "/" + file joined into the path). */
uint32_t memerrors_frame(struct model *m, const void *vgxml_frame);

#endif
