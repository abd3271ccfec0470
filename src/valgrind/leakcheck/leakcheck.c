/* leakcheck.c - parser for the text answer of valgrind's `leak_check` monitor
 * command.
 *
 * The answer is a few hundred kilobytes to tens of megabytes, parsed after
 * every leak check while the user watches, so this is a hand-written
 * scanner: linescan.h finds the lines, each line is walked once with a
 * cursor, frames are slices into the input and the frame array is reused
 * for every record. Most lines are frames, and an answer repeats the same
 * few thousand frame lines (leakcheck_frame.h): a frame line seen before is matched
 * with one memcmp and takes the frame parsed then. Nothing here trusts the
 * input: every read is bounded by the end of the current line, numbers are
 * checked for overflow, and whatever does not fit the grammar is an error
 * that names its line.
 *
 * Line shapes (after the "==PID== " prefix), see shared VALGRIND.md:
 *   N [(+d)] [(N [(+d)] direct, N [(+d)] indirect)] bytes in N [(+d)] blocks
 *       are KIND in loss record I of M
 *      at 0xADDR: FN [(FILE:LINE) | (in OBJ)]
 *      by 0xADDR: ...
 *   (blank: ends the record)
 *   LEAK SUMMARY:
 *      definitely lost: N [(+d)] bytes in N [(+d)] blocks    (and 4 more)
 *                         of which reachable via heuristic:
 *                           length64           : N bytes in N blocks
 *   All heap blocks were freed -- no leaks are possible
 * Lines without the prefix come from vgdb ("sending command ...") or are
 * valgrind rejecting the command ("fulll does not match any of ..."). */
#include "leakcheck.h"
#include "leakcheck_int.h"
#include "linescan.h"
#include "leakcheck_frame.h"
#include "util.h"

#include <limits.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Ids of leakcheck_text() calls, for leakcheck_record.parse_id. */
static atomic_uint_fast64_t parse_ids;


static enum leakcheck_status __attribute__((format(printf, 3, 4)))
fail(struct parser *ps, enum leakcheck_status st, const char *fmt, ...)
{
	va_list ap;

	ps->err->line = ps->lineno;
	va_start(ap, fmt);
	vsnprintf(ps->err->msg, sizeof(ps->err->msg), fmt, ap);
	va_end(ap);
	return st;
}

/* A malformed line: say what was expected and at which column. */
static enum leakcheck_status
bad(struct parser *ps, const struct cur *c, const char *what)
{
	return fail(ps, LEAKCHECK_ERROR, "%s at column %zu", what, (size_t)(c->s - ps->line) + 1);
}


static bool
is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

/* A decimal with valgrind's "," thousands separators: 1,234,567. Every
 * record header holds six or more: the overflow bound is worked out once
 * per number, not per digit. */
static enum leakcheck_status
number(struct parser *ps, struct cur *c, uint64_t max, uint64_t *out)
{
	const uint64_t lim = max / 10, lim_d = max % 10;
	const char *s = c->s, *e = c->e;
	uint64_t v = 0;
	int group = 0;		/* digits since the start or the last comma */
	bool comma = false;

	if (s == e || !is_digit(*s))
		return bad(ps, c, "expected a number");
	for (; s < e; s++) {
		uint64_t d = (uint64_t)(*s - '0');

		if (d > 9) {
			if (*s != ',' || s + 1 == e || !is_digit(s[1]))
				break;
			if (group > 3 || (comma && group != 3)) {
				c->s = s;
				return bad(ps, c, "misplaced thousands separator");
			}
			comma = true;
			group = 0;
			continue;
		}
		if (v >= lim && (v > lim || d > lim_d)) {
			c->s = s;
			return bad(ps, c, "number too large");
		}
		v = v * 10 + d;
		group++;
	}
	c->s = s;
	if (comma && group != 3)
		return bad(ps, c, "misplaced thousands separator");
	*out = v;
	return LEAKCHECK_OK;
}

/* "N" or "N (+d)" / "N (-d)" as printed by increased/changed. */
static enum leakcheck_status
amount(struct parser *ps, struct cur *c, uint64_t *v, bool *has_delta, int64_t *delta)
{
	enum leakcheck_status st = number(ps, c, UINT64_MAX, v);
	uint64_t mag;
	bool neg;

	if (st)
		return st;
	*has_delta = false;
	*delta = 0;
	if (c->e - c->s < 3 || c->s[0] != ' ' || c->s[1] != '(' ||
	    (c->s[2] != '+' && c->s[2] != '-'))
		return LEAKCHECK_OK;
	neg = c->s[2] == '-';
	c->s += 3;
	if ((st = number(ps, c, INT64_MAX, &mag)))
		return st;
	if (!EAT(c, ")"))
		return bad(ps, c, "expected ')' after a delta");
	*has_delta = true;
	*delta = neg ? -(int64_t)mag : (int64_t)mag;
	return LEAKCHECK_OK;
}

