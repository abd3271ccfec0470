/* xparse.c - streaming parser for valgrind memcheck's XML (protocol 4).
 *
 * libxml2's push parser with SAX2 callbacks: no tree is built. The
 * callbacks walk a fixed grammar (the table below): an element either has
 * a row for its parent, or it is skipped with its whole subtree. Texts of
 * leaf elements go into an arena that is reset at every top-level element,
 * so memory is bounded by the largest single element, which is capped.
 * Strings are arena offsets while an element is read (the arena moves when
 * it grows) and become pointers only when it is handed to a callback.
 *
 * Input goes through a UTF-8 filter first (see xparse.h), in slices of at
 * most XPARSE_SLICE bytes: libxml2 refuses a push whose unparsed data
 * exceeds XML_MAX_LOOKUP_LIMIT, and a small slice also bounds the work
 * wasted after a callback or an error stops the parse (the handlers then
 * do nothing; libxml2 is halted only between pushes, never from inside one
 * of its own callbacks). */
#include "xparse.h"
#include "escape.h"
#include "leak.h"
#include "sbuf.h"
#include "util.h"

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define XPARSE_SLICE (64 * 1024)
#define XPARSE_DEPTH 8			/* the grammar is 6 deep at most */
#define XPARSE_MAX_NEST 64		/* with skipped elements: libxml2 keeps a stack */
#define XPARSE_DICT_LIMIT (256 * 1024)	/* bytes of names libxml2 may keep */

/* Element ids, hottest first: names are matched by a linear scan of
 * libxml2 dictionary pointers. */
enum el {
	E_DOC, E_IP, E_OBJ, E_FN, E_DIR, E_FILE, E_LINE, E_FRAME, E_STACK,
	E_ERROR, E_UNIQUE, E_TID, E_KIND, E_WHAT, E_AUXWHAT, E_XWHAT, E_TEXT,
	E_LEAKEDBYTES, E_LEAKEDBLOCKS, E_XAUXWHAT, E_THREADNAME, E_SUPPRESSION,
	E_SNAME, E_SKIND, E_RAWTEXT, E_PAIR, E_COUNT, E_NAME, E_STATUS, E_STATE,
	E_TIME, E_FATAL, E_SIGNO, E_SIGNAME, E_SICODE, E_EVENT, E_SIADDR,
	E_ERRORCOUNTS, E_SUPPCOUNTS, E_VGO, E_PROTOVER, E_PROTOTOOL, E_PREAMBLE,
	E_PID, E_PPID, E_TOOL, E_ARGS, E_VARGV, E_ARGV, E_EXE, E_ARG, E_MAX,
	E_UNKNOWN = E_MAX
};

#define B(e) (1ull << (e))

/* Flags of a row: LEAF collects text, KEEP keeps it untrimmed. */
enum { LEAF = 1, KEEP = 2 };

