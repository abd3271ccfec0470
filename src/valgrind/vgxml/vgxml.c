/* vgxml.c - streaming parser for valgrind memcheck's XML (protocol 4).
 *
 * libxml2's push parser with SAX2 callbacks: no tree is built. The
 * callbacks walk a fixed grammar (vgxml_sax.c): an element either has
 * a row for its parent, or it is skipped with its whole subtree. Texts of
 * leaf elements go into an arena that is reset at every top-level element,
 * so memory is bounded by the largest single element, which is capped.
 * Strings are arena offsets while an element is read (the arena moves when
 * it grows) and become pointers only when it is handed to a callback.
 *
 * Input goes through a UTF-8 filter first (see vgxml.h), in slices of at
 * most VGXML_SLICE bytes: libxml2 refuses a push whose unparsed data
 * exceeds XML_MAX_LOOKUP_LIMIT, and a small slice also bounds the work
 * wasted after a callback or an error stops the parse (the handlers then
 * do nothing; libxml2 is halted only between pushes, never from inside one
 * of its own callbacks). */
#include "vgxml_int.h"
#include "escape.h"
#include "util.h"

#include <libxml/parserInternals.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VGXML_SLICE (64 * 1024)
#define VGXML_DICT_LIMIT (256 * 1024)	/* bytes of names libxml2 may keep */

void
vgxml_fail(struct vgxml *x, const char *fmt, ...)
{
	va_list ap;

	if (x->rc != VGXML_OK)
		return;
	va_start(ap, fmt);
	vsnprintf(x->msg, sizeof(x->msg), fmt, ap);
	va_end(ap);
	x->rc = VGXML_ERROR;
}

/* An untrusted value for a message: escaped, at most 40 bytes of it. */
const char *
vgxml_quote(struct vgxml *x, struct xstr s, char *out, size_t size)
{
	char *e = escape_dup(x->arena->data + s.off, s.len < 40 ? s.len : 40, 0);

	snprintf(out, size, "%s%s", e, s.len > 40 ? "..." : "");
	free(e);
	return out;
}

/* --- libxml2's errors ---------------------------------------------------- */

/* valgrind writes no DTD; refusing any keeps entities (billion laughs,
 * external ones) out entirely. */
void
vgxml_dtd(void *ud, const xmlChar *name, const xmlChar *eid, const xmlChar *sid)
{
	struct vgxml *x = ud;

	(void)name, (void)eid, (void)sid;
	vgxml_fail(x, "not valgrind XML: it has a DTD (<!DOCTYPE>), valgrind writes none");
	/* now, not after the push: libxml2 would go on reading the entity
	 * declarations of the rest of the chunk (it checks for a stop right
	 * after this callback) */
	xmlStopParser(x->ctxt);
}

/* libxml2's own errors. */
void
vgxml_xml_error(void *ud, xmlErrorPtr err)
{
	struct vgxml *x = ud;
	struct sbuf m = SBUF_INIT;
	size_t n;

	if (err->level != XML_ERR_FATAL || x->rc != VGXML_OK)
		return;
	n = err->message ? strlen(err->message) : 0;
	while (n && vgxml_space(err->message[n - 1]))
		n--;
	escape_append(&m, err->message ? err->message : "", n, 0);
	if (!m.len)
		sbuf_adds(&m, "no message");
	if (err->code == XML_ERR_NO_MEMORY)	/* most likely VGXML_DICT_LIMIT */
		vgxml_fail(x, "element too large: too many distinct names at line %d", err->line);
	else if (err->code == XML_ERR_INTERNAL_ERROR && strstr(m.data, "Huge input lookup"))
		vgxml_fail(x, "element too large: a tag, comment or CDATA section over %d bytes at line %d",
			XML_MAX_LOOKUP_LIMIT, err->line);
	else if (x->depth == 0 && !x->root_done)
		vgxml_fail(x, "not XML: %s (line %d)", m.data, err->line);
	else
		vgxml_fail(x, "malformed XML at line %d: %s", err->line, m.data);
	sbuf_free(&m);
}

