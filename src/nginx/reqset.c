/* reqset.c - the kinds of request a run sends (reqset.h).
 *
 * A set is self-contained: a kind from -u or from an editor entry without
 * a method gets the run's -X/-H/-d copied in (method resolved: -X, else
 * POST with -d, else GET), so every kind has own_headers and own_body set
 * and the spec's method, headers and body never apply to a set's kinds
 * (own_body with a NULL body: no body). TCP kinds read --read/--idle as
 * last given to reqset_add_tcp (the editor's "tcp < file" entries too).
 * Names are unique in a set, " (2)" added to a repeat: per-URL
 * attribution keys by name. Full URLs must be on loopback. */
#include "reqset.h"
#include "burst.h"
#include "escape.h"
#include "reqfile.h"
#include "sbuf.h"
#include "util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SEND_MAX ((size_t)16 << 20)

struct kind_info {
	char *name, *entry, *source;
	bool tcp;
	int http_version;
};

struct reqset {
	/* the defaults, owned */
	char *method, *body;
	char **headers;
	size_t nheaders;
	unsigned long tcp_read;
	long tcp_idle;
	/* the kinds */
	char **urls;
	struct burst_req *reqs;
	struct kind_info *info;
	size_t n, cap;
};

static char **
strv_dup(char *const *v, size_t n)
{
	char **out = xcalloc(n ? n : 1, sizeof *out);
	size_t i;

	for (i = 0; i < n; i++)
		out[i] = xstrdup(v[i]);
	return out;
}

static void
strv_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

struct reqset *
reqset_new(const struct reqset_defaults *d)
{
	struct reqset *rs = xcalloc(1, sizeof *rs);

	if (d) {
		rs->method = d->method ? xstrdup(d->method) : NULL;
		rs->body = d->body ? xstrdup(d->body) : NULL;
		rs->headers = strv_dup(d->headers, d->nheaders);
		rs->nheaders = d->nheaders;
	} else {
		rs->headers = strv_dup(NULL, 0);
	}
	return rs;
}

struct reqset *
reqset_empty_like(const struct reqset *rs)
{
	struct reqset_defaults d = { rs->method, rs->headers, rs->nheaders, rs->body };
	struct reqset *out = reqset_new(&d);

	out->tcp_read = rs->tcp_read;
	out->tcp_idle = rs->tcp_idle;
	return out;
}

void
reqset_free(struct reqset *rs)
{
	size_t i;

	if (!rs)
		return;
	for (i = 0; i < rs->n; i++) {
		free(rs->urls[i]);
		free((char *)rs->reqs[i].method);
		strv_free(rs->reqs[i].headers, rs->reqs[i].nheaders);
		free((char *)rs->reqs[i].body);
		free(rs->info[i].name);
		free(rs->info[i].entry);
		free(rs->info[i].source);
	}
	free(rs->urls);
	free(rs->reqs);
	free(rs->info);
	free(rs->method);
	free(rs->body);
	strv_free(rs->headers, rs->nheaders);
	free(rs);
}

static bool
name_taken(const struct reqset *rs, const char *name)
{
	size_t i;

	for (i = 0; i < rs->n; i++)
		if (!strcmp(rs->info[i].name, name))
			return true;
	return false;
}

/* name, or "name (2)", "name (3)"... whichever is free. Takes name. */
static char *
unique_name(const struct reqset *rs, char *name)
{
	unsigned k;

	if (!name_taken(rs, name))
		return name;
	for (k = 2;; k++) {
		char *alt = xasprintf("%s (%u)", name, k);

		if (!name_taken(rs, alt)) {
			free(name);
			return alt;
		}
		free(alt);
	}
}

/* A new kind at the end, its strings taken over; its req's name set. */
static struct burst_req *
add_kind(struct reqset *rs, char *url, char *name, char *entry, char *source)
{
	struct burst_req *r;
	struct kind_info *in;
	size_t cap = rs->cap;

	xgrow((void **)&rs->urls, &cap, rs->n + 1, sizeof *rs->urls);
	cap = rs->cap;
	xgrow((void **)&rs->reqs, &cap, rs->n + 1, sizeof *rs->reqs);
	cap = rs->cap;
	xgrow((void **)&rs->info, &cap, rs->n + 1, sizeof *rs->info);
	rs->cap = cap;
	rs->urls[rs->n] = url;
	in = &rs->info[rs->n];
	memset(in, 0, sizeof *in);
	in->name = unique_name(rs, name);
	in->entry = entry;
	in->source = source;
	r = &rs->reqs[rs->n];
	memset(r, 0, sizeof *r);
	r->name = in->name;
	r->weight = 1;
	r->own_headers = true;
	r->own_body = true;
	rs->n++;
	return r;
}

