/* ngxconf.h - the embedded default nginx config, and what we need to know
 * of a user's config before starting it. */
#ifndef LT_NGXCONF_H
#define LT_NGXCONF_H

#include <stdbool.h>
#include <stddef.h>

struct ngxconf_scan {
	unsigned daemon_line;	/* non-zero: the config sets `daemon` here */
	unsigned master_line;	/* ... `master_process` */
	unsigned workers_line;	/* ... `worker_processes` */
	unsigned user_line;	/* ... `user` */
	char *daemon;		/* their first arguments, or NULL */
	char *master;
	char *workers;
	char *user;
	char *pid_path;		/* argument of `pid`, or NULL */
	char *error_log;	/* first `error_log` argument, or NULL */
	char *listen;		/* first `listen` argument in http {}, or NULL */
	bool listen_ssl;	/* that listen has `ssl` */
	bool listen_http2;	/* ... `http2`, or its server says `http2 on;` */
	char *stream_listen;	/* first `listen` argument in stream {}, or NULL */
};

/* Scan the top file of a config (no includes followed) for the directives
 * above. False with a one-line err if the file cannot be read. */
bool ngxconf_scan_file(const char *path, struct ngxconf_scan *out, char *err, size_t errlen);
void ngxconf_scan_free(struct ngxconf_scan *s);

/* Lay out a private nginx prefix: conf/nginx.conf listening on
 * 127.0.0.1:port, html/ with a small static tree, logs/, temp dirs.
 * extra_server: directives pasted into the server block (may be NULL).
 * workers > 0: `worker_processes N` and `listen ... reuseport` (the
 * kernel spreads connections over the workers); user_root: `user root;`
 * (workers keep root: see target.h). tls_crt/tls_key: `listen ... ssl`
 * with them; http2: `listen ... http2`. stream_port: a `stream {}` block
 * with one server on 127.0.0.1:stream_port (reuseport with workers) and
 * stream_directives in it. */
struct ngxconf_embedded {
	unsigned port;
	const char *extra_server;
	unsigned workers;
	bool user_root;
	const char *tls_crt, *tls_key;	/* NULL: plain */
	bool http2;
	unsigned stream_port;		/* 0: no stream {} */
	const char *stream_directives;
	/* directives of the http {} and stream {} blocks themselves, beside
	 * their server (map, upstream, js_import ...); NULL: none */
	const char *http_block, *stream_block;
};
bool ngxconf_write_embedded(const char *prefix, const struct ngxconf_embedded *cf,
	char *err, size_t errlen);

/* prefix + suffix as one quoted nginx config word ("..." with \ and "
 * escaped): a TMPDIR with a space or a ';' stays one argument. Malloc'd. */
char *ngxconf_quote(const char *prefix, const char *suffix);

/* A free TCP port on 127.0.0.1 (bind to port 0 and read it back), 0 on error. */
unsigned ngxconf_free_port(void);

/* "http://127.0.0.1:8080" (ssl: "https://...") for a listen argument
 * that is on loopback or a wildcard address; NULL for one we must not or
 * cannot reach. */
char *ngxconf_listen_url(const char *listen_arg, bool ssl);
/* "127.0.0.1:9000" ("[::1]:9000") for a stream listen argument, the same
 * way; NULL else. */
char *ngxconf_listen_addr(const char *listen_arg);

#endif
