/* burst.h - request bursts with libcurl's multi interface on the evloop.
 *
 * A burst sends `requests` requests over the URLs with at most
 * `concurrency` in flight. The URLs do not get the same share in every
 * burst: burst k of a burst object (k from 0) weighs URL k mod n at n+1
 * and every other URL at 1 (so half the burst goes to that URL), the
 * counts are rounded by largest remainder and the requests interleaved by
 * smooth weighted round robin (burst_plan). Over n bursts the per-URL
 * counts are linearly independent, so a site's growth can be tied to the
 * URL that drives it; every request keeps its URL's count exact.
 *
 * The burst is only reported done when every request has finished AND
 * nginx has finished handling them. Connections we close are half-closed
 * (shutdown SHUT_WR), and nginx's EOF awaited, so no request pool is alive
 * when the following leak check runs. With `hold` (keepalive only) the
 * connections stay open and idle between bursts - a module that allocates
 * per request from the connection pool leaks for as long as a connection
 * lives, and only a held connection shows it - and a quiesce probe (see
 * burst_probe.c) makes sure nginx is done with every request. */
#ifndef LT_BURST_H
#define LT_BURST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct evloop;
struct burst;

/* One kind of request: what per-URL attribution counts apart, with its
 * own method, headers and body (a request file's entry), or a raw TCP
 * exchange. Kind i of a spec is urls[i] with reqs[i]. */
struct burst_req {
	const char *name;	/* the kind's name ("### title", "POST /x"); NULL: the URL */
	const char *method;	/* NULL: the spec's */
	char **headers;		/* "Name: value" */
	size_t nheaders;
	bool own_headers;	/* these headers instead of the spec's (even none) */
	const char *body;	/* binary-safe, body_len bytes */
	size_t body_len;
	bool own_body;		/* this body (even empty) instead of the spec's */
	unsigned long weight;	/* share of a burst against the other kinds; 0 = 1 */
	/* tcp://HOST:PORT kinds: connect, send the body, read until nginx
	 * closes, read_bytes were read or idle_ms passed with nothing read;
	 * then close (half-close, drained until nginx's EOF: its session is
	 * over before a check). Capped by the spec's timeout_ms. */
	unsigned long read_bytes;	/* 0: until nginx closes */
	long idle_ms;		/* 0: no idle limit */
};

struct burst_spec {
	/* at least one: http://, https:// (certificate checks off: loopback
	 * only) or tcp://HOST:PORT (a raw TCP exchange, for stream modules) */
	char **urls;
	size_t nurls;
	const struct burst_req *reqs;	/* NULL, or nurls entries */
	/* HTTP/2: https:// with ALPN h2, http:// with prior knowledge (h2c);
	 * the requests in flight are streams multiplexed over few
	 * connections: concurrency / streams of them (at least 1). */
	bool http2;
	unsigned streams;	/* HTTP/2: streams per connection; 0: all on one */
	unsigned long requests;	/* per burst */
	unsigned concurrency;
	bool keepalive;
	bool hold;		/* keepalive: keep the connections open between bursts */
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
	long last_code;		/* HTTP status of the last answer, 0 none */
	unsigned long transport_errors;
	unsigned long unreached;	/* of those: no connection (refused, no such host) */
	int64_t elapsed_ns;	/* first request start to last connection closed */
	double rps;		/* done / elapsed */
	unsigned open_connections;	/* still open (held) or draining */
	/* hold: kept-alive connections closed before we closed them (nginx's
	 * keepalive_requests or keepalive_timeout, or an error), in this
	 * burst or while held since the last one. */
	unsigned long conn_closed;
	/* hold: so this burst closed them all at its end (drained): a check
	 * sees every connection of a burst or none, never some */
	bool released;
	unsigned long connects;	/* connections opened in this burst */
	bool probed;		/* the quiesce probe ran before done */
	char last_error[256];	/* last transport error text, escaped-safe ASCII */
	/* HTTP version of the last answer: 10, 11, 20; 0 none (TCP only) */
	int http_version;
	/* TCP kinds: exchanges that ended by idle_ms or read_bytes (normal
	 * ends), and bytes read from nginx */
	unsigned long tcp_cut;
	unsigned long long tcp_read;
};

typedef void (*burst_done_cb)(struct burst *burst, const struct burst_stats *st, void *ctx);

/* The spec is copied. */
struct burst *burst_new(struct evloop *loop, const struct burst_spec *spec);
void burst_free(struct burst *burst);

