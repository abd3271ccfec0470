/* reqfile_req.c - a request's line ("METHOD URL [HTTP/x]", with ?/&
 * continuation lines), its headers and its body. A body keeps the file's
 * own line ends (CRLF files send CRLF, as a multipart body needs); a body
 * line "< path" is that file's bytes ("<@ path": with variables). */
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

bool
reqfile_is_upper_word(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < 'A' || s[i] > 'Z')
			return false;
	return n > 0;
}

static bool
is_letter_word(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z')))
			return false;
	return n > 0;
}

bool
reqfile_url_ok(const char *s, size_t n)
{
	return (n && s[0] == '/') || (n > 7 && !strncasecmp(s, "http://", 7)) ||
		(n > 8 && !strncasecmp(s, "https://", 8));
}

int
reqfile_version_of(const char *s, size_t n)
{
	static const struct { const char *text; int v; } vs[] = {
		{ "HTTP/1.0", 10 }, { "HTTP/1.1", 11 }, { "HTTP/2", 20 }, { "HTTP/2.0", 20 },
	};
	size_t i;

	for (i = 0; i < LT_ARRAY_SIZE(vs); i++)
		if (strlen(vs[i].text) == n && !memcmp(vs[i].text, s, n))
			return vs[i].v;
	return 0;
}

/* Up to 4 words of s (space or tab separated); returns how many there are. */
size_t
reqfile_words(const char *s, size_t n, const char **w, size_t *wn)
{
	size_t i = 0, k = 0;

	while (i < n) {
		while (i < n && reqfile_is_space(s[i]))
			i++;
		if (i >= n)
			break;
		if (k < 4)
			w[k] = s + i;
		while (i < n && !reqfile_is_space(s[i]))
			i++;
		if (k < 4)
			wn[k] = (size_t)(s + i - w[k]);
		k++;
	}
	return k;
}

static bool
request_words(struct reqfile_parser *p, const char *s, size_t n)
{
	const char *w[4];
	size_t wn[4], k = reqfile_words(s, n, w, wn), u = 0;
	char b[96];

	if (!k)		/* its {{variables}} came out empty */
		return reqfile_fail(p, p->no, "the request line is empty once its {{variables}} are "
			"filled in (give the variable a value: @name = /path)");
	if (k > 3)
		return reqfile_fail(p, p->no, "request line '%s' has %zu words (want METHOD URL [HTTP/1.1])",
			REQFILE_SHOW(b, s, n), k);
	if (k == 1 && reqfile_is_upper_word(w[0], wn[0]))
		return reqfile_fail(p, p->no, "request line '%s' has no URL (want METHOD URL)",
			REQFILE_SHOW(b, s, n));
	if (k >= 2 && is_letter_word(w[0], wn[0]) && !reqfile_is_upper_word(w[0], wn[0]))
		return reqfile_fail(p, p->no, "method '%s' is not in capitals (write it in capitals, e.g. GET)",
			REQFILE_SHOW(b, w[0], wn[0]));
	if (k >= 2 && reqfile_is_upper_word(w[0], wn[0]))
		u = 1;
	else if (k == 3)
		return reqfile_fail(p, p->no, "'%s' is not a method (want METHOD URL [HTTP/1.1])",
			REQFILE_SHOW(b, w[0], wn[0]));
	if (!reqfile_url_ok(w[u], wn[u]))
		return reqfile_fail(p, p->no, "'%s' is neither a path nor an http(s):// URL "
			"(write /path or http://127.0.0.1:PORT/path)", REQFILE_SHOW(b, w[u], wn[u]));
	if (u + 1 < k && !(p->cur.http_version = reqfile_version_of(w[u + 1], wn[u + 1])))
		return reqfile_fail(p, p->no, "'%s' is not an HTTP version (want HTTP/1.0, HTTP/1.1 or HTTP/2)",
			REQFILE_SHOW(b, w[u + 1], wn[u + 1]));
	p->cur.method = u ? xstrndup(w[0], wn[0]) : xstrdup("GET");
	p->cur.url = xstrndup(w[u], wn[u]);
	return true;
}

