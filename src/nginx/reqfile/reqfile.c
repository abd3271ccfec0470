/* reqfile.c - the .http request files of editors' REST clients (reqfile.h).
 *
 * One pass over the lines, a block (the text between ### separators) at a
 * time: comments, metadata and variables, then the request line, headers
 * up to a blank line, and the body up to the next ###, with its leading
 * and trailing blank lines dropped. The text is the user's, so every byte
 * is checked: errors name file:line, with the offending text escaped and
 * cut short. */
#include "reqfile_int.h"
#include "escape.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

static void
req_free(struct reqfile_req *r)
{
	size_t i;

	free(r->title);
	free(r->method);
	free(r->url);
	for (i = 0; i < r->nheaders; i++)
		free(r->headers[i]);
	free(r->headers);
	free(r->body);
	free(r->file);
}

static void
block_reset(struct reqfile_parser *p)
{
	req_free(&p->cur);
	memset(&p->cur, 0, sizeof p->cur);
	p->cur.count = 1;
	p->capheaders = 0;
	free(p->title);
	free(p->name);
	p->title = p->name = NULL;
	p->state = REQFILE_OUTSIDE;
	p->url_open = false;
	p->body_end = 0;
}

/* The block is over: its request (if it has one) joins the file's. */
static bool
block_end(struct reqfile_parser *p)
{
	if (!p->cur.method) {
		block_reset(p);
		return true;	/* comments or variables only */
	}
	if (p->body_end && !reqfile_build_body(p))
		return false;
	if (p->out->n >= REQFILE_MAX_REQS)
		return reqfile_fail(p, p->cur.line, "more than %d requests (split the file)", REQFILE_MAX_REQS);
	p->cur.title = p->title ? p->title : p->name;
	if (p->title)
		free(p->name);
	p->title = p->name = NULL;
	p->cur.file = xstrdup(p->path);
	xgrow((void **)&p->out->reqs, &p->cap, p->out->n + 1, sizeof *p->out->reqs);
	p->out->reqs[p->out->n++] = p->cur;
	memset(&p->cur, 0, sizeof p->cur);
	block_reset(p);
	return true;
}

static bool
separator(struct reqfile_parser *p, const char *s, size_t n)
{
	char b[96];

	if (!block_end(p))
		return false;
	while (n && s[0] == '#') {
		s++;
		n--;
	}
	reqfile_trim(&s, &n);
	if (reqfile_control_at(s, n, false) >= 0)
		return reqfile_fail(p, p->no, "title '%s' has a control character (remove it)",
			REQFILE_SHOW(b, s, n));
	if (n)
		p->title = xstrndup(s, n);
	return true;
}

static bool
body_line(struct reqfile_parser *p, const char *raw, const char *t, size_t tn)
{
	char b[96];

	if (!tn)
		return true;
	if (!p->body_end && reqfile_looks_like_request(t, tn))
		return reqfile_fail(p, p->no, "'%s' reads as a request line inside the body of the request "
			"at line %u (put ### before it)", REQFILE_SHOW(b, t, tn), p->cur.line);
	if (!p->body_end) {
		p->body_start = (size_t)(raw - p->text);
		p->body_no = p->no;
	}
	p->body_end = (size_t)(t + tn - p->text);
	return true;
}

static bool
is_comment(const char *t, size_t tn)
{
	return (tn && t[0] == '#') || reqfile_starts(t, tn, "//");
}

/* JetBrains' lines after a request: a response handler ("> {% ... %}",
 * "> check.js"), where the response goes (">> out.json", ">>! out.json")
 * and a response to compare with ("<> previous.json"). Not sent: the
 * rest of the block is skipped. */
static bool
is_handler(const char *s, size_t n)
{
	return reqfile_starts(s, n, "> {%") || reqfile_starts(s, n, ">> ") ||
		reqfile_starts(s, n, ">>! ") || reqfile_starts(s, n, "<> ") ||
		(reqfile_starts(s, n, "> ") && n > 5 && !memcmp(s + n - 3, ".js", 3));
}

