/* vgxml_sax.c - the grammar of valgrind's XML and libxml2's SAX2
 * callbacks that walk it (vgxml.c has the big picture).
 *
 * An element either has a row for its parent in the table below, or it is
 * skipped with its whole subtree. Leaf texts go into the arena of the
 * top-level element being read (or of the preamble); when that element
 * ends it is handed over (vgxml_deliver.c). */
#include "vgxml_int.h"
#include "util.h"

#include <limits.h>
#include <string.h>

#define VGXML_MAX_NEST 64		/* with skipped elements: libxml2 keeps a stack */

#define B(e) (1ull << (e))

const struct el_def vgxml_el_defs[E_MAX] = {
	[E_IP] = { "ip", B(E_FRAME), LEAF },
	[E_OBJ] = { "obj", B(E_FRAME), LEAF | KEEP },
	[E_FN] = { "fn", B(E_FRAME), LEAF | KEEP },
	[E_DIR] = { "dir", B(E_FRAME) | B(E_XAUXWHAT), LEAF | KEEP },
	[E_FILE] = { "file", B(E_FRAME) | B(E_XAUXWHAT), LEAF | KEEP },
	[E_LINE] = { "line", B(E_FRAME) | B(E_XAUXWHAT) | B(E_PREAMBLE), LEAF },
	[E_FRAME] = { "frame", B(E_STACK), 0 },
	[E_STACK] = { "stack", B(E_ERROR) | B(E_FATAL), 0 },
	[E_ERROR] = { "error", B(E_VGO), 0 },
	[E_UNIQUE] = { "unique", B(E_ERROR) | B(E_PAIR), LEAF },
	[E_TID] = { "tid", B(E_ERROR) | B(E_FATAL), LEAF },
	[E_KIND] = { "kind", B(E_ERROR), LEAF },
	[E_WHAT] = { "what", B(E_ERROR), LEAF },
	[E_AUXWHAT] = { "auxwhat", B(E_ERROR), LEAF },
	[E_XWHAT] = { "xwhat", B(E_ERROR), 0 },
	[E_TEXT] = { "text", B(E_XWHAT) | B(E_XAUXWHAT), LEAF },
	[E_LEAKEDBYTES] = { "leakedbytes", B(E_XWHAT), LEAF },
	[E_LEAKEDBLOCKS] = { "leakedblocks", B(E_XWHAT), LEAF },
	[E_XAUXWHAT] = { "xauxwhat", B(E_ERROR), 0 },
	[E_THREADNAME] = { "threadname", B(E_ERROR) | B(E_FATAL), LEAF | KEEP },
	[E_SUPPRESSION] = { "suppression", B(E_ERROR), 0 },
	[E_SNAME] = { "sname", B(E_SUPPRESSION), LEAF },
	[E_SKIND] = { "skind", B(E_SUPPRESSION), LEAF },
	[E_RAWTEXT] = { "rawtext", B(E_SUPPRESSION), LEAF },
	[E_PAIR] = { "pair", B(E_ERRORCOUNTS) | B(E_SUPPCOUNTS), 0 },
	[E_COUNT] = { "count", B(E_PAIR), LEAF },
	[E_NAME] = { "name", B(E_PAIR), LEAF | KEEP },
	[E_STATUS] = { "status", B(E_VGO), 0 },
	[E_STATE] = { "state", B(E_STATUS), LEAF },
	[E_TIME] = { "time", B(E_STATUS), LEAF },
	[E_FATAL] = { "fatal_signal", B(E_VGO), 0 },
	[E_SIGNO] = { "signo", B(E_FATAL), LEAF },
	[E_SIGNAME] = { "signame", B(E_FATAL), LEAF },
	[E_SICODE] = { "sicode", B(E_FATAL), LEAF },
	[E_EVENT] = { "event", B(E_FATAL), LEAF },
	[E_SIADDR] = { "siaddr", B(E_FATAL), LEAF },
	[E_ERRORCOUNTS] = { "errorcounts", B(E_VGO), 0 },
	[E_SUPPCOUNTS] = { "suppcounts", B(E_VGO), 0 },
	[E_VGO] = { "valgrindoutput", B(E_DOC), 0 },
	[E_PROTOVER] = { "protocolversion", B(E_VGO), LEAF },
	[E_PROTOTOOL] = { "protocoltool", B(E_VGO), LEAF },
	[E_PREAMBLE] = { "preamble", B(E_VGO), 0 },
	[E_PID] = { "pid", B(E_VGO), LEAF },
	[E_PPID] = { "ppid", B(E_VGO), LEAF },
	[E_TOOL] = { "tool", B(E_VGO), LEAF },
	[E_ARGS] = { "args", B(E_VGO), 0 },
	[E_VARGV] = { "vargv", B(E_ARGS), 0 },
	[E_ARGV] = { "argv", B(E_ARGS), 0 },
	[E_EXE] = { "exe", B(E_VARGV) | B(E_ARGV), LEAF | KEEP },
	[E_ARG] = { "arg", B(E_VARGV) | B(E_ARGV), LEAF | KEEP },
};

