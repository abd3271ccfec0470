/* burst_conn.c - the sockets of a burst: libcurl opens them through us
 * (to loopback only) and never closes them: we half-close (SHUT_WR) and
 * wait for nginx's EOF, so no request or connection pool of nginx is
 * alive when the next leak check runs. */
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
#include <sys/socket.h>
#include <unistd.h>

static void drain_timer_cb(struct evloop *loop, void *ctx);

struct conn *
burst_conn_get(struct burst *load, int fd)
{
	size_t old = load->cap_conns;

	if ((size_t)fd >= old) {
		xgrow((void **)&load->conns, &load->cap_conns, (size_t)fd + 1, sizeof *load->conns);
		memset(load->conns + old, 0, (load->cap_conns - old) * sizeof *load->conns);
	}
	return &load->conns[fd];
}

void
burst_conn_close(struct burst *load, int fd)
{
	struct conn *c = burst_conn_get(load, fd);

	if (c->state == CONN_NONE)
		return;
	evloop_unwatch_fd(load->loop, fd);
	c->state = CONN_NONE;
	load->stats.open_connections--;
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

	if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
		curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
		curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
		(!strcasecmp(scheme, "http") || !strcasecmp(scheme, "https"))) {
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
	struct burst *load = clientp;
	int fd;

	(void)purpose;
	/* whatever a URL or a name resolved to: never a socket off this machine */
	if (!sockaddr_is_loopback(addr))
		return CURL_SOCKET_BAD;
	fd = socket(addr->family, addr->socktype | SOCK_CLOEXEC, addr->protocol);
	if (fd < 0)
		return CURL_SOCKET_BAD;
	burst_conn_get(load, fd)->state = CONN_OPEN;
	load->stats.open_connections++;
	return fd;
}

static void
arm_drain_timer(struct burst *load)
{
	int64_t best = 0, now = util_now_ns();
	size_t fd;

	if (load->drain_timer)
		evloop_timer_cancel(load->loop, load->drain_timer);
	load->drain_timer = 0;
	for (fd = 0; fd < load->cap_conns; fd++) {
		struct conn *c = &load->conns[fd];

		if (c->state == CONN_DRAINING && (!best || c->deadline_ns < best))
			best = c->deadline_ns;
	}
	if (best)
		load->drain_timer = evloop_timer_add(load->loop,
			best > now ? (best - now + 999999) / 1000000 : 0, drain_timer_cb, load);
}

/* A peer that never closes must not hold the burst forever. */
static void
drain_timer_cb(struct evloop *loop, void *ctx)
{
	struct burst *load = ctx;
	int64_t now = util_now_ns();
	size_t fd;

	(void)loop;
	load->drain_timer = 0;
	for (fd = 0; fd < load->cap_conns; fd++)
		if (load->conns[fd].state == CONN_DRAINING && load->conns[fd].deadline_ns <= now)
			burst_conn_close(load, (int)fd);
	arm_drain_timer(load);
	burst_maybe_complete(load);
}

static void
drain_fd_cb(struct evloop *loop, int fd, int events, void *ctx)
{
	struct burst *load = ctx;
	char buf[4096];
	ssize_t n;

	(void)loop;
	/* Anything nginx still sends is discarded; EOF or an error ends it. */
	while ((n = read(fd, buf, sizeof buf)) > 0)
		;
	if (n < 0 && (errno == EAGAIN || errno == EINTR) && !(events & EV_ERROR))
		return;
	burst_conn_close(load, fd);
	burst_maybe_complete(load);
}

int
burst_conn_close_cb(void *clientp, curl_socket_t fd)
{
	struct burst *load = clientp;
	struct conn *c = burst_conn_get(load, fd);

	if (c->state != CONN_OPEN) {	/* not opened by us: plain close */
		close(fd);
		return 0;
	}
	/* A socket that never connected has no peer to wait for. */
	if (load->aborting || shutdown(fd, SHUT_WR) < 0) {
		burst_conn_close(load, fd);
		return 0;
	}
	c->state = CONN_DRAINING;
	c->deadline_ns = util_now_ns() + load->spec.timeout_ms * 1000000;
	evloop_watch_fd(load->loop, fd, EV_READ, drain_fd_cb, load);
	if (!load->drain_timer)
		arm_drain_timer(load);
	return 0;
}

