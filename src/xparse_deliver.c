/* xparse_deliver.c - the element just read, as the public structs of
 * xparse.h, to the caller's callbacks. Strings become pointers here: while
 * an element is read they are arena offsets (the arena moves as it grows). */
#include "xparse_int.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

void
xparse_called(struct xparse *x, int rc)
{
	if (rc && x->rc == XPARSE_OK) {
		x->rc = XPARSE_CALLBACK;
		snprintf(x->msg, sizeof(x->msg), "stopped by the caller");
	}
}

/* Public copies of the frames and stacks of the current element. */
static void
xparse_pub_stacks(struct xparse *x)
{
	size_t i;

	xgrow((void **)&x->pframes, &x->cappframes, x->nframes, sizeof(*x->pframes));
	for (i = 0; i < x->nframes; i++) {
		const struct xframe *f = &x->frames[i];
		struct xparse_frame *p = &x->pframes[i];

		p->ip = f->ip;
		p->obj = xparse_pub(&x->buf, f->obj);
		p->fn = xparse_pub(&x->buf, f->fn);
		p->dir = xparse_pub(&x->buf, f->dir);
		p->file = xparse_pub(&x->buf, f->file);
		p->line = f->line;
	}
	for (i = 0; i < x->nstacks; i++) {
		x->pstacks[i].nframes = x->stacks[i].n;
		x->pstacks[i].frames = x->pframes + x->stacks[i].first;
	}
}

void
xparse_deliver_error(struct xparse *x)
{
	struct xcur *c = &x->cur;
	struct xparse_error e;
	size_t i;

	if (!c->has_unique || !c->has_kind) {
		xparse_fail(x, "<error> without <%s> at line %d", c->has_kind ? "unique" : "kind",
			xparse_line(x));
		return;
	}
	if (!x->cb.error)
		return;
	memset(&e, 0, sizeof(e));
	e.unique = xparse_pub(&x->buf, c->unique);
	e.unique_id = c->unique_id;
	e.tid = c->tid;
	e.threadname = xparse_pub(&x->buf, c->threadname);
	e.kind_name = xparse_pub(&x->buf, c->kind);
	e.kind = xparse_kind_from_name(e.kind_name.s, e.kind_name.len);
	e.what = xparse_pub(&x->buf, c->what);
	if (c->has_lbytes) {
		e.has_leak = true;
		e.leak.bytes = c->lbytes;
		e.leak.blocks = c->lblocks;
		xparse_leak_text(&e.leak, e.what);
	}
	xparse_pub_stacks(x);
	e.nstacks = x->nstacks;
	e.stacks = x->pstacks;
	xgrow((void **)&x->paux, &x->cappaux, x->naux, sizeof(*x->paux));
	for (i = 0; i < x->naux; i++) {
		x->paux[i].text = xparse_pub(&x->buf, x->aux[i].text);
		x->paux[i].x = x->aux[i].x;
		x->paux[i].dir = xparse_pub(&x->buf, x->aux[i].dir);
		x->paux[i].file = xparse_pub(&x->buf, x->aux[i].file);
		x->paux[i].line = x->aux[i].line;
		x->paux[i].before = x->aux[i].before;
	}
	e.naux = x->naux;
	e.aux = x->paux;
	e.supp_name = xparse_pub(&x->buf, c->sname);
	e.supp_kind = xparse_pub(&x->buf, c->skind);
	e.supp_text = xparse_pub(&x->buf, c->rawtext);
	xparse_called(x, x->cb.error(x->ctx, &e));
}

void
xparse_deliver_fatal(struct xparse *x)
{
	struct xcur *c = &x->cur;
	struct xparse_fatal f;

	if (!x->cb.fatal)
		return;
	memset(&f, 0, sizeof(f));
	f.tid = c->tid;
	f.threadname = xparse_pub(&x->buf, c->threadname);
	f.signo = c->signo;
	f.signame = xparse_pub(&x->buf, c->signame);
	f.sicode = c->sicode;
	f.event = xparse_pub(&x->buf, c->event);
	f.has_siaddr = c->has_siaddr;
	f.siaddr = c->siaddr;
	xparse_pub_stacks(x);
	if (x->nstacks)
		f.stack = x->pstacks[0];
	xparse_called(x, x->cb.fatal(x->ctx, &f));
}

void
xparse_deliver_status(struct xparse *x)
{
	struct xparse_status st;

	if (!x->cb.status)
		return;
	st.state_name = xparse_pub(&x->buf, x->cur.state);
	st.state = !strcmp(st.state_name.s, "RUNNING") ? XPARSE_RUNNING :
		!strcmp(st.state_name.s, "FINISHED") ? XPARSE_FINISHED : XPARSE_STATE_OTHER;
	st.time = xparse_pub(&x->buf, x->cur.time);
	st.time_ms = xparse_time_ms(st.time.s);
	xparse_called(x, x->cb.status(x->ctx, &st));
}

void
xparse_deliver_count(struct xparse *x, bool supp)
{
	struct xparse_count c;

	if (!x->cb.count)
		return;
	c.supp = supp;
	c.count = x->cur.count;
	c.unique = xparse_pub(&x->buf, x->cur.unique);
	c.unique_id = x->cur.unique_id;
	c.name = xparse_pub(&x->buf, x->cur.name);
	xparse_called(x, x->cb.count(x->ctx, &c));
}

static const struct xparse_str *
xparse_pub_list(struct xparse *x, struct xlist *l)
{
	size_t i;

	l->pub = xcalloc(l->n + 1, sizeof(*l->pub));
	for (i = 0; i < l->n; i++)
		l->pub[i] = xparse_pub(&x->ibuf, l->v[i]);
	return l->pub;
}

/* Once, before the first element that is not part of the preamble: the
 * preamble strings stop moving then. */
void
xparse_deliver_info(struct xparse *x)
{
	struct xparse_info *in = &x->info;

	if (x->info_done)
		return;
	x->info_done = true;
	in->protocol = 4;
	in->tool = xparse_pub(&x->ibuf, x->tool);
	in->pid = x->pid;
	in->ppid = x->ppid;
	in->npreamble = x->pre.n;
	in->preamble = xparse_pub_list(x, &x->pre);
	in->vexe = xparse_pub(&x->ibuf, x->vexe);
	in->nvargs = x->vargs.n;
	in->vargs = xparse_pub_list(x, &x->vargs);
	in->exe = xparse_pub(&x->ibuf, x->exe);
	in->nargs = x->args.n;
	in->args = xparse_pub_list(x, &x->args);
	if (x->cb.info)
		xparse_called(x, x->cb.info(x->ctx, in));
}