/* "definitely lost", ... (leak.c has valgrind's words) */
static int
parse_kind(struct cur *c)
{
	int k;

	for (k = 0; k < LEAK_KIND_COUNT; k++) {
		const char *t = leak_kind_text(k);

		/* The first letters differ: strlen and memcmp for one kind only. */
		if (c->s < c->e && *c->s == *t && eat(c, t, strlen(t)))
			return k;
	}
	return -1;
}

enum leakcheck_status
leakcheck_bad(struct parser *ps, const struct cur *c, const char *what)
{
	return bad(ps, c, what);
}

enum leakcheck_status
leakcheck_amount(struct parser *ps, struct cur *c, uint64_t *v, bool *has_delta, int64_t *delta)
{
	return amount(ps, c, v, has_delta, delta);
}

int
leakcheck_kind(struct cur *c)
{
	return parse_kind(c);
}

/* ---- records ---- */

static enum leakcheck_status
record_header(struct parser *ps, struct cur *c)
{
	struct leakcheck_record *r = &ps->rec;
	bool d1 = false, d2 = false, blocks_delta;
	uint64_t recno, nrecs;
	enum leakcheck_status st;
	int k;

	if (ps->done)
		return bad(ps, c, "loss record after the LEAK SUMMARY");
	memset(r, 0, sizeof(*r));
	ps->kept = 0;
	if ((st = amount(ps, c, &r->bytes, &r->has_delta, &r->bytes_delta)))
		return st;
	r->direct = r->bytes;
	/* The direct/indirect split is printed only when indirect > 0. */
	if (c->e - c->s > 2 && c->s[0] == ' ' && c->s[1] == '(' && is_digit(c->s[2])) {
		c->s += 2;
		if ((st = amount(ps, c, &r->direct, &d1, &r->direct_delta)))
			return st;
		if (!EAT(c, " direct, "))
			return bad(ps, c, "expected ' direct, '");
		if ((st = amount(ps, c, &r->indirect, &d2, &r->indirect_delta)))
			return st;
		if (!EAT(c, " indirect)"))
			return bad(ps, c, "expected ' indirect)'");
		if (d1 != r->has_delta || d2 != r->has_delta)
			return bad(ps, c, "deltas on some numbers only");
		if (r->direct > r->bytes || r->bytes - r->direct != r->indirect)
			return bad(ps, c, "direct + indirect is not the total");
		if (r->direct_delta + r->indirect_delta != r->bytes_delta)
			return bad(ps, c, "direct + indirect deltas are not the total's");
	} else {
		r->direct_delta = r->bytes_delta;
	}
	if (!EAT(c, " bytes in "))
		return bad(ps, c, "expected ' bytes in '");
	if ((st = amount(ps, c, &r->blocks, &blocks_delta, &r->blocks_delta)))
		return st;
	if (blocks_delta != r->has_delta)
		return bad(ps, c, "deltas on some numbers only");
	if (!EAT(c, " blocks are "))
		return bad(ps, c, "expected ' blocks are '");
	if ((k = parse_kind(c)) < 0)
		return bad(ps, c, "unknown leak kind");
	r->kind = (enum leak_kind)k;
	if (!EAT(c, " in loss record "))
		return bad(ps, c, "expected ' in loss record '");
	if ((st = number(ps, c, UINT_MAX, &recno)))
		return st;
	if (!EAT(c, " of "))
		return bad(ps, c, "expected ' of '");
	if ((st = number(ps, c, UINT_MAX, &nrecs)))
		return st;
	r->recno = (unsigned)recno;
	r->nrecs = (unsigned)nrecs;
	if (c->s != c->e)
		return bad(ps, c, "junk after the record header");
	if (r->recno == 0 || r->recno > r->nrecs)
		return fail(ps, LEAKCHECK_ERROR, "loss record %u of %u", r->recno, r->nrecs);
	ps->state = ST_RECORD;
	return LEAKCHECK_OK;
}