static const struct el_def {
	const char *name;
	uint64_t parents;
	int flags;
} el_defs[E_MAX] = {
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

static const char *const kind_names[XPARSE_K_COUNT] = {
	"", "UninitValue", "UninitCondition", "CoreMemError", "InvalidRead",
	"InvalidWrite", "InvalidJump", "SyscallParam", "ClientCheck", "InvalidFree",
	"MismatchedFree", "Overlap", "InvalidMemPool", "FishyValue",
	"Leak_DefinitelyLost", "Leak_IndirectlyLost", "Leak_PossiblyLost",
	"Leak_StillReachable",
};

/* A string in an arena: offset and length, len 0 is "". */
struct xstr {
	uint32_t off, len;
};

struct xframe {
	uint64_t ip;
	struct xstr obj, fn, dir, file;
	unsigned line;
};

struct xaux {
	struct xstr text, dir, file;
	unsigned line;
	bool x;
	size_t before;
};

struct xstack {
	size_t first, n;
};

/* A list of strings of the preamble. */
struct xlist {
	struct xstr *v;
	size_t n, cap;
	struct xparse_str *pub;
};

/* The top-level element being read: an error, a status, a fatal signal or
 * an errorcounts/suppcounts pair. Reset at every top-level start. */
struct xcur {
	struct xstr unique, threadname, kind, what, sname, skind, rawtext;
	struct xstr state, time, signame, event, name;
	uint64_t unique_id, lbytes, lblocks, siaddr, count;
	unsigned tid;
	int signo, sicode;
	bool has_unique, has_kind, has_lbytes, has_siaddr;
};

struct xparse {
	xmlParserCtxtPtr ctxt;
	struct xparse_cb cb;
	void *ctx;
	enum xparse_rc rc;
	char msg[256];
	uint64_t fed;
	bool finished;
	int first;			/* first non-blank byte fed, -1 before */
	unsigned char pend[4];		/* a UTF-8 sequence cut by the end of a feed */
	size_t npend;
	struct sbuf scratch;		/* a slice with bad bytes replaced */
	const xmlChar *names[E_MAX];	/* dictionary pointers of el_defs names */
	/* where we are */
	enum el path[XPARSE_DEPTH];
	int depth;
	unsigned long skip;		/* depth inside a skipped subtree */
	bool leaf, root_done;
	int proto;			/* 0: need <protocolversion>, 1: need <protocoltool>, 2: ok */
	size_t tstart;
	struct sbuf *arena;
	/* the current top-level element */
	struct sbuf buf;
	struct xcur cur;
	struct xframe *frames;
	size_t nframes, capframes;
	struct xstack *stacks;
	size_t nstacks, capstacks;
	struct xaux *aux;
	size_t naux, capaux;
	/* public copies handed to callbacks, reused */
	struct xparse_frame *pframes;
	size_t cappframes;
	struct xparse_stack pstacks[XPARSE_MAX_STACKS];
	struct xparse_aux *paux;
	size_t cappaux;
	/* the preamble, kept for xparse_info() */
	struct sbuf ibuf;
	struct xstr tool, vexe, exe;
	long pid, ppid;
	struct xlist pre, vargs, args;
	bool info_done;
	struct xparse_info info;
};

static void __attribute__((format(printf, 2, 3)))
xparse_fail(struct xparse *x, const char *fmt, ...)
{
	va_list ap;

	if (x->rc != XPARSE_OK)
		return;
	va_start(ap, fmt);
	vsnprintf(x->msg, sizeof(x->msg), fmt, ap);
	va_end(ap);
	x->rc = XPARSE_ERROR;
}

static int
xparse_line(const struct xparse *x)
{
	return x->ctxt->input ? x->ctxt->input->line : 0;
}

static struct xparse_str
xparse_pub(const struct sbuf *a, struct xstr s)
{
	struct xparse_str r = { "", 0 };

	if (s.len) {
		r.s = a->data + s.off;
		r.len = s.len;
	}
	return r;
}

/* An untrusted value for a message: escaped, at most 40 bytes of it. */
static const char *
xparse_quote(struct xparse *x, struct xstr s, char *out, size_t size)
{
	char *e = esc_dup(x->arena->data + s.off, s.len < 40 ? s.len : 40, 0);

	snprintf(out, size, "%s%s", e, s.len > 40 ? "..." : "");
	free(e);
	return out;
}

/* --- numbers ------------------------------------------------------------ */

static bool
xparse_u64(const char *s, size_t n, int base, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	size_t i = 0;

	if (base == 16) {
		if (n < 3 || s[0] != '0' || (s[1] | 0x20) != 'x')
			return false;
		i = 2;
	}
	if (i == n)
		return false;
	for (; i < n; i++) {
		unsigned c = (unsigned char)s[i], d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (base == 16 && (c | 0x20) >= 'a' && (c | 0x20) <= 'f')
			d = (c | 0x20) - 'a' + 10;
		else
			return false;
		if (v > (max - d) / (unsigned)base)
			return false;
		v = v * (unsigned)base + d;
	}
	*out = v;
	return true;
}

/* The number in a leaf; a malformed one fails the parse. */
static bool
xparse_num(struct xparse *x, enum el id, struct xstr t, int base, uint64_t max, uint64_t *out)
{
	const char *s = x->arena->data + t.off;
	bool neg = max == (uint64_t)INT_MAX && t.len && *s == '-';
	char q[64];

	if (neg && xparse_u64(s + 1, t.len - 1, base, (uint64_t)INT_MAX + 1, out)) {
		*out = (uint64_t)(-(int64_t)*out);
		return true;
	}
	if (!neg && xparse_u64(s, t.len, base, max, out))
		return true;
	xparse_fail(x, "bad <%s> value \"%s\" at line %d", el_defs[id].name,
		xparse_quote(x, t, q, sizeof(q)), xparse_line(x));
	return false;
}

/* "days:hours:minutes:seconds.ms" */
static uint64_t
xparse_time_ms(const char *s)
{
	unsigned d, h, m, sec, ms;

	if (sscanf(s, "%u:%u:%u:%u.%u", &d, &h, &m, &sec, &ms) != 5)
		return 0;
	return (((uint64_t)d * 24 + h) * 60 + m) * 60000 + (uint64_t)sec * 1000 + ms;
}

/* --- the text of a leak record: best effort, the XML numbers rule ------- */

struct tcur {
	const char *s, *e;
};

static bool
t_lit(struct tcur *c, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(c->e - c->s) < n || memcmp(c->s, lit, n))
		return false;
	c->s += n;
	return true;
}

/* A decimal with "," thousands separators. */
static bool
t_num(struct tcur *c, uint64_t *v)
{
	const char *start = c->s;

	*v = 0;
	for (; c->s < c->e && ((*c->s >= '0' && *c->s <= '9') || (*c->s == ',' && c->s > start)); c->s++) {
		if (*c->s == ',')
			continue;
		if (*v > (UINT64_MAX - 9) / 10)
			return false;
		*v = *v * 10 + (uint64_t)(*c->s - '0');
	}
	return c->s > start;
}

