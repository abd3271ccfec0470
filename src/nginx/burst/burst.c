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
 * Closing is the subtle part. A leak check must not run while nginx still
 * holds a request or connection pool, so our sockets are never close()d by
 * curl: CURLOPT_CLOSESOCKETFUNCTION half-closes them (SHUT_WR) and watches
 * for nginx's EOF; only then is the fd closed. At the end of a burst the
 * multi handle is cleaned up, which makes curl close its connection cache
 * through the same callback. The burst is done when the last of those
 * connections has been closed by nginx (or the drain timed out). */
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
update_rate(struct burst *load)
{
	struct burst_stats *st = &load->stats;

	st->elapsed_ns = util_now_ns() - load->start_ns;
	st->rps = st->elapsed_ns > 0 ? (double)st->done * 1e9 / (double)st->elapsed_ns : 0;
}

/* Error text ends up in a TUI and in JSON: printable ASCII only. */
static void
set_last_error(struct burst *load, const char *msg)
{
	char *d = load->stats.last_error;
	size_t i, n = 0;

	for (i = 0; msg[i] && n + 1 < sizeof load->stats.last_error; i++) {
		unsigned char c = (unsigned char)msg[i];

		if (c == '\n' || c == '\r')
			continue;
		d[n++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	d[n] = '\0';
}

/* --- our sockets: open, half-close, drain, close ------------------------ */


/* --- libcurl's socket and timer callbacks ------------------------------- */

static int
socket_cb(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
	struct burst *load = userp;
	int ev = 0;

	(void)easy;
	(void)socketp;
	if (what == CURL_POLL_REMOVE) {
		/* Draining fds belong to us now, not to curl. */
		if (burst_conn_get(load, fd)->state != CONN_DRAINING)
			evloop_unwatch_fd(load->loop, fd);
		return 0;
	}
	if (what & CURL_POLL_IN)
		ev |= EV_READ;
	if (what & CURL_POLL_OUT)
		ev |= EV_WRITE;
	evloop_watch_fd(load->loop, fd, ev, curl_fd_cb, load);
	return 0;
}

static void
curl_timer_cb(struct evloop *loop, void *ctx)
{
	struct burst *load = ctx;
	int running;

	(void)loop;
	load->curl_timer = 0;
	if (!load->multi)
		return;
	curl_multi_socket_action(load->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	burst_maybe_complete(load);
}

/* Called from inside libcurl: only (re)arm, never call back into it. A 0 ms
 * timeout becomes a 0 ms evloop timer, run on the next loop iteration. */
static int
timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
	struct burst *load = userp;

	(void)multi;
	if (load->curl_timer)
		evloop_timer_cancel(load->loop, load->curl_timer);
	load->curl_timer = 0;
	if (timeout_ms >= 0)
		load->curl_timer = evloop_timer_add(load->loop, timeout_ms, curl_timer_cb, load);
	return 0;
}

static void
curl_fd_cb(struct evloop *loop, int fd, int events, void *ctx)
{
	struct burst *load = ctx;
	int action = 0, running;

	if (!load->multi) {
		evloop_unwatch_fd(loop, fd);
		return;
	}
	if (events & EV_READ)
		action |= CURL_CSELECT_IN;
	if (events & EV_WRITE)
		action |= CURL_CSELECT_OUT;
	if (events & EV_ERROR)
		action |= CURL_CSELECT_ERR;
	curl_multi_socket_action(load->multi, fd, action, &running);
	burst_maybe_complete(load);
}

/* --- easy handles --------------------------------------------------------- */

static size_t
discard_cb(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	(void)ptr;
	(void)userdata;
	return size * nmemb;
}

static CURL *
easy_new(struct burst *load, char *errbuf)
{
	const struct burst_spec *sp = &load->spec;
	CURL *e = curl_easy_init();

	if (!e)
		return NULL;
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_PROXY, "");
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
#endif
	curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, sp->timeout_ms);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(e, CURLOPT_PRIVATE, errbuf);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard_cb);
	curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, burst_conn_open_cb);
	curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, load);
	curl_easy_setopt(e, CURLOPT_CLOSESOCKETFUNCTION, burst_conn_close_cb);
	curl_easy_setopt(e, CURLOPT_CLOSESOCKETDATA, load);
	if (!sp->keepalive)
		curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, load->headers);
	if (sp->body) {
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)load->body_len);
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, sp->body);
	}
	if (sp->method) {
		/* HEAD has no body to wait for; curl must be told. */
		if (!strcmp(sp->method, "HEAD"))
			curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, sp->method);
	}
	return e;
}

