/* burst_conn.c - the sockets of a burst: libcurl opens them through us
 * (to loopback only) and never closes them: we half-close (SHUT_WR) and
 * wait for nginx's EOF, so no request pool of nginx, and no pool of a
 * connection we closed, is alive when the next leak check runs. */
#include "burst_int.h"
#include "evloop.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

static void drain_timer_cb(struct evloop *loop, void *ctx);

struct conn *
burst_conn_get(struct burst *burst, int fd)
{
	size_t old = burst->cap_conns;

	if ((size_t)fd >= old) {
		xgrow((void **)&burst->conns, &burst->cap_conns, (size_t)fd + 1, sizeof *burst->conns);
		memset(burst->conns + old, 0, (burst->cap_conns - old) * sizeof *burst->conns);
	}
	return &burst->conns[fd];
}

void
burst_conn_close(struct burst *burst, int fd)
{
	struct conn *c = burst_conn_get(burst, fd);

	if (c->state == CONN_NONE)
		return;
	evloop_unwatch_fd(burst->loop, fd);
	if (c->state == CONN_DRAINING)
		burst->draining--;
	if (c->state == CONN_TCP)
		burst->tcp_open--;
	burst_conn_retire(burst, c);
	c->state = CONN_NONE;
	burst->stats.open_connections--;
	close(fd);
}

static bool
sockaddr_is_loopback(const struct curl_sockaddr *a)
{
	if (a->family == AF_INET) {
		const struct sockaddr_in *in = (const void *)&a->addr;

		return ntohl(in->sin_addr.s_addr) >> 24 == 127;
	}
	if (a->family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)&a->addr;

		return IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr) ||
			(IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr) && in6->sin6_addr.s6_addr[12] == 127);
	}
	return false;
}

bool
burst_url_is_loopback(const char *url)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL;
	unsigned char addr[sizeof(struct in6_addr)];
	bool ok = false;

	if (u && curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK &&
		curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
		curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
		(!strcasecmp(scheme, "http") || !strcasecmp(scheme, "https") ||
		!strcasecmp(scheme, "tcp"))) {
		size_t hl = strlen(host);

		if (!strcasecmp(host, "localhost"))
			ok = true;
		else if (inet_pton(AF_INET, host, addr) == 1)
			ok = addr[0] == 127;
		else if (hl > 2 && host[0] == '[' && host[hl - 1] == ']') {
			host[hl - 1] = '\0';
			ok = inet_pton(AF_INET6, host + 1, addr) == 1 &&
				IN6_IS_ADDR_LOOPBACK((struct in6_addr *)addr);
		}
	}
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return ok;
}

curl_socket_t
burst_conn_open_cb(void *clientp, curlsocktype purpose, struct curl_sockaddr *addr)
{
	struct burst *burst = clientp;
	int fd;

	(void)purpose;
	/* whatever a URL or a name resolved to: never a socket off this machine */
	if (!sockaddr_is_loopback(addr))
		return CURL_SOCKET_BAD;
	fd = socket(addr->family, addr->socktype | SOCK_CLOEXEC, addr->protocol);
	if (fd < 0)
		return CURL_SOCKET_BAD;
	burst_conn_get(burst, fd)->state = CONN_OPEN;
	burst->conns[fd].requests = 0;
	burst->conns[fd].port = 0;	/* a new connection on a reused number */
	burst->stats.open_connections++;
	burst->stats.connects++;
	/* where the quiesce probe goes: nginx */
	if (addr->addrlen <= sizeof burst->peer) {
		memcpy(&burst->peer, &addr->addr, addr->addrlen);
		burst->peer_len = addr->addrlen;
	}
	return fd;
}