/* An optional " (+N)" or " (-N)"; false if it is malformed. */
static bool
t_delta(struct tcur *c, int64_t *d, bool *has)
{
	bool neg = t_lit(c, " (-");
	uint64_t v;

	if (!neg && !t_lit(c, " (+"))
		return true;
	if (!t_num(c, &v) || v > INT64_MAX || !t_lit(c, ")"))
		return false;
	*d = neg ? -(int64_t)v : (int64_t)v;
	return *has = true;
}

/* "B [(+d)] [(D [(+d)] direct, I [(+d)] indirect)] bytes in N [(+d)]
 * blocks are ... in loss record R of M" */
static void
xparse_leak_text(struct xparse_leak *lk, struct xparse_str t)
{
	struct tcur c = { t.s, t.s + t.len };
	uint64_t v, d, i;
	int64_t ign;
	bool ignh;
	const char *p;

	lk->direct = lk->bytes;
	if (!t_num(&c, &v) || !t_delta(&c, &lk->bytes_delta, &lk->has_delta))
		return;
	if (t_lit(&c, " (")) {
		if (!t_num(&c, &d) || !t_delta(&c, &ign, &ignh) || !t_lit(&c, " direct, ") ||
			!t_num(&c, &i) || !t_delta(&c, &ign, &ignh) || !t_lit(&c, " indirect)"))
			return;
		lk->direct = d;
		lk->indirect = i;
	}
	if (!t_lit(&c, " bytes in ") || !t_num(&c, &v) || !t_delta(&c, &lk->blocks_delta, &lk->has_delta))
		return;
	p = memmem(c.s, (size_t)(c.e - c.s), " in loss record ", 16);
	if (!p)
		return;
	c.s = p + 16;
	if (t_num(&c, &v) && v <= UINT_MAX && t_lit(&c, " of ") && t_num(&c, &d) && d <= UINT_MAX) {
		lk->recno = (unsigned)v;
		lk->nrecs = (unsigned)d;
	}
}

/* --- delivery -------------------------------------------------------------- */

static void
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

static void
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

static void
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

static void
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

static void
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
static void
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

/* --- SAX callbacks ------------------------------------------------------ */

static enum el
xparse_lookup(const struct xparse *x, const xmlChar *name)
{
	int i;

	for (i = 1; i < E_MAX; i++)
		if (x->names[i] == name)
			return (enum el)i;
	/* not from the dictionary: cannot happen with libxml2's SAX2, but a
	 * wrong guess must not misparse */
	for (i = 1; i < E_MAX; i++)
		if (!strcmp((const char *)name, el_defs[i].name))
			return (enum el)i;
	return E_UNKNOWN;
}

/* Checks of the root and the protocol header; false fails the parse. */
static bool
xparse_header(struct xparse *x, enum el parent, enum el id, const xmlChar *prefix,
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
		xparse_fail(x, "not valgrind XML: the root element is <%s>, not <valgrindoutput>",
			xparse_quote(x, s, q, sizeof(q)));
		return false;
	}
	if (parent != E_VGO || x->proto == 2)
		return true;
	if (x->proto == 0 && id != E_PROTOVER)
		xparse_fail(x, "not valgrind XML protocol 4: no <protocolversion> first");
	else if (x->proto == 1 && id != E_PROTOTOOL)
		xparse_fail(x, "not valgrind XML protocol 4: no <protocoltool> after <protocolversion>");
	return x->rc == XPARSE_OK;
}

/* Start of a top-level element: the current element starts afresh. */
static void
xparse_reset(struct xparse *x)
{
	sbuf_reset(&x->buf);
	memset(&x->cur, 0, sizeof(x->cur));
	x->nframes = x->nstacks = x->naux = 0;
}