/* --- input ---------------------------------------------------------------- */

/* Bytes that pass as they are: tab, LF, CR and printable ASCII. */
static bool
vgxml_plain(unsigned char c)
{
	return (c >= 0x20 && c < 0x80) || c == '\n' || c == '\t' || c == '\r';
}

/* The end of the run of plain bytes from p: 8 at a time while all are
 * printable ASCII, as most of the input is (b + 0x60 sets bit 7 exactly
 * when 0x20 <= b < 0x80), byte by byte around newlines. */
static size_t
vgxml_scan(const unsigned char *s, size_t p, size_t end)
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
		if (p < end && vgxml_plain(s[p]))
			p++;
		else
			return p;
	}
}

/* Length of the UTF-8 sequence at p that XML allows, 0 if none, -1 if it
 * may be one but avail bytes are not enough to tell. */
static int
vgxml_utf8(const unsigned char *p, size_t avail)
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
 * we parse. The same errors also come through vgxml_xml_error. */
static void __attribute__((format(printf, 2, 3)))
vgxml_quiet(void *ctx, const char *fmt, ...)
{
	(void)ctx, (void)fmt;
}

static void
vgxml_push(struct vgxml *x, const void *p, size_t n, int terminate)
{
	xmlGenericErrorFunc saved = xmlGenericError;
	void *saved_ctx = xmlGenericErrorContext;

	if (x->rc != VGXML_OK)
		return;
	xmlSetGenericErrorFunc(NULL, vgxml_quiet);
	xmlParseChunk(x->ctxt, p, (int)n, terminate);
	xmlSetGenericErrorFunc(saved_ctx, saved);
	/* halted here, never from inside a SAX callback of libxml2's */
	if (x->rc != VGXML_OK)
		xmlStopParser(x->ctxt);
}

/* Filter and push s[0..len) in slices; a sequence cut by the end goes to
 * pend when more input may complete it. Returns the bytes consumed. */
static size_t
vgxml_slices(struct vgxml *x, const unsigned char *s, size_t len, bool more)
{
	size_t p = 0, start = 0, run = 0;
	bool copy = false;
	int r;

	while (p < len && x->rc == VGXML_OK) {
		p = vgxml_scan(s, p, len - start < VGXML_SLICE ? len : start + VGXML_SLICE);
		if (p < len && p - start < VGXML_SLICE) {
			r = vgxml_utf8(s + p, len - p);
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
			vgxml_push(x, x->scratch.data, x->scratch.len, 0);
		} else {
			vgxml_push(x, s + start, p - start, 0);
		}
		start = run = p;
		copy = false;
	}
	if (p > start) {
		if (copy) {
			sbuf_add(&x->scratch, s + run, p - run);
			vgxml_push(x, x->scratch.data, x->scratch.len, 0);
		} else {
			vgxml_push(x, s + start, p - start, 0);
		}
	}
	return p;
}

/* Complete a UTF-8 sequence cut by the previous feed; returns the bytes
 * of s used. */
static size_t
vgxml_unpend(struct vgxml *x, const unsigned char *s, size_t len)
{
	unsigned char t[8];
	size_t np = x->npend, k = len < 3 ? len : 3, i;
	int r;

	memcpy(t, x->pend, np);
	memcpy(t + np, s, k);
	r = vgxml_utf8(t, np + k);
	if (r < 0) {			/* still cut: all of s was used */
		memcpy(x->pend, t, np + k);
		x->npend = np + k;
		return len;
	}
	x->npend = 0;
	if (r > 0) {
		vgxml_push(x, t, (size_t)r, 0);
		return (size_t)r - np;
	}
	/* the pending bytes were a lead and continuation bytes: all bad */
	for (i = 0; i < np; i++)
		vgxml_push(x, "\xef\xbf\xbd", 3, 0);
	return 0;
}

