/* burst_tcp.c - the raw TCP exchanges of tcp://HOST:PORT kinds, for
 * nginx's stream modules.
 *
 * A slot whose next planned kind is tcp:// runs one exchange instead of
 * a curl request: a nonblocking connect (loopback only, as every socket
 * of a burst), the kind's body sent, then read until nginx closes, or
 * read_bytes were read, or idle_ms passed with nothing read - the last
 * two are normal ends too (counted in tcp_cut): a stream module that
 * answers and waits for more is ended by us. The whole exchange is capped
 * by the request timeout (a transport error). The socket lives in the
 * burst's connection table (burst_conn.c) as CONN_TCP, and ends like an
 * HTTP connection does: half-closed and drained until nginx's EOF, so
 * nginx's stream session is over before the burst reports done. An
 * exchange reached nginx once it connected and sent its bytes. */
#include "burst_int.h"
#include "evloop.h"
#include "util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

bool
burst_url_is_tcp(const char *url)
{
	return !strncasecmp(url, "tcp://", 6);
}

/* tcp://127.x.y.z:P, tcp://[::1]:P or tcp://localhost:P. */
bool
burst_tcp_addr(const char *url, struct sockaddr_storage *ss, socklen_t *len)
{
	CURLU *u = curl_url();
	char *host = NULL, *port = NULL;
	struct sockaddr_in *in = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	bool ok = false;
	long p;

	memset(ss, 0, sizeof *ss);
	if (u && burst_url_is_loopback(url) &&
		curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK &&
		curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
		curl_url_get(u, CURLUPART_PORT, &port, 0) == CURLUE_OK &&
		(p = strtol(port, NULL, 10)) > 0 && p < 65536) {
		if (host[0] == '[') {
			in6->sin6_family = AF_INET6;
			in6->sin6_port = htons((uint16_t)p);
			in6->sin6_addr = in6addr_loopback;
			*len = sizeof *in6;
			ok = true;
		} else {
			in->sin_family = AF_INET;
			in->sin_port = htons((uint16_t)p);
			ok = !strcasecmp(host, "localhost") ?
				inet_pton(AF_INET, "127.0.0.1", &in->sin_addr) == 1 :
				inet_pton(AF_INET, host, &in->sin_addr) == 1;
			/* burst_url_is_loopback said so; the address says it too */
			ok = ok && ntohl(in->sin_addr.s_addr) >> 24 == 127;
			*len = sizeof *in;
		}
	}
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return ok;
}

static void tcp_fd_cb(struct evloop *loop, int fd, int events, void *ctx);

static void
cancel_timers(struct burst *burst, struct tcp_x *x)
{
	if (x->idle_timer)
		evloop_timer_cancel(burst->loop, x->idle_timer);
	if (x->timeout_timer)
		evloop_timer_cancel(burst->loop, x->timeout_timer);
	x->idle_timer = x->timeout_timer = 0;
}

/* The exchange of slot i is over: counted, its socket drained (nginx
 * still has it) or closed (nginx closed it, or it never connected). */
static void
finish(struct burst *burst, size_t i, const char *error, bool peer_closed)
{
	struct tcp_x *x = &burst->tcp[i];
	struct burst_stats *st = &burst->stats;
	int fd = x->fd;

	cancel_timers(burst, x);
	x->fd = -1;
	st->done++;
	if (x->reading) {
		burst->url_reached[x->kind]++;
		burst->closed_requests++;	/* answered on a connection that closes */
	}
	if (error) {
		st->transport_errors++;
		st->unreached += !x->reading;
		burst_set_error(burst, error);
	} else if (!peer_closed) {
		st->tcp_cut++;
	}
	burst->in_flight--;
	if (fd >= 0) {
		evloop_unwatch_fd(burst->loop, fd);
		if (peer_closed || !x->reading)
			burst_conn_close(burst, fd);
		else
			burst_conn_drain(burst, fd);
	}
}

/* Finish slot i from a loop callback: the slot goes on with the next
 * request, and the burst may be complete. */
static void
finish_cb(struct burst *burst, size_t i, const char *error, bool peer_closed)
{
	finish(burst, i, error, peer_closed);
	burst_slot_next(burst, i);
	burst_maybe_complete(burst);
}

static size_t
slot_of(struct burst *burst, int fd)
{
	size_t i;

	for (i = 0; i < burst->neasy; i++)
		if (burst->tcp[i].fd == fd)
			return i;
	return burst->neasy;
}

static void
idle_cb(struct evloop *loop, void *ctx);

static void
arm_idle(struct burst *burst, struct tcp_x *x)
{
	long ms = burst->spec.reqs[x->kind].idle_ms;

	if (x->idle_timer)
		evloop_timer_cancel(burst->loop, x->idle_timer);
	x->idle_timer = 0;
	if (ms > 0)
		x->idle_timer = evloop_timer_add(burst->loop, ms, idle_cb, x);
}

