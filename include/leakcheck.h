/* leakcheck.h - parser for the text of a `leak_check` monitor command.
 *
 * valgrind answers `leak_check full ...` with text lines, each prefixed
 * "==PID==" (see shared VALGRIND.md). The parser walks a complete answer and
 * hands every loss record to a callback, with its frames as slices pointing
 * into the input (no copies: a check can be tens of megabytes). It never
 * trusts the input: malformed, truncated or absurd lines give an error with
 * the line number, never a crash. */
#ifndef LT_LPARSE_H
#define LT_LPARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "leak.h"

/* A view into the input buffer; not NUL terminated. */
struct lt_slice {
	const char *p;
	size_t n;
};

struct leakcheck_frame {
	uint64_t ip;
	struct lt_slice fn;	/* empty for "???" */
	struct lt_slice file;	/* source path as valgrind printed it, empty if none */
	struct lt_slice obj;	/* "(in /path/obj.so)", empty if none */
	unsigned line;		/* 0 if none */
	/* Frames of one leakcheck_text() call (or one stream) with the same non-zero text_id were
	 * parsed from the same text (so every field above is equal): a
	 * consumer may cache its work per text_id within that call, see
	 * leakcheck_record.parse_id. 0 = no such promise. */
	uint32_t text_id;
};

struct leakcheck_record {
	enum leak_kind kind;
	uint64_t bytes;		/* total (direct + indirect) */
	uint64_t blocks;
	uint64_t direct;	/* == bytes when there is no split */
	uint64_t indirect;
	bool has_delta;		/* "(+N)" deltas were printed (increased/changed) */
	int64_t bytes_delta;	/* against the previous leak search's record */
	int64_t blocks_delta;
	int64_t direct_delta;	/* == bytes_delta when there is no split */
	int64_t indirect_delta;
	unsigned recno;		/* "loss record recno of nrecs" */
	unsigned nrecs;
	size_t nframes;
	const struct leakcheck_frame *frames;	/* valid during the callback only */
	uint64_t parse_id;	/* the leakcheck_text() call or stream (never 0 from them; 0 elsewhere):
				 * the scope in which frames' text_ids hold */
};

/* Return 0 to go on, non-zero to stop parsing: leakcheck_text() then returns
 * LEAKCHECK_CALLBACK. */
typedef int (*leakcheck_record_cb)(void *ctx, const struct leakcheck_record *rec);

struct leakcheck_error {
	unsigned line;		/* 1-based input line, 0 if not line specific */
	char msg[160];
};

enum leakcheck_status {
	LEAKCHECK_OK = 0,		/* complete answer: records and a summary */
	LEAKCHECK_CALLBACK = 1,	/* the callback asked to stop */
	LEAKCHECK_ERROR = 2,	/* malformed input; err says where */
	LEAKCHECK_INCOMPLETE = 3,	/* no LEAK SUMMARY: truncated or not a leak check */
	LEAKCHECK_COMMAND = 4,	/* valgrind rejected the command ("does not match") */
};

/* Longest line accepted; longer lines are an error (a real frame line with
 * a full path stays far below this). */
#define LEAKCHECK_MAX_LINE (64 * 1024)
/* Deepest stack accepted (valgrind's own --num-callers limit is 500). */
#define LEAKCHECK_MAX_FRAMES 512

enum leakcheck_status leakcheck_text(const char *buf, size_t len, leakcheck_record_cb cb, void *ctx,
	struct leak_summary *summary, struct leakcheck_error *err);

/* The same parse, fed an answer piece by piece as it arrives (a 9 MB
 * answer is parsed while it streams in, not all at once when it ends):
 * each feed hands the records its text completes to cb, keeps the rest
 * (a cut line, a record still open); end says what leakcheck_text would
 * have said of the whole text. Frames' text_ids hold for the whole
 * stream (one parse_id); slices point into the fed piece or the stream's
 * own copy, valid during the callback only. After a feed returns
 * non-OK, only end and free may follow (end returns that status again). */
struct leakcheck_stream;

struct leakcheck_stream *leakcheck_stream_new(leakcheck_record_cb cb, void *ctx);
enum leakcheck_status leakcheck_stream_feed(struct leakcheck_stream *s, const char *buf, size_t len,
	struct leakcheck_error *err);
enum leakcheck_status leakcheck_stream_end(struct leakcheck_stream *s, struct leak_summary *summary,
	struct leakcheck_error *err);
void leakcheck_stream_free(struct leakcheck_stream *s);

#endif
