/* engine_proto.c - how the bursts talk to nginx: HTTP/1.1 or HTTP/2, over
 * TLS or not, raw TCP for stream modules; and the name of that mix for
 * the header and the reports.
 *
 * HTTP/2 is what nginx's listen says unless the user chose: a module
 * behind `listen ... ssl http2` is reached by browsers over HTTP/2, and a
 * cleartext `listen ... http2` of nginx 1.22 answers nothing else. With
 * workers, each worker must get connections of its own (requests are
 * told apart per worker by connection): the streams spread over one
 * connection per worker. */
#include "engine_int.h"
#include "target.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

struct mix {
	bool http, https, tcp;
};

enum engine_scheme
engine_url_scheme(const char *u)
{
	if (!strncasecmp(u, "https:", 6))
		return ENGINE_HTTPS;
	return strncasecmp(u, "tcp:", 4) ? ENGINE_HTTP : ENGINE_TCP;
}

static struct mix
kinds_mix(const struct engine *e)
{
	struct mix m = { false, false, false };
	size_t i;

	for (i = 0; i < e->spec.nurls; i++) {
		enum engine_scheme sc = engine_url_scheme(e->spec.urls[i]);

		m.https |= sc == ENGINE_HTTPS;
		m.tcp |= sc == ENGINE_TCP;
		m.http |= sc == ENGINE_HTTP;
	}
	return m;
}

static void
name_mix(struct engine *e, struct mix m)
{
	char *p = e->protocol;
	size_t left = sizeof e->protocol;
	const char *parts[3];
	size_t n = 0, i;

	if (m.http)
		parts[n++] = e->spec.http2 ? "HTTP/2 (h2c)" : "HTTP/1.1";
	if (m.https)
		parts[n++] = e->spec.http2 ? "HTTP/2 (TLS)" : "HTTPS";
	if (m.tcp)
		parts[n++] = "TCP";
	*p = '\0';
	for (i = 0; i < n; i++) {
		int w = snprintf(p, left, "%s%s", i ? " + " : "", parts[i]);

		if (w < 0 || (size_t)w >= left)
			break;
		p += w;
		left -= (size_t)w;
	}
}

/* Said once: the user asked for something the listen will not do. */
static void
warn_listen(struct engine *e, struct mix m, bool listen_h2)
{
	if (e->warned_version || !(m.http || m.https))
		return;
	if (e->opts.http_version == 11 && listen_h2 && m.http && !m.https) {
		e->warned_version = true;
		engine_report(e, ENGINE_EV_WARNING, "--http1.1: nginx's listen is `http2` without ssl, "
			"where nginx 1.22 speaks HTTP/2 only: the requests will fail");
	} else if (e->opts.http_version == 20 && !listen_h2 && target_base_url(e->target)) {
		e->warned_version = true;
		engine_report(e, ENGINE_EV_WARNING, "--http2: nginx's listen has no http2: %s",
			m.https ? "ALPN falls back to HTTP/1.1" : "cleartext HTTP/2 will fail");
	}
}

void
engine_proto_decide(struct engine *e)
{
	struct mix m = kinds_mix(e);
	bool listen_h2 = target_http2(e->target);
	unsigned w = target_workers_expected(e->target);

	e->spec.http2 = e->opts.http_version == 20 || (e->opts.http_version == 0 && listen_h2);
	e->spec.streams = 0;
	if (e->spec.http2 && w > 1)
		e->spec.streams = (e->spec.concurrency + w - 1) / w;
	warn_listen(e, m, listen_h2);
	name_mix(e, m);
}

void
engine_proto_burst_done(struct engine *e, const struct burst_stats *st)
{
	if (!e->spec.http2 || !st->http_version || st->http_version == 20 || e->warned_version)
		return;
	e->warned_version = true;
	engine_report(e, ENGINE_EV_WARNING, "HTTP/2 asked, nginx answered HTTP/%d.%d: its listen "
		"lacks http2, so the bursts go over HTTP/1.x", st->http_version / 10,
		st->http_version % 10);
}

const char *
engine_protocol(const struct engine *e)
{
	return e->protocol;
}
