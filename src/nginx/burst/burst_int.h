/* burst_int.h - inside the burst module: burst.c drives libcurl's multi
 * interface; burst_conn.c owns the sockets - opened for curl to loopback
 * only, half-closed instead of closed, drained until nginx's EOF;
 * burst_easy.c holds the kinds (method, headers, body per URL) and sets
 * them on the easy handles; burst_tcp.c runs the raw TCP exchanges of
 * tcp:// kinds; burst_plan.c arranges the requests over the URLs and
 * counts them per URL; burst_probe.c is the quiesce probe that ends a
 * burst whose connections are held. Private to src/nginx/burst/. */
#ifndef LT_BURST_INT_H
#define LT_BURST_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <curl/curl.h>
#include <sys/socket.h>
#include "burst.h"

enum conn_state {
	CONN_NONE,		/* not ours (closed, or a curl-internal fd) */
	CONN_OPEN,		/* opened for curl, in use or cached */
	CONN_DRAINING,		/* half-closed by us, waiting for the peer's EOF */
	CONN_TCP,		/* a TCP kind's exchange in progress (burst_tcp.c) */
};

struct conn {
	enum conn_state state;
	int64_t deadline_ns;	/* DRAINING: give up waiting at this time */
	/* OPEN: requests answered on it since it opened or the last
	 * burst_conn_reset (burst_count.c); zeroed when the fd is opened, so
	 * a reused fd number starts again */
	unsigned long requests;
	unsigned port;		/* OPEN: our end's port once known (burst_count.c), 0 */
};

enum probe_state {
	PROBE_IDLE,		/* not started in this burst */
	PROBE_CONNECTING,
	PROBE_WAITING,		/* half-closed, waiting for nginx's EOF */
	PROBE_DONE,
};

/* A kind as the burst keeps it (burst_easy.c): its request's options
 * resolved against the spec's, or its TCP peer. */
struct kind {
	bool tcp;
	bool tcp_ok;		/* tcp: a loopback address was parsed */
	struct sockaddr_storage addr;	/* tcp: the peer */
	socklen_t addr_len;
	struct curl_slist *headers;	/* own_headers: its list; else NULL */
};

/* A raw TCP exchange on a slot (burst_tcp.c). */
struct tcp_x {
	struct burst *burst;	/* for the timer callbacks */
	size_t slot;
	int fd;			/* -1: none */
	size_t kind;
	size_t off;		/* body bytes sent */
	unsigned long nread;
	bool sending;		/* connected, body not all sent yet */
	bool reading;		/* body sent: reached */
	uint64_t idle_timer;
	int64_t deadline_ns;
	uint64_t timeout_timer;
};

struct burst {
	struct evloop *loop;
	struct burst_spec spec;	/* deep copy, reqs included (nurls entries) */
	struct curl_slist *headers;	/* the spec's, with Expect:/Accept: */
	size_t body_len;
	struct kind *kinds;	/* nurls */
	size_t ntcp_kinds;	/* how many kinds are tcp:// */

	/* Without hold, one multi handle per burst: its cleanup flushes the
	 * connection cache. With hold, it lives on (and its cache, and the
	 * easy handles) until the connections must close (reset_pending). */
	CURLM *multi;
	/* Slots: each one runs a request at a time, an HTTP one on its easy
	 * handle (NULL without HTTP kinds) or a TCP exchange. */
	CURL **easy;
	char (*errbuf)[CURL_ERROR_SIZE];
	size_t *easy_url;	/* the URL index of each slot's request */
	struct tcp_x *tcp;
	/* HTTP/2 (burst_easy.c): the slots waiting for the connections to
	 * open, the slots whose request opens one, how many do and did since
	 * the slots were made, and whether they all have */
	bool *parked, *slot_pk;
	unsigned h2c_pk, h2c_opened;
	bool h2c_ready;
	size_t neasy;		/* slots */
	size_t in_flight;
	unsigned tcp_open;	/* sockets in CONN_TCP */
	unsigned held_at_start;	/* curl connections open when the burst began */
	uint64_t curl_timer;	/* evloop timer id for libcurl, 0 = none */
	uint64_t drain_timer;	/* earliest drain deadline, 0 = none */
	uint64_t done_timer;	/* deferred completion of an empty burst */
	bool reset_pending;	/* close the held connections at the next start */
	bool releasing;		/* inside release_curl: closes are ours */
	unsigned long closed_idle;	/* held connections curl closed between bursts */

	/* The arrangement of the current burst (burst_plan.c). */
	unsigned long nbursts;	/* started so far */
	unsigned long planned;	/* requests of the current burst */
	unsigned long *url_plan;	/* per URL: requests this burst */
	int64_t *url_swrr;	/* smooth weighted round robin state */
	unsigned long *url_sent, *url_reached;
	/* burst_warm: stop after this many requests (0: don't), and the burst
	 * so stopped, which the next burst_start goes on with */
	unsigned long pause_at;
	bool paused;

