/* blocks.c - the answers of `block_list` and `who_points_at` (blocks.h). */
#include "blocks.h"
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct parser {
	struct blocks_result *r;
	struct blocks_error *err;
	unsigned lineno;
	size_t cap_answers;
	size_t cap_frames;	/* of the current pointer's frames */
	bool in_pointer;	/* the last pointer line was kept: its lines follow */
	bool just_refused;	/* the last answer is a refused block_list */
};

const char *
blocks_kind_name(enum blocks_kind k)
{
	static const char *const names[] = {
		[BLOCKS_LIST] = "block list", [BLOCKS_WHO] = "who points at",
		[BLOCKS_OBSOLETE] = "obsolete block list", [BLOCKS_NO_SEARCH] = "no leak search",
		[BLOCKS_BAD_NUMBER] = "bad loss record number",
	};

	return (unsigned)k < LT_ARRAY_SIZE(names) ? names[k] : "?";
}

static bool __attribute__((format(printf, 2, 3)))
fail(struct parser *p, const char *fmt, ...)
{
	va_list ap;

	p->err->line = p->lineno;
	va_start(ap, fmt);
	vsnprintf(p->err->msg, sizeof p->err->msg, fmt, ap);
	va_end(ap);
	return false;
}

static bool
starts(const char *s, const char *e, const char *word)
{
	size_t n = strlen(word);

	return (size_t)(e - s) >= n && memcmp(s, word, n) == 0;
}

/* "0x" and 1..16 hex digits at *s; advances *s. */
static bool
hex(const char **s, const char *e, uint64_t *v)
{
	const char *q = *s;
	uint64_t x = 0;
	int n = 0;

	if (!starts(q, e, "0x"))
		return false;
	for (q += 2; q < e; q++, n++) {
		int c = (unsigned char)*q, d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			break;
		if (n == 16)
			return false;
		x = x << 4 | (uint64_t)d;
	}
	if (!n)
		return false;
	*v = x;
	*s = q;
	return true;
}

/* A decimal with optional "," thousands separators at *s; advances *s. */
static bool
num(const char **s, const char *e, uint64_t *v)
{
	const char *q = *s;
	uint64_t x = 0;
	bool any = false;

	for (; q < e; q++) {
		if (*q == ',' && any && q + 1 < e && q[1] >= '0' && q[1] <= '9')
			continue;
		if (*q < '0' || *q > '9')
			break;
		if (x > (UINT64_MAX - 9) / 10)
			return false;
		x = x * 10 + (uint64_t)(*q - '0');
		any = true;
	}
	if (!any)
		return false;
	*v = x;
	*s = q;
	return true;
}

/* The word at *s; advances past it. */
static bool
word(const char **s, const char *e, const char *w)
{
	if (!starts(*s, e, w))
		return false;
	*s += strlen(w);
	return true;
}

static struct blocks_answer *
new_answer(struct parser *p, enum blocks_kind k)
{
	struct blocks_result *r = p->r;
	struct blocks_answer *a;

	if (r->nanswers == BLOCKS_MAX_ANSWERS) {
		fail(p, "more than %d answers", BLOCKS_MAX_ANSWERS);
		return NULL;
	}
	xgrow((void **)&r->answers, &p->cap_answers, r->nanswers + 1, sizeof *r->answers);
	a = &r->answers[r->nanswers++];
	memset(a, 0, sizeof *a);
	a->kind = k;
	p->in_pointer = false;
	p->just_refused = false;
	return a;
}

static struct blocks_answer *
current(struct parser *p)
{
	return p->r->nanswers ? &p->r->answers[p->r->nanswers - 1] : NULL;
}

/* "Searching for pointers pointing in LEN bytes from 0xADDR" / "... to 0xADDR" */
static bool
searching(struct parser *p, const char *s, const char *e)
{
	uint64_t len = 1, addr;
	struct blocks_answer *a;

	if (word(&s, e, "pointing in ")) {
		if (!num(&s, e, &len) || !word(&s, e, " bytes from "))
			return fail(p, "who_points_at: no length");
	} else if (!word(&s, e, "to ")) {
		return fail(p, "who_points_at: no address");
	}
	if (!hex(&s, e, &addr))
		return fail(p, "who_points_at: bad address");
	if (!(a = new_answer(p, BLOCKS_WHO)))
		return false;
	a->addr = addr;
	a->len = len;
	return true;
}

