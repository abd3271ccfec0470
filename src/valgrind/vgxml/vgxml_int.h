/* vgxml_int.h - what the files of the XML parser share (not an API).
 *
 * vgxml.c         the API, the UTF-8 input filter, libxml2's setup and errors
 * vgxml_sax.c     the grammar and the SAX callbacks that walk it
 * vgxml_deliver.c the element read, handed to the caller's callbacks
 * vgxml_values.c  numbers, times, the text of a leak record, kind names
 *
 * See vgxml.c for how the parser works. */
#ifndef LT_XPARSE_INT_H
#define LT_XPARSE_INT_H

#include "vgxml.h"
#include "sbuf.h"

#include <libxml/parser.h>

#define VGXML_DEPTH 8			/* the grammar is 6 deep at most */

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
extern const struct el_def vgxml_el_defs[E_MAX];

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
	struct vgxml_str *pub;
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

struct vgxml {
	xmlParserCtxtPtr ctxt;
	struct vgxml_cb cb;
	void *ctx;
	enum vgxml_rc rc;
	char msg[256];
	uint64_t fed;
	bool finished;
	int first;			/* first non-blank byte fed, -1 before */
	unsigned char pend[4];		/* a UTF-8 sequence cut by the end of a feed */
	size_t npend;
	struct sbuf scratch;		/* a slice with bad bytes replaced */
	const xmlChar *names[E_MAX];	/* dictionary pointers of vgxml_el_defs names */
	/* where we are */
	enum el path[VGXML_DEPTH];
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
	struct vgxml_frame *pframes;
	size_t cappframes;
	struct vgxml_stack pstacks[VGXML_MAX_STACKS];
	struct vgxml_aux *paux;
	size_t cappaux;
	/* the preamble, kept for vgxml_info() */
	struct sbuf ibuf;
	struct xstr tool, vexe, exe;
	long pid, ppid;
	struct xlist pre, vargs, args;
	bool info_done;
	struct vgxml_info info;
};

/* --- vgxml.c --- */
void vgxml_fail(struct vgxml *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *vgxml_quote(struct vgxml *x, struct xstr s, char *out, size_t size);
void vgxml_xml_error(void *ud, xmlErrorPtr err);
void vgxml_dtd(void *ud, const xmlChar *name, const xmlChar *eid, const xmlChar *sid);

/* --- vgxml_sax.c --- */
void vgxml_start(void *ud, const xmlChar *local, const xmlChar *prefix, const xmlChar *uri,
	int nns, const xmlChar **ns, int nattr, int ndef, const xmlChar **attrs);
void vgxml_chars(void *ud, const xmlChar *ch, int len);
void vgxml_end(void *ud, const xmlChar *local, const xmlChar *prefix, const xmlChar *uri);

/* --- vgxml_deliver.c --- */
void vgxml_called(struct vgxml *x, int rc);
void vgxml_deliver_error(struct vgxml *x);
void vgxml_deliver_fatal(struct vgxml *x);
void vgxml_deliver_status(struct vgxml *x);
void vgxml_deliver_count(struct vgxml *x, bool supp);
void vgxml_deliver_info(struct vgxml *x);

/* --- vgxml_values.c --- */
bool vgxml_num(struct vgxml *x, enum el id, struct xstr t, int base, uint64_t max, uint64_t *out);
uint64_t vgxml_time_ms(const char *s);
void vgxml_leak_text(struct vgxml_leak *lk, struct vgxml_str t);

static inline int
vgxml_line(const struct vgxml *x)
{
	return x->ctxt->input ? x->ctxt->input->line : 0;
}

static inline struct vgxml_str
vgxml_pub(const struct sbuf *a, struct xstr s)
{
	struct vgxml_str r = { "", 0 };

	if (s.len) {
		r.s = a->data + s.off;
		r.len = s.len;
	}
	return r;
}

static inline bool
vgxml_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

#endif