	struct conn *conns;	/* indexed by fd */
	size_t cap_conns;
	unsigned draining;	/* conns in CONN_DRAINING */
	unsigned long closed_requests;	/* answered on connections closed since the reset */

	/* The quiesce probe (burst_probe.c); the address is nginx's, the
	 * last one a connection of ours went to. */
	struct sockaddr_storage peer;
	socklen_t peer_len;
	enum probe_state probe;
	int probe_fd;
	uint64_t probe_timer;

	bool running;
	bool aborting;		/* close sockets at once instead of draining */
	int64_t start_ns;
	burst_done_cb done;
	void *done_ctx;
	struct burst_stats stats;
};

/* The connection state of fd (the table grows to fit). */
struct conn *burst_conn_get(struct burst *burst, int fd);
/* Close fd for good: unwatched, counted, forgotten. */
void burst_conn_close(struct burst *burst, int fd);
/* libcurl's CURLOPT_OPENSOCKETFUNCTION and CURLOPT_CLOSESOCKETFUNCTION. */
curl_socket_t burst_conn_open_cb(void *clientp, curlsocktype purpose, struct curl_sockaddr *addr);
int burst_conn_close_cb(void *clientp, curl_socket_t fd);
/* Half-close fd (ours, open) and drain it until the peer's EOF;
 * aborting, or never connected: closed at once. */
void burst_conn_drain(struct burst *burst, int fd);
/* Open connections whose peer has closed them (no longer ESTABLISHED). */
unsigned burst_conn_peer_closed(struct burst *burst);
/* Start the next request of the burst on slot i (burst.c); false when
 * none is left. */
bool burst_slot_next(struct burst *burst, size_t i);
/* Error text for the stats: printable ASCII only (burst.c). */
void burst_set_error(struct burst *burst, const char *msg);

/* burst_easy.c: the kinds copied from (urls, reqs) and freed, the
 * spec's header list; an easy handle with the spec's fixed options; the
 * options of kind k set on it for its next request; the multi handle. */
void burst_kinds_set(struct burst *burst, char **urls, const struct burst_req *reqs, size_t n);
void burst_kinds_free(struct burst *burst);
struct curl_slist *burst_easy_headers(char **headers, size_t n);
CURL *burst_easy_new(struct burst *burst, char *errbuf);
void burst_easy_kind(struct burst *burst, size_t i, size_t k);
/* Count the result of slot i's request (still in the multi handle). */
void burst_easy_result(struct burst *burst, size_t i, CURLcode rc);
/* HTTP/2: true when slot i must wait (parked) until the connections
 * are open; true from burst_h2c_finished when slot i's request was the
 * last of those that opened them (unpark the others). */
bool burst_h2c_park(struct burst *burst, size_t i);
bool burst_h2c_finished(struct burst *burst, size_t i);
CURLM *burst_multi_new(struct burst *burst, unsigned long nconn);
/* HTTP/2: streams per connection for n requests in flight; the
 * connections n of them take. */
unsigned long burst_streams(const struct burst *burst, unsigned long n);
unsigned long burst_conns_for(const struct burst *burst, unsigned long n);

/* burst_tcp.c: start a TCP exchange of kind k on slot i (false: it ended
 * at once, counted); abort every exchange (closed, uncounted); parse a
 * tcp:// URL's loopback address. */
bool burst_tcp_start(struct burst *burst, size_t i, size_t k);
void burst_tcp_abort(struct burst *burst);
bool burst_tcp_addr(const char *url, struct sockaddr_storage *ss, socklen_t *len);
bool burst_url_is_tcp(const char *url);
/* The burst is done once nothing is in flight, every socket we closed is
 * closed by nginx too and, with hold, the quiesce probe came back. */
void burst_maybe_complete(struct burst *burst);

/* burst_count.c: count an answered request on the connection easy
 * handle e used (call before e leaves the multi handle); a connection
 * that closes hands its count to closed_requests. */
void burst_conn_answered(struct burst *burst, CURL *e);
void burst_conn_retire(struct burst *burst, struct conn *c);

/* burst_plan.c: the per-URL arrays (re)sized for spec.nurls and zeroed;
 * the plan of the next burst (counts, SWRR state, sent/reached zeroed);
 * the URL index of the next request; free the arrays. */
void burst_urls_reset(struct burst *burst);
void burst_plan_start(struct burst *burst);
size_t burst_plan_next(struct burst *burst);
void burst_urls_free(struct burst *burst);

/* burst_probe.c: start the probe (it may be done at once); drop it. */
void burst_probe_start(struct burst *burst);
void burst_probe_cancel(struct burst *burst);

#endif