static enum el
vgxml_lookup(const struct vgxml *x, const xmlChar *name)
{
	int i;

	for (i = 1; i < E_MAX; i++)
		if (x->names[i] == name)
			return (enum el)i;
	/* not from the dictionary: cannot happen with libxml2's SAX2, but a
	 * wrong guess must not misparse */
	for (i = 1; i < E_MAX; i++)
		if (!strcmp((const char *)name, vgxml_el_defs[i].name))
			return (enum el)i;
	return E_UNKNOWN;
}

/* Checks of the root and the protocol header; false fails the parse. */
static bool
vgxml_header(struct vgxml *x, enum el parent, enum el id, const xmlChar *prefix,
	const xmlChar *local)
{
	char q[64];
	struct xstr s = { 0, 0 };

	if (parent == E_DOC && id != E_VGO) {
		x->arena = &x->buf;
		if (prefix)
			sbuf_printf(&x->buf, "%s:", (const char *)prefix);
		sbuf_adds(&x->buf, (const char *)local);
		s.len = (uint32_t)x->buf.len;
		vgxml_fail(x, "not valgrind XML: the root element is <%s>, not <valgrindoutput>",
			vgxml_quote(x, s, q, sizeof(q)));
		return false;
	}
	if (parent != E_VGO || x->proto == 2)
		return true;
	if (x->proto == 0 && id != E_PROTOVER)
		vgxml_fail(x, "not valgrind XML protocol 4: no <protocolversion> first");
	else if (x->proto == 1 && id != E_PROTOTOOL)
		vgxml_fail(x, "not valgrind XML protocol 4: no <protocoltool> after <protocolversion>");
	return x->rc == VGXML_OK;
}

/* Start of a top-level element: the current element starts afresh. */
static void
vgxml_reset(struct vgxml *x)
{
	sbuf_reset(&x->buf);
	memset(&x->cur, 0, sizeof(x->cur));
	x->nframes = x->nstacks = x->naux = 0;
}

