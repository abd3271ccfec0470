/* linescan.h - the newlines (and NUL bytes) of a buffer, found a block at a
 * time.
 *
 * leakcheck needs the end of every line. One memchr call per line costs more
 * than the search (a leak check line is ~90 bytes) and makes each line wait
 * for the one before. Instead a block of the buffer is scanned 64 bytes at
 * a time into a mask of its newlines, and the masks into a list of offsets
 * that leakcheck takes one by one. The same scan notes the first NUL byte,
 * which leakcheck rejects. With SSE2 a 64-byte window takes a few dozen
 * instructions and no branch; elsewhere memchr does the work. */
#ifndef LT_LINESCAN_H
#define LT_LINESCAN_H

#include <stddef.h>
#include <stdint.h>

#define LINESCAN_BLOCK 2048

struct linescan {
	const char *buf;
	size_t len;
	size_t next;		/* offset of the block to scan next */
	const char *base;	/* the block scanned last */
	unsigned n, i;		/* its newlines, and the next one to hand out */
	uint16_t off[LINESCAN_BLOCK];	/* their offsets from base */
	const char *nul;	/* the first NUL byte in the scanned part, or NULL */
};

void linescan_init(struct linescan *ls, const char *buf, size_t len);
/* Scan the next block (for linescan_next). */
void linescan_block(struct linescan *ls);

/* The next newline, in order; NULL when the rest of the buffer has none.
 * Every byte before it (or, with NULL, before the end) has been checked
 * for NUL: see ls->nul. */
static inline const char *
linescan_next(struct linescan *ls)
{
	while (ls->i == ls->n) {
		if (ls->next >= ls->len)
			return NULL;
		linescan_block(ls);
	}
	return ls->base + ls->off[ls->i++];
}

#endif
