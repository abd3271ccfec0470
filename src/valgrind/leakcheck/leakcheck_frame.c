/* leakcheck_frame.c - the text of one frame line, and the memo of frame texts an
 * answer has already shown (leakcheck_frame.h). */
#include "leakcheck_frame.h"
#include "util.h"

#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* ---- one frame's text ---- */

/* Hex digit values plus one: 0 marks a non-digit. */
static const unsigned char hex_value[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6, ['6'] = 7, ['7'] = 8,
	['8'] = 9, ['9'] = 10, ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15,
	['f'] = 16, ['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

const char *
leakcheck_frame_hex(const char *s, const char *e, uint64_t *ip)
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
file_line(const char *s, const char *e, struct leakcheck_frame *f)
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
enum leakcheck_frame_status
leakcheck_frame_location(const char *s, const char *e, struct leakcheck_frame *f)
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
			return LEAKCHECK_FRAME_BIG_LINE;
		}
		if (r > 0)
			f->fn.n = (size_t)(open - 1 - s);
	}
	if (f->fn.n == 3 && f->fn.p[0] == '?' && f->fn.p[1] == '?' && f->fn.p[2] == '?')
		f->fn.n = 0;
	else if (f->fn.n == 0)
		return LEAKCHECK_FRAME_NO_FUNCTION;
	return LEAKCHECK_FRAME_OK;
}

/* ---- the memo: open addressing keyed by a text's first 16 bytes ---- */

/* An entry in the arena: this header, then the text after its key. The
 * text is copied: its first occurrence in the answer is long gone from the
 * cache when the line comes again. Header and text side by side, a lookup
 * reads a few neighbouring cache lines: a third cheaper than an entry
 * array and a text arena on the 100,000-record bench. The fields are kept
 * as offsets into the text, so a frame found again points into its own
 * line, as a parsed one does. */
struct leakcheck_frame_ent {
	uint64_t key[2];	/* the text's first 16 bytes */
	uint64_t ip;
	uint32_t len;		/* the whole text, newline included */
	uint32_t text_id;	/* the entry's number, from 1 */
	uint32_t line;
	uint32_t fn, fn_n;	/* offset and length in the text */
	uint32_t file, file_n;	/* length 0: none */
	uint32_t obj, obj_n;
};

/* Entries start at multiples of this. A slot holds the entry's offset /
 * ALIGN + 1 in its low half (0 = empty) and the high half of the key's hash:
 * a probe past another key costs no entry read. */
enum { ALIGN = 8 };

static uint64_t
key_hash(const uint64_t key[2])
{
	uint64_t h = (key[0] ^ (key[1] * 0xbf58476d1ce4e5b9ULL)) * 0x9e3779b97f4a7c15ULL;

	return h ^ h >> 29;
}

static struct leakcheck_frame_ent *
ent_at(const struct leakcheck_frame_memo *mm, uint64_t slot)
{
	return (struct leakcheck_frame_ent *)(void *)(mm->arena + ((slot & UINT32_MAX) - 1) * ALIGN);
}

/* A slice of the text at s; "" when empty, as leakcheck leaves a missing
 * file or object. */
static struct lt_slice
text_slice(const char *s, uint32_t off, uint32_t n)
{
	return n ? (struct lt_slice){ s + off, n } : (struct lt_slice){ "", 0 };
}

void
leakcheck_frame_memo_init(struct leakcheck_frame_memo *mm)
{
	memset(mm, 0, sizeof *mm);
}

void
leakcheck_frame_memo_free(struct leakcheck_frame_memo *mm)
{
	free(mm->arena);
	free(mm->slots);
	leakcheck_frame_memo_init(mm);
}

