/* vgxml_deliver.c - the element just read, as the public structs of
 * vgxml.h, to the caller's callbacks. Strings become pointers here: while
 * an element is read they are arena offsets (the arena moves as it grows). */
#include "vgxml_int.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

void
vgxml_called(struct vgxml *x, int rc)
{
	if (rc && x->rc == VGXML_OK) {
		x->rc = VGXML_CALLBACK;
		snprintf(x->msg, sizeof(x->msg), "stopped by the caller");
	}
}

/* Public copies of the frames and stacks of the current element. */
static void
vgxml_pub_stacks(struct vgxml *x)
{
	size_t i;

	xgrow((void **)&x->pframes, &x->cappframes, x->nframes, sizeof(*x->pframes));
	for (i = 0; i < x->nframes; i++) {
		const struct xframe *f = &x->frames[i];
		struct vgxml_frame *p = &x->pframes[i];

		p->ip = f->ip;
		p->obj = vgxml_pub(&x->buf, f->obj);
		p->fn = vgxml_pub(&x->buf, f->fn);
		p->dir = vgxml_pub(&x->buf, f->dir);
		p->file = vgxml_pub(&x->buf, f->file);
		p->line = f->line;
	}
	for (i = 0; i < x->nstacks; i++) {
		x->pstacks[i].nframes = x->stacks[i].n;
		x->pstacks[i].frames = x->pframes + x->stacks[i].first;
	}
}

void
vgxml_deliver_error(struct vgxml *x)
{
	struct xcur *c = &x->cur;
	struct vgxml_error e;
	size_t i;

	if (!c->has_unique || !c->has_kind) {
		vgxml_fail(x, "<error> without <%s> at line %d", c->has_kind ? "unique" : "kind",
			vgxml_line(x));
		return;
	}
	if (!x->cb.error)
		return;
	memset(&e, 0, sizeof(e));
	e.unique = vgxml_pub(&x->buf, c->unique);
	e.unique_id = c->unique_id;
	e.tid = c->tid;
	e.threadname = vgxml_pub(&x->buf, c->threadname);
	e.kind_name = vgxml_pub(&x->buf, c->kind);
	e.kind = vgxml_kind_from_name(e.kind_name.s, e.kind_name.len);
	e.what = vgxml_pub(&x->buf, c->what);
	if (c->has_lbytes) {
		e.has_leak = true;
		e.leak.bytes = c->lbytes;
		e.leak.blocks = c->lblocks;
		vgxml_leak_text(&e.leak, e.what);
	}
	vgxml_pub_stacks(x);
	e.nstacks = x->nstacks;
	e.stacks = x->pstacks;
	xgrow((void **)&x->paux, &x->cappaux, x->naux, sizeof(*x->paux));
	for (i = 0; i < x->naux; i++) {
		x->paux[i].text = vgxml_pub(&x->buf, x->aux[i].text);
		x->paux[i].x = x->aux[i].x;
		x->paux[i].dir = vgxml_pub(&x->buf, x->aux[i].dir);
		x->paux[i].file = vgxml_pub(&x->buf, x->aux[i].file);
		x->paux[i].line = x->aux[i].line;
		x->paux[i].before = x->aux[i].before;
	}
	e.naux = x->naux;
	e.aux = x->paux;
	e.supp_name = vgxml_pub(&x->buf, c->sname);
	e.supp_kind = vgxml_pub(&x->buf, c->skind);
	e.supp_text = vgxml_pub(&x->buf, c->rawtext);
	vgxml_called(x, x->cb.error(x->ctx, &e));
}

void
vgxml_deliver_fatal(struct vgxml *x)
{
	struct xcur *c = &x->cur;
	struct vgxml_fatal f;

	if (!x->cb.fatal)
		return;
	memset(&f, 0, sizeof(f));
	f.tid = c->tid;
	f.threadname = vgxml_pub(&x->buf, c->threadname);
	f.signo = c->signo;
	f.signame = vgxml_pub(&x->buf, c->signame);
	f.sicode = c->sicode;
	f.event = vgxml_pub(&x->buf, c->event);
	f.has_siaddr = c->has_siaddr;
	f.siaddr = c->siaddr;
	vgxml_pub_stacks(x);
	if (x->nstacks)
		f.stack = x->pstacks[0];
	vgxml_called(x, x->cb.fatal(x->ctx, &f));
}

void
vgxml_deliver_status(struct vgxml *x)
{
	struct vgxml_status st;

	if (!x->cb.status)
		return;
	st.state_name = vgxml_pub(&x->buf, x->cur.state);
	st.state = !strcmp(st.state_name.s, "RUNNING") ? VGXML_RUNNING :
		!strcmp(st.state_name.s, "FINISHED") ? VGXML_FINISHED : VGXML_STATE_OTHER;
	st.time = vgxml_pub(&x->buf, x->cur.time);
	st.time_ms = vgxml_time_ms(st.time.s);
	vgxml_called(x, x->cb.status(x->ctx, &st));
}

void
vgxml_deliver_count(struct vgxml *x, bool supp)
{
	struct vgxml_count c;

	if (!x->cb.count)
		return;
	c.supp = supp;
	c.count = x->cur.count;
	c.unique = vgxml_pub(&x->buf, x->cur.unique);
	c.unique_id = x->cur.unique_id;
	c.name = vgxml_pub(&x->buf, x->cur.name);
	vgxml_called(x, x->cb.count(x->ctx, &c));
}

static const struct vgxml_str *
vgxml_pub_list(struct vgxml *x, struct xlist *l)
{
	size_t i;

	l->pub = xcalloc(l->n + 1, sizeof(*l->pub));
	for (i = 0; i < l->n; i++)
		l->pub[i] = vgxml_pub(&x->ibuf, l->v[i]);
	return l->pub;
}

/* Once, before the first element that is not part of the preamble: the
 * preamble strings stop moving then. */
void
vgxml_deliver_info(struct vgxml *x)
{
	struct vgxml_info *in = &x->info;

	if (x->info_done)
		return;
	x->info_done = true;
	in->protocol = 4;
	in->tool = vgxml_pub(&x->ibuf, x->tool);
	in->pid = x->pid;
	in->ppid = x->ppid;
	in->npreamble = x->pre.n;
	in->preamble = vgxml_pub_list(x, &x->pre);
	in->vexe = vgxml_pub(&x->ibuf, x->vexe);
	in->nvargs = x->vargs.n;
	in->vargs = vgxml_pub_list(x, &x->vargs);
	in->exe = vgxml_pub(&x->ibuf, x->exe);
	in->nargs = x->args.n;
	in->args = vgxml_pub_list(x, &x->args);
	if (x->cb.info)
		vgxml_called(x, x->cb.info(x->ctx, in));
}
