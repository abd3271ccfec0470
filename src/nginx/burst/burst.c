/* burst.c - request bursts with libcurl's multi interface on the evloop.
 *
 * libcurl never blocks and never polls: CURLMOPT_SOCKETFUNCTION maps its
 * sockets onto evloop fd watches and CURLMOPT_TIMERFUNCTION onto one evloop
 * timer; both end up in curl_multi_socket_action().
 *
 * A burst keeps exactly min(concurrency, requests) easy handles busy and
 * re-adds each one as it finishes (cheaper than queueing every request as
 * its own handle, and it bounds memory by concurrency, not requests).
 *
 * Which request goes to which URL is burst_plan.c's: counts that differ
 * from burst to burst, interleaved.
 *
 * Closing is the subtle part. A leak check must not run while nginx still
 * holds a request pool, so our sockets are never close()d by curl:
 * CURLOPT_CLOSESOCKETFUNCTION half-closes them (SHUT_WR) and watches for
 * nginx's EOF; only then is the fd closed. Without hold, the multi handle
 * is cleaned up at the end of a burst, which makes curl close its
 * connection cache through the same callback, and the burst is done when
 * the last of those connections has been closed by nginx (or the drain
 * timed out). With hold (keepalive), the multi handle, its connection
 * cache and the easy handles live on between bursts, so the connections
 * stay open and idle in nginx across the leak checks - what a module
 * allocates per request from the connection pool shows as growth - and
 * the burst is done when the quiesce probe (burst_probe.c) says nginx has
 * finished every request. Held connections are closed the same way (half-
 * close, drain) at the next start after a change of URLs or of the number
 * of connections, and at once by burst_abort and burst_free. */
#include "burst.h"
#include "burst_int.h"
#include "evloop.h"
#include "util.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef LT_VERSION
#define LT_VERSION "dev"
#endif


static void curl_fd_cb(struct evloop *loop, int fd, int events, void *ctx);

/* curl_global_init is not thread safe and must run once per process; the
 * matching cleanup is burst_global_cleanup() or simply process exit. */
static bool curl_ready;

void
burst_global_cleanup(void)
{
	if (curl_ready)
		curl_global_cleanup();
	curl_ready = false;
}

static void
update_rate(struct burst *burst)
{
	struct burst_stats *st = &burst->stats;

	st->elapsed_ns = util_now_ns() - burst->start_ns;
	st->rps = st->elapsed_ns > 0 ? (double)st->done * 1e9 / (double)st->elapsed_ns : 0;
}