/* Start the next request of the burst on e; false when none is left. */
static bool
easy_submit(struct burst *load, CURL *e)
{
	struct burst_stats *st = &load->stats;

	if (st->sent >= load->spec.requests)
		return false;
	curl_easy_setopt(e, CURLOPT_URL, load->spec.urls[st->sent % load->spec.nurls]);
	if (curl_multi_add_handle(load->multi, e) != CURLM_OK)
		return false;
	st->sent++;
	load->in_flight++;
	return true;
}

static void
count_result(struct burst *load, CURL *e, CURLcode rc)
{
	struct burst_stats *st = &load->stats;
	char *errbuf = NULL;
	long code = 0;

	st->done++;
	if (rc != CURLE_OK) {
		st->transport_errors++;
		st->unreached += rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST;
		curl_easy_getinfo(e, CURLINFO_PRIVATE, &errbuf);
		set_last_error(load, errbuf && *errbuf ? errbuf : curl_easy_strerror(rc));
		return;
	}
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
	st->status[code >= 100 && code < 600 ? code / 100 : 0]++;
}

static void
collect_finished(struct burst *load)
{
	CURLMsg *msg;
	int left;

	while ((msg = curl_multi_info_read(load->multi, &left))) {
		CURL *e = msg->easy_handle;
		CURLcode rc = msg->data.result;

		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_multi_remove_handle(load->multi, e);
		load->in_flight--;
		count_result(load, e, rc);
		easy_submit(load, e);
	}
	update_rate(load);
}

/* Destroying the multi handle closes its connection cache, each socket via
 * burst_conn_close_cb, which starts the drains. */
static void
release_curl(struct burst *load)
{
	size_t i;

	if (load->multi)
		for (i = 0; i < load->neasy; i++)
			curl_multi_remove_handle(load->multi, load->easy[i]);
	for (i = 0; i < load->neasy; i++)
		curl_easy_cleanup(load->easy[i]);
	free(load->easy);
	free(load->errbuf);
	load->easy = NULL;
	load->errbuf = NULL;
	load->neasy = 0;
	load->in_flight = 0;
	if (load->multi)
		curl_multi_cleanup(load->multi);
	load->multi = NULL;
	if (load->curl_timer)
		evloop_timer_cancel(load->loop, load->curl_timer);
	load->curl_timer = 0;
}

/* The last thing every loop callback does: the done callback may start the
 * next burst or free the load, so nothing may touch load after it. */
void
burst_maybe_complete(struct burst *load)
{
	struct burst_stats st;
	burst_done_cb cb;

	if (!load->running)
		return;
	if (load->multi) {
		collect_finished(load);
		if (load->in_flight)
			return;
		release_curl(load);
	}
	if (load->stats.open_connections)
		return;
	if (load->drain_timer)
		evloop_timer_cancel(load->loop, load->drain_timer);
	load->drain_timer = 0;
	update_rate(load);
	load->running = false;
	st = load->stats;
	cb = load->done;
	if (cb)
		cb(load, &st, load->done_ctx);
}

static void
done_timer_cb(struct evloop *loop, void *ctx)
{
	struct burst *load = ctx;

	(void)loop;
	load->done_timer = 0;
	burst_maybe_complete(load);
}

/* --- public API ----------------------------------------------------------- */

struct burst *
burst_new(struct evloop *loop, const struct burst_spec *spec)
{
	struct burst *load;
	size_t i;
	bool has_expect = false, has_accept = false;

	if (!spec->nurls || !spec->urls)
		return NULL;
	if (!curl_ready) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
			return NULL;
		curl_ready = true;
	}
	load = xcalloc(1, sizeof *load);
	load->loop = loop;
	load->spec = *spec;
	load->spec.urls = xcalloc(spec->nurls, sizeof *load->spec.urls);
	for (i = 0; i < spec->nurls; i++)
		load->spec.urls[i] = xstrdup(spec->urls[i]);
	load->spec.headers = xcalloc(spec->nheaders + 1, sizeof *load->spec.headers);
	for (i = 0; i < spec->nheaders; i++) {
		load->spec.headers[i] = xstrdup(spec->headers[i]);
		load->headers = curl_slist_append(load->headers, spec->headers[i]);
		if (!strncasecmp(spec->headers[i], "Expect:", 7))
			has_expect = true;
		if (!strncasecmp(spec->headers[i], "Accept:", 7))
			has_accept = true;
	}
	/* A body would make curl wait for "100 Continue" that nginx may not send. */
	if (!has_expect)
		load->headers = curl_slist_append(load->headers, "Expect:");
	/* Every header costs nginx time under valgrind: send what wrk sends
	 * (Host only) unless the user asks for more with -H. */
	if (!has_accept)
		load->headers = curl_slist_append(load->headers, "Accept:");
	load->spec.method = spec->method ? xstrdup(spec->method) : NULL;
	load->spec.body = spec->body ? xstrdup(spec->body) : NULL;
	load->body_len = spec->body ? strlen(spec->body) : 0;
	if (load->spec.timeout_ms <= 0)
		load->spec.timeout_ms = 30000;
	burst_set_shape(load, spec->requests, spec->concurrency);
	return load;
}