/* Per-element work at its start; false to skip the element. */
static bool
vgxml_open(struct vgxml *x, enum el parent, enum el id)
{
	if (parent == E_VGO) {
		bool pre = id == E_PROTOVER || id == E_PROTOTOOL || id == E_PREAMBLE || id == E_PID ||
			id == E_PPID || id == E_TOOL || id == E_ARGS;

		if (pre && x->info_done)
			return false;
		if (!pre)
			vgxml_deliver_info(x);
		x->arena = pre ? &x->ibuf : &x->buf;
		if (!pre)
			vgxml_reset(x);
		return true;
	}
	switch (id) {
	case E_STACK:
		if (x->nstacks == VGXML_MAX_STACKS) {
			vgxml_fail(x, "element too large: more than %d stacks in <%s> at line %d",
				VGXML_MAX_STACKS, vgxml_el_defs[parent].name, vgxml_line(x));
			return false;
		}
		xgrow((void **)&x->stacks, &x->capstacks, x->nstacks + 1, sizeof(*x->stacks));
		x->stacks[x->nstacks].first = x->nframes;
		x->stacks[x->nstacks].n = 0;
		break;
	case E_FRAME:
		if (x->stacks[x->nstacks].n == VGXML_MAX_FRAMES) {
			vgxml_fail(x, "element too large: more than %d frames in a <stack> at line %d",
				VGXML_MAX_FRAMES, vgxml_line(x));
			return false;
		}
		xgrow((void **)&x->frames, &x->capframes, x->nframes + 1, sizeof(*x->frames));
		memset(&x->frames[x->nframes++], 0, sizeof(*x->frames));
		x->stacks[x->nstacks].n++;
		break;
	case E_AUXWHAT:
	case E_XAUXWHAT:
		if (x->naux == VGXML_MAX_AUX) {
			vgxml_fail(x, "element too large: more than %d auxwhat in <error> at line %d",
				VGXML_MAX_AUX, vgxml_line(x));
			return false;
		}
		xgrow((void **)&x->aux, &x->capaux, x->naux + 1, sizeof(*x->aux));
		memset(&x->aux[x->naux], 0, sizeof(*x->aux));
		x->aux[x->naux].x = id == E_XAUXWHAT;
		x->aux[x->naux++].before = x->nstacks;
		break;
	case E_PAIR:
		vgxml_reset(x);
		break;
	default:
		break;
	}
	return true;
}

void
vgxml_start(void *ud, const xmlChar *local, const xmlChar *prefix, const xmlChar *uri,
	int nns, const xmlChar **ns, int nattr, int ndef, const xmlChar **attrs)
{
	struct vgxml *x = ud;
	enum el parent = x->path[x->depth], id;

	(void)uri, (void)nns, (void)ns, (void)nattr, (void)ndef, (void)attrs;
	if (x->rc != VGXML_OK)
		return;
	if (x->skip) {
		if (++x->skip + (unsigned long)x->depth > VGXML_MAX_NEST)
			vgxml_fail(x, "element too large: nested deeper than %d at line %d",
				VGXML_MAX_NEST, vgxml_line(x));
		return;
	}
	id = prefix ? E_UNKNOWN : vgxml_lookup(x, local);
	if (!vgxml_header(x, parent, id, prefix, local))
		return;
	if (id == E_UNKNOWN || !(vgxml_el_defs[id].parents & B(parent)) || !vgxml_open(x, parent, id)) {
		x->skip = x->rc == VGXML_OK;
		return;
	}
	x->path[++x->depth] = id;
	if (vgxml_el_defs[id].flags & LEAF) {
		x->leaf = true;
		x->tstart = x->arena->len;
	}
}

void
vgxml_chars(void *ud, const xmlChar *ch, int len)
{
	struct vgxml *x = ud;
	struct sbuf *a = x->arena;

	if (!x->leaf || x->skip || x->rc != VGXML_OK)
		return;
	if (a->len - x->tstart + (size_t)len > VGXML_MAX_TEXT)
		vgxml_fail(x, "element too large: <%s> text over %u bytes at line %d",
			vgxml_el_defs[x->path[x->depth]].name, VGXML_MAX_TEXT, vgxml_line(x));
	else if (a->len + (size_t)len > VGXML_MAX_ELEMENT)
		vgxml_fail(x, "element too large: <%s> over %u bytes at line %d",
			vgxml_el_defs[x->path[a == &x->ibuf ? 1 : 2]].name, VGXML_MAX_ELEMENT, vgxml_line(x));
	else
		sbuf_add(a, ch, (size_t)len);
}

/* The text of the leaf that ends: trimmed unless KEEP, NUL-terminated. */
static struct xstr
vgxml_text(struct vgxml *x, enum el id)
{
	struct sbuf *a = x->arena;
	size_t s = x->tstart, e = a->len;

	if (!(vgxml_el_defs[id].flags & KEEP)) {
		while (s < e && vgxml_space(a->data[s]))
			s++;
		while (e > s && vgxml_space(a->data[e - 1]))
			e--;
	}
	a->len = e;
	sbuf_addc(a, '\0');
	return (struct xstr){ (uint32_t)s, (uint32_t)(e - s) };
}

