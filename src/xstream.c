/* xstream.c - XML stream -> errors, fatal signal, exit leak report. */
#include "xstream.h"
#include "escape.h"
#include "lparse.h"
#include "merrors.h"
#include "model.h"
#include "sbuf.h"
#include "util.h"
#include "xparse.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define XSTREAM_CHUNK (1024 * 1024)

struct xstream {
	struct xparse *xp;
	struct merrors *errors;
	struct model *live;
	struct model *exit_model;	/* == live with exit_in_live */
	bool exit_in_live;
	bool exit_open;		/* FINISHED seen: Leak_* errors are the exit report */
	struct leak_summary exit_sum;
	bool truncated;
	bool failed;
	bool counted;		/* <errorcounts> changed a count: cb.counts at the end */
	struct xstream_cb cb;
	void *ctx;
	char fatal[512];
	char message[256];
	char program[256];
	/* scratch to turn an XML stack into lparse frames */
	struct lparse_frame *frames;
	size_t capframes;
	struct sbuf paths;
};

static int on_info(void *ctx, const struct xparse_info *info);
static int on_status(void *ctx, const struct xparse_status *st);
static int on_error(void *ctx, const struct xparse_error *e);
static int on_fatal(void *ctx, const struct xparse_fatal *f);
static int on_count(void *ctx, const struct xparse_count *c);

struct xstream *
xstream_new(struct model *live, bool exit_in_live, const struct xstream_cb *cb, void *ctx)
{
	static const struct xparse_cb xcb = {
		.info = on_info, .status = on_status, .error = on_error, .fatal = on_fatal,
		.count = on_count,
	};
	struct xstream *xs = xcalloc(1, sizeof *xs);

	xs->xp = xparse_new(&xcb, xs);
	xs->errors = merrors_new(live);
	xs->live = live;
	xs->exit_in_live = exit_in_live;
	if (cb)
		xs->cb = *cb;
	xs->ctx = ctx;
	return xs;
}

void
xstream_free(struct xstream *xs)
{
	if (!xs)
		return;
	xparse_free(xs->xp);
	merrors_free(xs->errors);
	if (!xs->exit_in_live)
		model_free(xs->exit_model);
	free(xs->frames);
	sbuf_free(&xs->paths);
	free(xs);
}

static int
on_info(void *ctx, const struct xparse_info *info)
{
	struct xstream *xs = ctx;
	char *exe = esc_dup(info->exe.s, info->exe.len, 0);

	snprintf(xs->program, sizeof xs->program, "%s", exe);
	free(exe);
	return 0;
}

static int
on_status(void *ctx, const struct xparse_status *st)
{
	struct xstream *xs = ctx;

	/* After a fatal signal valgrind does no leak search: no report. */
	if (st->state != XPARSE_FINISHED || xs->exit_open || xs->fatal[0])
		return 0;
	/* What follows FINISHED is valgrind's exit leak search. */
	if (!xs->exit_in_live) {
		model_free(xs->exit_model);
		xs->exit_model = model_new();
	} else {
		xs->exit_model = xs->live;
	}
	model_round_begin(xs->exit_model, 0, 0);
	memset(&xs->exit_sum, 0, sizeof xs->exit_sum);
	xs->exit_open = true;
	return 0;
}

/* An XML stack as lparse frames (dir + "/" + file joined). */
static size_t
to_lparse_frames(struct xstream *xs, const struct xparse_stack *st)
{
	size_t i, *off;

	xgrow((void **)&xs->frames, &xs->capframes, st->nframes + 1, sizeof *xs->frames);
	sbuf_reset(&xs->paths);
	off = xmalloc((st->nframes + 1) * sizeof *off);
	for (i = 0; i < st->nframes; i++) {
		const struct xparse_frame *x = &st->frames[i];

		off[i] = xs->paths.len;
		if (x->dir.len && x->file.len) {
			sbuf_add(&xs->paths, x->dir.s, x->dir.len);
			sbuf_addc(&xs->paths, '/');
		}
		sbuf_add(&xs->paths, x->file.s, x->file.len);
	}
	sbuf_addc(&xs->paths, '\0');	/* data valid even for empty paths */
	for (i = 0; i < st->nframes; i++) {
		const struct xparse_frame *x = &st->frames[i];
		size_t end = i + 1 < st->nframes ? off[i + 1] : xs->paths.len - 1;

		xs->frames[i] = (struct lparse_frame){
			.ip = x->ip, .line = x->line,
			.fn = { x->fn.s, x->fn.len },
			.file = { xs->paths.data + off[i], end - off[i] },
			.obj = { x->obj.s, x->obj.len },
		};
	}
	free(off);
	return st->nframes;
}

