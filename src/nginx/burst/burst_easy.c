/* burst_easy.c - the kinds of a burst and the libcurl handles that send
 * them.
 *
 * A kind is a URL with its own method, headers, body and weight (struct
 * burst_req), or a tcp:// exchange (burst_tcp.c). The easy handles are
 * shared by every kind: a slot's handle sends whatever kind the plan
 * picks next, so the per-request options (URL, method, headers, body,
 * HTTP version) are set again before each request, and each of them is
 * set from scratch - a GET after a HEAD on the same handle must get its
 * body again, a GET after a POST must not send the POST's body.
 *
 * HTTP/2: https:// asks for h2 in ALPN, http:// speaks it with prior
 * knowledge (h2c). The requests in flight are streams multiplexed over
 * few connections: CURLOPT_PIPEWAIT makes a request wait for a
 * connection that is being opened rather than open its own, and
 * CURLMOPT_MAX_CONCURRENT_STREAMS caps the streams curl puts on one
 * connection, so n requests in flight take ceil(n / streams) of them.
 *
 * TLS: certificate and host name checks are off - the peer is always
 * this machine (burst_conn_open_cb refuses any other address), the
 * certificate a throwaway one. */
#include "burst_int.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* --- kinds ---------------------------------------------------------------- */

static char *
memdup0(const char *p, size_t n)
{
	char *d = xmalloc(n + 1);

	if (n)
		memcpy(d, p, n);
	d[n] = '\0';
	return d;
}

static void
req_copy(struct burst_req *d, const struct burst_req *s)
{
	size_t i;

	*d = *s;
	d->name = s->name ? xstrdup(s->name) : NULL;
	d->method = s->method ? xstrdup(s->method) : NULL;
	d->headers = xcalloc(s->nheaders + 1, sizeof *d->headers);
	for (i = 0; i < s->nheaders; i++)
		d->headers[i] = xstrdup(s->headers[i]);
	d->body = s->body ? memdup0(s->body, s->body_len) : NULL;
	if (!s->body)
		d->body_len = 0;
}

static void
req_free(struct burst_req *r)
{
	size_t i;

	free((char *)r->name);
	free((char *)r->method);
	for (i = 0; i < r->nheaders; i++)
		free(r->headers[i]);
	free(r->headers);
	free((char *)r->body);
}

/* "Name: value" lines as curl sends them: an empty "Expect:" so a body
 * never waits for a "100 Continue" nginx may not send, and an empty
 * "Accept:" (every header costs nginx time under valgrind: send what wrk
 * sends) unless the list has its own. */
struct curl_slist *
burst_easy_headers(char **headers, size_t n)
{
	struct curl_slist *l = NULL;
	bool has_expect = false, has_accept = false;
	size_t i;

	for (i = 0; i < n; i++) {
		l = curl_slist_append(l, headers[i]);
		has_expect |= !strncasecmp(headers[i], "Expect:", 7);
		has_accept |= !strncasecmp(headers[i], "Accept:", 7);
	}
	if (!has_expect)
		l = curl_slist_append(l, "Expect:");
	if (!has_accept)
		l = curl_slist_append(l, "Accept:");
	return l;
}

void
burst_kinds_free(struct burst *burst)
{
	size_t i;

	for (i = 0; i < burst->spec.nurls; i++) {
		free(burst->spec.urls[i]);
		if (burst->spec.reqs)
			req_free((struct burst_req *)&burst->spec.reqs[i]);
		if (burst->kinds)
			curl_slist_free_all(burst->kinds[i].headers);
	}
	free(burst->spec.urls);
	free((struct burst_req *)burst->spec.reqs);
	free(burst->kinds);
	burst->spec.urls = NULL;
	burst->spec.reqs = NULL;
	burst->kinds = NULL;
	burst->spec.nurls = 0;
	burst->ntcp_kinds = 0;
}

void
burst_kinds_set(struct burst *burst, char **urls, const struct burst_req *reqs, size_t n)
{
	struct burst_req *r = xcalloc(n, sizeof *r);
	size_t i;

	burst_kinds_free(burst);
	burst->spec.urls = xcalloc(n, sizeof *burst->spec.urls);
	burst->kinds = xcalloc(n, sizeof *burst->kinds);
	for (i = 0; i < n; i++) {
		struct kind *k = &burst->kinds[i];

		burst->spec.urls[i] = xstrdup(urls[i]);
		if (reqs)
			req_copy(&r[i], &reqs[i]);
		else
			r[i].headers = xcalloc(1, sizeof *r[i].headers);
		if (r[i].own_headers)
			k->headers = burst_easy_headers(r[i].headers, r[i].nheaders);
		k->tcp = burst_url_is_tcp(urls[i]);
		if (k->tcp) {
			k->tcp_ok = burst_tcp_addr(urls[i], &k->addr, &k->addr_len);
			burst->ntcp_kinds++;
		}
	}
	burst->spec.reqs = r;
	burst->spec.nurls = n;
}