/* Per-element work at its start; false to skip the element. */
static bool
xparse_open(struct xparse *x, enum el parent, enum el id)
{
	if (parent == E_VGO) {
		bool pre = id == E_PROTOVER || id == E_PROTOTOOL || id == E_PREAMBLE || id == E_PID ||
			id == E_PPID || id == E_TOOL || id == E_ARGS;

		if (pre && x->info_done)
			return false;
		if (!pre)
			xparse_deliver_info(x);
		x->arena = pre ? &x->ibuf : &x->buf;
		if (!pre)
			xparse_reset(x);
		return true;
	}
	switch (id) {
	case E_STACK:
		if (x->nstacks == XPARSE_MAX_STACKS) {
			xparse_fail(x, "element too large: more than %d stacks in <%s> at line %d",
				XPARSE_MAX_STACKS, el_defs[parent].name, xparse_line(x));
			return false;
		}
		xgrow((void **)&x->stacks, &x->capstacks, x->nstacks + 1, sizeof(*x->stacks));
		x->stacks[x->nstacks].first = x->nframes;
		x->stacks[x->nstacks].n = 0;
		break;
	case E_FRAME:
		if (x->stacks[x->nstacks].n == XPARSE_MAX_FRAMES) {
			xparse_fail(x, "element too large: more than %d frames in a <stack> at line %d",
				XPARSE_MAX_FRAMES, xparse_line(x));
			return false;
		}
		xgrow((void **)&x->frames, &x->capframes, x->nframes + 1, sizeof(*x->frames));
		memset(&x->frames[x->nframes++], 0, sizeof(*x->frames));
		x->stacks[x->nstacks].n++;
		break;
	case E_AUXWHAT:
	case E_XAUXWHAT:
		if (x->naux == XPARSE_MAX_AUX) {
			xparse_fail(x, "element too large: more than %d auxwhat in <error> at line %d",
				XPARSE_MAX_AUX, xparse_line(x));
			return false;
		}
		xgrow((void **)&x->aux, &x->capaux, x->naux + 1, sizeof(*x->aux));
		memset(&x->aux[x->naux], 0, sizeof(*x->aux));
		x->aux[x->naux].x = id == E_XAUXWHAT;
		x->aux[x->naux++].before = x->nstacks;
		break;
	case E_PAIR:
		xparse_reset(x);
		break;
	default:
		break;
	}
	return true;
}

static void
xparse_start(void *ud, const xmlChar *local, const xmlChar *prefix, const xmlChar *uri,
	int nns, const xmlChar **ns, int nattr, int ndef, const xmlChar **attrs)
{
	struct xparse *x = ud;
	enum el parent = x->path[x->depth], id;

	(void)uri, (void)nns, (void)ns, (void)nattr, (void)ndef, (void)attrs;
	if (x->rc != XPARSE_OK)
		return;
	if (x->skip) {
		if (++x->skip + (unsigned long)x->depth > XPARSE_MAX_NEST)
			xparse_fail(x, "element too large: nested deeper than %d at line %d",
				XPARSE_MAX_NEST, xparse_line(x));
		return;
	}
	id = prefix ? E_UNKNOWN : xparse_lookup(x, local);
	if (!xparse_header(x, parent, id, prefix, local))
		return;
	if (id == E_UNKNOWN || !(el_defs[id].parents & B(parent)) || !xparse_open(x, parent, id)) {
		x->skip = x->rc == XPARSE_OK;
		return;
	}
	x->path[++x->depth] = id;
	if (el_defs[id].flags & LEAF) {
		x->leaf = true;
		x->tstart = x->arena->len;
	}
}

static void
xparse_chars(void *ud, const xmlChar *ch, int len)
{
	struct xparse *x = ud;
	struct sbuf *a = x->arena;

	if (!x->leaf || x->skip || x->rc != XPARSE_OK)
		return;
	if (a->len - x->tstart + (size_t)len > XPARSE_MAX_TEXT)
		xparse_fail(x, "element too large: <%s> text over %u bytes at line %d",
			el_defs[x->path[x->depth]].name, XPARSE_MAX_TEXT, xparse_line(x));
	else if (a->len + (size_t)len > XPARSE_MAX_ELEMENT)
		xparse_fail(x, "element too large: <%s> over %u bytes at line %d",
			el_defs[x->path[a == &x->ibuf ? 1 : 2]].name, XPARSE_MAX_ELEMENT, xparse_line(x));
	else
		sbuf_add(a, ch, (size_t)len);
}

static bool
xparse_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* The text of the leaf that ends: trimmed unless KEEP, NUL-terminated. */
static struct xstr
xparse_text(struct xparse *x, enum el id)
{
	struct sbuf *a = x->arena;
	size_t s = x->tstart, e = a->len;

	if (!(el_defs[id].flags & KEEP)) {
		while (s < e && xparse_space(a->data[s]))
			s++;
		while (e > s && xparse_space(a->data[e - 1]))
			e--;
	}
	a->len = e;
	sbuf_addc(a, '\0');
	return (struct xstr){ (uint32_t)s, (uint32_t)(e - s) };
}

static void
xparse_list_add(struct xparse *x, struct xlist *l, struct xstr t)
{
	if (l->n == XPARSE_MAX_ARGS) {
		xparse_fail(x, "element too large: more than %d lines or arguments at line %d",
			XPARSE_MAX_ARGS, xparse_line(x));
		return;
	}
	xgrow((void **)&l->v, &l->cap, l->n + 1, sizeof(*l->v));
	l->v[l->n++] = t;
}

/* A second <text> of an <xauxwhat>: joined to the first with a space, at
 * the end of the arena (copied out first: the arena may move). */
