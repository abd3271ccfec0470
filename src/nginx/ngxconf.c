/* ngxconf.c - embedded config, and a light scan of a user's config. */
#include "ngxconf.h"
#include "sbuf.h"
#include "util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define NGXCONF_MAX_SIZE (16 * 1024 * 1024)

/* nginx config tokens: words, quoted strings, and ; { } as separators;
 * '#' starts a comment. Enough to find top-level-ish directives. */
struct tok {
	const char *p, *end;
	unsigned line;
};

static bool
next_token(struct tok *t, struct sbuf *out, char *sep)
{
	*sep = 0;
	sbuf_reset(out);
	while (t->p < t->end) {
		char c = *t->p;

		if (c == '\n')
			t->line++;
		if (c == '#') {
			while (t->p < t->end && *t->p != '\n')
				t->p++;
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
			t->p++;
			if (out->len)
				return true;
			continue;
		}
		if (c == ';' || c == '{' || c == '}') {
			if (out->len)
				return true;	/* separator read on the next call */
			*sep = c;
			t->p++;
			return true;
		}
		if (c == '"' || c == '\'') {
			char q = c;

			for (t->p++; t->p < t->end && *t->p != q; t->p++) {
				if (*t->p == '\\' && t->p + 1 < t->end)
					t->p++;
				if (*t->p == '\n')
					t->line++;
				sbuf_addc(out, *t->p);
			}
			t->p++;
			return true;
		}
		sbuf_addc(out, c);
		t->p++;
	}
	return out->len > 0;
}

/* The first argument of the directives whose first line we keep. */
static bool
scan_first_arg(struct ngxconf_scan *s, const char *directive, unsigned dline, const char *arg)
{
	static const struct { const char *name; size_t line, value; } keep[] = {
		{ "daemon", offsetof(struct ngxconf_scan, daemon_line),
			offsetof(struct ngxconf_scan, daemon) },
		{ "master_process", offsetof(struct ngxconf_scan, master_line),
			offsetof(struct ngxconf_scan, master) },
		{ "worker_processes", offsetof(struct ngxconf_scan, workers_line),
			offsetof(struct ngxconf_scan, workers) },
		{ "user", offsetof(struct ngxconf_scan, user_line),
			offsetof(struct ngxconf_scan, user) },
	};
	size_t i;

	for (i = 0; i < LT_ARRAY_SIZE(keep); i++) {
		char **value = (char **)((char *)s + keep[i].value);

		if (strcmp(directive, keep[i].name))
			continue;
		if (*(unsigned *)((char *)s + keep[i].line) == dline && !*value)
			*value = xstrdup(arg);
		return true;
	}
	return false;
}

/* Where a directive is: the blocks around it, enough to tell http's
 * listens from stream's and which server a `http2 on;` is in. */
struct scan_ctx {
	char stack[16][32];	/* names of the open blocks (directive[] is 32) */
	unsigned depth;
	unsigned servers;	/* server blocks opened so far */
	unsigned listen_server;	/* the one with the first http listen */
};

static const char *
scan_block(const struct scan_ctx *c)
{
	unsigned i;

	for (i = 0; i < c->depth && i < LT_ARRAY_SIZE(c->stack); i++)
		if (!strcmp(c->stack[i], "http") || !strcmp(c->stack[i], "stream"))
			return c->stack[i];
	return "";
}

static void
scan_sep(struct scan_ctx *c, char sep, const char *directive)
{
	if (sep == '{') {
		if (c->depth < LT_ARRAY_SIZE(c->stack))
			snprintf(c->stack[c->depth], sizeof c->stack[0], "%s", directive);
		c->depth++;
		c->servers += !strcmp(directive, "server");
	} else if (sep == '}' && c->depth) {
		c->depth--;
	}
}

/* An argument past the first: listen's parameters, `http2 on`. */
static void
scan_param(struct ngxconf_scan *s, struct scan_ctx *c, const char *directive, int argn,
	const char *word)
{
	bool http = !strcmp(scan_block(c), "http");

	if (http && !strcmp(directive, "listen") && c->listen_server == c->servers) {
		if (!strcmp(word, "ssl"))
			s->listen_ssl = true;
		if (!strcmp(word, "http2"))
			s->listen_http2 = true;
	}
	if (http && argn == 0 && !strcmp(directive, "http2") && !strcmp(word, "on") &&
		c->listen_server == c->servers && s->listen)
		s->listen_http2 = true;
}

static void
scan_first(struct ngxconf_scan *s, struct scan_ctx *c, const char *directive, unsigned dline,
	const char *word)
{
	const char *blk = scan_block(c);

	if (scan_first_arg(s, directive, dline, word))
		return;
	if (!strcmp(directive, "pid") && !s->pid_path)
		s->pid_path = xstrdup(word);
	else if (!strcmp(directive, "error_log") && !s->error_log)
		s->error_log = xstrdup(word);
	else if (!strcmp(directive, "listen") && !strcmp(blk, "stream") && !s->stream_listen)
		s->stream_listen = xstrdup(word);
	else if (!strcmp(directive, "listen") && !strcmp(blk, "http") && !s->listen) {
		/* http's only: a mail server's listen is no URL */
		s->listen = xstrdup(word);
		c->listen_server = c->servers;
	}
}

