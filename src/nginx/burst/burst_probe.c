/* burst_probe.c - the quiesce probe: how a burst whose connections stay
 * open knows that nginx has finished handling its requests.
 *
 * Without held connections a burst ends when nginx has closed every
 * connection: nginx closes one only after its last request was finalized,
 * so no request pool is alive at the leak check. A held connection gives
 * no such sign: the client has the whole answer before nginx's handler has
 * necessarily returned (the response is written first; the request is
 * finalized and its pool destroyed after, maybe from a posted event).
 *
 * nginx runs single-process, single-threaded (master_process off): one
 * event loop, one handler at a time. The probe opens a fresh TCP
 * connection to nginx after the last answer arrived and half-closes it at
 * once, sending no request. nginx accepts it, reads its EOF and closes it:
 * no request is ever created, and the connection's pool is freed with it.
 * The accept happens in a later turn of nginx's event loop than the one
 * that wrote our last answer (we connect only after that answer arrived,
 * so the turn's epoll_wait had returned before), and nginx runs every
 * event a turn posted - a finalization posted by the handler that wrote
 * the answer, and what that one posted - before it waits for events
 * again. So when nginx's EOF comes back, every handler of our requests has
 * returned: none is in flight in nginx, no transient request pool is
 * alive, and the held connections sit idle in nginx's keepalive state.
 * What the probe does not wait for is a timer nginx set: on a kept-alive
 * connection that is keepalive_timeout, set after the request was freed
 * (ngx_http_set_keepalive); a connection nginx closes instead is drained
 * until its EOF, lingering close included, as without hold. A probe that
 * cannot connect (nginx gone) ends at once; one that gets no EOF gives up
 * after the request timeout.
 *
 * The probe itself leaves nothing: nginx counts it as a connection
 * ($connection_requests 0) and may log it at info level as a client that
 * closed the connection while nginx waited for a request.
 */
#include "burst_int.h"
#include "evloop.h"
#include "util.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void
probe_finish(struct burst *burst, bool ok)
{
	if (burst->probe_fd >= 0) {
		evloop_unwatch_fd(burst->loop, burst->probe_fd);
		close(burst->probe_fd);
	}
	burst->probe_fd = -1;
	if (burst->probe_timer)
		evloop_timer_cancel(burst->loop, burst->probe_timer);
	burst->probe_timer = 0;
	burst->probe = PROBE_DONE;
	burst->stats.probed = ok;
}

void
burst_probe_cancel(struct burst *burst)
{
	probe_finish(burst, false);
	burst->probe = PROBE_IDLE;
}

static void
probe_timeout_cb(struct evloop *loop, void *ctx)
{
	struct burst *burst = ctx;

	(void)loop;
	burst->probe_timer = 0;
	probe_finish(burst, false);
	burst_maybe_complete(burst);
}

static void
probe_fd_cb(struct evloop *loop, int fd, int events, void *ctx)
{
	struct burst *burst = ctx;
	char buf[512];
	ssize_t n;
	int soerr = 0;
	socklen_t len = sizeof soerr;

	if (burst->probe == PROBE_CONNECTING) {
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0 || soerr ||
			shutdown(fd, SHUT_WR) < 0) {
			probe_finish(burst, false);	/* nobody listens: nothing to wait for */
			burst_maybe_complete(burst);
			return;
		}
		burst->probe = PROBE_WAITING;
		evloop_watch_fd(loop, fd, EV_READ, probe_fd_cb, burst);
		return;
	}
	while ((n = read(fd, buf, sizeof buf)) > 0)
		;
	if (n < 0 && (errno == EAGAIN || errno == EINTR) && !(events & EV_ERROR))
		return;
	probe_finish(burst, n == 0);
	burst_maybe_complete(burst);
}

void
burst_probe_start(struct burst *burst)
{
	int fd;

	burst->probe_fd = -1;
	if (!burst->peer_len) {	/* no connection was ever opened: nothing to wait for */
		probe_finish(burst, false);
		return;
	}
	fd = socket(burst->peer.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		probe_finish(burst, false);
		return;
	}
	burst->probe_fd = fd;
	if (connect(fd, (struct sockaddr *)&burst->peer, burst->peer_len) < 0 &&
		errno != EINPROGRESS) {
		probe_finish(burst, false);
		return;
	}
	burst->probe = PROBE_CONNECTING;
	evloop_watch_fd(burst->loop, fd, EV_WRITE, probe_fd_cb, burst);
	burst->probe_timer = evloop_timer_add(burst->loop, burst->spec.timeout_ms,
		probe_timeout_cb, burst);
}