/* "*0xAT points at 0xADDR" / "*0xAT interior points at N bytes inside 0xADDR" */
static bool
pointer(struct parser *p, const char *s, const char *e)
{
	struct blocks_answer *a = current(p);
	struct blocks_pointer *pt;
	uint64_t at, target, off = 0;
	bool interior = false;

	if (!a || a->kind != BLOCKS_WHO)
		return fail(p, "a pointer outside a who_points_at answer");
	s++;
	if (!hex(&s, e, &at))
		return fail(p, "pointer: bad address");
	if (word(&s, e, " interior points at ")) {
		interior = true;
		if (!num(&s, e, &off) || !word(&s, e, " bytes inside "))
			return fail(p, "pointer: bad offset");
	} else if (!word(&s, e, " points at ")) {
		return fail(p, "pointer: no \"points at\"");
	}
	if (!hex(&s, e, &target))
		return fail(p, "pointer: bad target");
	a->npointers_seen++;
	p->in_pointer = false;
	if (a->npointers == BLOCKS_MAX_POINTERS)
		return true;
	if (!a->pointers)
		a->pointers = xcalloc(BLOCKS_MAX_POINTERS, sizeof *a->pointers);
	pt = &a->pointers[a->npointers++];
	pt->at = at;
	pt->interior = interior;
	pt->where = BLOCKS_IN_OTHER;
	p->in_pointer = true;
	p->cap_frames = 0;
	return true;
}

/* "Address 0xAT is ..." */
static bool
address(struct parser *p, const char *s, const char *e)
{
	struct blocks_answer *a = current(p);
	struct blocks_pointer *pt;
	uint64_t at;
	const char *q;

	if (!hex(&s, e, &at) || !word(&s, e, " is "))
		return fail(p, "Address: bad address");
	if (!p->in_pointer)
		return true;	/* of a pointer past the cap */
	pt = &a->pointers[a->npointers - 1];
	if (pt->at != at)
		return fail(p, "Address 0x%llx: not the pointer's 0x%llx", (unsigned long long)at,
			(unsigned long long)pt->at);
	pt->desc.p = s;
	pt->desc.n = (size_t)(e - s);
	if (word(&s, e, "on thread ")) {
		pt->where = BLOCKS_ON_STACK;
		return true;
	}
	q = s;
	if (!num(&q, e, &pt->offset) || !word(&q, e, " bytes inside "))
		return true;	/* another description: IN_OTHER */
	if (word(&q, e, "a block of size ")) {
		if (!num(&q, e, &pt->block_size))
			return fail(p, "Address: bad block size");
		pt->where = BLOCKS_IN_BLOCK;
	} else if (word(&q, e, "data symbol \"")) {
		const char *end = memchr(q, '"', (size_t)(e - q));

		if (!end)
			return fail(p, "Address: unterminated data symbol");
		pt->symbol.p = q;
		pt->symbol.n = (size_t)(end - q);
		pt->where = BLOCKS_IN_DATA;
	}
	return true;
}

/* "FN", "FN (FILE:LINE)", "FN (in OBJ)", "???" after "at 0xIP: " */
static bool
frame(struct parser *p, const char *s, const char *e)
{
	struct blocks_answer *a = current(p);
	struct blocks_pointer *pt;
	struct leakcheck_frame f;
	const char *open;

	if (!p->in_pointer || a->kind != BLOCKS_WHO)
		return true;	/* a record's stack in a block_list: the site has it */
	pt = &a->pointers[a->npointers - 1];
	if (pt->where != BLOCKS_IN_BLOCK || pt->nframes == LEAKCHECK_MAX_FRAMES)
		return true;
	memset(&f, 0, sizeof f);
	f.fn.p = f.file.p = f.obj.p = s;	/* empty slices still point into the text */
	s += 3;	/* "at " / "by " */
	if (!hex(&s, e, &f.ip) || !word(&s, e, ": "))
		return fail(p, "frame: bad address");
	open = NULL;
	if (e > s && e[-1] == ')') {
		const char *q;

		for (q = e - 1; q > s; q--)
			if (q[-1] == ' ' && *q == '(') {
				open = q;
				break;
			}
	}
	f.fn.p = s;
	f.fn.n = (size_t)((open ? open - 1 : e) - s);
	if (f.fn.n == 3 && memcmp(f.fn.p, "???", 3) == 0)
		f.fn.n = 0;
	if (open) {
		const char *in = open + 1, *end = e - 1, *colon;

		if (word(&in, end, "in ")) {
			f.obj.p = in;
			f.obj.n = (size_t)(end - in);
		} else {
			uint64_t line = 0;
			const char *d;

			for (colon = end; colon > in && colon[-1] != ':'; colon--)
				;
			d = colon;
			if (colon == in || !num(&d, end, &line) || d != end || line > 0xffffffffu)
				return fail(p, "frame: bad location");
			f.file.p = in;
			f.file.n = (size_t)(colon - 1 - in);
			f.line = (unsigned)line;
		}
	}
	xgrow((void **)&pt->frames, &p->cap_frames, pt->nframes + 1, sizeof *pt->frames);
	pt->frames[pt->nframes++] = f;
	return true;
}

