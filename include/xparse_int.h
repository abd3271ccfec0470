/* xparse_int.h - what the files of the XML parser share (not an API).
 *
 * xparse.c         the API, the UTF-8 input filter, libxml2's setup and errors
 * xparse_sax.c     the grammar and the SAX callbacks that walk it
 * xparse_deliver.c the element read, handed to the caller's callbacks
 * xparse_values.c  numbers, times, the text of a leak record, kind names
 *
 * See xparse.c for how the parser works. */
#ifndef LT_XPARSE_INT_H
#define LT_XPARSE_INT_H

#include "xparse.h"
#include "sbuf.h"

#include <libxml/parser.h>

#define XPARSE_DEPTH 8			/* the grammar is 6 deep at most */

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

/* Flags of a row: LEAF collects text, KEEP keeps it untrimmed. */
enum { LEAF = 1, KEEP = 2 };

struct el_def {
	const char *name;
	uint64_t parents;
	int flags;
};

/* The grammar: an element's name, the parents it may have, its flags. */
extern const struct el_def xparse_el_defs[E_MAX];

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
	const xmlChar *names[E_MAX];	/* dictionary pointers of xparse_el_defs names */
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

/* --- xparse.c --- */
void xparse_fail(struct xparse *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *xparse_quote(struct xparse *x, struct xstr s, char *out, size_t size);
void xparse_xml_error(void *ud, xmlErrorPtr err);
void xparse_dtd(void *ud, const xmlChar *name, const xmlChar *eid, const xmlChar *sid);

/* --- xparse_sax.c --- */
void xparse_start(void *ud, const xmlChar *local, const xmlChar *prefix, const xmlChar *uri,
	int nns, const xmlChar **ns, int nattr, int ndef, const xmlChar **attrs);
void xparse_chars(void *ud, const xmlChar *ch, int len);
void xparse_end(void *ud, const xmlChar *local, const xmlChar *prefix, const xmlChar *uri);

/* --- xparse_deliver.c --- */
void xparse_called(struct xparse *x, int rc);
void xparse_deliver_error(struct xparse *x);
void xparse_deliver_fatal(struct xparse *x);
void xparse_deliver_status(struct xparse *x);
void xparse_deliver_count(struct xparse *x, bool supp);
void xparse_deliver_info(struct xparse *x);

/* --- xparse_values.c --- */
bool xparse_num(struct xparse *x, enum el id, struct xstr t, int base, uint64_t max, uint64_t *out);
uint64_t xparse_time_ms(const char *s);
void xparse_leak_text(struct xparse_leak *lk, struct xparse_str t);

static inline int
xparse_line(const struct xparse *x)
{
	return x->ctxt->input ? x->ctxt->input->line : 0;
}

static inline struct xparse_str
xparse_pub(const struct sbuf *a, struct xstr s)
{
	struct xparse_str r = { "", 0 };

	if (s.len) {
		r.s = a->data + s.off;
		r.len = s.len;
	}
	return r;
}

static inline bool
xparse_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

#endif