/* Hand the finished record to the callback. */
static enum leakcheck_status
record_end(struct parser *ps)
{
	ps->state = ST_TOP;
	if (ps->rec.nframes == 0)
		return fail(ps, LEAKCHECK_ERROR, "loss record %u has no stack", ps->rec.recno);
	ps->rec.frames = ps->frames;
	ps->rec.parse_id = ps->parse_id;
	if (ps->cb && ps->cb(ps->ctx, &ps->rec))
		return fail(ps, LEAKCHECK_CALLBACK, "stopped by the callback");
	return LEAKCHECK_OK;
}

/* "   at 0xADDR: ..." or "   by 0xADDR: ..."; c is past the three spaces. */
static enum leakcheck_status
parse_frame(struct parser *ps, struct cur *c)
{
	struct leakcheck_record *r = &ps->rec;
	struct leakcheck_frame *f;
	const char *s = c->s, *h, *digits;
	bool at = s[0] == 'a';
	uint64_t ip;

	/* Byte compares: this runs for every frame, memcmp calls show. */
	if (c->e - s < 5 || !(at ? s[1] == 't' : s[0] == 'b' && s[1] == 'y') ||
	    s[2] != ' ' || s[3] != '0' || s[4] != 'x')
		return bad(ps, c, "expected 'at 0x' or 'by 0x'");
	c->s += 5;
	if (at != (r->nframes == 0))
		return bad(ps, c, at ? "'at' frame inside a stack" : "stack without an 'at' frame");
	digits = c->s;
	h = leakcheck_frame_hex(digits, c->e, &ip);
	if (h - c->s > 16)
		return bad(ps, c, "address too large");
	if (h == c->s || c->e - h < 2 || h[0] != ':' || h[1] != ' ')
		return bad(ps, c, "expected a hex address and ': '");
	c->s = h + 2;
	if (r->nframes == LEAKCHECK_MAX_FRAMES)
		return fail(ps, LEAKCHECK_ERROR, "more than %d frames in one stack", LEAKCHECK_MAX_FRAMES);
	if (r->nframes == ps->capframes)
		xgrow((void **)&ps->frames, &ps->capframes, r->nframes + 1, sizeof(*ps->frames));
	f = &ps->frames[r->nframes];
	/* Field by field: a compound literal here compiles to "rep stos",
	 * which showed up as the slowest line of the parser. */
	f->ip = ip;
	f->file.p = f->obj.p = "";	/* never NULL: memcmp(NULL, .., 0) is UB */
	f->file.n = f->obj.n = 0;
	f->line = 0;
	f->text_id = 0;
	r->nframes++;
	switch (leakcheck_frame_location(c->s, c->e, f)) {
	case LEAKCHECK_FRAME_BIG_LINE:
		return fail(ps, LEAKCHECK_ERROR, "line number too large");
	case LEAKCHECK_FRAME_NO_FUNCTION:
		return bad(ps, c, "frame without a function");
	case LEAKCHECK_FRAME_OK:
		break;
	}
	/* A line cut short may continue differently: only whole lines. */
	if (ps->eol)
		leakcheck_frame_memo_add(&ps->memo, digits, (size_t)(ps->eol + 1 - digits), f);
	return LEAKCHECK_OK;
}

/* ---- lines ---- */

/* Prefixed lines that carry no data: hints valgrind prints after the
 * summary (and, verbose, around it). */
static const char *const ignored_lines[] = {
	"Reachable blocks (those to which a pointer was found) are not shown.",
	"To see ",
	"Rerun with ",
	"For lists of ",
	"For counts of ",
	"Searching for pointers to ",
	"Checked ",
	"xtree leak report: ",
};

/* Does s start with (or, anywhere, hold) one of the words? */
static bool
listed(const char *s, size_t n, const char *const *words, size_t count, bool anywhere)
{
	size_t i, k;

	for (i = 0; i < count; i++) {
		k = strlen(words[i]);
		if (anywhere ? memmem(s, n, words[i], k) != NULL : n >= k && !memcmp(s, words[i], k))
			return true;
	}
	return false;
}

static bool
blank(struct cur c)
{
	while (c.s < c.e && *c.s == ' ')
		c.s++;
	return c.s == c.e;
}