void
burst_free(struct burst *load)
{
	size_t i;

	if (!load)
		return;
	burst_abort(load);
	for (i = 0; i < load->spec.nurls; i++)
		free(load->spec.urls[i]);
	for (i = 0; i < load->spec.nheaders; i++)
		free(load->spec.headers[i]);
	free(load->spec.urls);
	free(load->spec.headers);
	free((char *)load->spec.method);
	free((char *)load->spec.body);
	curl_slist_free_all(load->headers);
	free(load->conns);
	free(load);
}

static CURLM *
multi_new(struct burst *load)
{
	CURLM *m = curl_multi_init();
	long c = (long)load->spec.concurrency;

	if (!m)
		return NULL;
	curl_multi_setopt(m, CURLMOPT_SOCKETFUNCTION, socket_cb);
	curl_multi_setopt(m, CURLMOPT_SOCKETDATA, load);
	curl_multi_setopt(m, CURLMOPT_TIMERFUNCTION, timer_cb);
	curl_multi_setopt(m, CURLMOPT_TIMERDATA, load);
	curl_multi_setopt(m, CURLMOPT_MAX_HOST_CONNECTIONS, c);
	curl_multi_setopt(m, CURLMOPT_MAX_TOTAL_CONNECTIONS, c);
	curl_multi_setopt(m, CURLMOPT_MAXCONNECTS, c);
	return m;
}

bool
burst_start(struct burst *load, burst_done_cb done, void *ctx)
{
	unsigned long n;
	size_t i;

	if (load->running)
		return false;
	memset(&load->stats, 0, sizeof load->stats);
	load->running = true;
	load->done = done;
	load->done_ctx = ctx;
	load->start_ns = util_now_ns();
	n = load->spec.requests < load->spec.concurrency ?
		load->spec.requests : load->spec.concurrency;
	if (n) {
		load->multi = multi_new(load);
		load->easy = xcalloc(n, sizeof *load->easy);
		load->errbuf = xcalloc(n, sizeof *load->errbuf);
	}
	for (i = 0; load->multi && i < n; i++) {
		load->easy[i] = easy_new(load, load->errbuf[i]);
		if (!load->easy[i])
			break;
		load->neasy++;
		easy_submit(load, load->easy[i]);
	}
	if (n && !load->in_flight) {
		/* curl refused us outright: report it, but from the loop. */
		set_last_error(load, "libcurl initialisation failed");
		release_curl(load);
	}
	/* With nothing in flight no curl callback will ever end the burst. */
	if (!load->in_flight)
		load->done_timer = evloop_timer_add(load->loop, 0, done_timer_cb, load);
	return true;
}

bool
burst_running(const struct burst *load)
{
	return load->running;
}

void
burst_abort(struct burst *load)
{
	size_t fd;

	load->aborting = true;
	release_curl(load);
	for (fd = 0; fd < load->cap_conns; fd++)
		burst_conn_close(load, (int)fd);
	if (load->drain_timer)
		evloop_timer_cancel(load->loop, load->drain_timer);
	if (load->done_timer)
		evloop_timer_cancel(load->loop, load->done_timer);
	load->drain_timer = load->done_timer = 0;
	load->aborting = false;
	if (load->running)
		update_rate(load);
	load->running = false;
}

const struct burst_stats *
burst_stats(const struct burst *load)
{
	return &load->stats;
}

void
burst_set_shape(struct burst *load, unsigned long requests, unsigned concurrency)
{
	load->spec.requests = requests;
	load->spec.concurrency = concurrency ? concurrency : 1;
}

unsigned long
burst_failed(const struct burst_stats *st)
{
	return st->transport_errors + st->status[0] + st->status[1] +
		st->status[4] + st->status[5];
}