/* --- easy handles ---------------------------------------------------------- */

static size_t
discard_cb(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	(void)ptr;
	(void)userdata;
	return size * nmemb;
}

CURL *
burst_easy_new(struct burst *burst, char *errbuf)
{
	const struct burst_spec *sp = &burst->spec;
	CURL *e = curl_easy_init();

	if (!e)
		return NULL;
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_PROXY, "");
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
#endif
	/* loopback only, a throwaway certificate: nothing to verify */
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, sp->timeout_ms);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(e, CURLOPT_PRIVATE, errbuf);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard_cb);
	curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, burst_conn_open_cb);
	curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, burst);
	curl_easy_setopt(e, CURLOPT_CLOSESOCKETFUNCTION, burst_conn_close_cb);
	curl_easy_setopt(e, CURLOPT_CLOSESOCKETDATA, burst);
	if (!sp->keepalive)
		curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
	/* A held connection lives as long as nginx keeps it (keepalive_timeout,
	 * keepalive_requests), not curl's idle limit (118 s by default). */
	if (sp->keepalive && sp->hold)
		curl_easy_setopt(e, CURLOPT_MAXAGE_CONN, 366L * 86400);
	return e;
}

/* --- HTTP/2's connections ------------------------------------------------------
 * How many connections the streams take must not depend on timing: the
 * held-connection logic counts them (held_short), and a check must see
 * the same ones every burst. With CURLOPT_PIPEWAIT alone, requests that
 * find the first connection full may still wait for it and ride on it
 * once streams have ended. So the first burst_conns_for() requests of a
 * new multi handle each open a connection of their own (no PIPEWAIT: a
 * connection whose protocol is not known yet is not waited for), the
 * other slots wait (parked) until those are answered, and every request
 * after them multiplexes over the open connections (PIPEWAIT).
 *
 * h2c on libcurl < 8.0 (Debian 12 has 7.88) has one more reason for this:
 * it breaks a prior-knowledge connection that another prior-knowledge
 * request reuses ("Error in the HTTP2 framing layer", curl issue 10634:
 * it switches the connection to HTTP/2 once more). A request that asks
 * for HTTP/2 without prior knowledge reuses it fine - but would open a new
 * connection with an HTTP/1.1 Upgrade that nginx's h2c port refuses; so
 * only the opening requests ask for prior knowledge there. */

/* Without keepalive every request has a connection of its own: nothing
 * to open first, nothing reused. */
static bool
h2_gated(const struct burst *burst)
{
	return burst->spec.http2 && burst->spec.keepalive;
}

bool
burst_h2c_park(struct burst *burst, size_t i)
{
	if (burst->h2c_ready || !h2_gated(burst))
		return false;
	if (burst->h2c_opened < burst_conns_for(burst, burst->neasy))
		return false;
	burst->parked[i] = true;
	return true;
}

bool
burst_h2c_finished(struct burst *burst, size_t i)
{
	if (!burst->slot_pk || !burst->slot_pk[i])
		return false;
	burst->slot_pk[i] = false;
	/* all the opening requests sent are answered (fewer than planned
	 * when TCP kinds took slots): nothing more to wait for */
	if (--burst->h2c_pk)
		return false;
	burst->h2c_ready = true;
	return true;
}

static long
http_version(struct burst *burst, size_t i, const char *url)
{
	CURL *e = burst->easy[i];
	bool opening = !burst->h2c_ready, tls = !strncasecmp(url, "https:", 6);

	if (!burst->spec.http2)
		return CURL_HTTP_VERSION_1_1;
	if (!h2_gated(burst))
		return tls ? CURL_HTTP_VERSION_2TLS : CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE;
	curl_easy_setopt(e, CURLOPT_PIPEWAIT, opening ? 0L : 1L);
	if (opening) {	/* opens a connection of its own */
		burst->slot_pk[i] = true;
		burst->h2c_pk++;
		burst->h2c_opened++;
	}
	if (tls)
		return CURL_HTTP_VERSION_2TLS;
	return opening || curl_version_info(CURLVERSION_NOW)->version_num >= 0x080000 ?
		CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE : CURL_HTTP_VERSION_2_0;
}

