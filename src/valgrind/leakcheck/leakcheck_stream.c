/* leakcheck_stream.c - the leak_check parse fed piece by piece (leakcheck.h).
 *
 * The same parser as leakcheck_text (leakcheck_lines), run over each piece
 * as it arrives, so a 9 MB answer costs the event loop a piece's parse at
 * a time, not the whole parse when it ends. Only what must outlive a piece
 * is copied:
 *  - a line the piece cuts: its bytes wait in `line` until its newline
 *    comes, then that one line is parsed from there;
 *  - the frames of a record still open when the piece ends: their text
 *    (function, file, object) goes to `keep` (chunks that never move, so
 *    frames copied earlier stay put), freed when the next record starts;
 *  - the "==PID==" prefix the parser compares every line with.
 * The frame memo and the line count live in the one parser, so text_ids
 * and line numbers hold across pieces as in one text. */
#include "leakcheck.h"
#include "leakcheck_int.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* A chunk of kept frame text. */
struct keep_chunk {
	struct keep_chunk *next;
	size_t used, cap;
	char data[];
};

enum { KEEP_CHUNK = 16 * 1024 };

struct leakcheck_stream {
	struct parser ps;
	struct leak_summary sum;
	struct leakcheck_error err;
	enum leakcheck_status st;	/* the first non-OK status, sticky */
	bool ended;
	char *line;			/* a line cut by the end of a piece */
	size_t linelen, linecap;
	struct keep_chunk *keep;	/* newest first */
	char *pfx;			/* our copy of ps.pfx */
};

struct leakcheck_stream *
leakcheck_stream_new(leakcheck_record_cb cb, void *ctx)
{
	struct leakcheck_stream *s = xcalloc(1, sizeof *s);

	leakcheck_parser_init(&s->ps, cb, ctx, &s->sum, &s->err);
	return s;
}

static void
keep_reset(struct leakcheck_stream *s)
{
	struct keep_chunk *c;

	/* the oldest chunk is reused: a record's frames mostly fit in it */
	while (s->keep && s->keep->next) {
		c = s->keep->next;
		s->keep->next = c->next;
		free(s->keep);
		s->keep = c;
	}
	if (s->keep)
		s->keep->used = 0;
}

static void
keep_slice(struct leakcheck_stream *s, struct lt_slice *sl)
{
	struct keep_chunk *c = s->keep;
	size_t cap;

	if (!sl->n)
		return;
	if (!c || c->cap - c->used < sl->n) {
		cap = sl->n > KEEP_CHUNK ? sl->n : KEEP_CHUNK;
		c = xmalloc(sizeof *c + cap);
		c->used = 0;
		c->cap = cap;
		c->next = s->keep;
		s->keep = c;
	}
	memcpy(c->data + c->used, sl->p, sl->n);
	sl->p = c->data + c->used;
	c->used += sl->n;
}

/* Before the text just parsed goes away: the open record's new frames and
 * the prefix point into it. */
static void
keep_open(struct leakcheck_stream *s)
{
	struct parser *ps = &s->ps;
	size_t i;

	if (ps->pfx && ps->pfx != s->pfx) {
		s->pfx = xmalloc(ps->pfxlen);
		memcpy(s->pfx, ps->pfx, ps->pfxlen);
		ps->pfx = s->pfx;
	}
	if (ps->state != ST_RECORD)
		return;
	if (ps->kept == 0)
		keep_reset(s);	/* a new record: the last one's frames are done */
	for (i = ps->kept; i < ps->rec.nframes; i++) {
		keep_slice(s, &ps->frames[i].fn);
		keep_slice(s, &ps->frames[i].file);
		keep_slice(s, &ps->frames[i].obj);
	}
	ps->kept = ps->rec.nframes;
}

static void
line_add(struct leakcheck_stream *s, const char *buf, size_t len)
{
	xgrow((void **)&s->line, &s->linecap, s->linelen + len, 1);
	memcpy(s->line + s->linelen, buf, len);
	s->linelen += len;
}

/* Parse the cut line held in s->line (complete now, or the text's last). */
static enum leakcheck_status
line_parse(struct leakcheck_stream *s, bool last)
{
	enum leakcheck_status st;
	size_t used;

	st = leakcheck_lines(&s->ps, s->line, s->linelen, last, &used);
	keep_open(s);
	s->linelen = 0;
	return st;
}

/* A cut line gets the piece up to its newline; false: it needs more. */
static bool
line_complete(struct leakcheck_stream *s, const char **buf, size_t *len)
{
	const char *nl = memchr(*buf, '\n', *len);
	size_t n = nl ? (size_t)(nl + 1 - *buf) : *len;

	line_add(s, *buf, n);
	*buf += n;
	*len -= n;
	return nl != NULL;
}

static enum leakcheck_status
feed(struct leakcheck_stream *s, const char *buf, size_t len)
{
	enum leakcheck_status st;
	size_t used;

	if (s->linelen) {
		if (!line_complete(s, &buf, &len)) {
			/* longer than any line may be: its error now, not its
			 * megabytes (the parse of it says what is wrong) */
			return s->linelen > LEAKCHECK_MAX_LINE + 1 ? line_parse(s, true) :
				LEAKCHECK_OK;
		}
		if ((st = line_parse(s, false)))
			return st;
	}
	st = leakcheck_lines(&s->ps, buf, len, false, &used);
	keep_open(s);
	if (st == LEAKCHECK_OK && used < len) {
		line_add(s, buf + used, len - used);
		if (s->linelen > LEAKCHECK_MAX_LINE + 1)
			st = line_parse(s, true);
	}
	return st;
}

enum leakcheck_status
leakcheck_stream_feed(struct leakcheck_stream *s, const char *buf, size_t len,
	struct leakcheck_error *err)
{
	if (s->st == LEAKCHECK_OK && !s->ended && len)
		s->st = feed(s, buf, len);
	if (err)
		*err = s->err;
	return s->st;
}

enum leakcheck_status
leakcheck_stream_end(struct leakcheck_stream *s, struct leak_summary *summary,
	struct leakcheck_error *err)
{
	if (!s->ended) {
		if (s->st == LEAKCHECK_OK && s->linelen)
			s->st = line_parse(s, true);
		s->st = leakcheck_parser_end(&s->ps, s->st);
		s->ended = true;
	}
	if (summary)
		*summary = s->sum;
	if (err)
		*err = s->err;
	return s->st;
}

void
leakcheck_stream_free(struct leakcheck_stream *s)
{
	if (!s)
		return;
	free(s->ps.frames);
	leakcheck_frame_memo_free(&s->ps.memo);
	keep_reset(s);
	free(s->keep);
	free(s->line);
	free(s->pfx);
	free(s);
}