static void
shown(char *buf, size_t size, const char *s)
{
	char *e = escape_dup(s, strlen(s), 0);

	snprintf(buf, size, "%s", e);
	free(e);
}

static bool
is_url(const char *u)
{
	return u[0] == '/' || !strncasecmp(u, "http://", 7) || !strncasecmp(u, "https://", 8);
}

/* A path, or a full http(s) URL on loopback; one word, no control bytes. */
static bool
check_url(const char *what, const char *url, char *err, size_t errlen)
{
	char b[256];

	shown(b, sizeof b, url);
	if (!url[0] || !is_url(url) || strpbrk(url, " \t") || !escape_is_clean(url, strlen(url), 0)) {
		snprintf(err, errlen, "%s'%.200s' is not a path or an http(s):// URL "
			"(want /path or http://127.0.0.1:PORT/path)", what, b);
		return false;
	}
	if (url[0] != '/' && !burst_url_is_loopback(url)) {
		snprintf(err, errlen, "%s'%.200s': load goes to loopback only "
			"(use 127.0.0.1, localhost or [::1])", what, b);
		return false;
	}
	return true;
}

/* A kind of the run's defaults: url, with method (NULL: the run's). */
static bool
add_plain(struct reqset *rs, const char *what, const char *method, const char *url, char *entry,
	char *err, size_t errlen)
{
	struct burst_req *r;
	const char *m = method ? method : rs->method ? rs->method : rs->body ? "POST" : "GET";

	if (!check_url(what, url, err, errlen)) {
		free(entry);
		return false;
	}
	r = add_kind(rs, xstrdup(url), method ? xasprintf("%s %s", method, url) : xstrdup(url),
		entry, xstrdup("-u"));
	r->method = xstrdup(m);
	r->headers = strv_dup(rs->headers, rs->nheaders);
	r->nheaders = rs->nheaders;
	if (rs->body) {
		r->body = xstrdup(rs->body);
		r->body_len = strlen(rs->body);
	}
	return true;
}

bool
reqset_add_url(struct reqset *rs, const char *url, char *err, size_t errlen)
{
	return add_plain(rs, "--url ", NULL, url, xstrdup(url), err, errlen);
}

/* Does "@FILE#TITLE" make request i of rf again? Not when an earlier
 * request has the same title: "@FILE#N" does. */
static bool
title_selects(const struct reqfile *rf, size_t i)
{
	size_t j;

	for (j = 0; j < i; j++)
		if (rf->reqs[j].title && !strcmp(rf->reqs[j].title, rf->reqs[i].title))
			return false;
	return true;
}

static void
add_request(struct reqset *rs, const struct reqfile *rf, size_t index)
{
	const struct reqfile_req *q = &rf->reqs[index];
	char *entry = q->title && title_selects(rf, index) ?
		xasprintf("@%s#%s", q->file, q->title) : xasprintf("@%s#%zu", q->file, index + 1);
	struct burst_req *r = add_kind(rs, xstrdup(q->url), reqfile_kind_name(q), entry,
		xasprintf("%s:%u", q->file, q->line));

	r->method = xstrdup(q->method);
	r->headers = strv_dup(q->headers, q->nheaders);
	r->nheaders = q->nheaders;
	if (q->body) {
		char *b = xmalloc(q->body_len + 1);

		memcpy(b, q->body, q->body_len + 1);
		r->body = b;
		r->body_len = q->body_len;
	}
	r->weight = q->count;
	rs->info[rs->n - 1].http_version = q->http_version;
}

/* The request of rf that select names: its title, else its number. */
static long
find_request(const struct reqfile *rf, const char *select)
{
	long num;
	size_t i;

	for (i = 0; i < rf->n; i++)
		if (rf->reqs[i].title && !strcmp(rf->reqs[i].title, select))
			return (long)i;
	if (util_parse_long(select, 1, (long)rf->n, &num))
		return num - 1;
	return -1;
}

/* "titles: a, b, c" (cut short) for an error. */
static void
list_titles(const struct reqfile *rf, char *buf, size_t size)
{
	struct sbuf s = SBUF_INIT;
	size_t i;

	for (i = 0; i < rf->n; i++)
		if (rf->reqs[i].title) {
			sbuf_adds(&s, s.len ? ", " : "titles: ");
			escape_append(&s, rf->reqs[i].title, strlen(rf->reqs[i].title), 0);
		}
	sbuf_adds(&s, s.len ? "; or " : "");
	snprintf(buf, size, "%.160s%s", s.data, s.len > 160 ? "..." : "");
	sbuf_free(&s);
}

