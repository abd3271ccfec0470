/* xmlstream.c - XML stream -> errors, fatal signal, exit leak report. */
#include "xmlstream.h"
#include "escape.h"
#include "leakcheck.h"
#include "memerrors.h"
#include "model.h"
#include "sbuf.h"
#include "util.h"
#include "vgxml.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define XMLSTREAM_CHUNK (1024 * 1024)

struct xmlstream {
	struct vgxml *xp;
	struct memerrors *errors;
	bool owns_errors;	/* else another stream's (xmlstream_new_into) */
	struct model *live;
	struct model *exit_model;	/* == live with exit_in_live */
	bool exit_in_live;
	bool exit_shared;	/* exit_model is another's (xmlstream_exit_into) */
	uint32_t exit_source;	/* the records' source there */
	bool exit_open;		/* FINISHED seen: Leak_* errors are the exit report */
	bool exit_seen;		/* ... and closed */
	struct leak_summary exit_sum;
	bool truncated;
	bool failed;
	bool counted;		/* <errorcounts> changed a count: cb.counts at the end */
	bool finished;		/* xmlstream_finish ran: its input has ended */
	struct xmlstream_cb cb;
	void *ctx;
	char fatal[512];
	char message[256];
	char program[256];
	/* scratch to turn an XML stack into leakcheck frames */
	struct leakcheck_frame *frames;
	size_t capframes;
	struct sbuf paths;
};

static int on_info(void *ctx, const struct vgxml_info *info);
static int on_status(void *ctx, const struct vgxml_status *st);
static int on_error(void *ctx, const struct vgxml_error *e);
static int on_fatal(void *ctx, const struct vgxml_fatal *f);
static int on_count(void *ctx, const struct vgxml_count *c);

struct xmlstream *
xmlstream_new(struct model *live, bool exit_in_live, const struct xmlstream_cb *cb, void *ctx)
{
	static const struct vgxml_cb xcb = {
		.info = on_info, .status = on_status, .error = on_error, .fatal = on_fatal,
		.count = on_count,
	};
	struct xmlstream *xs = xcalloc(1, sizeof *xs);

	xs->xp = vgxml_new(&xcb, xs);
	xs->errors = memerrors_new(live);
	xs->owns_errors = true;
	xs->live = live;
	xs->exit_in_live = exit_in_live;
	if (cb)
		xs->cb = *cb;
	xs->ctx = ctx;
	return xs;
}

struct xmlstream *
xmlstream_new_into(struct model *live, struct memerrors *errors, const struct xmlstream_cb *cb,
	void *ctx)
{
	struct xmlstream *xs = xmlstream_new(live, false, cb, ctx);

	memerrors_free(xs->errors);
	xs->errors = errors;
	xs->owns_errors = false;
	return xs;
}

void
xmlstream_free(struct xmlstream *xs)
{
	if (!xs)
		return;
	vgxml_free(xs->xp);
	if (xs->owns_errors)
		memerrors_free(xs->errors);
	if (!xs->exit_in_live && !xs->exit_shared)
		model_free(xs->exit_model);
	free(xs->frames);
	sbuf_free(&xs->paths);
	free(xs);
}

static int
on_info(void *ctx, const struct vgxml_info *info)
{
	struct xmlstream *xs = ctx;
	char *exe = escape_dup(info->exe.s, info->exe.len, 0);

	snprintf(xs->program, sizeof xs->program, "%s", exe);
	free(exe);
	return 0;
}