bool
reqfile_request_line(struct reqfile_parser *p, const char *s, size_t n)
{
	struct sbuf l = SBUF_INIT;
	char b[96];
	bool ok = reqfile_subst(p, p->no, s, n, &l);

	if (ok && reqfile_control_at(l.data, l.len, true) >= 0)
		ok = reqfile_fail(p, p->no, "request line '%s' has a control character (remove it)",
			REQFILE_SHOW(b, l.data, l.len));
	if (ok)
		ok = request_words(p, l.data, l.len);
	sbuf_free(&l);
	p->url_open = ok;
	return ok;
}

/* "?a=1" / "&b=2" lines right after the request line continue the URL. */
bool
reqfile_continue_url(struct reqfile_parser *p, const char *s, size_t n)
{
	struct sbuf l = SBUF_INIT;
	char b[96];

	if (!reqfile_subst(p, p->no, s, n, &l) || reqfile_control_at(l.data, l.len, false) >= 0 ||
		memchr(l.data, ' ', l.len)) {
		if (!p->err[0])
			reqfile_fail(p, p->no, "query line '%s' has a space or control character "
				"(encode it: %%20)", REQFILE_SHOW(b, s, n));
		sbuf_free(&l);
		return false;
	}
	sbuf_adds(&l, "");
	char *url = xasprintf("%s%s", p->cur.url, l.data);
	free(p->cur.url);
	p->cur.url = url;
	sbuf_free(&l);
	return true;
}

static bool
is_token_char(char c)
{
	return reqfile_is_name_char(c) || (c && strchr("!#$%&'*+.^`|~", c));
}

static bool
check_header(struct reqfile_parser *p, const char *s, size_t n, const char *colon)
{
	const char *name = s;
	size_t nn = colon ? (size_t)(colon - s) : 0;
	char b[96];

	if (reqfile_control_at(s, n, true) >= 0)
		return reqfile_fail(p, p->no, "header '%s' has a control character (remove it)",
			REQFILE_SHOW(b, s, n));
	if (!colon)
		return reqfile_fail(p, p->no, "header '%s' has no ':' (want Name: value, then a blank line "
			"before the body)", REQFILE_SHOW(b, s, n));
	if (!nn)
		return reqfile_fail(p, p->no, "header '%s' has an empty name (want Name: value)",
			REQFILE_SHOW(b, s, n));
	for (size_t i = 0; i < nn; i++)
		if (!is_token_char(name[i]))
			return reqfile_fail(p, p->no, "header name '%s' has a character not allowed in a "
				"header name (want letters, digits and -)", REQFILE_SHOW(b, name, nn));
	return true;
}

bool
reqfile_header(struct reqfile_parser *p, const char *s, size_t n)
{
	struct sbuf l = SBUF_INIT;
	const char *colon, *val;
	size_t vn;
	bool ok = reqfile_subst(p, p->no, s, n, &l);

	if (ok && p->cur.nheaders >= REQFILE_MAX_HEADERS)
		ok = reqfile_fail(p, p->no, "more than %d headers (use fewer)", REQFILE_MAX_HEADERS);
	colon = ok ? memchr(l.data, ':', l.len) : NULL;
	if (ok)
		ok = check_header(p, l.data, l.len, colon);
	if (ok) {
		val = colon + 1;
		vn = (size_t)(l.data + l.len - val);
		reqfile_trim(&val, &vn);
		xgrow((void **)&p->cur.headers, &p->capheaders, p->cur.nheaders + 1, sizeof(char *));
		p->cur.headers[p->cur.nheaders++] = xasprintf("%.*s: %.*s",
			(int)(colon - l.data), l.data, (int)vn, val);
	}
	sbuf_free(&l);
	p->url_open = false;
	return ok;
}

/* dir of the request file + rel (unless absolute). Malloc'd. */
static char *
body_path(const struct reqfile_parser *p, const char *rel)
{
	const char *slash = strrchr(p->path, '/');

	if (rel[0] == '/' || !slash)
		return xstrdup(rel);
	return xasprintf("%.*s/%s", (int)(slash - p->path), p->path, rel);
}