/* "0xADDR[SIZE]" of a block_list answer */
static bool
block(struct parser *p, const char *s, const char *e)
{
	struct blocks_answer *a = current(p);
	struct blocks_block b;

	if (!a || a->kind != BLOCKS_LIST)
		return fail(p, "a block outside a block_list answer");
	if (!hex(&s, e, &b.addr) || !word(&s, e, "[") || !num(&s, e, &b.size) || !word(&s, e, "]"))
		return fail(p, "block: not 0xADDR[SIZE]");
	a->nblocks_seen++;
	if (a->nblocks == BLOCKS_MAX_BLOCKS)
		return true;
	if (!a->blocks)
		a->blocks = xcalloc(BLOCKS_MAX_BLOCKS, sizeof *a->blocks);
	a->blocks[a->nblocks++] = b;
	return true;
}

/* "... in loss record R of T" */
static bool
record(struct parser *p, const char *s, const char *e, const char *at)
{
	struct blocks_answer *a;
	uint64_t rec, of;

	(void)s;
	at += strlen(" in loss record ");
	if (!num(&at, e, &rec) || !word(&at, e, " of ") || !num(&at, e, &of) || at != e ||
		rec == 0 || rec > of || of > 0xffffffffu)
		return fail(p, "loss record: bad numbers");
	if (!(a = new_answer(p, BLOCKS_LIST)))
		return false;
	a->recno = (unsigned)rec;
	a->nrecs = (unsigned)of;
	return true;
}

static const char *
find(const char *s, const char *e, const char *w)
{
	size_t n = strlen(w);

	for (; (size_t)(e - s) >= n; s++)
		if (*s == *w && memcmp(s, w, n) == 0)
			return s;
	return NULL;
}

static bool
line(struct parser *p, const char *s, const char *e)
{
	const char *t, *q;

	if (e > s && e[-1] == '\r')
		e--;
	/* "==PID== " */
	if (starts(s, e, "==")) {
		for (q = s + 2; q < e && *q >= '0' && *q <= '9'; q++)
			;
		if (q > s + 2 && starts(q, e, "==")) {
			s = q + 2;
			if (s < e && *s == ' ')
				s++;
		}
	}
	for (t = s; t < e && *t == ' '; t++)
		;
	if (word(&t, e, "Searching for pointers "))
		return searching(p, t, e);
	if (starts(t, e, "*0x"))
		return pointer(p, t, e);
	if (word(&t, e, "Address "))
		return address(p, t, e);
	if (starts(t, e, "at 0x") || starts(t, e, "by 0x"))
		return frame(p, t, e);
	if (starts(s, e, "0x") && find(s, e, "["))
		return block(p, s, e);
	if (starts(t, e, "Can't print obsolete block list") || starts(t, e, "Can't print block list")) {
		if (!new_answer(p, t[12] == 'o' ? BLOCKS_OBSOLETE : BLOCKS_NO_SEARCH))
			return false;
		p->just_refused = true;
		return true;
	}
	if (starts(t, e, "invalid loss record nr") || starts(t, e, "invalid integer or slice")) {
		struct blocks_answer *a = current(p);

		/* A refused block_list says "invalid loss record nr" after its reason. */
		if (a && (a->kind == BLOCKS_OBSOLETE || a->kind == BLOCKS_NO_SEARCH) && p->just_refused) {
			p->just_refused = false;
			return true;
		}
		return new_answer(p, BLOCKS_BAD_NUMBER) != NULL;
	}
	if ((q = find(t, e, " in loss record ")) && find(t, q, " blocks are "))
		return record(p, t, e, q);
	return true;	/* no known shape: skipped */
}

bool
blocks_parse(const char *buf, size_t len, struct blocks_result *r, struct blocks_error *err)
{
	struct parser p = { .r = r, .err = err };
	const char *s = buf, *e = buf + len;

	memset(r, 0, sizeof *r);
	memset(err, 0, sizeof *err);
	while (s < e) {
		const char *nl = memchr(s, '\n', (size_t)(e - s));
		const char *end = nl ? nl : e;

		p.lineno++;
		if (end - s > LEAKCHECK_MAX_LINE)
			return fail(&p, "line longer than %d bytes", LEAKCHECK_MAX_LINE);
		if (memchr(s, '\0', (size_t)(end - s)))
			return fail(&p, "a NUL byte");
		if (!line(&p, s, end))
			return false;
		s = nl ? nl + 1 : e;
	}
	return true;
}

void
blocks_result_free(struct blocks_result *r)
{
	size_t i, j;

	if (!r)
		return;
	for (i = 0; i < r->nanswers; i++) {
		struct blocks_answer *a = &r->answers[i];

		for (j = 0; j < a->npointers; j++)
			free(a->pointers[j].frames);
		free(a->pointers);
		free(a->blocks);
	}
	free(r->answers);
	memset(r, 0, sizeof *r);
}