static enum leakcheck_status
content_line(struct parser *ps, struct cur *c)
{
	enum leakcheck_status st;

	/* The hot path: the frames of a record. */
	if (ps->state == ST_RECORD) {
		if (c->e - c->s > 6 && c->s[0] == ' ' && c->s[1] == ' ' && c->s[2] == ' ' &&
		    c->s[3] != ' ') {
			c->s += 3;
			return parse_frame(ps, c);
		}
		/* Anything else ends the record, normally a blank line. */
		if ((st = record_end(ps)))
			return st;
	}
	if (ps->state == ST_SUMMARY) {
		if (c->s < c->e && *c->s == ' ' && !blank(*c))
			return leakcheck_summary_line(ps, c);
		if ((ps->sumbits & SUM_ALL) != SUM_ALL)
			return bad(ps, c, "LEAK SUMMARY ends early");
		ps->state = ST_TOP;
		ps->done = true;
		ps->sum->seen = 1;
	}
	if (blank(*c))
		return LEAKCHECK_OK;
	if (is_digit(*c->s))
		return record_header(ps, c);
	if (EAT(c, "LEAK SUMMARY:")) {
		if (ps->done || c->s != c->e)
			return bad(ps, c, "unexpected LEAK SUMMARY");
		ps->state = ST_SUMMARY;
		return LEAKCHECK_OK;
	}
	if (EAT(c, "All heap blocks were freed -- no leaks are possible")) {
		if (ps->done || c->s != c->e)
			return bad(ps, c, "unexpected empty-heap line");
		ps->done = true;
		ps->sum->seen = 1;
		ps->sum->heap_empty = 1;
		return LEAKCHECK_OK;
	}
	if (listed(c->s, (size_t)(c->e - c->s), ignored_lines, LT_ARRAY_SIZE(ignored_lines), false))
		return LEAKCHECK_OK;
	return bad(ps, c, "unknown line");
}

/* Does the line start with the prefix seen first? Every line asks, so
 * compare words rather than call memcmp. */
static bool
same_prefix(const struct parser *ps, const char *s, size_t n)
{
	size_t k = ps->pfxlen;
	uint64_t a, b, c, d;

	if (k == 0 || n < k)
		return false;
	if (k < 8 || k > 16)
		return !memcmp(s, ps->pfx, k);
	memcpy(&a, s, 8);
	memcpy(&b, ps->pfx, 8);
	memcpy(&c, s + k - 8, 8);
	memcpy(&d, ps->pfx + k - 8, 8);
	return a == b && c == d;
}

/* "==123==": length of the prefix, 0 if the line has none. */
static size_t
prefix_len(const char *s, size_t n)
{
	size_t i = 2;

	if (n < 5 || s[0] != '=' || s[1] != '=')
		return 0;
	while (i < n && is_digit(s[i]))
		i++;
	if (i == 2 || n - i < 2 || s[i] != '=' || s[i + 1] != '=')
		return 0;
	return i + 2;
}

/* Messages valgrind prints, unprefixed, when it does not accept a command.
 * Some (a bad integer) still run a search, but not the one asked for. */
static const char *const rejections[] = {
	" does not match any of ",
	"missing or malformed ",
	"' not recognised",
};

static enum leakcheck_status
parse_line(struct parser *ps, const char *s, size_t n)
{
	struct cur c;
	size_t plen;

	if (n > LEAKCHECK_MAX_LINE)
		return fail(ps, LEAKCHECK_ERROR, "line longer than %d bytes", LEAKCHECK_MAX_LINE);
	if (ps->lines.nul && ps->lines.nul < s + n)
		return fail(ps, LEAKCHECK_ERROR, "NUL byte at column %zu", (size_t)(ps->lines.nul - s) + 1);
	if (n && s[n - 1] == '\r')
		n--;
	if (same_prefix(ps, s, n)) {
		plen = ps->pfxlen;
	} else if ((plen = prefix_len(s, n))) {
		if (ps->pfxlen)
			return fail(ps, LEAKCHECK_ERROR, "lines of two processes: %.*s and %.*s",
				(int)ps->pfxlen, ps->pfx, (int)plen, s);
		ps->pfx = s;
		ps->pfxlen = plen;
	} else {
		/* vgdb's own chatter ("sending command ..."), or a rejection. */
		if (listed(s, n, rejections, LT_ARRAY_SIZE(rejections), true))
			return fail(ps, LEAKCHECK_COMMAND, "valgrind rejected the command: %.*s",
				(int)(n < 120 ? n : 120), s);
		return LEAKCHECK_OK;
	}
	c.s = s + plen;
	c.e = s + n;
	if (c.s < c.e && *c.s++ != ' ')
		return bad(ps, &c, "expected a space after the prefix");
	return content_line(ps, &c);
}

/* A frame line this answer printed before: the same bytes from the address
 * to the newline at eol. The frame parsed then is taken as it is; only what
 * the text does not decide is checked: the prefix, "at" first and "by"
 * after, the frame limit. False: parse the line in full (which also reports
 * whatever is wrong with it). */