static void
vgxml_list_add(struct vgxml *x, struct xlist *l, struct xstr t)
{
	if (l->n == VGXML_MAX_ARGS) {
		vgxml_fail(x, "element too large: more than %d lines or arguments at line %d",
			VGXML_MAX_ARGS, vgxml_line(x));
		return;
	}
	xgrow((void **)&l->v, &l->cap, l->n + 1, sizeof(*l->v));
	l->v[l->n++] = t;
}

/* A second <text> of an <xauxwhat>: joined to the first with a space, at
 * the end of the arena (copied out first: the arena may move). */
static void
vgxml_join(struct vgxml *x, struct xstr *a, struct xstr t)
{
	size_t n = a->len + 1 + t.len;
	char *p;

	if (!a->len) {
		*a = t;
		return;
	}
	if (n > VGXML_MAX_TEXT || x->buf.len + n + 1 > VGXML_MAX_ELEMENT) {
		vgxml_fail(x, "element too large: <xauxwhat> over %u bytes at line %d",
			VGXML_MAX_TEXT, vgxml_line(x));
		return;
	}
	p = xmalloc(n);
	memcpy(p, x->buf.data + a->off, a->len);
	p[a->len] = ' ';
	memcpy(p + a->len + 1, x->buf.data + t.off, t.len);
	a->off = (uint32_t)x->buf.len;
	a->len = (uint32_t)n;
	sbuf_add(&x->buf, p, n);
	sbuf_addc(&x->buf, '\0');
	free(p);
}

/* A leaf of the preamble ended. */
static void
vgxml_close_info(struct vgxml *x, enum el parent, enum el id, struct xstr t)
{
	const char *s = x->ibuf.data + t.off;
	uint64_t v;
	char q[64];

	switch (id) {
	case E_PROTOVER:
		if (t.len != 1 || *s != '4')
			vgxml_fail(x, "unsupported valgrind XML protocol version \"%s\" (need 4)",
				vgxml_quote(x, t, q, sizeof(q)));
		x->proto = 1;
		break;
	case E_PROTOTOOL:
		if (strcmp(s, "memcheck"))
			vgxml_fail(x, "valgrind XML from %s, not memcheck (run valgrind with --tool=memcheck)",
				t.len ? vgxml_quote(x, t, q, sizeof(q)) : "an unnamed tool");
		x->tool = t;
		x->proto = 2;
		break;
	case E_PID:
	case E_PPID:
		if (vgxml_num(x, id, t, 10, LONG_MAX, &v))
			*(id == E_PID ? &x->pid : &x->ppid) = (long)v;
		break;
	case E_LINE:
		vgxml_list_add(x, &x->pre, t);
		break;
	case E_EXE:
		*(parent == E_VARGV ? &x->vexe : &x->exe) = t;
		break;
	case E_ARG:
		vgxml_list_add(x, parent == E_VARGV ? &x->vargs : &x->args, t);
		break;
	case E_ARGS:
		vgxml_deliver_info(x);
		break;
	default:
		break;
	}
}

/* A leaf inside a <frame> or an <xauxwhat> ended. */
static void
vgxml_close_frame(struct vgxml *x, enum el parent, enum el id, struct xstr t)
{
	struct xframe *f;
	struct xaux *a;
	uint64_t v;

	if (parent == E_XAUXWHAT) {
		a = &x->aux[x->naux - 1];
		if (id == E_TEXT)
			vgxml_join(x, &a->text, t);
		else if (id == E_DIR)
			a->dir = t;
		else if (id == E_FILE)
			a->file = t;
		else if (id == E_LINE && vgxml_num(x, id, t, 10, UINT_MAX, &v))
			a->line = (unsigned)v;
		return;
	}
	f = &x->frames[x->nframes - 1];
	switch (id) {
	case E_IP: vgxml_num(x, id, t, 16, UINT64_MAX, &f->ip); break;
	case E_OBJ: f->obj = t; break;
	case E_FN: f->fn = t; break;
	case E_DIR: f->dir = t; break;
	case E_FILE: f->file = t; break;
	default:
		if (vgxml_num(x, id, t, 10, UINT_MAX, &v))	/* <line> */
			f->line = (unsigned)v;
		break;
	}
}

