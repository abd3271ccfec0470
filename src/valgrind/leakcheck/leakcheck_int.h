/* leakcheck_int.h - inside the leak_check parser: the parser's state and
 * the cursor over a line, shared by leakcheck.c (lines, records, frames)
 * and leakcheck_summary.c (the LEAK SUMMARY block). Private to
 * src/valgrind/leakcheck/. */
#ifndef LT_LEAKCHECK_INT_H
#define LT_LEAKCHECK_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "leakcheck.h"
#include "leakcheck_frame.h"
#include "linescan.h"

enum state {
	ST_TOP,			/* between records */
	ST_RECORD,		/* after a record header: frames */
	ST_SUMMARY,		/* inside the LEAK SUMMARY block */
};

/* Bits of the summary lines seen; all five make a complete summary. */
enum {
	SUM_SUPPRESSED = 1 << LEAK_KIND_COUNT,
	SUM_ALL = (1 << LEAK_KIND_COUNT) - 1 + SUM_SUPPRESSED,
	SUM_HEURISTIC = SUM_SUPPRESSED << 1,	/* "of which reachable via heuristic:" */
};

struct parser {
	const char *line;		/* current line, for column numbers */
	unsigned lineno;
	const char *eol;		/* the current line's newline, NULL if it has none */
	struct linescan lines;		/* finds the lines, notes the first NUL */
	const char *pfx;		/* "==PID==" of the first prefixed line */
	size_t pfxlen;
	enum state state;
	unsigned sumbits;
	bool done;			/* summary complete or heap empty */
	struct leakcheck_record rec;
	struct leakcheck_frame *frames;	/* grows to the deepest stack seen */
	size_t capframes;
	leakcheck_record_cb cb;
	void *ctx;
	struct leak_summary *sum;
	struct leakcheck_error *err;
	struct leakcheck_frame_memo memo;		/* frame lines parsed so far */
	uint64_t parse_id;
	size_t kept;			/* the stream's: frames of the open record
					 * copied out of the pieces they came in */
};

/* A bounded view of the rest of a line. */
struct cur {
	const char *s, *e;
};

static inline bool
eat(struct cur *c, const char *lit, size_t n)
{
	if ((size_t)(c->e - c->s) < n || memcmp(c->s, lit, n))
		return false;
	c->s += n;
	return true;
}

#define EAT(c, lit) eat((c), (lit), sizeof(lit) - 1)

/* leakcheck.c: the parse in three steps, for leakcheck_text (one text)
 * and leakcheck_stream.c (pieces). */
void leakcheck_parser_init(struct parser *ps, leakcheck_record_cb cb, void *ctx,
	struct leak_summary *summary, struct leakcheck_error *err);
/* The lines of [buf, buf + len): last, every one (the final one may lack
 * its newline: cut short); else those that end with a newline. *used:
 * the bytes parsed (the rest is a line to be continued). */
enum leakcheck_status leakcheck_lines(struct parser *ps, const char *buf, size_t len, bool last,
	size_t *used);
/* After the last line: the status of the whole (st: the lines'); frees
 * the parser's memory. */
enum leakcheck_status leakcheck_parser_end(struct parser *ps, enum leakcheck_status st);

/* A malformed line: what was expected, and at which column. */
enum leakcheck_status leakcheck_bad(struct parser *ps, const struct cur *c, const char *what);
/* "N" or "N (+d)" / "N (-d)". */
enum leakcheck_status leakcheck_amount(struct parser *ps, struct cur *c, uint64_t *v,
	bool *has_delta, int64_t *delta);
/* A leak kind in valgrind's words ("definitely lost"), -1 if none. */
int leakcheck_kind(struct cur *c);
/* A line of the LEAK SUMMARY block. */
enum leakcheck_status leakcheck_summary_line(struct parser *ps, struct cur *c);

#endif
