/* supp.h - valgrind suppression files: read them, match a stack, write one.
 *
 * The format valgrind reads with --suppressions=FILE:
 *
 *   {
 *      NAME
 *      Memcheck:Leak
 *      match-leak-kinds: definite,reachable      (optional; default all)
 *      fun:malloc                                 (innermost first)
 *      fun:ngx_alloc
 *      obj:/usr/lib/x86_64-linux-gnu/libc.so.6
 *      ...                                        (any number of frames)
 *      fun:my_*                                   (* and ? are globs)
 *   }
 *
 * '#' lines are comments. A suppression matches a stack when its frame
 * lines match the stack's innermost frames in order ('...' spans zero or
 * more frames); frames of the stack past the last line do not matter.
 * Only Memcheck:Leak suppressions match leaks here; the others are kept
 * for valgrind (the files go to it as they are) and counted.
 *
 * Every byte of a file is untrusted: a malformed block is a one-line
 * error naming FILE:LINE and what is wrong, never a crash. */
#ifndef LT_SUPP_H
#define LT_SUPP_H

#include <stdbool.h>
#include <stddef.h>
#include "leak.h"

struct sbuf;

/* One frame of a stack, innermost first (fields may be "" but not NULL). */
struct supp_frame {
	const char *fn;
	const char *obj;
	const char *file;
	unsigned line;
};

struct supp;

struct supp *supp_new(void);
void supp_free(struct supp *s);

/* Add the suppressions of a file, or of text named name (the name is
 * what errors say). False + "NAME:LINE: what is wrong, what to do". */
bool supp_add_file(struct supp *s, const char *path, char *err, size_t errlen);
bool supp_add_text(struct supp *s, const char *name, const char *text, char *err,
	size_t errlen);

/* Leak suppressions held (supp_match's candidates), and all blocks read. */
size_t supp_count(const struct supp *s);
size_t supp_count_all(const struct supp *s);
/* Name of leak suppression i (its first line), and where it came from
 * ("file.supp:12"). */
const char *supp_name(const struct supp *s, size_t i);
const char *supp_origin(const struct supp *s, size_t i);

/* The first leak suppression that matches a stack of kind k, or -1. */
long supp_match(const struct supp *s, enum leak_kind k, const struct supp_frame *frames,
	size_t n);

/* Append one suppression in valgrind's format to b: frames[0..nexact)
 * as fun: lines (obj: for a frame without a function), then "..." when
 * wildcard_rest. A definite or indirect k also matches possible and
 * reachable (valgrind's scan is conservative: a stale pointer). Names and frames are cleaned of what the
 * format cannot hold (newlines, control bytes, '{' '}'). */
void supp_format(struct sbuf *b, const char *name, enum leak_kind k,
	const struct supp_frame *frames, size_t nexact, bool wildcard_rest);

/* The suppressions for nginx's own start-up and exit noise that ship
 * with the tool (--no-default-suppressions turns them off), and the name
 * errors and listings give them. */
const char *supp_default_text(void);
#define SUPP_DEFAULT_NAME "ngx-leaktop's default suppressions"

#endif