static void
vgxml_first(struct vgxml *x, const unsigned char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len && x->first < 0; i++)
		if (!vgxml_space((char)s[i]))
			x->first = s[i];
}

/* --- API ------------------------------------------------------------------ */

struct vgxml *
vgxml_new(const struct vgxml_cb *cb, void *ctx)
{
	struct vgxml *x = xcalloc(1, sizeof(*x));
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
	sax.startElementNs = vgxml_start;
	sax.endElementNs = vgxml_end;
	sax.characters = vgxml_chars;
	sax.ignorableWhitespace = vgxml_chars;
	sax.cdataBlock = vgxml_chars;
	sax.internalSubset = vgxml_dtd;
	sax.serror = vgxml_xml_error;
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
		x->names[i] = xmlDictLookup(x->ctxt->dict, (const xmlChar *)vgxml_el_defs[i].name, -1);
	/* every new element, attribute or namespace name would stay in the
	 * dictionary: valgrind's few dozen need a few KiB */
	xmlDictSetLimit(x->ctxt->dict, VGXML_DICT_LIMIT);
	return x;
}

static void
vgxml_list_free(struct xlist *l)
{
	free(l->v);
	free(l->pub);
}

void
vgxml_free(struct vgxml *x)
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
	vgxml_list_free(&x->pre);
	vgxml_list_free(&x->vargs);
	vgxml_list_free(&x->args);
	free(x);
}

enum vgxml_rc
vgxml_feed(struct vgxml *x, const char *buf, size_t len)
{
	const unsigned char *s = (const unsigned char *)buf;
	size_t n;

	if (x->finished)
		vgxml_fail(x, "input after the end of input");
	if (x->rc != VGXML_OK || !len)
		return x->rc;
	x->fed += len;
	vgxml_first(x, s, len);
	if (x->npend) {
		n = vgxml_unpend(x, s, len);
		s += n;
		len -= n;
	}
	n = vgxml_slices(x, s, len, true);
	if (n < len && x->rc == VGXML_OK) {
		memcpy(x->pend, s + n, len - n);
		x->npend = len - n;
	}
	return x->rc;
}

/* Every element is delivered as soon as its closing '>' is fed, so the
 * end of input has nothing left to deliver. libxml2's final pass runs only
 * after </valgrindoutput>, to catch junk after it: before that it would take
 * a start tag cut by the end ("<err") for a whole one. */
enum vgxml_rc
vgxml_finish(struct vgxml *x)
{
	if (x->finished)
		return x->rc;
	x->finished = true;
	if (x->rc != VGXML_OK)
		return x->rc;
	if (x->root_done) {
		if (x->npend)
			vgxml_fail(x, "malformed XML: bytes after </valgrindoutput>");
		vgxml_push(x, NULL, 0, 1);
		return x->rc;
	}
	if (x->depth == 0 && x->first >= 0 && x->first != '<') {
		vgxml_fail(x, "not XML: it does not start with '<'");
		return x->rc;
	}
	x->rc = VGXML_TRUNCATED;
	if (!x->fed)
		snprintf(x->msg, sizeof(x->msg), "truncated: empty input");
	else if (x->depth == 0)
		snprintf(x->msg, sizeof(x->msg), "truncated: input ends before <valgrindoutput>");
	else if (x->depth == 1)
		snprintf(x->msg, sizeof(x->msg), "truncated: no </valgrindoutput> after line %d",
			vgxml_line(x));
	else
		snprintf(x->msg, sizeof(x->msg), "truncated: input ends inside <%s> at line %d",
			vgxml_el_defs[x->path[2]].name, vgxml_line(x));
	return x->rc;
}

const char *
vgxml_error(const struct vgxml *x)
{
	return x->msg;
}

const struct vgxml_info *
vgxml_info(const struct vgxml *x)
{
	return x->info_done ? &x->info : NULL;
}

uint64_t
vgxml_offset(const struct vgxml *x)
{
	return x->fed;
}