/* Every option a request of kind k differs in, set from scratch, on slot
 * i's easy handle. */
void
burst_easy_kind(struct burst *burst, size_t i, size_t k)
{
	CURL *e = burst->easy[i];
	const struct burst_spec *sp = &burst->spec;
	const struct burst_req *r = &sp->reqs[k];
	const char *method = r->method ? r->method : sp->method;
	const char *body = sp->body;
	size_t body_len = burst->body_len;
	bool head = method && !strcasecmp(method, "HEAD");

	if (r->own_body) {
		body = r->body ? r->body : "";
		body_len = r->body_len;
	}
	curl_easy_setopt(e, CURLOPT_URL, sp->urls[k]);
	curl_easy_setopt(e, CURLOPT_HTTP_VERSION, http_version(burst, i, sp->urls[k]));
	curl_easy_setopt(e, CURLOPT_HTTPHEADER,
		burst->kinds[k].headers ? burst->kinds[k].headers : burst->headers);
	/* NOBODY off first: it turns a HEAD back into a GET */
	curl_easy_setopt(e, CURLOPT_NOBODY, 0L);
	if (body) {
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
	} else {
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, NULL);
		curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
	}
	/* HEAD has no body to wait for; curl must be told. */
	if (head)
		curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
	curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method && !head ? method : NULL);
}

/* --- results ------------------------------------------------------------------ */

static int
version_of(long v)
{
	switch (v) {
	case CURL_HTTP_VERSION_1_0: return 10;
	case CURL_HTTP_VERSION_1_1: return 11;
	case CURL_HTTP_VERSION_2_0: return 20;
#if LIBCURL_VERSION_NUM >= 0x074200
	case CURL_HTTP_VERSION_3: return 30;
#endif
	default: return 0;
	}
}

void
burst_easy_result(struct burst *burst, size_t i, CURLcode rc)
{
	struct burst_stats *st = &burst->stats;
	char *errbuf = burst->errbuf[i];
	long code = 0, version = 0;

	st->done++;
	curl_easy_getinfo(burst->easy[i], CURLINFO_RESPONSE_CODE, &code);
	/* nginx answered before it read the whole body (a handler that never
	 * reads it) and reset the stream with NO_ERROR: libcurl < 8 calls that
	 * a stream error, yet the answer came */
	if (rc == CURLE_HTTP2_STREAM && code >= 100)
		rc = CURLE_OK;
	if (rc != CURLE_OK) {
		st->transport_errors++;
		st->unreached += rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST;
		burst_set_error(burst, *errbuf ? errbuf : curl_easy_strerror(rc));
		return;
	}
	/* an HTTP answer, whatever its status: the request reached nginx */
	burst->url_reached[burst->easy_url[i]]++;
	burst_conn_answered(burst, burst->easy[i]);
	st->status[code >= 100 && code < 600 ? code / 100 : 0]++;
	st->last_code = code;
	curl_easy_getinfo(burst->easy[i], CURLINFO_HTTP_VERSION, &version);
	st->http_version = version_of(version);
}

/* --- the multi handle -------------------------------------------------------- */

unsigned long
burst_streams(const struct burst *burst, unsigned long n)
{
	unsigned long s = burst->spec.streams;

	return s && s < n ? s : (n ? n : 1);
}

unsigned long
burst_conns_for(const struct burst *burst, unsigned long n)
{
	unsigned long s;

	if (!burst->spec.http2)
		return n;
	s = burst_streams(burst, n);
	return (n + s - 1) / s;
}

CURLM *
burst_multi_new(struct burst *burst, unsigned long n)
{
	CURLM *m = curl_multi_init();
	long c = (long)burst_conns_for(burst, n);

	if (!m)
		return NULL;
	curl_multi_setopt(m, CURLMOPT_MAX_HOST_CONNECTIONS, c);
	curl_multi_setopt(m, CURLMOPT_MAX_TOTAL_CONNECTIONS, c);
	curl_multi_setopt(m, CURLMOPT_MAXCONNECTS, c);
	/* without keepalive a connection per request: no streams to share */
	if (burst->spec.http2 && burst->spec.keepalive) {
		curl_multi_setopt(m, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
#if LIBCURL_VERSION_NUM >= 0x074300
		curl_multi_setopt(m, CURLMOPT_MAX_CONCURRENT_STREAMS,
			(long)burst_streams(burst, n));
#endif
	} else {
		curl_multi_setopt(m, CURLMOPT_PIPELINING, CURLPIPE_NOTHING);
	}
	return m;
}
