/* load.c - request bursts with libcurl's multi interface on the evloop.
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
#include "load.h"
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

enum conn_state {
	CONN_NONE,		/* not ours (closed, or a curl-internal fd) */
	CONN_OPEN,		/* opened for curl, in use or cached */
	CONN_DRAINING,		/* half-closed by us, waiting for the peer's EOF */
};

struct conn {
	enum conn_state state;
	int64_t deadline_ns;	/* DRAINING: give up waiting at this time */
};

struct load {
	struct evloop *loop;
	struct load_spec spec;	/* deep copy */
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
	load_done_cb done;
	void *done_ctx;
	struct load_stats stats;
};

static void curl_fd_cb(struct evloop *loop, int fd, int events, void *ctx);
static void maybe_complete(struct load *load);

/* curl_global_init is not thread safe and must run once per process; the
 * matching cleanup is load_global_cleanup() or simply process exit. */
static bool curl_ready;

void
load_global_cleanup(void)
{
	if (curl_ready)
		curl_global_cleanup();
	curl_ready = false;
}

static void
update_rate(struct load *load)
{
	struct load_stats *st = &load->stats;

	st->elapsed_ns = util_now_ns() - load->start_ns;
	st->rps = st->elapsed_ns > 0 ? (double)st->done * 1e9 / (double)st->elapsed_ns : 0;
}

/* Error text ends up in a TUI and in JSON: printable ASCII only. */
static void
set_last_error(struct load *load, const char *msg)
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

static struct conn *
conn_get(struct load *load, int fd)
{
	size_t old = load->cap_conns;

	if ((size_t)fd >= old) {
		xgrow((void **)&load->conns, &load->cap_conns, (size_t)fd + 1, sizeof *load->conns);
		memset(load->conns + old, 0, (load->cap_conns - old) * sizeof *load->conns);
	}
	return &load->conns[fd];
}

static void
conn_close(struct load *load, int fd)
{
	struct conn *c = conn_get(load, fd);

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
load_url_is_loopback(const char *url)
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

static curl_socket_t
open_socket_cb(void *clientp, curlsocktype purpose, struct curl_sockaddr *addr)
{
	struct load *load = clientp;
	int fd;

	(void)purpose;
	/* whatever a URL or a name resolved to: never a socket off this machine */
	if (!sockaddr_is_loopback(addr))
		return CURL_SOCKET_BAD;
	fd = socket(addr->family, addr->socktype | SOCK_CLOEXEC, addr->protocol);
	if (fd < 0)
		return CURL_SOCKET_BAD;
	conn_get(load, fd)->state = CONN_OPEN;
	load->stats.open_connections++;
	return fd;
}

static void drain_timer_cb(struct evloop *loop, void *ctx);

static void
arm_drain_timer(struct load *load)
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
	struct load *load = ctx;
	int64_t now = util_now_ns();
	size_t fd;

	(void)loop;
	load->drain_timer = 0;
	for (fd = 0; fd < load->cap_conns; fd++)
		if (load->conns[fd].state == CONN_DRAINING && load->conns[fd].deadline_ns <= now)
			conn_close(load, (int)fd);
	arm_drain_timer(load);
	maybe_complete(load);
}

static void
drain_fd_cb(struct evloop *loop, int fd, int events, void *ctx)
{
	struct load *load = ctx;
	char buf[4096];
	ssize_t n;

	(void)loop;
	/* Anything nginx still sends is discarded; EOF or an error ends it. */
	while ((n = read(fd, buf, sizeof buf)) > 0)
		;
	if (n < 0 && (errno == EAGAIN || errno == EINTR) && !(events & EV_ERROR))
		return;
	conn_close(load, fd);
	maybe_complete(load);
}

static int
close_socket_cb(void *clientp, curl_socket_t fd)
{
	struct load *load = clientp;
	struct conn *c = conn_get(load, fd);

	if (c->state != CONN_OPEN) {	/* not opened by us: plain close */
		close(fd);
		return 0;
	}
	/* A socket that never connected has no peer to wait for. */
	if (load->aborting || shutdown(fd, SHUT_WR) < 0) {
		conn_close(load, fd);
		return 0;
	}
	c->state = CONN_DRAINING;
	c->deadline_ns = util_now_ns() + load->spec.timeout_ms * 1000000;
	evloop_watch_fd(load->loop, fd, EV_READ, drain_fd_cb, load);
	if (!load->drain_timer)
		arm_drain_timer(load);
	return 0;
}

/* --- libcurl's socket and timer callbacks ------------------------------- */

static int
socket_cb(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
	struct load *load = userp;
	int ev = 0;

	(void)easy;
	(void)socketp;
	if (what == CURL_POLL_REMOVE) {
		/* Draining fds belong to us now, not to curl. */
		if (conn_get(load, fd)->state != CONN_DRAINING)
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
	struct load *load = ctx;
	int running;

	(void)loop;
	load->curl_timer = 0;
	if (!load->multi)
		return;
	curl_multi_socket_action(load->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	maybe_complete(load);
}

/* Called from inside libcurl: only (re)arm, never call back into it. A 0 ms
 * timeout becomes a 0 ms evloop timer, run on the next loop iteration. */
static int
timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
	struct load *load = userp;

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
	struct load *load = ctx;
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
	maybe_complete(load);
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
easy_new(struct load *load, char *errbuf)
{
	const struct load_spec *sp = &load->spec;
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
	curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, open_socket_cb);
	curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, load);
	curl_easy_setopt(e, CURLOPT_CLOSESOCKETFUNCTION, close_socket_cb);
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
easy_submit(struct load *load, CURL *e)
{
	struct load_stats *st = &load->stats;

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
count_result(struct load *load, CURL *e, CURLcode rc)
{
	struct load_stats *st = &load->stats;
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
collect_finished(struct load *load)
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
 * close_socket_cb, which starts the drains. */
static void
release_curl(struct load *load)
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
static void
maybe_complete(struct load *load)
{
	struct load_stats st;
	load_done_cb cb;

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
	struct load *load = ctx;

	(void)loop;
	load->done_timer = 0;
	maybe_complete(load);
}

/* --- public API ----------------------------------------------------------- */

struct load *
load_new(struct evloop *loop, const struct load_spec *spec)
{
	struct load *load;
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
	load_set_shape(load, spec->requests, spec->concurrency);
	return load;
}

void
load_free(struct load *load)
{
	size_t i;

	if (!load)
		return;
	load_abort(load);
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
multi_new(struct load *load)
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
load_start(struct load *load, load_done_cb done, void *ctx)
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
load_running(const struct load *load)
{
	return load->running;
}

void
load_abort(struct load *load)
{
	size_t fd;

	load->aborting = true;
	release_curl(load);
	for (fd = 0; fd < load->cap_conns; fd++)
		conn_close(load, (int)fd);
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

const struct load_stats *
load_stats(const struct load *load)
{
	return &load->stats;
}

void
load_set_shape(struct load *load, unsigned long requests, unsigned concurrency)
{
	load->spec.requests = requests;
	load->spec.concurrency = concurrency ? concurrency : 1;
}

unsigned long
load_failed(const struct load_stats *st)
{
	return st->transport_errors + st->status[0] + st->status[1] +
		st->status[4] + st->status[5];
}
