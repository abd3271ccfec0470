/* linescan.c - newline offsets of a buffer, a block at a time (linescan.h). */
#include "linescan.h"

#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

enum { WIN = 64 };

#ifdef __SSE2__
/* Bit i of the result: w[i] == c, for the 16 bytes of v. */
static inline uint64_t
eq16(__m128i v, char c)
{
	return (uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(c)));
}

/* The newline mask of the 64 bytes at w; *nul = any NUL among them. */
static inline uint64_t
scan64(const char *w, int *nul)
{
	__m128i a = _mm_loadu_si128((const __m128i *)w);
	__m128i b = _mm_loadu_si128((const __m128i *)(w + 16));
	__m128i c = _mm_loadu_si128((const __m128i *)(w + 32));
	__m128i d = _mm_loadu_si128((const __m128i *)(w + 48));
	__m128i m = _mm_min_epu8(_mm_min_epu8(a, b), _mm_min_epu8(c, d));

	*nul = eq16(m, '\0') != 0;
	return eq16(a, '\n') | eq16(b, '\n') << 16 | eq16(c, '\n') << 32 | eq16(d, '\n') << 48;
}
#else
static uint64_t
scan64(const char *w, int *nul)
{
	uint64_t bits = 0;
	const char *p = w;

	*nul = memchr(w, '\0', WIN) != NULL;
	while ((p = memchr(p, '\n', (size_t)(w + WIN - p)))) {
		bits |= 1ULL << (p - w);
		p++;
	}
	return bits;
}
#endif

/* Lowest set bit's index; m != 0. */
static inline unsigned
low_bit(uint64_t m)
{
	return (unsigned)__builtin_ctzll(m);
}

/* Two passes over the block: the masks first, in a loop of loads alone,
 * so the memory system has many in flight (the buffer is read from DRAM,
 * and this is where the time goes), then the offsets. The next block is
 * prefetched meanwhile. */
void
linescan_block(struct linescan *ls)
{
	const char *b = ls->buf + ls->next;
	size_t n = ls->len - ls->next < LINESCAN_BLOCK ? ls->len - ls->next : LINESCAN_BLOCK;
	uint64_t masks[LINESCAN_BLOCK / WIN];
	unsigned k = 0, w, nw = 0, i;
	int nul, anynul = 0;

	for (w = 0; w + WIN <= n; w += WIN) {
		if (ls->next + w + LINESCAN_BLOCK < ls->len)
			__builtin_prefetch(b + w + LINESCAN_BLOCK);
		masks[nw++] = scan64(b + w, &nul);
		anynul |= nul;
	}
	if (w < n) {
		/* The last window, padded: no read past the end. */
		char tail[WIN];

		memcpy(tail, b + w, n - w);
		memset(tail + (n - w), ' ', WIN - (n - w));
		masks[nw++] = scan64(tail, &nul);
		anynul |= nul;
	}
	for (i = 0; i < nw; i++) {
		uint64_t m;

		for (m = masks[i]; m; m &= m - 1)
			ls->off[k++] = (uint16_t)(i * WIN + low_bit(m));
	}
	if (anynul && !ls->nul)
		ls->nul = memchr(b, '\0', n);
	ls->base = b;
	ls->n = k;
	ls->i = 0;
	ls->next += n;
}

void
linescan_init(struct linescan *ls, const char *buf, size_t len)
{
	ls->buf = buf;
	ls->len = len;
	ls->next = 0;
	ls->base = buf;
	ls->n = ls->i = 0;
	ls->nul = NULL;
}