static int
on_status(void *ctx, const struct vgxml_status *st)
{
	struct xmlstream *xs = ctx;

	if (st->state != VGXML_FINISHED || xs->exit_open || xs->exit_seen)
		return 0;
	/* What follows FINISHED is valgrind's exit leak search, after a fatal
	 * signal too (tests/data/xml/abort.xml): its records, or none. */
	memset(&xs->exit_sum, 0, sizeof xs->exit_sum);
	xs->exit_open = true;
	if (xs->exit_shared)
		return 0;	/* its owner's round, open already */
	if (!xs->exit_in_live) {
		model_free(xs->exit_model);
		xs->exit_model = model_new();
		/* an attached valgrind had none of our files: our matching hides */
		model_set_suppressions(xs->exit_model, model_suppressions(xs->live));
	} else {
		xs->exit_model = xs->live;
	}
	model_round_begin(xs->exit_model, 0, 0);
	return 0;
}

/* An XML stack as leakcheck frames (dir + "/" + file joined). */
static size_t
to_leakcheck_frames(struct xmlstream *xs, const struct vgxml_stack *st)
{
	size_t i, *off;

	xgrow((void **)&xs->frames, &xs->capframes, st->nframes + 1, sizeof *xs->frames);
	sbuf_reset(&xs->paths);
	off = xmalloc((st->nframes + 1) * sizeof *off);
	for (i = 0; i < st->nframes; i++) {
		const struct vgxml_frame *x = &st->frames[i];

		off[i] = xs->paths.len;
		if (x->dir.len && x->file.len) {
			sbuf_add(&xs->paths, x->dir.s, x->dir.len);
			sbuf_addc(&xs->paths, '/');
		}
		sbuf_add(&xs->paths, x->file.s, x->file.len);
	}
	sbuf_addc(&xs->paths, '\0');	/* data valid even for empty paths */
	for (i = 0; i < st->nframes; i++) {
		const struct vgxml_frame *x = &st->frames[i];
		size_t end = i + 1 < st->nframes ? off[i + 1] : xs->paths.len - 1;

		xs->frames[i] = (struct leakcheck_frame){
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
add_exit_leak(struct xmlstream *xs, const struct vgxml_error *e, int kind)
{
	struct leakcheck_record rec;
	struct leak_total *t = &xs->exit_sum.kind[kind];

	memset(&rec, 0, sizeof rec);
	rec.kind = (enum leak_kind)kind;
	rec.bytes = e->leak.bytes;
	rec.blocks = e->leak.blocks;
	rec.direct = e->leak.direct;
	rec.indirect = e->leak.indirect;
	rec.nframes = e->nstacks ? to_leakcheck_frames(xs, &e->stacks[0]) : 0;
	rec.frames = xs->frames;
	if (xs->exit_shared)
		model_round_source(xs->exit_model, xs->exit_source);	/* others add between */
	model_round_add(xs->exit_model, &rec);
	/* The summary counts direct bytes: indirect ones have records of their own. */
	t->bytes += e->leak.direct;
	t->blocks += e->leak.blocks;
}

static int
on_error(void *ctx, const struct vgxml_error *e)
{
	struct xmlstream *xs = ctx;
	int kind = vgxml_kind_leak(e->kind);
	bool is_new;

	if (kind >= 0) {
		/* Leak records before FINISHED come from client-request checks:
		 * the live rounds come from vgdb, so those are not ours to keep. */
		if (xs->exit_open && e->has_leak)
			add_exit_leak(xs, e, kind);
		return 0;
	}
	is_new = memerrors_add(xs->errors, e);
	if (xs->cb.error)
		xs->cb.error(xs->ctx, is_new);
	return 0;
}

static int
on_fatal(void *ctx, const struct vgxml_fatal *f)
{
	struct xmlstream *xs = ctx;
	struct sbuf b = SBUF_INIT;
	size_t i;

	sbuf_printf(&b, "got %.*s", (int)f->signame.len, f->signame.s);
	if (f->event.len)
		sbuf_printf(&b, " (%.*s%s)", (int)f->event.len, f->event.s,
			f->has_siaddr ? " at this address" : "");
	for (i = 0; i < f->stack.nframes; i++) {
		const struct vgxml_frame *fr = &f->stack.frames[i];

		if (!fr->file.len)
			continue;	/* the first frame with a source line tells most */
		sbuf_printf(&b, " in %.*s (%.*s:%u)", (int)fr->fn.len, fr->fn.s,
			(int)fr->file.len, fr->file.s, fr->line);
		break;
	}
	{
		char *e = escape_dup(b.data, b.len, 0);

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
on_count(void *ctx, const struct vgxml_count *c)
{
	struct xmlstream *xs = ctx;

	if (!c->supp && memerrors_set_count(xs->errors, c->unique_id, c->count))
		xs->counted = true;
	return 0;
}

void
xmlstream_feed(struct xmlstream *xs, const char *buf, size_t len)
{
	if (xs->failed)
		return;
	if (vgxml_feed(xs->xp, buf, len) == VGXML_ERROR) {
		xs->failed = true;
		snprintf(xs->message, sizeof xs->message, "%s", vgxml_error(xs->xp));
	}
}

bool
xmlstream_finish(struct xmlstream *xs)
{
	enum vgxml_rc rc;

	if (xs->finished)
		return !xs->failed;	/* a file read whole is finished by its read */
	xs->finished = true;
	rc = xs->failed ? VGXML_ERROR : vgxml_finish(xs->xp);
	if (rc == VGXML_TRUNCATED) {
		xs->truncated = true;
		snprintf(xs->message, sizeof xs->message, "%s", vgxml_error(xs->xp));
	} else if (rc == VGXML_ERROR) {
		xs->failed = true;
		snprintf(xs->message, sizeof xs->message, "%s", vgxml_error(xs->xp));
	}
	if (xs->exit_open) {
		xs->exit_sum.seen = 1;
		/* A report cut off mid-way is still shown: what arrived is real. */
		if (!xs->exit_shared)
			model_round_end(xs->exit_model, &xs->exit_sum, 0);
		xs->exit_open = false;
		xs->exit_seen = true;
	}
	if (xs->counted && xs->cb.counts)
		xs->cb.counts(xs->ctx);
	xs->counted = false;
	return !xs->failed;
}

bool
xmlstream_load_file(struct xmlstream *xs, const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *buf;
	ssize_t n;

	if (fd < 0) {
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return false;
	}
	buf = xmalloc(XMLSTREAM_CHUNK);
	while ((n = read(fd, buf, XMLSTREAM_CHUNK)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
			free(buf);
			close(fd);
			return false;
		}
		xmlstream_feed(xs, buf, (size_t)n);
		if (xs->failed)
			break;
	}
	free(buf);
	close(fd);
	if (!xmlstream_finish(xs)) {
		snprintf(err, errlen, "%s: %s", path, xs->message);
		return false;
	}
	return true;
}

struct memerrors *
xmlstream_errors(const struct xmlstream *xs)
{
	return xs->errors;
}

struct model *
xmlstream_exit_model(const struct xmlstream *xs)
{
	if (xs->exit_shared)
		return NULL;	/* its owner's */
	return xs->exit_model && model_nrounds(xs->exit_model) ? xs->exit_model : NULL;
}

void
xmlstream_exit_into(struct xmlstream *xs, struct model *exit, uint32_t source)
{
	if (!xs->exit_in_live && !xs->exit_shared)
		model_free(xs->exit_model);
	xs->exit_model = exit;
	xs->exit_shared = true;
	xs->exit_in_live = false;
	xs->exit_source = source;
}

bool
xmlstream_exit_summary(const struct xmlstream *xs, struct leak_summary *sum)
{
	if (!xs->exit_seen)
		return false;
	*sum = xs->exit_sum;
	return true;
}

bool
xmlstream_truncated(const struct xmlstream *xs)
{
	return xs->truncated;
}

const char *
xmlstream_fatal(const struct xmlstream *xs)
{
	return xs->fatal;
}

const char *
xmlstream_message(const struct xmlstream *xs)
{
	return xs->message;
}

const char *
xmlstream_program(const struct xmlstream *xs)
{
	return xs->program;
}