/* Error text ends up in a TUI and in JSON: printable ASCII only. */
void
burst_set_error(struct burst *burst, const char *msg)
{
	char *d = burst->stats.last_error;
	size_t i, n = 0;

	for (i = 0; msg[i] && n + 1 < sizeof burst->stats.last_error; i++) {
		unsigned char c = (unsigned char)msg[i];

		if (c == '\n' || c == '\r')
			continue;
		d[n++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	d[n] = '\0';
}

/* Connections stay open between bursts. */
static bool
holding(const struct burst *burst)
{
	return burst->spec.hold && burst->spec.keepalive;
}


/* --- libcurl's socket and timer callbacks ------------------------------- */

static int
socket_cb(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
	struct burst *burst = userp;
	int ev = 0;

	(void)easy;
	(void)socketp;
	if (what == CURL_POLL_REMOVE) {
		/* Draining fds belong to us now, not to curl. */
		if (burst_conn_get(burst, fd)->state != CONN_DRAINING)
			evloop_unwatch_fd(burst->loop, fd);
		return 0;
	}
	if (what & CURL_POLL_IN)
		ev |= EV_READ;
	if (what & CURL_POLL_OUT)
		ev |= EV_WRITE;
	evloop_watch_fd(burst->loop, fd, ev, curl_fd_cb, burst);
	return 0;
}

static void
curl_timer_cb(struct evloop *loop, void *ctx)
{
	struct burst *burst = ctx;
	int running;

	(void)loop;
	burst->curl_timer = 0;
	if (!burst->multi)
		return;
	curl_multi_socket_action(burst->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	burst_maybe_complete(burst);
}

/* Called from inside libcurl: only (re)arm, never call back into it. A 0 ms
 * timeout becomes a 0 ms evloop timer, run on the next loop iteration. */
static int
timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
	struct burst *burst = userp;

	(void)multi;
	if (burst->curl_timer)
		evloop_timer_cancel(burst->loop, burst->curl_timer);
	burst->curl_timer = 0;
	if (timeout_ms >= 0)
		burst->curl_timer = evloop_timer_add(burst->loop, timeout_ms, curl_timer_cb, burst);
	return 0;
}

static void
curl_fd_cb(struct evloop *loop, int fd, int events, void *ctx)
{
	struct burst *burst = ctx;
	int action = 0, running;

	if (!burst->multi) {
		evloop_unwatch_fd(loop, fd);
		return;
	}
	if (events & EV_READ)
		action |= CURL_CSELECT_IN;
	if (events & EV_WRITE)
		action |= CURL_CSELECT_OUT;
	if (events & EV_ERROR)
		action |= CURL_CSELECT_ERR;
	curl_multi_socket_action(burst->multi, fd, action, &running);
	burst_maybe_complete(burst);
}

/* --- easy handles --------------------------------------------------------- */

/* The next request of the burst on slot i: its kind's options on the
 * slot's easy handle, or a TCP exchange (one that ends at once, refused,
 * is counted and the slot takes the next request). */
bool
burst_slot_next(struct burst *burst, size_t i)
{
	struct burst_stats *st = &burst->stats;
	size_t url;

	for (;;) {
		if (st->sent >= burst->planned || (burst->pause_at && st->sent >= burst->pause_at))
			return false;
		if (burst_h2c_park(burst, i))
			return false;
		url = burst_plan_next(burst);
		burst->easy_url[i] = url;
		st->sent++;
		if (burst->kinds[url].tcp) {
			if (burst_tcp_start(burst, i, url))
				return true;
			continue;
		}
		burst_easy_kind(burst, i, url);
		if (burst->multi && curl_multi_add_handle(burst->multi, burst->easy[i]) == CURLM_OK)
			break;
		burst->url_sent[url]--;
		st->sent--;
		return false;
	}
	burst->in_flight++;
	return true;
}

/* Which of our easy handles e is: its private pointer is its errbuf. */
static size_t
easy_index(struct burst *burst, CURL *e)
{
	char *errbuf = NULL;

	curl_easy_getinfo(e, CURLINFO_PRIVATE, &errbuf);
	return (size_t)((char (*)[CURL_ERROR_SIZE])(void *)errbuf - burst->errbuf);
}

static void
collect_finished(struct burst *burst)
{
	CURLMsg *msg;
	int left;

	while ((msg = curl_multi_info_read(burst->multi, &left))) {
		CURL *e = msg->easy_handle;
		CURLcode rc = msg->data.result;

		size_t i;

		if (msg->msg != CURLMSG_DONE)
			continue;
		i = easy_index(burst, e);
		/* counted first: out of the multi handle, e no longer finds
		 * the connection it used (CURLINFO_ACTIVESOCKET) */
		burst_easy_result(burst, i, rc);
		curl_multi_remove_handle(burst->multi, e);
		burst->in_flight--;
		/* h2c's connections are up: the slots that waited go */
		if (burst_h2c_finished(burst, i))
			for (size_t j = 0; j < burst->neasy; j++)
				if (burst->parked[j] && !(burst->parked[j] = false))
					burst_slot_next(burst, j);
		burst_slot_next(burst, i);
	}
	update_rate(burst);
}

/* Destroying the multi handle closes its connection cache, each socket via
 * burst_conn_close_cb, which starts the drains (or, aborting, closes). */
static void
release_curl(struct burst *burst)
{
	size_t i;

	burst->releasing = true;
	if (burst->multi)
		for (i = 0; burst->easy && i < burst->neasy; i++)
			curl_multi_remove_handle(burst->multi, burst->easy[i]);
	for (i = 0; burst->easy && i < burst->neasy; i++)
		curl_easy_cleanup(burst->easy[i]);
	free(burst->easy);
	free(burst->errbuf);
	free(burst->easy_url);
	free(burst->tcp);
	free(burst->parked);
	free(burst->slot_pk);
	burst->parked = burst->slot_pk = NULL;
	burst->h2c_pk = burst->h2c_opened = 0;
	burst->easy = NULL;
	burst->errbuf = NULL;
	burst->easy_url = NULL;
	burst->tcp = NULL;
	burst->neasy = 0;
	burst->in_flight = 0;
	if (burst->multi)
		curl_multi_cleanup(burst->multi);
	burst->multi = NULL;
	burst->releasing = false;
	if (burst->curl_timer)
		evloop_timer_cancel(burst->loop, burst->curl_timer);
	burst->curl_timer = 0;
}

/* Fewer connections than the burst holds, or some replaced: nginx closed
 * one (keepalive_requests, keepalive_timeout) or one failed. Checked with
 * them, nginx's own per-connection memory would rise and fall with their
 * number and look like growth; so they are all closed (drained) instead,
 * and the next burst opens them again: a check sees all of them or none.
 * Connections, not requests in flight: with HTTP/2 the slots are streams
 * over burst_conns_for() connections. With TCP kinds in the mix, how many
 * slots were HTTP at once varies, so the count the burst began with (if
 * it held any) is what must still be there. */
static bool
held_short(const struct burst *burst)
{
	unsigned open = burst->stats.open_connections - burst->draining - burst->tcp_open;

	if (burst->stats.conn_closed)
		return true;
	if (!burst->ntcp_kinds)
		return open != burst_conns_for(burst, burst->neasy);
	return burst->held_at_start && open != burst->held_at_start;
}

/* The last thing every loop callback does: the done callback may start the
 * next burst or free the burst, so nothing may touch it after it. */
void
burst_maybe_complete(struct burst *burst)
{
	struct burst_stats st;
	burst_done_cb cb;

	if (!burst->running)
		return;
	if (burst->multi)
		collect_finished(burst);
	if (burst->in_flight)
		return;
	if (burst->neasy && (!holding(burst) || held_short(burst))) {
		burst->stats.released = holding(burst);
		release_curl(burst);
	}
	if (burst->draining)
		return;
	/* Held connections give no sign that nginx is done: ask it. */
	if (holding(burst) && !burst->stats.released && burst->probe != PROBE_DONE) {
		if (burst->probe == PROBE_IDLE)
			burst_probe_start(burst);
		if (burst->probe != PROBE_DONE)
			return;
	}
	if (burst->drain_timer)
		evloop_timer_cancel(burst->loop, burst->drain_timer);
	burst->drain_timer = 0;
	update_rate(burst);
	burst->running = false;
	burst->paused = burst->pause_at != 0;	/* burst_warm: the rest comes */
	burst->pause_at = 0;
	st = burst->stats;
	cb = burst->done;
	if (cb)
		cb(burst, &st, burst->done_ctx);
}

static void
done_timer_cb(struct evloop *loop, void *ctx)
{
	struct burst *burst = ctx;

	(void)loop;
	burst->done_timer = 0;
	burst_maybe_complete(burst);
}

/* --- public API ----------------------------------------------------------- */

struct burst *
burst_new(struct evloop *loop, const struct burst_spec *spec)
{
	struct burst *burst;

	if (!spec->nurls || !spec->urls)
		return NULL;
	if (!curl_ready) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
			return NULL;
		curl_ready = true;
	}
	burst = xcalloc(1, sizeof *burst);
	burst->loop = loop;
	burst->spec = *spec;
	burst->spec.urls = NULL;
	burst->spec.reqs = NULL;
	burst->spec.nurls = 0;
	burst_kinds_set(burst, spec->urls, spec->reqs, spec->nurls);
	burst->spec.headers = xcalloc(spec->nheaders + 1, sizeof *burst->spec.headers);
	for (size_t i = 0; i < spec->nheaders; i++)
		burst->spec.headers[i] = xstrdup(spec->headers[i]);
	burst->headers = burst_easy_headers(spec->headers, spec->nheaders);
	burst->spec.method = spec->method ? xstrdup(spec->method) : NULL;
	burst->spec.body = spec->body ? xstrdup(spec->body) : NULL;
	burst->body_len = spec->body ? strlen(spec->body) : 0;
	if (burst->spec.timeout_ms <= 0)
		burst->spec.timeout_ms = 30000;
	burst->probe_fd = -1;
	burst_urls_reset(burst);
	burst_set_shape(burst, spec->requests, spec->concurrency);
	return burst;
}

void
burst_free(struct burst *burst)
{
	size_t i;

	if (!burst)
		return;
	burst_abort(burst);
	burst_kinds_free(burst);
	for (i = 0; i < burst->spec.nheaders; i++)
		free(burst->spec.headers[i]);
	free(burst->spec.headers);
	free((char *)burst->spec.method);
	free((char *)burst->spec.body);
	curl_slist_free_all(burst->headers);
	burst_urls_free(burst);
	free(burst->conns);
	free(burst);
}

/* The slots of a burst of n in flight: easy handles (and the multi
 * handle) only when some kind is HTTP. */
static void
slots_new(struct burst *burst, unsigned long n)
{
	size_t i;

	burst->easy_url = xcalloc(n, sizeof *burst->easy_url);
	burst->tcp = xcalloc(n, sizeof *burst->tcp);
	burst->parked = xcalloc(n, sizeof *burst->parked);
	burst->slot_pk = xcalloc(n, sizeof *burst->slot_pk);
	burst->h2c_ready = false;
	for (i = 0; i < n; i++)
		burst->tcp[i].fd = -1;
	burst->neasy = n;
	if (burst->ntcp_kinds == burst->spec.nurls)
		return;
	burst->multi = burst_multi_new(burst, n);
	if (!burst->multi)
		return;
	curl_multi_setopt(burst->multi, CURLMOPT_SOCKETFUNCTION, socket_cb);
	curl_multi_setopt(burst->multi, CURLMOPT_SOCKETDATA, burst);
	curl_multi_setopt(burst->multi, CURLMOPT_TIMERFUNCTION, timer_cb);
	curl_multi_setopt(burst->multi, CURLMOPT_TIMERDATA, burst);
	burst->easy = xcalloc(n, sizeof *burst->easy);
	burst->errbuf = xcalloc(n, sizeof *burst->errbuf);
	for (i = 0; i < n; i++)
		if (!(burst->easy[i] = burst_easy_new(burst, burst->errbuf[i])))
			break;
	if (i < n) {	/* curl refused: no slot may run without its handle */
		burst->neasy = i;
		release_curl(burst);
	}
}

static bool
start(struct burst *burst, burst_done_cb done, void *ctx, bool warm)
{
	unsigned long n;
	unsigned open;
	size_t i;
	bool resume = !warm && burst->paused && !burst->reset_pending;

	if (burst->running)
		return false;
	n = burst->spec.requests < burst->spec.concurrency ?
		burst->spec.requests : burst->spec.concurrency;
	if (resume) {
		/* the rest of the burst burst_warm began: its counts go on, the
		 * per-URL ones start again (what reached nginx from here on) */
		burst->stats.probed = burst->stats.released = false;
		memset(burst->url_reached, 0, burst->spec.nurls * sizeof *burst->url_reached);
	} else {
		open = burst->stats.open_connections;	/* held from the last burst */
		memset(&burst->stats, 0, sizeof burst->stats);
		burst->stats.open_connections = open;
		burst_plan_start(burst);
	}
	/* HTTP/2: a held connection nginx closed meanwhile is not replaced
	 * by curl alone (burst_easy.c: only opening requests open one), and
	 * curl may not have noticed yet: all are opened again */
	if (burst->spec.http2 && burst->neasy)
		burst->closed_idle += burst_conn_peer_closed(burst);
	if (burst->closed_idle && burst->spec.http2)
		burst->reset_pending = true;
	burst->stats.conn_closed += burst->closed_idle;
	burst->closed_idle = 0;
	burst->paused = false;
	burst->pause_at = warm ? n : 0;
	burst->running = true;
	burst->done = done;
	burst->done_ctx = ctx;
	burst->start_ns = util_now_ns();
	burst->probe = PROBE_IDLE;
	/* Held connections close (drained before the end) when the URLs or
	 * their number changed, or without hold. */
	if (burst->neasy && (burst->reset_pending || !holding(burst) || (n && burst->neasy != n)))
		release_curl(burst);
	burst->reset_pending = false;
	burst->held_at_start = burst->stats.open_connections - burst->draining - burst->tcp_open;
	if (n && !burst->neasy)
		slots_new(burst, n);
	for (i = 0; n && i < burst->neasy; i++) {
		if (burst->errbuf)
			burst->errbuf[i][0] = '\0';
		burst_slot_next(burst, i);
	}
	if (n && !burst->neasy) {
		/* curl refused us outright: report it, but from the loop. */
		burst_set_error(burst, "libcurl initialisation failed");
		release_curl(burst);
	}
	/* With nothing in flight no curl callback will ever end the burst. */
	if (!burst->in_flight)
		burst->done_timer = evloop_timer_add(burst->loop, 0, done_timer_cb, burst);
	return true;
}

bool
burst_start(struct burst *burst, burst_done_cb done, void *ctx)
{
	return start(burst, done, ctx, false);
}

bool
burst_warm(struct burst *burst, burst_done_cb done, void *ctx)
{
	return holding(burst) && start(burst, done, ctx, true);
}

bool
burst_running(const struct burst *burst)
{
	return burst->running;
}

void
burst_abort(struct burst *burst)
{
	size_t fd;

	burst->aborting = true;
	burst_tcp_abort(burst);
	release_curl(burst);
	burst_probe_cancel(burst);
	for (fd = 0; fd < burst->cap_conns; fd++)
		burst_conn_close(burst, (int)fd);
	burst->reset_pending = false;
	if (burst->drain_timer)
		evloop_timer_cancel(burst->loop, burst->drain_timer);
	if (burst->done_timer)
		evloop_timer_cancel(burst->loop, burst->done_timer);
	burst->drain_timer = burst->done_timer = 0;
	burst->aborting = false;
	burst->paused = false;
	burst->pause_at = 0;
	if (burst->running)
		update_rate(burst);
	burst->running = false;
}

const struct burst_stats *
burst_stats(const struct burst *burst)
{
	return &burst->stats;
}

void
burst_set_shape(struct burst *burst, unsigned long requests, unsigned concurrency)
{
	/* another number of connections closes the held ones at the next
	 * start (burst_start: neasy != n) */
	burst->spec.requests = requests;
	burst->spec.concurrency = concurrency ? concurrency : 1;
}

unsigned long
burst_failed(const struct burst_stats *st)
{
	return st->transport_errors + st->status[0] + st->status[1] +
		st->status[4] + st->status[5];
}