/* The bytes of a body file: a regular file (a device or a FIFO would
 * block or never end), within what is left of the 16 MB. */
static bool
read_body(struct reqfile_parser *p, unsigned no, const char *path, char **data, size_t *len)
{
	char b[96];
	struct stat st;
	int errnum = 0;

	if (stat(path, &st) < 0)
		errnum = errno;
	else if (!S_ISREG(st.st_mode))
		errnum = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
	else if (reqfile_read_all(path, REQFILE_MAX - p->total, data, len, &errnum))
		return true;
	REQFILE_SHOW(b, path, strlen(path));
	if (errnum == EFBIG)
		return reqfile_fail(p, no, "body file '%s' makes the requests larger than 16 MB "
			"(use a smaller file)", b);
	if (errnum == EINVAL)
		return reqfile_fail(p, no, "body file '%s' is not a regular file (save the body "
			"in a file)", b);
	return reqfile_fail(p, no, "cannot read body file '%s' (%s; a relative path starts at "
		"the request file's directory)", b, strerror(errnum));
}

/* A body line "< path" or "<@ path": the file's bytes (with variables for <@). */
static bool
include_file(struct reqfile_parser *p, unsigned no, const char *s, size_t n, struct sbuf *out)
{
	bool vars = n > 1 && s[1] == '@';
	const char *rel = s + 1 + vars;
	size_t rn = n - 1 - vars, len = 0;
	struct sbuf name = SBUF_INIT;
	char b[96], *path, *data = NULL;
	bool ok;

	reqfile_trim(&rel, &rn);
	ok = reqfile_subst(p, no, rel, rn, &name);
	if (ok && (!name.len || memchr(name.data, '\0', name.len)))
		ok = reqfile_fail(p, no, "'%s' names no file (want < path/to/body)",
			REQFILE_SHOW(b, s, n));
	if (!ok) {
		sbuf_free(&name);
		return false;
	}
	path = body_path(p, name.data);
	ok = read_body(p, no, path, &data, &len);
	if (ok) {
		p->total += len;
		ok = vars ? reqfile_subst(p, no, data, len, out) : (sbuf_add(out, data, len), true);
	}
	free(data);
	free(path);
	sbuf_free(&name);
	return ok;
}

static bool
is_include(const char *s, size_t n)
{
	return n && s[0] == '<' && (n == 1 || reqfile_is_space(s[1]) ||
		(s[1] == '@' && (n == 2 || reqfile_is_space(s[2]))));
}

/* The body: its lines from body_start to body_end, line ends as written. */
bool
reqfile_build_body(struct reqfile_parser *p)
{
	struct sbuf out = SBUF_INIT;
	size_t pos = p->body_start;
	unsigned no = p->body_no;

	while (pos < p->body_end) {
		const char *s = p->text + pos, *nl = memchr(s, '\n', p->body_end - pos);
		size_t next = nl ? (size_t)(nl - p->text) + 1 : p->body_end;
		size_t cend = nl ? (size_t)(nl - p->text) : p->body_end;
		const char *t;
		size_t tn;

		if (nl && cend > pos && p->text[cend - 1] == '\r')
			cend--;
		t = s;
		tn = cend - pos;
		reqfile_trim(&t, &tn);
		if (is_include(t, tn) ? !include_file(p, no, t, tn, &out) :
			!reqfile_subst(p, no, s, cend - pos, &out)) {
			sbuf_free(&out);
			return false;
		}
		sbuf_add(&out, p->text + cend, next - cend);
		pos = next;
		no++;
	}
	p->cur.body_len = out.len;
	p->cur.body = sbuf_detach(&out);
	return true;
}

/* A body's first line that reads like a request line is most likely a
 * request with its ### forgotten: sent as a body, it would test nothing. */
bool
reqfile_looks_like_request(const char *s, size_t n)
{
	const char *w[4];
	size_t wn[4], k = reqfile_words(s, n, w, wn);

	return (k == 2 || k == 3) && reqfile_is_upper_word(w[0], wn[0]) &&
		reqfile_url_ok(w[1], wn[1]) &&
		(k == 2 || reqfile_version_of(w[2], wn[2]));
}