/* Any element of an error, a fatal signal, a status or a pair ended. */
static void
vgxml_close(struct vgxml *x, enum el parent, enum el id, struct xstr t)
{
	struct xcur *c = &x->cur;
	uint64_t v;

	switch (id) {
	case E_UNIQUE:
		c->unique = t;
		c->has_unique = vgxml_num(x, id, t, 16, UINT64_MAX, &c->unique_id);
		break;
	case E_TID:
		if (vgxml_num(x, id, t, 10, UINT_MAX, &v))
			c->tid = (unsigned)v;
		break;
	case E_THREADNAME: c->threadname = t; break;
	case E_KIND: c->kind = t; c->has_kind = true; break;
	case E_WHAT: c->what = t; break;
	case E_TEXT: c->what = t; break;		/* of <xwhat> */
	case E_LEAKEDBYTES:
		c->has_lbytes = vgxml_num(x, id, t, 10, UINT64_MAX, &c->lbytes);
		break;
	case E_LEAKEDBLOCKS:
		vgxml_num(x, id, t, 10, UINT64_MAX, &c->lblocks);
		break;
	case E_AUXWHAT: x->aux[x->naux - 1].text = t; break;
	case E_STACK: x->nstacks++; break;
	case E_SNAME: c->sname = t; break;
	case E_SKIND: c->skind = t; break;
	case E_RAWTEXT: c->rawtext = t; break;
	case E_STATE: c->state = t; break;
	case E_TIME: c->time = t; break;
	case E_SIGNO:
		if (vgxml_num(x, id, t, 10, INT_MAX, &v))
			c->signo = (int)v;
		break;
	case E_SIGNAME: c->signame = t; break;
	case E_SICODE:
		if (vgxml_num(x, id, t, 10, INT_MAX, &v))
			c->sicode = (int)(int64_t)v;
		break;
	case E_EVENT: c->event = t; break;
	case E_SIADDR:
		c->has_siaddr = vgxml_num(x, id, t, 16, UINT64_MAX, &c->siaddr);
		break;
	case E_COUNT: vgxml_num(x, id, t, 10, UINT64_MAX, &c->count); break;
	case E_NAME: c->name = t; break;
	case E_PAIR: vgxml_deliver_count(x, parent == E_SUPPCOUNTS); break;
	case E_ERROR: vgxml_deliver_error(x); break;
	case E_FATAL: vgxml_deliver_fatal(x); break;
	case E_STATUS: vgxml_deliver_status(x); break;
	default:
		break;
	}
}

void
vgxml_end(void *ud, const xmlChar *local, const xmlChar *prefix, const xmlChar *uri)
{
	struct vgxml *x = ud;
	enum el id, parent;
	struct xstr t = { 0, 0 };

	(void)local, (void)prefix, (void)uri;
	if (x->rc != VGXML_OK)
		return;
	if (x->skip) {
		x->skip--;
		return;
	}
	id = x->path[x->depth];
	parent = x->path[--x->depth];
	if (vgxml_el_defs[id].flags & LEAF) {
		t = vgxml_text(x, id);
		x->leaf = false;
	}
	if (id == E_VGO) {
		vgxml_deliver_info(x);
		x->root_done = true;
	} else if (x->arena == &x->ibuf) {
		vgxml_close_info(x, parent, id, t);
	}
	else if (parent == E_FRAME || parent == E_XAUXWHAT)
		vgxml_close_frame(x, parent, id, t);
	else
		vgxml_close(x, parent, id, t);
}