static bool
frame_again(struct parser *ps, const char *p, const char *eol)
{
	struct leakcheck_record *r = &ps->rec;
	const char *s;
	bool at;

	if (ps->state != ST_RECORD || !same_prefix(ps, p, (size_t)(eol - p)) ||
	    (size_t)(eol - p) - ps->pfxlen < 9)
		return false;
	s = p + ps->pfxlen;
	at = s[4] == 'a';
	if (memcmp(s, at ? "    at 0x" : "    by 0x", 9) || at != (r->nframes == 0) ||
	    r->nframes == LEAKCHECK_MAX_FRAMES)
		return false;
	if (r->nframes == ps->capframes)
		xgrow((void **)&ps->frames, &ps->capframes, r->nframes + 1, sizeof(*ps->frames));
	if (!leakcheck_frame_memo_find(&ps->memo, s + 9, (size_t)(eol + 1 - (s + 9)), &ps->frames[r->nframes]))
		return false;
	r->nframes++;
	return true;
}

/* The last line has no newline and does not parse: it was cut in the
 * middle, so the text is missing, not bad; after the summary only a hint
 * was lost. Overlong lines and NUL bytes stay errors. */
static enum leakcheck_status
cut_line(struct parser *ps, const char *s, const char *eol)
{
	if (eol - s > LEAKCHECK_MAX_LINE || memchr(s, '\0', (size_t)(eol - s)))
		return LEAKCHECK_ERROR;
	if (!ps->done)
		return fail(ps, LEAKCHECK_INCOMPLETE, "the last line is cut short");
	memset(ps->err, 0, sizeof(*ps->err));
	return LEAKCHECK_OK;
}

void
leakcheck_parser_init(struct parser *ps, leakcheck_record_cb cb, void *ctx,
	struct leak_summary *summary, struct leakcheck_error *err)
{
	memset(ps, 0, sizeof(*ps));
	ps->cb = cb;
	ps->ctx = ctx;
	ps->sum = summary;
	ps->err = err;
	ps->parse_id = atomic_fetch_add(&parse_ids, 1) + 1;
	leakcheck_frame_memo_init(&ps->memo);
	memset(ps->sum, 0, sizeof(*ps->sum));
	memset(ps->err, 0, sizeof(*ps->err));
}

enum leakcheck_status
leakcheck_lines(struct parser *ps, const char *buf, size_t len, bool last, size_t *used)
{
	const char *p = buf, *end = len ? buf + len : buf;
	enum leakcheck_status st = LEAKCHECK_OK;

	linescan_init(&ps->lines, buf, len);
	while (p < end && st == LEAKCHECK_OK) {
		const char *eol = linescan_next(&ps->lines);
		bool cut = !eol;

		if (cut && !last)
			break;	/* the rest of this line comes in the next piece */
		ps->lineno++;
		ps->line = p;
		if (!cut && frame_again(ps, p, eol)) {
			p = eol + 1;
			continue;
		}
		ps->eol = eol;
		if (cut)
			eol = end;
		st = parse_line(ps, p, (size_t)(eol - p));
		if (st == LEAKCHECK_ERROR && cut)
			st = cut_line(ps, p, eol);
		p = eol + !cut;
	}
	*used = (size_t)(p - buf);
	return st;
}

enum leakcheck_status
leakcheck_parser_end(struct parser *ps, enum leakcheck_status st)
{
	/* A summary complete but for its trailing blank line lacks nothing;
	 * a record still open at the end may have lost frames. */
	if (ps->state == ST_SUMMARY && (ps->sumbits & SUM_ALL) == SUM_ALL) {
		ps->done = true;
		ps->sum->seen = 1;
	}
	if (st == LEAKCHECK_OK && !ps->done)
		st = fail(ps, LEAKCHECK_INCOMPLETE,
			"no LEAK SUMMARY: the answer is cut short or not a leak check");
	free(ps->frames);
	ps->frames = NULL;
	leakcheck_frame_memo_free(&ps->memo);
	return st;
}

enum leakcheck_status
leakcheck_text(const char *buf, size_t len, leakcheck_record_cb cb, void *ctx,
	struct leak_summary *summary, struct leakcheck_error *err)
{
	struct leak_summary local_sum;
	struct leakcheck_error local_err;
	struct parser ps;
	size_t used;

	leakcheck_parser_init(&ps, cb, ctx, summary ? summary : &local_sum, err ? err : &local_err);
	return leakcheck_parser_end(&ps, leakcheck_lines(&ps, buf, len, true, &used));
}