/* Start a burst; false if one is running. done is called from the loop. */
bool burst_start(struct burst *burst, burst_done_cb done, void *ctx);
bool burst_running(const struct burst *burst);
/* With hold: open the connections the bursts will hold before the
 * baseline check, so that nginx's own memory for them is in the baseline
 * and no growth after it: the next burst begins with one request per
 * connection (its first requests, as planned), and stops; done is called
 * when nginx has finished them. The next burst_start goes on with the
 * rest of that burst: its stats count the whole burst, its per-URL
 * reached counts only the requests after the resume (what reached nginx
 * between the checks). False, and nothing happens, without hold or while
 * running. */
bool burst_warm(struct burst *burst, burst_done_cb done, void *ctx);
/* Abort a running burst (no callback); connections are closed. */
void burst_abort(struct burst *burst);
/* Progress of the current (or last) burst. */
const struct burst_stats *burst_stats(const struct burst *burst);
/* Change the burst shape between bursts. Held connections are closed
 * (half-close and drain, at the next start) when the number of
 * connections a burst uses, min(requests, concurrency), changes. */
void burst_set_shape(struct burst *burst, unsigned long requests, unsigned concurrency);
/* Replace the URLs between bursts (false while running): held
 * connections are closed at the next start, and the rotation starts again
 * at burst 0. The strings are copied. */
bool burst_set_urls(struct burst *burst, char **urls, size_t nurls);

/* Replace the kinds between bursts (false while running): urls[i] with
 * reqs[i] (reqs NULL: plain requests with the spec's method, headers and
 * body). Copied; held connections close at the next start and the
 * rotation starts again, as burst_set_urls. */
bool burst_set_reqs(struct burst *burst, char **urls, const struct burst_req *reqs, size_t n);

/* Close the held connections (drained, at the next start) and forget a
 * paused warm-up: the next burst_warm opens new ones (nginx's workers
 * get them anew). False while running. */
bool burst_reconnect(struct burst *burst);

/* Per URL (index into the spec's URLs) of the current or last burst:
 * requests sent, and requests that reached nginx (an HTTP answer of any
 * status; not a transport error). 0 for an index out of range. */
unsigned long burst_url_sent(const struct burst *burst, size_t url);
unsigned long burst_url_reached(const struct burst *burst, size_t url);
/* Which connection served how many requests, for telling them apart per
 * nginx worker (sockowner.h): per connection still open now, its local
 * (client) port and the requests that got an answer on it since the last
 * burst_conn_reset; *closed gets the answered requests of connections
 * that closed meanwhile (their worker cannot be told). Returns how many
 * entries, *out malloc'd. */
struct burst_conn_count {
	unsigned port;		/* our end's local port */
	unsigned long requests;
};
size_t burst_conn_counts(const struct burst *burst, struct burst_conn_count **out,
	unsigned long *closed);
/* Zero the per-connection counts (after a check took them). */
void burst_conn_reset(struct burst *burst);
/* Bursts started so far (the current or last one is number count - 1). */
unsigned long burst_count(const struct burst *burst);
/* The arrangement of burst k: counts[i] requests for URL i, i < nurls. */
void burst_plan(unsigned long requests, size_t nurls, unsigned long k, unsigned long *counts);
/* The same with weights (NULL or 0 entries: 1): burst k weighs kind
 * k mod n at its weight plus the sum W of all weights and every other
 * kind i at weight i, out of 2W: the focus gets at least half the burst,
 * the rest keep their proportions, and over n bursts the counts stay
 * strictly diagonally dominant (full rank). All weights 1 is burst_plan. */
void burst_plan_weighted(unsigned long requests, size_t nurls, const unsigned long *weights,
	unsigned long k, unsigned long *counts);

/* curl_global_init() runs once, in the first burst_new(). Its cleanup is
 * left to process exit unless this is called (after the last burst_free),
 * e.g. to keep leak checkers quiet. */
void burst_global_cleanup(void);

/* Load goes to this machine only. True if url is http(s) or tcp and its
 * host, read the way libcurl reads it ("http://localhost:1@example.com/"
 * is example.com's), is 127.0.0.0/8, [::1] or localhost. */
bool burst_url_is_loopback(const char *url);

/* Requests counted as failed: transport errors plus non-2xx/3xx answers. */
unsigned long burst_failed(const struct burst_stats *st);

#endif
