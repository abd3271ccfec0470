/* burst.h - request bursts with libcurl's multi interface on the evloop.
 *
 * A burst sends `requests` requests, round robin over the URLs, with at most
 * `concurrency` in flight. The burst is only reported done when every
 * request has finished AND nginx has closed every connection we opened:
 * instead of close(), the client half-closes (shutdown SHUT_WR) and waits
 * for nginx's EOF, so no transient request or connection pool of nginx is
 * alive when the following leak check runs. */
#ifndef LT_BURST_H
#define LT_BURST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct evloop;
struct burst;

struct burst_spec {
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

struct burst_stats {
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

typedef void (*burst_done_cb)(struct burst *burst, const struct burst_stats *st, void *ctx);

/* The spec is copied. */
struct burst *burst_new(struct evloop *loop, const struct burst_spec *spec);
void burst_free(struct burst *burst);

/* Start a burst; false if one is running. done is called from the loop. */
bool burst_start(struct burst *burst, burst_done_cb done, void *ctx);
bool burst_running(const struct burst *burst);
/* Abort a running burst (no callback); connections are closed. */
void burst_abort(struct burst *burst);
/* Progress of the current (or last) burst. */
const struct burst_stats *burst_stats(const struct burst *burst);
/* Change the burst shape between bursts. */
void burst_set_shape(struct burst *burst, unsigned long requests, unsigned concurrency);

/* curl_global_init() runs once, in the first burst_new(). Its cleanup is
 * left to process exit unless this is called (after the last burst_free),
 * e.g. to keep leak checkers quiet. */
void burst_global_cleanup(void);

/* Load goes to this machine only. True if url is http(s) and its host,
 * read the way libcurl reads it ("http://localhost:1@example.com/" is
 * example.com's), is 127.0.0.0/8, [::1] or localhost. */
bool burst_url_is_loopback(const char *url);

/* Requests counted as failed: transport errors plus non-2xx/3xx answers. */
unsigned long burst_failed(const struct burst_stats *st);

#endif