static void
scan_text(const char *text, size_t len, struct ngxconf_scan *s)
{
	struct tok t = { text, text + len, 1 };
	struct sbuf word = SBUF_INIT;
	struct scan_ctx c = { .depth = 0 };
	char directive[32] = "";
	unsigned dline = 0;
	int argn = 0;
	char sep;

	while (next_token(&t, &word, &sep)) {
		if (sep) {
			scan_sep(&c, sep, directive);
			directive[0] = '\0';
			argn = 0;
			continue;
		}
		if (!directive[0]) {
			snprintf(directive, sizeof directive, "%s", word.data);
			dline = t.line;
			argn = 0;
			if (!strcmp(directive, "daemon") && !s->daemon_line)
				s->daemon_line = dline;
			if (!strcmp(directive, "master_process") && !s->master_line)
				s->master_line = dline;
			if (!strcmp(directive, "worker_processes") && !s->workers_line)
				s->workers_line = dline;
			if (!strcmp(directive, "user") && !s->user_line)
				s->user_line = dline;
			continue;
		}
		if (argn == 0 && strcmp(directive, "http2"))
			scan_first(s, &c, directive, dline, word.data);
		else
			scan_param(s, &c, directive, argn, word.data);
		argn++;
	}
	sbuf_free(&word);
}

bool
ngxconf_scan_file(const char *path, struct ngxconf_scan *out, char *err, size_t errlen)
{
	struct sbuf text = SBUF_INIT;
	char buf[65536];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	memset(out, 0, sizeof *out);
	if (fd < 0) {
		snprintf(err, errlen, "cannot read nginx config %s: %s", path, strerror(errno));
		return false;
	}
	while ((n = read(fd, buf, sizeof buf)) > 0 && text.len < NGXCONF_MAX_SIZE)
		sbuf_add(&text, buf, (size_t)n);
	close(fd);
	if (n < 0) {
		snprintf(err, errlen, "cannot read nginx config %s: %s", path, strerror(errno));
		sbuf_free(&text);
		return false;
	}
	scan_text(text.data ? text.data : "", text.len, out);
	sbuf_free(&text);
	return true;
}

void
ngxconf_scan_free(struct ngxconf_scan *s)
{
	free(s->pid_path);
	free(s->error_log);
	free(s->listen);
	free(s->stream_listen);
	free(s->daemon);
	free(s->master);
	free(s->workers);
	free(s->user);
	memset(s, 0, sizeof *s);
}

static bool
write_file(const char *path, const char *text, char *err, size_t errlen)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	bool ok;

	if (fd < 0) {
		snprintf(err, errlen, "cannot create %s: %s", path, strerror(errno));
		return false;
	}
	ok = util_write_all(fd, text, strlen(text));
	if (close(fd) < 0)
		ok = false;
	if (!ok)
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
	return ok;
}

static bool
make_dirs(const char *prefix, char *err, size_t errlen)
{
	static const char *const dirs[] = { "conf", "html", "logs", "temp" };
	size_t i;

	for (i = 0; i < LT_ARRAY_SIZE(dirs); i++) {
		char *d = xasprintf("%s/%s", prefix, dirs[i]);
		int rc = mkdir(d, 0700);

		if (rc < 0 && errno != EEXIST) {
			snprintf(err, errlen, "cannot create %s: %s", d, strerror(errno));
			free(d);
			return false;
		}
		free(d);
	}
	return true;
}

char *
ngxconf_quote(const char *prefix, const char *suffix)
{
	struct sbuf b = SBUF_INIT;
	const char *parts[2] = { prefix, suffix };
	size_t i;

	sbuf_addc(&b, '"');
	for (i = 0; i < 2; i++) {
		const char *p;

		for (p = parts[i]; *p; p++) {
			if (*p == '"' || *p == '\\')
				sbuf_addc(&b, '\\');
			sbuf_addc(&b, *p);
		}
	}
	sbuf_addc(&b, '"');
	return sbuf_detach(&b);
}

/* The stream {} block of the generated config, "" without one. */
static char *
stream_block(const struct ngxconf_embedded *cf)
{
	if (!cf->stream_port)
		return xstrdup("");
	return xasprintf(
		"stream {\n"
		"%s%s"
		"    server {\n"
		"        listen 127.0.0.1:%u%s;\n"
		"%s%s"
		"    }\n"
		"}\n",
		cf->stream_block ? cf->stream_block : "", cf->stream_block ? "\n" : "",
		cf->stream_port, cf->workers ? " reuseport" : "",
		cf->stream_directives ? cf->stream_directives : "",
		cf->stream_directives ? "\n" : "");
}

