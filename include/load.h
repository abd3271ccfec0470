/* load.h - request bursts with libcurl's multi interface on the evloop.
 *
 * A burst sends `requests` requests, round robin over the URLs, with at most
 * `concurrency` in flight. The burst is only reported done when every
 * request has finished AND nginx has closed every connection we opened:
 * instead of close(), the client half-closes (shutdown SHUT_WR) and waits
 * for nginx's EOF, so no transient request or connection pool of nginx is
 * alive when the following leak check runs. */
#ifndef LT_LOAD_H
#define LT_LOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct evloop;
struct load;

struct load_spec {
	char **urls;		/* at least one; http://127.0.0.1... */
	size_t nurls;
	unsigned long requests;	/* per burst */
	unsigned concurrency;
	bool keepalive;
	const char *method;	/* NULL = GET (or POST when body is set) */
	char **headers;		/* "Name: value" */
	size_t nheaders;
	const char *body;	/* NULL = none */
	long timeout_ms;	/* per request; 0 = 30000 */
};

struct load_stats {
	unsigned long sent;	/* requests started */
	unsigned long done;	/* finished, any outcome */
	unsigned long status[6];	/* [1]=1xx ... [5]=5xx, [0] other */
	unsigned long transport_errors;
	unsigned long unreached;	/* of those: no connection (refused, no such host) */
	int64_t elapsed_ns;	/* first request start to last connection closed */
	double rps;		/* done / elapsed */
	unsigned open_connections;	/* still open or draining */
	char last_error[256];	/* last transport error text, escaped-safe ASCII */
};

typedef void (*load_done_cb)(struct load *load, const struct load_stats *st, void *ctx);

/* The spec is copied. */
struct load *load_new(struct evloop *loop, const struct load_spec *spec);
void load_free(struct load *load);

/* Start a burst; false if one is running. done is called from the loop. */
bool load_start(struct load *load, load_done_cb done, void *ctx);
bool load_running(const struct load *load);
/* Abort a running burst (no callback); connections are closed. */
void load_abort(struct load *load);
/* Progress of the current (or last) burst. */
const struct load_stats *load_stats(const struct load *load);
/* Change the burst shape between bursts. */
void load_set_shape(struct load *load, unsigned long requests, unsigned concurrency);

/* curl_global_init() runs once, in the first load_new(). Its cleanup is
 * left to process exit unless this is called (after the last load_free),
 * e.g. to keep leak checkers quiet. */
void load_global_cleanup(void);

/* Load goes to this machine only. True if url is http(s) and its host,
 * read the way libcurl reads it ("http://localhost:1@example.com/" is
 * example.com's), is 127.0.0.0/8, [::1] or localhost. */
bool load_url_is_loopback(const char *url);

/* Requests counted as failed: transport errors plus non-2xx/3xx answers. */
unsigned long load_failed(const struct load_stats *st);

#endif
