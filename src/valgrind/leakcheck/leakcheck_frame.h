/* leakcheck_frame.h - the frame lines of a leak_check answer, for leakcheck.
 *
 * The text of one frame: "ADDR: FN [(FILE:LINE) | (in OBJ)]" after the
 * "at 0x" / "by 0x" that leakcheck checks, and a memo of the frame texts one
 * answer repeats. A big answer prints the same few thousand frame lines
 * over and over (every stack starts at malloc, every pool allocation passes
 * ngx_palloc, a stack is ~30 lines): leakcheck remembers each distinct frame
 * text it parsed, and a later line with the same bytes up to its newline
 * takes the parsed frame instead of being scanned again. Equal bytes give
 * equal fields, so nothing leakcheck reports changes.
 *
 * A memo lives for one leakcheck_text() call or one stream, across its
 * pieces (its text ids are only unique there). Its size is capped (LEAKCHECK_FRAME_MEMO_MAX
 * texts, LEAKCHECK_FRAME_MEMO_BYTES of them); past that, lines are simply parsed
 * in full. */
#ifndef LT_LPFRAME_H
#define LT_LPFRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "leakcheck.h"

/* The hex digits at s, up to 17 (one more than an address may have, enough
 * to complain): returns their end; *ip gets their value. */
const char *leakcheck_frame_hex(const char *s, const char *e, uint64_t *ip);

enum leakcheck_frame_status {
	LEAKCHECK_FRAME_OK,
	LEAKCHECK_FRAME_BIG_LINE,	/* a line number above UINT_MAX */
	LEAKCHECK_FRAME_NO_FUNCTION,	/* nothing before the location */
};

/* "FN", "FN (FILE:LINE)", "FN (in OBJ)" in [s, e): sets fn, file, line and
 * obj of f (slices into the text; file and obj must be preset empty). */
enum leakcheck_frame_status leakcheck_frame_location(const char *s, const char *e, struct leakcheck_frame *f);

/* Distinct frame texts remembered per answer, and their bytes: a few MB
 * at the most. A real nginx check holds a few hundred to a few thousand. */
#define LEAKCHECK_FRAME_MEMO_MAX (64 * 1024)
#define LEAKCHECK_FRAME_MEMO_BYTES (8 * 1024 * 1024)
/* A text's first bytes are its key: shorter texts are not remembered. */
#define LEAKCHECK_FRAME_MEMO_KEY 16

struct leakcheck_frame_memo {
	char *arena;		/* the entries, each with its text */
	size_t used, cap;
	size_t nents;
	uint64_t *slots;	/* entries by key hash, power of two (leakcheck_frame.c) */
	size_t nslots;
};

void leakcheck_frame_memo_init(struct leakcheck_frame_memo *mm);
void leakcheck_frame_memo_free(struct leakcheck_frame_memo *mm);

/* Was the text [s, s + len), which ends with its newline, remembered? Then
 * f gets the frame it parsed as, its slices pointing into s. */
bool leakcheck_frame_memo_find(const struct leakcheck_frame_memo *mm, const char *s, size_t len,
	struct leakcheck_frame *f);

/* Remember that the text [s, s + len), which ends with its newline, parsed
 * as f (slices into that text). Sets f->text_id to the entry's id, or to 0
 * when the text is not remembered (too short, or the memo is full). */
void leakcheck_frame_memo_add(struct leakcheck_frame_memo *mm, const char *s, size_t len, struct leakcheck_frame *f);

#endif