static bool
line(struct reqfile_parser *p, const char *raw, size_t n)
{
	const char *t = raw, *k, *v;
	size_t tn = n, kn, vn;
	char b[96];

	if (reqfile_starts(raw, n, "###"))
		return separator(p, raw, n);
	if (p->state == REQFILE_AFTER)
		return true;
	if (p->state != REQFILE_OUTSIDE && is_handler(raw, n)) {
		p->state = REQFILE_AFTER;	/* the request ends here */
		return true;
	}
	reqfile_trim(&t, &tn);
	if (p->state == REQFILE_BODY)
		return body_line(p, raw, t, tn);
	if (is_comment(t, tn)) {
		size_t skip = t[0] == '#' ? 1 : 2;

		if (p->state == REQFILE_HEADERS && reqfile_meta(t + skip, tn - skip, &k, &kn, &v, &vn))
			return reqfile_fail(p, p->no, "'%s' after the request line (put it above METHOD URL)",
				REQFILE_SHOW(b, t, tn));
		return p->state == REQFILE_OUTSIDE ? reqfile_parse_meta(p, t + skip, tn - skip) : true;
	}
	if (p->state == REQFILE_HEADERS && !tn)
		p->state = REQFILE_BODY;
	else if (p->state == REQFILE_HEADERS && p->url_open && tn && (t[0] == '?' || t[0] == '&'))
		return reqfile_continue_url(p, t, tn);
	else if (p->state == REQFILE_HEADERS)
		return reqfile_header(p, t, tn);
	else if (tn && t[0] == '@')
		return reqfile_var(p, t + 1, tn - 1);
	else if (tn) {
		p->state = REQFILE_HEADERS;
		p->cur.line = p->no;
		return reqfile_request_line(p, t, tn);
	}
	return true;
}

static void
parser_free(struct reqfile_parser *p)
{
	size_t i;

	block_reset(p);
	for (i = 0; i < p->nvars; i++) {
		free(p->vars[i].name);
		free(p->vars[i].value);
	}
	free(p->vars);
}

bool
reqfile_parse(const char *path, const char *text, size_t len, struct reqfile *out,
	char *err, size_t errlen)
{
	struct reqfile_parser p = { .path = path, .text = text, .len = len, .err = err, .errlen = errlen,
		.out = out, .total = len };
	bool ok = true;

	memset(out, 0, sizeof *out);
	err[0] = '\0';
	block_reset(&p);
	if (len > REQFILE_MAX)
		ok = reqfile_fail(&p, 0, "larger than 16 MB (split it)");
	if (reqfile_starts(text, len, "\xef\xbb\xbf"))	/* a BOM, as some editors write */
		p.pos = 3;
	while (ok && p.pos < len) {
		const char *s = text + p.pos, *nl = memchr(s, '\n', len - p.pos);
		size_t n = nl ? (size_t)(nl - s) : len - p.pos;

		p.pos += n + (nl != NULL);
		p.no++;
		if (nl && n && s[n - 1] == '\r')
			n--;
		ok = line(&p, s, n);
	}
	if (ok)
		ok = block_end(&p);
	if (ok && !out->n)
		ok = reqfile_fail(&p, 0, "no request (want METHOD URL lines separated by ###)");
	parser_free(&p);
	if (!ok)
		reqfile_free(out);
	return ok;
}

bool
reqfile_load(const char *path, struct reqfile *out, char *err, size_t errlen)
{
	char *text = NULL, b[96];
	size_t len = 0;
	int errnum;
	bool ok;

	memset(out, 0, sizeof *out);
	if (!reqfile_read_all(path, REQFILE_MAX, &text, &len, &errnum)) {
		REQFILE_SHOW(b, path, strlen(path));
		if (errnum == EFBIG)
			snprintf(err, errlen, "%s: larger than 16 MB (split it)", b);
		else
			snprintf(err, errlen, "%s: cannot read the request file (%s)", b,
				strerror(errnum));
		return false;
	}
	ok = reqfile_parse(path, text, len, out, err, errlen);
	free(text);
	return ok;
}

void
reqfile_free(struct reqfile *rf)
{
	size_t i;

	for (i = 0; i < rf->n; i++)
		req_free(&rf->reqs[i]);
	free(rf->reqs);
	rf->reqs = NULL;
	rf->n = 0;
}

char *
reqfile_kind_name(const struct reqfile_req *r)
{
	if (r->title)
		return xstrdup(r->title);
	return xasprintf("%s %s", r->method, r->url);
}

