/* cli_req.c - what the bursts send: -u URLs (with -X, -H, -d), request
 * files, TCP exchanges for stream modules, TLS and HTTP/2; the kinds
 * (reqset.h) built from them once every option is read. */
#include "cli.h"
#include "cli_int.h"
#include "engine.h"
#include "reqset.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
send_add(struct cli_opts *o, const char *file)
{
	o->sends = xrealloc(o->sends, (o->nsends + 1) * sizeof *o->sends);
	o->sends[o->nsends++] = (struct cli_send){ .addr = o->tcp_addr, .file = file };
	o->tcp_unused = false;
}

/* --read and --idle shape the --send before them. */
static bool
send_param(struct cli_opts *o, int c, const char *arg, char *err, size_t errlen)
{
	const char *name = c == OPT_READ ? "read" : "idle";
	long v;

	if (!o->nsends) {
		snprintf(err, errlen, "--%s goes after the --send FILE it shapes", name);
		return false;
	}
	if (!util_parse_long(arg, 1, c == OPT_READ ? 1L << 30 : 3600000L, &v)) {
		snprintf(err, errlen, "--%s '%.40s': want %s", name, arg, c == OPT_READ ?
			"a byte count from 1 (stop reading after that many)" :
			"milliseconds from 1 (close after that long with nothing read)");
		return false;
	}
	if (c == OPT_READ)
		o->sends[o->nsends - 1].read_bytes = (unsigned long)v;
	else
		o->sends[o->nsends - 1].idle_ms = v;
	return true;
}

static bool
http_version(struct cli_opts *o, int want, char *err, size_t errlen)
{
	if (o->http_version && o->http_version != want) {
		snprintf(err, errlen, "--http2 and --http1.1 contradict each other");
		return false;
	}
	o->http_version = want;
	return true;
}

bool
cli_req_apply(struct cli_opts *o, int c, const char *arg, bool *handled, char *err, size_t errlen)
{
	*handled = true;
	switch (c) {
	case OPT_REQUEST_FILE:
		o->req_files.v = xrealloc(o->req_files.v, (o->req_files.n + 1) * sizeof *o->req_files.v);
		o->req_files.v[o->req_files.n++] = (char *)arg;
		return true;
	case OPT_TLS: o->tls = true; return true;
	case OPT_HTTP2: return http_version(o, 20, err, errlen);
	case OPT_HTTP11: return http_version(o, 11, err, errlen);
	case OPT_TCP:
		o->tcp_addr = arg;
		o->tcp_unused = true;
		return true;
	case OPT_SEND: send_add(o, arg); return true;
	case OPT_READ:
	case OPT_IDLE: return send_param(o, c, arg, err, errlen);
	case OPT_STREAM_DIRECTIVES: o->stream_directives = arg; return true;
	case OPT_HTTP_BLOCK: o->http_block = arg; return true;
	case OPT_STREAM_BLOCK: o->stream_block = arg; return true;
	default:
		*handled = false;
		return false;
	}
}

/* What goes only with the generated config, or not with --attach. */
static bool
check_modes(const struct cli_opts *o, char *err, size_t errlen)
{
	const char *gen = o->tls ? "--tls" : o->stream_directives ? "--stream-directives" :
		o->http_block ? "--http-block" : o->stream_block ? "--stream-block" : NULL;

	if (o->tcp_unused) {
		snprintf(err, errlen, "--tcp %.200s names where the next --send goes: add --send FILE "
			"after it", o->tcp_addr);
		return false;
	}
	for (size_t i = 0; i < o->nsends && !o->conf && !o->stream_directives; i++) {
		if (o->sends[i].addr)
			continue;
		snprintf(err, errlen, "--send %.200s: the generated config has no stream server: add "
			"--stream-directives 'your_module;' (or --tcp HOST:PORT before --send)",
			o->sends[i].file);
		return false;
	}
	if (o->stream_block && !o->stream_directives && !o->conf) {
		snprintf(err, errlen, "--stream-block goes with --stream-directives: the stream server "
			"needs a handler (e.g. --stream-directives 'my_module;' or 'proxy_pass up;')");
		return false;
	}
	if (gen && o->conf) {
		snprintf(err, errlen, "%s is for the generated config: your --conf says it itself "
			"(%s)", gen, o->tls ? "listen ... ssl, ssl_certificate" : o->http_block ?
			"http { ... }" : "stream { ... }");
		return false;
	}
	if (o->attach && (o->req_files.n || o->nsends || gen || o->http_version)) {
		snprintf(err, errlen, "%s does not go with --attach: the traffic is the other program's",
			o->req_files.n ? "--request-file" : o->nsends ? "--send" : gen ? gen :
			o->http_version == 20 ? "--http2" : "--http1.1");
		return false;
	}
	return true;
}

static bool
build(struct cli_opts *o, char *err, size_t errlen)
{
	struct reqset_defaults d = { o->method, o->headers.v, o->headers.n, o->body };
	size_t i;

	o->reqs = reqset_new(&d);
	for (i = 0; i < o->urls.n; i++)
		if (!reqset_add_url(o->reqs, o->urls.v[i], err, errlen))
			return false;
	for (i = 0; i < o->req_files.n; i++)
		if (!reqset_add_file(o->reqs, o->req_files.v[i], NULL, err, errlen))
			return false;
	for (i = 0; i < o->nsends; i++) {
		const struct cli_send *s = &o->sends[i];

		if (!reqset_add_tcp(o->reqs, s->addr, s->file, s->read_bytes, s->idle_ms, err, errlen))
			return false;
	}
	return true;
}

bool
cli_req_finish(struct cli_opts *o, char *err, size_t errlen)
{
	if (!check_modes(o, err, errlen))
		return false;
	if (o->load || o->attach)
		return true;
	return build(o, err, errlen);
}

void
cli_req_free(struct cli_opts *o)
{
	reqset_free(o->reqs);
	free(o->req_files.v);
	free(o->sends);
}

void
cli_req_engine_opts(const struct cli_opts *o, struct engine_opts *eo)
{
	eo->target.tls = o->tls;
	eo->target.http2 = o->http_version == 20 && !o->conf;
	eo->target.stream_directives = o->stream_directives;
	eo->target.http_block = o->http_block;
	eo->target.stream_block = o->stream_block;
	eo->http_version = o->http_version;
	eo->reqs = o->reqs;
	if (!o->reqs || !reqset_count(o->reqs))
		return;		/* "/" */
	eo->burst.urls = reqset_urls(o->reqs);
	eo->burst.reqs = reqset_reqs(o->reqs);
	eo->burst.nurls = reqset_count(o->reqs);
}