/* Full URLs of a request file must be on loopback too: said at file:line. */
static bool
check_file_urls(const struct reqfile *rf, long only, char *err, size_t errlen)
{
	char where[256], b[256];
	size_t i;

	for (i = 0; i < rf->n; i++) {
		if (only >= 0 && (size_t)only != i)
			continue;
		shown(b, sizeof b, rf->reqs[i].file);
		snprintf(where, sizeof where, "%.200s:%u: ", b, rf->reqs[i].line);
		if (!check_url(where, rf->reqs[i].url, err, errlen))
			return false;
	}
	return true;
}

bool
reqset_add_file(struct reqset *rs, const char *path, const char *select, char *err, size_t errlen)
{
	struct reqfile rf;
	long only = -1;
	size_t i;
	char b[256], b2[256], titles[192];

	if (!reqfile_load(path, &rf, err, errlen))
		return false;
	if (select && (only = find_request(&rf, select)) < 0) {
		shown(b, sizeof b, path);
		shown(b2, sizeof b2, select);
		list_titles(&rf, titles, sizeof titles);
		snprintf(err, errlen, "%.200s: no request titled '%.100s' (%sa number from 1 to %zu)",
			b, b2, titles, rf.n);
		reqfile_free(&rf);
		return false;
	}
	if (!check_file_urls(&rf, only, err, errlen)) {
		reqfile_free(&rf);
		return false;
	}
	for (i = 0; i < rf.n; i++)
		if (only < 0 || (size_t)only == i)
			add_request(rs, &rf, i);
	reqfile_free(&rf);
	return true;
}

/* HOST:PORT on loopback: 127.x.y.z, localhost or [::1]; port 1..65535. */
static bool
addr_ok(const char *addr)
{
	const char *colon = strrchr(addr, ':');
	char host[64];
	unsigned char a[16];
	long port;
	size_t hn;

	if (!colon || !util_parse_long(colon + 1, 1, 65535, &port) || colon[1] == '+' ||
		(hn = (size_t)(colon - addr)) == 0 || hn >= sizeof host)
		return false;
	memcpy(host, addr, hn);
	host[hn] = '\0';
	if (!strcasecmp(host, "localhost"))
		return true;
	if (inet_pton(AF_INET, host, a) == 1)
		return a[0] == 127;
	if (hn > 2 && host[0] == '[' && host[hn - 1] == ']') {
		host[hn - 1] = '\0';
		return inet_pton(AF_INET6, host + 1, a) == 1 &&
			IN6_IS_ADDR_LOOPBACK((struct in6_addr *)a);
	}
	return false;
}

/* The kind's short name: "tcp hello.bin", "tcp 127.0.0.1:9000 hello.bin". */
static char *
tcp_name(const char *addr, const char *file)
{
	const char *base = strrchr(file, '/');

	base = base && base[1] ? base + 1 : file;
	return addr ? xasprintf("tcp %s %s", addr, base) : xasprintf("tcp %s", base);
}

bool
reqset_add_tcp(struct reqset *rs, const char *addr, const char *send_file,
	unsigned long read_bytes, long idle_ms, char *err, size_t errlen)
{
	struct burst_req *r;
	char *data, b[256];
	size_t len;
	int errnum;

	if (addr && !strncmp(addr, "tcp://", 6))
		addr += 6;
	if (addr && !addr_ok(addr)) {
		shown(b, sizeof b, addr);
		snprintf(err, errlen, "--tcp %.200s: not a loopback HOST:PORT (use 127.0.0.1:PORT, "
			"localhost:PORT or [::1]:PORT; load goes to this machine only)", b);
		return false;
	}
	if (!reqfile_read_all(send_file, SEND_MAX, &data, &len, &errnum)) {
		shown(b, sizeof b, send_file);
		snprintf(err, errlen, "--send %.200s: %s", b, errnum == EFBIG ?
			"larger than 16 MB (send a smaller file)" : strerror(errnum));
		return false;
	}
	rs->tcp_read = read_bytes;
	rs->tcp_idle = idle_ms < 0 ? 0 : idle_ms;
	r = add_kind(rs, addr ? xasprintf("tcp://%s", addr) : xstrdup("tcp:"),
		tcp_name(addr, send_file),
		addr ? xasprintf("tcp %s < %s", addr, send_file) : xasprintf("tcp < %s", send_file),
		xasprintf("--send %s", send_file));
	r->body = data;
	r->body_len = len;
	r->read_bytes = rs->tcp_read;
	r->idle_ms = rs->tcp_idle;
	rs->info[rs->n - 1].tcp = true;
	return true;
}