static void
arm_drain_timer(struct burst *burst)
{
	int64_t best = 0, now = util_now_ns();
	size_t fd;

	if (burst->drain_timer)
		evloop_timer_cancel(burst->loop, burst->drain_timer);
	burst->drain_timer = 0;
	for (fd = 0; fd < burst->cap_conns; fd++) {
		struct conn *c = &burst->conns[fd];

		if (c->state == CONN_DRAINING && (!best || c->deadline_ns < best))
			best = c->deadline_ns;
	}
	if (best)
		burst->drain_timer = evloop_timer_add(burst->loop,
			best > now ? (best - now + 999999) / 1000000 : 0, drain_timer_cb, burst);
}

/* A peer that never closes must not hold the burst forever. */
static void
drain_timer_cb(struct evloop *loop, void *ctx)
{
	struct burst *burst = ctx;
	int64_t now = util_now_ns();
	size_t fd;

	(void)loop;
	burst->drain_timer = 0;
	for (fd = 0; fd < burst->cap_conns; fd++)
		if (burst->conns[fd].state == CONN_DRAINING && burst->conns[fd].deadline_ns <= now)
			burst_conn_close(burst, (int)fd);
	arm_drain_timer(burst);
	burst_maybe_complete(burst);
}

static void
drain_fd_cb(struct evloop *loop, int fd, int events, void *ctx)
{
	struct burst *burst = ctx;
	char buf[4096];
	ssize_t n;

	(void)loop;
	/* Anything nginx still sends is discarded; EOF or an error ends it. */
	while ((n = read(fd, buf, sizeof buf)) > 0)
		;
	if (n < 0 && (errno == EAGAIN || errno == EINTR) && !(events & EV_ERROR))
		return;
	burst_conn_close(burst, fd);
	burst_maybe_complete(burst);
}

int
burst_conn_close_cb(void *clientp, curl_socket_t fd)
{
	struct burst *burst = clientp;
	struct conn *c = burst_conn_get(burst, fd);

	if (c->state != CONN_OPEN) {	/* not opened by us: plain close */
		close(fd);
		return 0;
	}
	/* A held connection that curl closes on its own: nginx closed it
	 * (keepalive_requests, keepalive_timeout) or it failed. Whatever it
	 * held in nginx is gone with it. */
	if (burst->spec.hold && burst->spec.keepalive && !burst->releasing && !burst->aborting) {
		if (burst->running)
			burst->stats.conn_closed++;
		else
			burst->closed_idle++;
	}
	burst_conn_retire(burst, c);	/* its worker can no longer be told */
	burst_conn_drain(burst, fd);
	return 0;
}

/* TLS: curl has sent its close_notify (if the handshake was done) before
 * it calls the close-socket callback; nginx answers it by closing, and
 * its EOF is what the drain waits for, as over plain TCP. */
void
burst_conn_drain(struct burst *burst, int fd)
{
	struct conn *c = burst_conn_get(burst, fd);

	/* A socket that never connected has no peer to wait for. */
	if (burst->aborting || shutdown(fd, SHUT_WR) < 0) {
		burst_conn_close(burst, fd);
		return;
	}
	if (c->state == CONN_TCP)
		burst->tcp_open--;
	c->state = CONN_DRAINING;
	burst->draining++;
	c->deadline_ns = util_now_ns() + burst->spec.timeout_ms * 1000000;
	evloop_watch_fd(burst->loop, fd, EV_READ, drain_fd_cb, burst);
	if (!burst->drain_timer)
		arm_drain_timer(burst);
}

/* Held connections nginx has closed (its FIN came: the socket is no longer
 * ESTABLISHED) while nothing read them, between bursts. */
unsigned
burst_conn_peer_closed(struct burst *burst)
{
	unsigned n = 0;
	size_t fd;

	for (fd = 0; fd < burst->cap_conns; fd++) {
		struct tcp_info ti;
		socklen_t len = sizeof ti;

		if (burst->conns[fd].state != CONN_OPEN)
			continue;
		if (getsockopt((int)fd, IPPROTO_TCP, TCP_INFO, &ti, &len) == 0 &&
			ti.tcpi_state != TCP_ESTABLISHED)
			n++;
	}
	return n;
}
