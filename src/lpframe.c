/* lpframe.c - the text of one frame line (lpframe.h). */
#include "lpframe.h"

#include <limits.h>
#include <stdbool.h>
#include <string.h>

/* ---- one frame's text ---- */

/* Hex digit values plus one: 0 marks a non-digit. */
static const unsigned char hex_value[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6, ['6'] = 7, ['7'] = 8,
	['8'] = 9, ['9'] = 10, ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15,
	['f'] = 16, ['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

const char *
lpframe_hex(const char *s, const char *e, uint64_t *ip)
{
	const char *h, *lim = e - s > 17 ? s + 17 : e;
	uint64_t v = 0;
	unsigned d;

	for (h = s; h < lim && (d = hex_value[(unsigned char)*h]); h++)
		v = v << 4 | (d - 1u);
	*ip = v;
	return h;
}

static bool
is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

/* The '(' that opens the parenthesised group ending at close (a ')'),
 * balancing parentheses so a path like "/x (copy)/m.c:3" stays whole. */
static const char *
group_start(const char *s, const char *close)
{
	const char *p = memrchr(s, '(', (size_t)(close - s));
	int depth = 0;

	/* Nearly always the group holds no other parenthesis: two SIMD
	 * searches instead of a byte loop over the path. */
	if (!p || !memchr(p + 1, ')', (size_t)(close - p - 1)))
		return p;
	for (p = close + 1; p-- > s;) {
		if (*p == ')')
			depth++;
		else if (*p == '(' && --depth == 0)
			return p;
	}
	return NULL;
}

/* "FILE:LINE" in [s, e): the last colon followed only by digits separates
 * them, so file names may hold colons and spaces. 0 = not this shape,
 * -1 = a line number too large. */
static int
file_line(const char *s, const char *e, struct lparse_frame *f)
{
	const char *p = e, *q;
	uint64_t line = 0;

	while (p > s && is_digit(p[-1]))
		p--;
	if (p == e || p - s < 2 || p[-1] != ':')
		return 0;
	/* Line numbers have no thousands separators (printed with %u). */
	for (q = p; q < e && line <= UINT_MAX; q++)
		line = line * 10 + (uint64_t)(*q - '0');
	if (line > UINT_MAX)
		return -1;
	f->file.p = s;
	f->file.n = (size_t)(p - 1 - s);
	f->line = (unsigned)line;
	return 1;
}

/* FN may be "???" and, in C++, may hold spaces and parentheses itself, so
 * the location is the last group. */
enum lpframe_status
lpframe_location(const char *s, const char *e, struct lparse_frame *f)
{
	const char *open, *gs, *ge;
	int r = 0;

	f->fn.p = s;
	f->fn.n = (size_t)(e - s);
	if (e - s > 3 && e[-1] == ')' &&
	    (open = group_start(s, e - 1)) && open - s >= 2 && open[-1] == ' ') {
		gs = open + 1;
		ge = e - 1;
		if (ge - gs > 3 && gs[0] == 'i' && gs[1] == 'n' && gs[2] == ' ') {
			f->obj.p = gs + 3;
			f->obj.n = (size_t)(ge - gs - 3);
			r = 1;
		} else if ((r = file_line(gs, ge, f)) < 0) {
			return LPFRAME_BIG_LINE;
		}
		if (r > 0)
			f->fn.n = (size_t)(open - 1 - s);
	}
	if (f->fn.n == 3 && f->fn.p[0] == '?' && f->fn.p[1] == '?' && f->fn.p[2] == '?')
		f->fn.n = 0;
	else if (f->fn.n == 0)
		return LPFRAME_NO_FUNCTION;
	return LPFRAME_OK;
}