bool
leakcheck_frame_memo_find(const struct leakcheck_frame_memo *mm, const char *s, size_t len, struct leakcheck_frame *f)
{
	size_t j, mask = mm->nslots - 1;
	uint64_t key[2], h, tag;

	if (!mm->nslots || len < LEAKCHECK_FRAME_MEMO_KEY)
		return false;
	memcpy(key, s, sizeof key);
	h = key_hash(key);
	tag = h >> 32 << 32;
	for (j = h & mask; mm->slots[j]; j = (j + 1) & mask) {
		const struct leakcheck_frame_ent *e;

		if ((mm->slots[j] & ~(uint64_t)UINT32_MAX) != tag)
			continue;
		e = ent_at(mm, mm->slots[j]);
		if (e->key[0] != key[0] || e->key[1] != key[1] || e->len != len ||
		    memcmp(e + 1, s + LEAKCHECK_FRAME_MEMO_KEY, len - LEAKCHECK_FRAME_MEMO_KEY))
			continue;
		f->ip = e->ip;
		f->fn = (struct lt_slice){ s + e->fn, e->fn_n };
		f->file = text_slice(s, e->file, e->file_n);
		f->obj = text_slice(s, e->obj, e->obj_n);
		f->line = e->line;
		f->text_id = e->text_id;
		return true;
	}
	return false;
}

static void
slot_put(uint64_t *slots, size_t nslots, const struct leakcheck_frame_ent *e, uint64_t off)
{
	uint64_t h = key_hash(e->key);
	size_t j;

	for (j = h & (nslots - 1); slots[j]; j = (j + 1) & (nslots - 1))
		;
	slots[j] = (h >> 32 << 32) | off;
}

/* Room for one more entry: four times as many slots as entries keeps the
 * probe runs short. */
static void
slots_fit(struct leakcheck_frame_memo *mm)
{
	size_t n = mm->nslots ? mm->nslots * 2 : 1024, i;
	uint64_t *slots;

	if ((mm->nents + 1) * 4 <= mm->nslots)
		return;
	slots = xcalloc(n, sizeof *slots);
	for (i = 0; i < mm->nslots; i++)
		if (mm->slots[i])
			slot_put(slots, n, ent_at(mm, mm->slots[i]), mm->slots[i] & UINT32_MAX);
	free(mm->slots);
	mm->slots = slots;
	mm->nslots = n;
}

void
leakcheck_frame_memo_add(struct leakcheck_frame_memo *mm, const char *s, size_t len, struct leakcheck_frame *f)
{
	struct leakcheck_frame_ent *e;
	size_t size;

	f->text_id = 0;
	/* Texts shorter than the key ("1: ???") are rare: parsed each time. */
	if (len < LEAKCHECK_FRAME_MEMO_KEY)
		return;
	size = (sizeof *e + len - LEAKCHECK_FRAME_MEMO_KEY + ALIGN - 1) / ALIGN * ALIGN;
	if (mm->nents == LEAKCHECK_FRAME_MEMO_MAX || mm->used + size > LEAKCHECK_FRAME_MEMO_BYTES)
		return;
	slots_fit(mm);
	xgrow((void **)&mm->arena, &mm->cap, mm->used + size, 1);
	e = (struct leakcheck_frame_ent *)(void *)(mm->arena + mm->used);
	f->text_id = (uint32_t)++mm->nents;
	memcpy(e->key, s, sizeof e->key);
	e->ip = f->ip;
	e->len = (uint32_t)len;
	e->text_id = f->text_id;
	e->line = f->line;
	e->fn = (uint32_t)(f->fn.p - s);
	e->fn_n = (uint32_t)f->fn.n;
	e->file = f->file.n ? (uint32_t)(f->file.p - s) : 0;
	e->file_n = (uint32_t)f->file.n;
	e->obj = f->obj.n ? (uint32_t)(f->obj.p - s) : 0;
	e->obj_n = (uint32_t)f->obj.n;
	memcpy(e + 1, s + LEAKCHECK_FRAME_MEMO_KEY, len - LEAKCHECK_FRAME_MEMO_KEY);
	slot_put(mm->slots, mm->nslots, e, mm->used / ALIGN + 1);
	mm->used += size;
}
