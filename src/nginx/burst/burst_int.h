/* burst_int.h - inside the burst module: burst.c drives libcurl's multi
 * interface; burst_conn.c owns the sockets - opened for curl to loopback
 * only, half-closed instead of closed, drained until nginx's EOF. Private
 * to src/nginx/burst/. */
#ifndef LT_BURST_INT_H
#define LT_BURST_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <curl/curl.h>
#include "burst.h"

enum conn_state {
	CONN_NONE,		/* not ours (closed, or a curl-internal fd) */
	CONN_OPEN,		/* opened for curl, in use or cached */
	CONN_DRAINING,		/* half-closed by us, waiting for the peer's EOF */
};

struct conn {
	enum conn_state state;
	int64_t deadline_ns;	/* DRAINING: give up waiting at this time */
};

struct burst {
	struct evloop *loop;
	struct burst_spec spec;	/* deep copy */
	struct curl_slist *headers;
	size_t body_len;

	CURLM *multi;		/* one per burst: its cleanup flushes the cache */
	CURL **easy;
	char (*errbuf)[CURL_ERROR_SIZE];
	size_t neasy;
	size_t in_flight;
	uint64_t curl_timer;	/* evloop timer id for libcurl, 0 = none */
	uint64_t drain_timer;	/* earliest drain deadline, 0 = none */
	uint64_t done_timer;	/* deferred completion of an empty burst */

	struct conn *conns;	/* indexed by fd */
	size_t cap_conns;

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
/* The burst is done once nothing is in flight and every socket closed. */
void burst_maybe_complete(struct burst *burst);

#endif