/* "tcp [HOST:PORT] < FILE" (s past "tcp"). */
static bool
add_tcp_entry(struct reqset *rs, const char *s, char *err, size_t errlen)
{
	const char *lt = strchr(s, '<'), *file;
	char *addr = NULL;
	size_t an;
	bool ok;

	if (!strncmp(s, "://", 3))
		s += 3;
	while (*s == ' ' || *s == '\t')
		s++;
	if (!lt) {
		snprintf(err, errlen, "tcp entry without '< FILE' (want tcp < file or "
			"tcp 127.0.0.1:PORT < file)");
		return false;
	}
	file = lt + 1;
	while (*file == ' ' || *file == '\t')
		file++;
	an = (size_t)(lt - s);
	while (an && (s[an - 1] == ' ' || s[an - 1] == '\t'))
		an--;
	if (an)
		addr = xstrndup(s, an);
	if (!*file) {
		snprintf(err, errlen, "tcp entry names no file after '<' (want tcp < file)");
		free(addr);
		return false;
	}
	ok = reqset_add_tcp(rs, addr, file, rs->tcp_read, rs->tcp_idle, err, errlen);
	free(addr);
	return ok;
}

/* "@FILE", "@FILE#TITLE", "@FILE#N". */
static bool
add_file_entry(struct reqset *rs, const char *s, char *err, size_t errlen)
{
	const char *hash = strchr(s, '#');
	char *path = hash ? xstrndup(s, (size_t)(hash - s)) : xstrdup(s);
	bool ok;

	if (!path[0]) {
		snprintf(err, errlen, "'@' names no request file (want @file.http or "
			"@file.http#Title)");
		free(path);
		return false;
	}
	ok = reqset_add_file(rs, path, hash && hash[1] ? hash + 1 : NULL, err, errlen);
	free(path);
	return ok;
}

static bool
is_method(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < 'A' || s[i] > 'Z')
			return false;
	return n > 0;
}

bool
reqset_add_entry(struct reqset *rs, const char *entry, char *err, size_t errlen)
{
	char *e = xstrdup(entry), *s = e, *end, *sp;
	bool ok;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n' || end[-1] == '\r'))
		*--end = '\0';
	sp = strpbrk(s, " \t");
	if (!*s)
		ok = (snprintf(err, errlen, "empty entry (want /path, METHOD /path, @file.http, "
			"@file.http#Title or tcp < file)"), false);
	else if (s[0] == '@')
		ok = add_file_entry(rs, s + 1, err, errlen);
	else if (!strncmp(s, "tcp", 3) && (!s[3] || s[3] == ' ' || s[3] == '\t' || s[3] == '<' ||
		!strncmp(s + 3, "://", 3)))
		ok = add_tcp_entry(rs, s + 3, err, errlen);
	else if (sp && is_method(s, (size_t)(sp - s))) {
		char *method = xstrndup(s, (size_t)(sp - s));

		while (*sp == ' ' || *sp == '\t')
			sp++;
		ok = add_plain(rs, "", method, sp, xstrdup(s), err, errlen);
		free(method);
	} else
		ok = add_plain(rs, "", NULL, s, xstrdup(s), err, errlen);
	free(e);
	return ok;
}

size_t
reqset_count(const struct reqset *rs)
{
	return rs->n;
}

char **
reqset_urls(const struct reqset *rs)
{
	return rs->urls;
}

const struct burst_req *
reqset_reqs(const struct reqset *rs)
{
	return rs->reqs;
}

const char *
reqset_name(const struct reqset *rs, size_t i)
{
	return i < rs->n ? rs->info[i].name : NULL;
}

const char *
reqset_entry(const struct reqset *rs, size_t i)
{
	return i < rs->n ? rs->info[i].entry : NULL;
}

const char *
reqset_source(const struct reqset *rs, size_t i)
{
	return i < rs->n ? rs->info[i].source : NULL;
}

bool
reqset_is_tcp(const struct reqset *rs, size_t i)
{
	return i < rs->n && rs->info[i].tcp;
}

bool
reqset_wants_version(const struct reqset *rs, int version)
{
	size_t i;

	for (i = 0; i < rs->n; i++)
		if (rs->info[i].http_version == version)
			return true;
	return false;
}
