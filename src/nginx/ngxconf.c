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

static void
scan_text(const char *text, size_t len, struct ngxconf_scan *s)
{
	struct tok t = { text, text + len, 1 };
	struct sbuf word = SBUF_INIT;
	char directive[32] = "";
	unsigned dline = 0;
	int argn = 0;
	char sep;

	while (next_token(&t, &word, &sep)) {
		if (sep) {
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
		if (argn++ != 0)
			continue;
		if (scan_first_arg(s, directive, dline, word.data))
			;
		else if (!strcmp(directive, "pid") && !s->pid_path)
			s->pid_path = xstrdup(word.data);
		else if (!strcmp(directive, "error_log") && !s->error_log)
			s->error_log = xstrdup(word.data);
		else if (!strcmp(directive, "listen") && !s->listen)
			s->listen = xstrdup(word.data);
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

bool
ngxconf_write_embedded(const char *prefix, unsigned port, const char *extra_server,
	unsigned workers, bool user_root, char *err, size_t errlen)
{
	static const char *const suffixes[] = {
		"/logs/error.log", "/nginx.pid", "/temp/client", "/temp/proxy", "/temp/fastcgi",
		"/temp/uwsgi", "/temp/scgi", "/html",
	};
	char *conf, *path, *q[LT_ARRAY_SIZE(suffixes)];
	bool ok;
	size_t i;

	if (!make_dirs(prefix, err, errlen))
		return false;
	for (i = 0; i < LT_ARRAY_SIZE(suffixes); i++)
		q[i] = ngxconf_quote(prefix, suffixes[i]);
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
		"    server {\n"
		"        listen 127.0.0.1:%u%s;\n"
		"        server_name localhost;\n"
		"        root %s;\n"
		"%s%s"
		"    }\n"
		"}\n",
		workers ? "a master and its workers" : "single process", workers ? workers : 1,
		user_root ? "user root;\n" : "",
		q[0], q[1], q[2], q[3], q[4], q[5], q[6], port, workers ? " reuseport" : "", q[7],
		extra_server ? extra_server : "", extra_server ? "\n" : "");
	for (i = 0; i < LT_ARRAY_SIZE(suffixes); i++)
		free(q[i]);
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

char *
ngxconf_listen_url(const char *arg)
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
			return xasprintf("http://[::1]:%ld", port);
		if (!strncmp(arg, "127.", 4))
			return xasprintf("http://%.*s:%ld", (int)hl, arg, port);
	}
	return xasprintf("http://127.0.0.1:%ld", port);
}