/* ssl_certificate lines and the listen's parameters. */
static char *
tls_lines(const struct ngxconf_embedded *cf)
{
	char *crt, *key, *out;

	if (!cf->tls_crt)
		return xstrdup("");
	crt = ngxconf_quote(cf->tls_crt, "");
	key = ngxconf_quote(cf->tls_key, "");
	out = xasprintf("        ssl_certificate %s;\n        ssl_certificate_key %s;\n", crt, key);
	free(crt);
	free(key);
	return out;
}

bool
ngxconf_write_embedded(const char *prefix, const struct ngxconf_embedded *cf,
	char *err, size_t errlen)
{
	static const char *const suffixes[] = {
		"/logs/error.log", "/nginx.pid", "/temp/client", "/temp/proxy", "/temp/fastcgi",
		"/temp/uwsgi", "/temp/scgi", "/html",
	};
	char *conf, *path, *q[LT_ARRAY_SIZE(suffixes)], *stream, *tls;
	bool ok;
	size_t i;

	if (!make_dirs(prefix, err, errlen))
		return false;
	for (i = 0; i < LT_ARRAY_SIZE(suffixes); i++)
		q[i] = ngxconf_quote(prefix, suffixes[i]);
	stream = stream_block(cf);
	tls = tls_lines(cf);
	/* No daemon/master_process here: they come with -g on the command
	 * line, and nginx refuses a directive given twice. */
	conf = xasprintf(
		"# generated by ngx-leaktop: %s, loopback only\n"
		"worker_processes %u;\n"
		"%s"
		"error_log %s notice;\n"
		"pid %s;\n"
		"events { worker_connections 1024; }\n"
		"http {\n"
		"    access_log off;\n"
		"    default_type text/plain;\n"
		"    client_body_temp_path %s;\n"
		"    proxy_temp_path %s;\n"
		"    fastcgi_temp_path %s;\n"
		"    uwsgi_temp_path %s;\n"
		"    scgi_temp_path %s;\n"
		"%s%s"
		"    server {\n"
		"        listen 127.0.0.1:%u%s%s%s;\n"
		"        server_name localhost;\n"
		"        root %s;\n"
		"%s%s%s"
		"    }\n"
		"}\n"
		"%s",
		cf->workers ? "a master and its workers" : "single process",
		cf->workers ? cf->workers : 1, cf->user_root ? "user root;\n" : "",
		q[0], q[1], q[2], q[3], q[4], q[5], q[6],
		cf->http_block ? cf->http_block : "", cf->http_block ? "\n" : "", cf->port,
		cf->tls_crt ? " ssl" : "", cf->http2 ? " http2" : "",
		cf->workers ? " reuseport" : "", q[7], tls,
		cf->extra_server ? cf->extra_server : "", cf->extra_server ? "\n" : "", stream);
	for (i = 0; i < LT_ARRAY_SIZE(suffixes); i++)
		free(q[i]);
	free(stream);
	free(tls);
	path = xasprintf("%s/conf/nginx.conf", prefix);
	ok = write_file(path, conf, err, errlen);
	free(path);
	free(conf);
	if (!ok)
		return false;
	path = xasprintf("%s/html/index.html", prefix);
	ok = write_file(path, "<!doctype html><title>ngx-leaktop</title><p>ngx-leaktop test page\n",
		err, errlen);
	free(path);
	return ok;
}

unsigned
ngxconf_free_port(void)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof sa;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	unsigned port = 0;

	if (fd < 0)
		return 0;
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0 &&
		getsockname(fd, (struct sockaddr *)&sa, &len) == 0)
		port = ntohs(sa.sin_port);
	close(fd);
	return port;
}

/* host:port of a listen argument on loopback or a wildcard ("8080",
 * "*:8080", "127.0.0.2:80", "localhost:80", "[::1]:80"), written the way a
 * URL wants it; NULL for an address we must not or cannot reach. */
static char *
listen_hostport(const char *arg)
{
	const char *colon = strrchr(arg, ':');
	const char *portstr = colon ? colon + 1 : arg;
	long port;

	if (!util_parse_long(portstr, 1, 65535, &port))
		return NULL;
	if (colon) {
		size_t hl = (size_t)(colon - arg);

		if (!(hl == 1 && arg[0] == '*') && strncmp(arg, "127.", 4) != 0 &&
			!(hl == 9 && !strncmp(arg, "localhost", 9)) &&
			!(hl == 5 && !strncmp(arg, "[::1]", 5)))
			return NULL;	/* only loopback: we never send load elsewhere */
		if (hl == 5 && !strncmp(arg, "[::1]", 5))
			return xasprintf("[::1]:%ld", port);
		if (!strncmp(arg, "127.", 4))
			return xasprintf("%.*s:%ld", (int)hl, arg, port);
	}
	return xasprintf("127.0.0.1:%ld", port);
}

char *
ngxconf_listen_url(const char *arg, bool ssl)
{
	char *hp = listen_hostport(arg), *url;

	if (!hp)
		return NULL;
	url = xasprintf("%s://%s", ssl ? "https" : "http", hp);
	free(hp);
	return url;
}

char *
ngxconf_listen_addr(const char *arg)
{
	return listen_hostport(arg);
}