static void
add_exit_leak(struct xstream *xs, const struct xparse_error *e, int kind)
{
	struct lparse_record rec;
	struct leak_total *t = &xs->exit_sum.kind[kind];

	memset(&rec, 0, sizeof rec);
	rec.kind = (enum leak_kind)kind;
	rec.bytes = e->leak.bytes;
	rec.blocks = e->leak.blocks;
	rec.direct = e->leak.direct;
	rec.indirect = e->leak.indirect;
	rec.nframes = e->nstacks ? to_lparse_frames(xs, &e->stacks[0]) : 0;
	rec.frames = xs->frames;
	model_round_add(xs->exit_model, &rec);
	/* The summary counts direct bytes: indirect ones have records of their own. */
	t->bytes += e->leak.direct;
	t->blocks += e->leak.blocks;
}

static int
on_error(void *ctx, const struct xparse_error *e)
{
	struct xstream *xs = ctx;
	int kind = xparse_kind_leak(e->kind);
	bool is_new;

	if (kind >= 0) {
		/* Leak records before FINISHED come from client-request checks:
		 * the live rounds come from vgdb, so those are not ours to keep. */
		if (xs->exit_open && e->has_leak)
			add_exit_leak(xs, e, kind);
		return 0;
	}
	is_new = merrors_add(xs->errors, e);
	if (xs->cb.error)
		xs->cb.error(xs->ctx, is_new);
	return 0;
}

static int
on_fatal(void *ctx, const struct xparse_fatal *f)
{
	struct xstream *xs = ctx;
	struct sbuf b = SBUF_INIT;
	size_t i;

	sbuf_printf(&b, "got %.*s", (int)f->signame.len, f->signame.s);
	if (f->event.len)
		sbuf_printf(&b, " (%.*s%s)", (int)f->event.len, f->event.s,
			f->has_siaddr ? " at this address" : "");
	for (i = 0; i < f->stack.nframes; i++) {
		const struct xparse_frame *fr = &f->stack.frames[i];

		if (!fr->file.len)
			continue;	/* the first frame with a source line tells most */
		sbuf_printf(&b, " in %.*s (%.*s:%u)", (int)fr->fn.len, fr->fn.s,
			(int)fr->file.len, fr->file.s, fr->line);
		break;
	}
	{
		char *e = esc_dup(b.data, b.len, 0);

		snprintf(xs->fatal, sizeof xs->fatal, "%s", e);
		free(e);
	}
	sbuf_free(&b);
	if (xs->cb.fatal)
		xs->cb.fatal(xs->ctx);
	return 0;
}

/* A <pair> of <errorcounts> (valgrind writes them at exit): how many
 * times the error with that unique id happened. <suppcounts> are not ours. */
static int
on_count(void *ctx, const struct xparse_count *c)
{
	struct xstream *xs = ctx;

	if (!c->supp && merrors_set_count(xs->errors, c->unique_id, c->count))
		xs->counted = true;
	return 0;
}

void
xstream_feed(struct xstream *xs, const char *buf, size_t len)
{
	if (xs->failed)
		return;
	if (xparse_feed(xs->xp, buf, len) == XPARSE_ERROR) {
		xs->failed = true;
		snprintf(xs->message, sizeof xs->message, "%s", xparse_error(xs->xp));
	}
}

bool
xstream_finish(struct xstream *xs)
{
	enum xparse_rc rc = xs->failed ? XPARSE_ERROR : xparse_finish(xs->xp);

	if (rc == XPARSE_TRUNCATED) {
		xs->truncated = true;
		snprintf(xs->message, sizeof xs->message, "%s", xparse_error(xs->xp));
	} else if (rc == XPARSE_ERROR) {
		xs->failed = true;
		snprintf(xs->message, sizeof xs->message, "%s", xparse_error(xs->xp));
	}
	if (xs->exit_open) {
		xs->exit_sum.seen = 1;
		/* A report cut off mid-way is still shown: what arrived is real. */
		model_round_end(xs->exit_model, &xs->exit_sum, 0);
		xs->exit_open = false;
	}
	if (xs->counted && xs->cb.counts)
		xs->cb.counts(xs->ctx);
	xs->counted = false;
	return !xs->failed;
}

bool
xstream_load_file(struct xstream *xs, const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *buf;
	ssize_t n;

	if (fd < 0) {
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return false;
	}
	buf = xmalloc(XSTREAM_CHUNK);
	while ((n = read(fd, buf, XSTREAM_CHUNK)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
			free(buf);
			close(fd);
			return false;
		}
		xstream_feed(xs, buf, (size_t)n);
		if (xs->failed)
			break;
	}
	free(buf);
	close(fd);
	if (!xstream_finish(xs)) {
		snprintf(err, errlen, "%s: %s", path, xs->message);
		return false;
	}
	return true;
}

struct merrors *
xstream_errors(const struct xstream *xs)
{
	return xs->errors;
}

struct model *
xstream_exit_model(const struct xstream *xs)
{
	return xs->exit_model && model_nrounds(xs->exit_model) ? xs->exit_model : NULL;
}

bool
xstream_truncated(const struct xstream *xs)
{
	return xs->truncated;
}

const char *
xstream_fatal(const struct xstream *xs)
{
	return xs->fatal;
}

const char *
xstream_message(const struct xstream *xs)
{
	return xs->message;
}

const char *
xstream_program(const struct xstream *xs)
{
	return xs->program;
}