static void
idle_cb(struct evloop *loop, void *ctx)
{
	struct tcp_x *x = ctx;
	struct burst *burst = x->burst;
	size_t i = x->slot;

	(void)loop;
	burst->tcp[i].idle_timer = 0;
	finish_cb(burst, i, NULL, false);	/* nothing more came: a normal end */
}

static void
timeout_cb(struct evloop *loop, void *ctx)
{
	struct tcp_x *x = ctx;
	struct burst *burst = x->burst;
	size_t i = x->slot;

	(void)loop;
	burst->tcp[i].timeout_timer = 0;
	finish_cb(burst, i, "tcp exchange timed out", false);
}

/* Send what is left of the body; then read. */
static void
tcp_send(struct burst *burst, size_t i)
{
	struct tcp_x *x = &burst->tcp[i];
	const struct burst_req *r = &burst->spec.reqs[x->kind];
	ssize_t n;

	while (x->off < r->body_len) {
		n = send(x->fd, r->body + x->off, r->body_len - x->off, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n < 0 && (errno == ECONNRESET || errno == EPIPE)) {
			/* nginx was there and closed first (a module that sends and
			 * closes without reading): its session ran, a normal end */
			x->reading = true;
			finish_cb(burst, i, NULL, true);
			return;
		}
		if (n < 0) {
			finish_cb(burst, i, "tcp send failed", false);
			return;
		}
		x->off += (size_t)n;
	}
	x->sending = false;
	x->reading = true;
	evloop_watch_fd(burst->loop, x->fd, EV_READ, tcp_fd_cb, burst);
	arm_idle(burst, x);
}

static void
tcp_read(struct burst *burst, size_t i)
{
	struct tcp_x *x = &burst->tcp[i];
	unsigned long want = burst->spec.reqs[x->kind].read_bytes;
	char buf[16384];
	ssize_t n;

	while ((n = read(x->fd, buf, sizeof buf)) > 0) {
		x->nread += (unsigned long)n;
		burst->stats.tcp_read += (unsigned long long)n;
		arm_idle(burst, x);
		if (want && x->nread >= want) {
			finish_cb(burst, i, NULL, false);
			return;
		}
	}
	/* nginx closed; a reset is a close too: it closed with our bytes
	 * unread (a module that answers without reading) */
	if (n == 0 || errno == ECONNRESET)
		finish_cb(burst, i, NULL, true);
	else if (errno != EAGAIN && errno != EINTR)
		finish_cb(burst, i, "tcp read failed", true);
}

static void
tcp_fd_cb(struct evloop *loop, int fd, int events, void *ctx)
{
	struct burst *burst = ctx;
	size_t i = slot_of(burst, fd);
	int soerr = 0;
	socklen_t len = sizeof soerr;

	(void)events;
	if (i == burst->neasy) {	/* not an exchange any more */
		evloop_unwatch_fd(loop, fd);
		return;
	}
	if (!burst->tcp[i].sending) {
		tcp_read(burst, i);
		return;
	}
	if (!burst->tcp[i].off &&
		(getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0 || soerr)) {
		finish_cb(burst, i, soerr ? strerror(soerr) : "tcp connect failed", false);
		return;
	}
	tcp_send(burst, i);
}

/* Open the socket; false (and the error) when it failed at once. */
static bool
tcp_connect(struct burst *burst, struct tcp_x *x, const struct kind *k, const char **err)
{
	int fd;

	*err = "tcp:// needs a loopback HOST:PORT";
	if (!k->tcp_ok)
		return false;
	*err = "tcp socket failed";
	fd = socket(k->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	burst_conn_get(burst, fd)->state = CONN_TCP;
	burst->conns[fd].requests = 0;
	burst->conns[fd].port = 0;
	burst->stats.open_connections++;
	burst->stats.connects++;
	burst->tcp_open++;
	x->fd = fd;
	if (connect(fd, (const struct sockaddr *)&k->addr, k->addr_len) < 0 &&
		errno != EINPROGRESS) {
		*err = strerror(errno);
		return false;
	}
	return true;
}

bool
burst_tcp_start(struct burst *burst, size_t i, size_t k)
{
	struct tcp_x *x = &burst->tcp[i];
	const char *err;

	memset(x, 0, sizeof *x);
	x->fd = -1;
	x->kind = k;
	x->burst = burst;
	x->slot = i;
	x->sending = true;
	burst->in_flight++;
	if (!tcp_connect(burst, x, &burst->kinds[k], &err)) {
		finish(burst, i, err, false);
		return false;
	}
	evloop_watch_fd(burst->loop, x->fd, EV_WRITE, tcp_fd_cb, burst);
	x->timeout_timer = evloop_timer_add(burst->loop, burst->spec.timeout_ms, timeout_cb, x);
	return true;
}

void
burst_tcp_abort(struct burst *burst)
{
	size_t i;

	for (i = 0; burst->tcp && i < burst->neasy; i++) {
		struct tcp_x *x = &burst->tcp[i];

		cancel_timers(burst, x);
		if (x->fd >= 0) {
			burst_conn_close(burst, x->fd);
			burst->in_flight--;
		}
		x->fd = -1;
	}
}
