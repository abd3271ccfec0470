/* leakcheck_stream.c - the parse fed piece by piece.
 * FIRST CUT (contract): the pieces are gathered and parsed at the end;
 * the streaming parse replaces this. */
#include "leakcheck.h"
#include "sbuf.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

struct leakcheck_stream {
	leakcheck_record_cb cb;
	void *ctx;
	struct sbuf text;
};

struct leakcheck_stream *
leakcheck_stream_new(leakcheck_record_cb cb, void *ctx)
{
	struct leakcheck_stream *s = xcalloc(1, sizeof *s);

	s->cb = cb;
	s->ctx = ctx;
	return s;
}

enum leakcheck_status
leakcheck_stream_feed(struct leakcheck_stream *s, const char *buf, size_t len,
	struct leakcheck_error *err)
{
	(void)err;
	sbuf_add(&s->text, buf, len);
	return LEAKCHECK_OK;
}

enum leakcheck_status
leakcheck_stream_end(struct leakcheck_stream *s, struct leak_summary *summary,
	struct leakcheck_error *err)
{
	return leakcheck_text(s->text.data ? s->text.data : "", s->text.len, s->cb, s->ctx, summary,
		err);
}

void
leakcheck_stream_free(struct leakcheck_stream *s)
{
	if (!s)
		return;
	sbuf_free(&s->text);
	free(s);
}