static void
xparse_join(struct xparse *x, struct xstr *a, struct xstr t)
{
	size_t n = a->len + 1 + t.len;
	char *p;

	if (!a->len) {
		*a = t;
		return;
	}
	if (n > XPARSE_MAX_TEXT || x->buf.len + n + 1 > XPARSE_MAX_ELEMENT) {
		xparse_fail(x, "element too large: <xauxwhat> over %u bytes at line %d",
			XPARSE_MAX_TEXT, xparse_line(x));
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
xparse_close_info(struct xparse *x, enum el parent, enum el id, struct xstr t)
{
	const char *s = x->ibuf.data + t.off;
	uint64_t v;
	char q[64];

	switch (id) {
	case E_PROTOVER:
		if (t.len != 1 || *s != '4')
			xparse_fail(x, "unsupported valgrind XML protocol version \"%s\" (need 4)",
				xparse_quote(x, t, q, sizeof(q)));
		x->proto = 1;
		break;
	case E_PROTOTOOL:
		if (strcmp(s, "memcheck"))
			xparse_fail(x, "valgrind XML from %s, not memcheck (run valgrind with --tool=memcheck)",
				t.len ? xparse_quote(x, t, q, sizeof(q)) : "an unnamed tool");
		x->tool = t;
		x->proto = 2;
		break;
	case E_PID:
	case E_PPID:
		if (xparse_num(x, id, t, 10, LONG_MAX, &v))
			*(id == E_PID ? &x->pid : &x->ppid) = (long)v;
		break;
	case E_LINE:
		xparse_list_add(x, &x->pre, t);
		break;
	case E_EXE:
		*(parent == E_VARGV ? &x->vexe : &x->exe) = t;
		break;
	case E_ARG:
		xparse_list_add(x, parent == E_VARGV ? &x->vargs : &x->args, t);
		break;
	case E_ARGS:
		xparse_deliver_info(x);
		break;
	default:
		break;
	}
}

/* A leaf inside a <frame> or an <xauxwhat> ended. */
static void
xparse_close_frame(struct xparse *x, enum el parent, enum el id, struct xstr t)
{
	struct xframe *f;
	struct xaux *a;
	uint64_t v;

	if (parent == E_XAUXWHAT) {
		a = &x->aux[x->naux - 1];
		if (id == E_TEXT)
			xparse_join(x, &a->text, t);
		else if (id == E_DIR)
			a->dir = t;
		else if (id == E_FILE)
			a->file = t;
		else if (id == E_LINE && xparse_num(x, id, t, 10, UINT_MAX, &v))
			a->line = (unsigned)v;
		return;
	}
	f = &x->frames[x->nframes - 1];
	switch (id) {
	case E_IP: xparse_num(x, id, t, 16, UINT64_MAX, &f->ip); break;
	case E_OBJ: f->obj = t; break;
	case E_FN: f->fn = t; break;
	case E_DIR: f->dir = t; break;
	case E_FILE: f->file = t; break;
	default:
		if (xparse_num(x, id, t, 10, UINT_MAX, &v))	/* <line> */
			f->line = (unsigned)v;
		break;
	}
}

/* Any element of an error, a fatal signal, a status or a pair ended. */
static void
xparse_close(struct xparse *x, enum el parent, enum el id, struct xstr t)
{
	struct xcur *c = &x->cur;
	uint64_t v;

	switch (id) {
	case E_UNIQUE:
		c->unique = t;
		c->has_unique = xparse_num(x, id, t, 16, UINT64_MAX, &c->unique_id);
		break;
	case E_TID:
		if (xparse_num(x, id, t, 10, UINT_MAX, &v))
			c->tid = (unsigned)v;
		break;
	case E_THREADNAME: c->threadname = t; break;
	case E_KIND: c->kind = t; c->has_kind = true; break;
	case E_WHAT: c->what = t; break;
	case E_TEXT: c->what = t; break;		/* of <xwhat> */
	case E_LEAKEDBYTES:
		c->has_lbytes = xparse_num(x, id, t, 10, UINT64_MAX, &c->lbytes);
		break;
	case E_LEAKEDBLOCKS:
		xparse_num(x, id, t, 10, UINT64_MAX, &c->lblocks);
		break;
	case E_AUXWHAT: x->aux[x->naux - 1].text = t; break;
	case E_STACK: x->nstacks++; break;
	case E_SNAME: c->sname = t; break;
	case E_SKIND: c->skind = t; break;
	case E_RAWTEXT: c->rawtext = t; break;
	case E_STATE: c->state = t; break;
	case E_TIME: c->time = t; break;
	case E_SIGNO:
		if (xparse_num(x, id, t, 10, INT_MAX, &v))
			c->signo = (int)v;
		break;
	case E_SIGNAME: c->signame = t; break;
	case E_SICODE:
		if (xparse_num(x, id, t, 10, INT_MAX, &v))
			c->sicode = (int)(int64_t)v;
		break;
	case E_EVENT: c->event = t; break;
	case E_SIADDR:
		c->has_siaddr = xparse_num(x, id, t, 16, UINT64_MAX, &c->siaddr);
		break;
	case E_COUNT: xparse_num(x, id, t, 10, UINT64_MAX, &c->count); break;
	case E_NAME: c->name = t; break;
	case E_PAIR: xparse_deliver_count(x, parent == E_SUPPCOUNTS); break;
	case E_ERROR: xparse_deliver_error(x); break;
	case E_FATAL: xparse_deliver_fatal(x); break;
	case E_STATUS: xparse_deliver_status(x); break;
	default:
		break;
	}
}

static void
xparse_end(void *ud, const xmlChar *local, const xmlChar *prefix, const xmlChar *uri)
{
	struct xparse *x = ud;
	enum el id, parent;
	struct xstr t = { 0, 0 };

	(void)local, (void)prefix, (void)uri;
	if (x->rc != XPARSE_OK)
		return;
	if (x->skip) {
		x->skip--;
		return;
	}
	id = x->path[x->depth];
	parent = x->path[--x->depth];
	if (el_defs[id].flags & LEAF) {
		t = xparse_text(x, id);
		x->leaf = false;
	}
	if (id == E_VGO) {
		xparse_deliver_info(x);
		x->root_done = true;
	} else if (x->arena == &x->ibuf) {
		xparse_close_info(x, parent, id, t);
	}
	else if (parent == E_FRAME || parent == E_XAUXWHAT)
		xparse_close_frame(x, parent, id, t);
	else
		xparse_close(x, parent, id, t);
}

/* valgrind writes no DTD; refusing any keeps entities (billion laughs,
 * external ones) out entirely. */
static void
xparse_dtd(void *ud, const xmlChar *name, const xmlChar *eid, const xmlChar *sid)
{
	struct xparse *x = ud;

	(void)name, (void)eid, (void)sid;
	xparse_fail(x, "not valgrind XML: it has a DTD (<!DOCTYPE>), valgrind writes none");
	/* now, not after the push: libxml2 would go on reading the entity
	 * declarations of the rest of the chunk (it checks for a stop right
	 * after this callback) */
	xmlStopParser(x->ctxt);
}

/* libxml2's own errors. */
static void
xparse_xml_error(void *ud, xmlErrorPtr err)
{
	struct xparse *x = ud;
	struct sbuf m = SBUF_INIT;
	size_t n;

	if (err->level != XML_ERR_FATAL || x->rc != XPARSE_OK)
		return;
	n = err->message ? strlen(err->message) : 0;
	while (n && xparse_space(err->message[n - 1]))
		n--;
	esc_append(&m, err->message ? err->message : "", n, 0);
	if (!m.len)
		sbuf_adds(&m, "no message");
	if (err->code == XML_ERR_NO_MEMORY)	/* most likely XPARSE_DICT_LIMIT */
		xparse_fail(x, "element too large: too many distinct names at line %d", err->line);
	else if (err->code == XML_ERR_INTERNAL_ERROR && strstr(m.data, "Huge input lookup"))
		xparse_fail(x, "element too large: a tag, comment or CDATA section over %d bytes at line %d",
			XML_MAX_LOOKUP_LIMIT, err->line);
	else if (x->depth == 0 && !x->root_done)
		xparse_fail(x, "not XML: %s (line %d)", m.data, err->line);
	else
		xparse_fail(x, "malformed XML at line %d: %s", err->line, m.data);
	sbuf_free(&m);
}

/* --- input ---------------------------------------------------------------- */

/* Bytes that pass as they are: tab, LF, CR and printable ASCII. */
static bool
xparse_plain(unsigned char c)
{
	return (c >= 0x20 && c < 0x80) || c == '\n' || c == '\t' || c == '\r';
}

/* The end of the run of plain bytes from p: 8 at a time while all are
 * printable ASCII, as most of the input is (b + 0x60 sets bit 7 exactly
 * when 0x20 <= b < 0x80), byte by byte around newlines. */
static size_t
xparse_scan(const unsigned char *s, size_t p, size_t end)
{
	const uint64_t hi = 0x8080808080808080ull;
	uint64_t w;

	for (;;) {
		if (p + 8 <= end) {
			memcpy(&w, s + p, 8);
			if (!(w & hi) && ((w + 0x6060606060606060ull) & hi) == hi) {
				p += 8;
				continue;
			}
		}
		if (p < end && xparse_plain(s[p]))
			p++;
		else
			return p;
	}
}

/* Length of the UTF-8 sequence at p that XML allows, 0 if none, -1 if it
 * may be one but avail bytes are not enough to tell. */
static int
xparse_utf8(const unsigned char *p, size_t avail)
{
	unsigned c = p[0], cp;
	int need, i;

	if (c < 0xc2 || c > 0xf4)
		return 0;
	need = c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
	cp = c & (0x3fu >> (need - 1));
	for (i = 1; i < need; i++) {
		if ((size_t)i >= avail)
			return -1;
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((need == 3 && cp < 0x800) || (need == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
		(cp >= 0xd800 && cp <= 0xdfff) || cp == 0xfffe || cp == 0xffff)
		return 0;
	return need;
}

/* libxml2 prints some errors (encoding conversions, I/O) with its
 * generic handler, straight to stderr, under the live screen: never while
 * we parse. The same errors also come through xparse_xml_error. */
static void __attribute__((format(printf, 2, 3)))
xparse_quiet(void *ctx, const char *fmt, ...)
{
	(void)ctx, (void)fmt;
}

static void
xparse_push(struct xparse *x, const void *p, size_t n, int terminate)
{
	xmlGenericErrorFunc saved = xmlGenericError;
	void *saved_ctx = xmlGenericErrorContext;

	if (x->rc != XPARSE_OK)
		return;
	xmlSetGenericErrorFunc(NULL, xparse_quiet);
	xmlParseChunk(x->ctxt, p, (int)n, terminate);
	xmlSetGenericErrorFunc(saved_ctx, saved);
	/* halted here, never from inside a SAX callback of libxml2's */
	if (x->rc != XPARSE_OK)
		xmlStopParser(x->ctxt);
}

/* Filter and push s[0..len) in slices; a sequence cut by the end goes to
 * pend when more input may complete it. Returns the bytes consumed. */
static size_t
xparse_slices(struct xparse *x, const unsigned char *s, size_t len, bool more)
{
	size_t p = 0, start = 0, run = 0;
	bool copy = false;
	int r;

	while (p < len && x->rc == XPARSE_OK) {
		p = xparse_scan(s, p, len - start < XPARSE_SLICE ? len : start + XPARSE_SLICE);
		if (p < len && p - start < XPARSE_SLICE) {
			r = xparse_utf8(s + p, len - p);
			if (r < 0 && more)
				break;
			if (r > 0) {
				p += (size_t)r;
				continue;
			}
			/* a bad byte: the slice is copied with replacements */
			if (!copy)
				sbuf_reset(&x->scratch);
			copy = true;
			sbuf_add(&x->scratch, s + run, p - run);
			sbuf_add(&x->scratch, "\xef\xbf\xbd", 3);
			run = ++p;
			continue;
		}
		if (copy) {
			sbuf_add(&x->scratch, s + run, p - run);
			xparse_push(x, x->scratch.data, x->scratch.len, 0);
		} else {
			xparse_push(x, s + start, p - start, 0);
		}
		start = run = p;
		copy = false;
	}
	if (p > start) {
		if (copy) {
			sbuf_add(&x->scratch, s + run, p - run);
			xparse_push(x, x->scratch.data, x->scratch.len, 0);
		} else {
			xparse_push(x, s + start, p - start, 0);
		}
	}
	return p;
}

/* Complete a UTF-8 sequence cut by the previous feed; returns the bytes
 * of s used. */
static size_t
xparse_unpend(struct xparse *x, const unsigned char *s, size_t len)
{
	unsigned char t[8];
	size_t np = x->npend, k = len < 3 ? len : 3, i;
	int r;

	memcpy(t, x->pend, np);
	memcpy(t + np, s, k);
	r = xparse_utf8(t, np + k);
	if (r < 0) {			/* still cut: all of s was used */
		memcpy(x->pend, t, np + k);
		x->npend = np + k;
		return len;
	}
	x->npend = 0;
	if (r > 0) {
		xparse_push(x, t, (size_t)r, 0);
		return (size_t)r - np;
	}
	/* the pending bytes were a lead and continuation bytes: all bad */
	for (i = 0; i < np; i++)
		xparse_push(x, "\xef\xbf\xbd", 3, 0);
	return 0;
}

static void
xparse_first(struct xparse *x, const unsigned char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len && x->first < 0; i++)
		if (!xparse_space((char)s[i]))
			x->first = s[i];
}

/* --- API ------------------------------------------------------------------ */

struct xparse *
xparse_new(const struct xparse_cb *cb, void *ctx)
{
	struct xparse *x = xcalloc(1, sizeof(*x));
	xmlSAXHandler sax;
	int i;

	xmlInitParser();
	if (cb)
		x->cb = *cb;
	x->ctx = ctx;
	x->first = -1;
	x->arena = &x->buf;
	memset(&sax, 0, sizeof(sax));
	sax.initialized = XML_SAX2_MAGIC;
	sax.startElementNs = xparse_start;
	sax.endElementNs = xparse_end;
	sax.characters = xparse_chars;
	sax.ignorableWhitespace = xparse_chars;
	sax.cdataBlock = xparse_chars;
	sax.internalSubset = xparse_dtd;
	sax.serror = xparse_xml_error;
	x->ctxt = xmlCreatePushParserCtxt(&sax, x, NULL, 0, NULL);
	if (!x->ctxt) {
		fprintf(stderr, "ngx-leaktop: out of memory (libxml2 parser)\n");
		abort();
	}
	/* no XML_PARSE_NOENT (entities stay unexpanded) nor XML_PARSE_HUGE
	 * (libxml2's size limits stay on); the input is UTF-8 after our filter
	 * whatever its <?xml encoding=...?> says (valgrind says nothing) */
	xmlCtxtUseOptions(x->ctxt, XML_PARSE_NONET | XML_PARSE_IGNORE_ENC);
	for (i = 1; i < E_MAX; i++)
		x->names[i] = xmlDictLookup(x->ctxt->dict, (const xmlChar *)el_defs[i].name, -1);
	/* every new element, attribute or namespace name would stay in the
	 * dictionary: valgrind's few dozen need a few KiB */
	xmlDictSetLimit(x->ctxt->dict, XPARSE_DICT_LIMIT);
	return x;
}

static void
xparse_list_free(struct xlist *l)
{
	free(l->v);
	free(l->pub);
}

void
xparse_free(struct xparse *x)
{
	if (!x)
		return;
	if (x->ctxt->myDoc)		/* made by libxml2 for a DTD, never by us */
		xmlFreeDoc(x->ctxt->myDoc);
	xmlFreeParserCtxt(x->ctxt);
	sbuf_free(&x->scratch);
	sbuf_free(&x->buf);
	sbuf_free(&x->ibuf);
	free(x->frames);
	free(x->stacks);
	free(x->aux);
	free(x->pframes);
	free(x->paux);
	xparse_list_free(&x->pre);
	xparse_list_free(&x->vargs);
	xparse_list_free(&x->args);
	free(x);
}

enum xparse_rc
xparse_feed(struct xparse *x, const char *buf, size_t len)
{
	const unsigned char *s = (const unsigned char *)buf;
	size_t n;

	if (x->finished)
		xparse_fail(x, "input after the end of input");
	if (x->rc != XPARSE_OK || !len)
		return x->rc;
	x->fed += len;
	xparse_first(x, s, len);
	if (x->npend) {
		n = xparse_unpend(x, s, len);
		s += n;
		len -= n;
	}
	n = xparse_slices(x, s, len, true);
	if (n < len && x->rc == XPARSE_OK) {
		memcpy(x->pend, s + n, len - n);
		x->npend = len - n;
	}
	return x->rc;
}

/* Every element is delivered as soon as its closing '>' is fed, so the
 * end of input has nothing left to deliver. libxml2's final pass runs only
 * after </valgrindoutput>, to catch junk after it: before that it would take
 * a start tag cut by the end ("<err") for a whole one. */
enum xparse_rc
xparse_finish(struct xparse *x)
{
	if (x->finished)
		return x->rc;
	x->finished = true;
	if (x->rc != XPARSE_OK)
		return x->rc;
	if (x->root_done) {
		if (x->npend)
			xparse_fail(x, "malformed XML: bytes after </valgrindoutput>");
		xparse_push(x, NULL, 0, 1);
		return x->rc;
	}
	if (x->depth == 0 && x->first >= 0 && x->first != '<') {
		xparse_fail(x, "not XML: it does not start with '<'");
		return x->rc;
	}
	x->rc = XPARSE_TRUNCATED;
	if (!x->fed)
		snprintf(x->msg, sizeof(x->msg), "truncated: empty input");
	else if (x->depth == 0)
		snprintf(x->msg, sizeof(x->msg), "truncated: input ends before <valgrindoutput>");
	else if (x->depth == 1)
		snprintf(x->msg, sizeof(x->msg), "truncated: no </valgrindoutput> after line %d",
			xparse_line(x));
	else
		snprintf(x->msg, sizeof(x->msg), "truncated: input ends inside <%s> at line %d",
			el_defs[x->path[2]].name, xparse_line(x));
	return x->rc;
}

const char *
xparse_error(const struct xparse *x)
{
	return x->msg;
}

const struct xparse_info *
xparse_info(const struct xparse *x)
{
	return x->info_done ? &x->info : NULL;
}

uint64_t
xparse_offset(const struct xparse *x)
{
	return x->fed;
}

const char *
xparse_kind_name(enum xparse_kind k)
{
	return (unsigned)k < XPARSE_K_COUNT ? kind_names[k] : "";
}

enum xparse_kind
xparse_kind_from_name(const char *s, size_t len)
{
	int k;

	for (k = 1; k < XPARSE_K_COUNT; k++)
		if (strlen(kind_names[k]) == len && !memcmp(kind_names[k], s, len))
			return (enum xparse_kind)k;
	return XPARSE_K_OTHER;
}

int
xparse_kind_leak(enum xparse_kind k)
{
	switch (k) {
	case XPARSE_K_LEAK_DEFINITE: return LEAK_DEFINITE;
	case XPARSE_K_LEAK_INDIRECT: return LEAK_INDIRECT;
	case XPARSE_K_LEAK_POSSIBLE: return LEAK_POSSIBLE;
	case XPARSE_K_LEAK_REACHABLE: return LEAK_REACHABLE;
	default: return -1;
	}
}
