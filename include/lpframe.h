/* lpframe.h - the text of one frame line of a leak_check answer, for lparse:
 * "ADDR: FN [(FILE:LINE) | (in OBJ)]" after the "at 0x" / "by 0x" that
 * lparse checks. */
#ifndef LT_LPFRAME_H
#define LT_LPFRAME_H

#include <stddef.h>
#include <stdint.h>
#include "lparse.h"

/* The hex digits at s, up to 17 (one more than an address may have, enough
 * to complain): returns their end; *ip gets their value. */
const char *lpframe_hex(const char *s, const char *e, uint64_t *ip);

enum lpframe_status {
	LPFRAME_OK,
	LPFRAME_BIG_LINE,	/* a line number above UINT_MAX */
	LPFRAME_NO_FUNCTION,	/* nothing before the location */
};

/* "FN", "FN (FILE:LINE)", "FN (in OBJ)" in [s, e): sets fn, file, line and
 * obj of f (slices into the text; file and obj must be preset empty). */
enum lpframe_status lpframe_location(const char *s, const char *e, struct lparse_frame *f);

#endif
