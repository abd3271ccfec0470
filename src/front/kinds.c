/* kinds.c - the kinds of request, for the reports and the live screen:
 * where the engine sends them (its resolved URLs, HTTP/2 or not) and what
 * the set knows of them (name, entry, source). */
#include "kinds.h"
#include "burst.h"
#include "engine.h"
#include "report.h"
#include "reqset.h"
#include "tui.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The same kind in both: the set is what the engine was given, in order. */
static bool
set_matches(const struct engine *e, const struct reqset *set)
{
	return set && reqset_count(set) == engine_burst_spec(e)->nurls;
}

static const char *
kind_proto(const struct burst_spec *sp, size_t i)
{
	const char *u = sp->urls[i];

	if (!strncasecmp(u, "tcp:", 4))
		return "tcp";
	if (!strncasecmp(u, "https:", 6))
		return sp->http2 ? "h2" : "https";
	return sp->http2 ? "h2c" : "http";
}

static const char *
kind_method(const struct burst_spec *sp, size_t i)
{
	const struct burst_req *r = sp->reqs ? &sp->reqs[i] : NULL;
	bool body;

	if (!strncasecmp(sp->urls[i], "tcp:", 4))
		return NULL;
	if (r && r->method)
		return r->method;
	if (sp->method)
		return sp->method;
	body = r && r->own_body ? r->body != NULL : sp->body != NULL;
	return body ? "POST" : "GET";
}

/* A kind the set does not name (the default "/"): its URL's path. */
static const char *
url_name(const char *url)
{
	const char *p = strstr(url, "://");

	if (!p || !strncasecmp(url, "tcp:", 4))
		return url;
	p = strchr(p + 3, '/');
	return p ? p : "/";
}

struct report_kind *
kinds_report(const struct engine *e, const struct reqset *set, size_t *n)
{
	const struct burst_spec *sp = engine_burst_spec(e);
	struct report_kind *k = xcalloc(sp->nurls + 1, sizeof *k);
	bool named = set_matches(e, set);
	size_t i;

	for (i = 0; i < sp->nurls; i++) {
		const struct burst_req *r = sp->reqs ? &sp->reqs[i] : NULL;

		k[i].name = named ? reqset_name(set, i) : r && r->name ? r->name : url_name(sp->urls[i]);
		k[i].protocol = kind_proto(sp, i);
		k[i].method = kind_method(sp, i);
		k[i].target = sp->urls[i];
		k[i].weight = r && r->weight ? r->weight : 1;
		k[i].source = named ? reqset_source(set, i) : "-u";
	}
	*n = sp->nurls;
	return k;
}

struct tui_kind *
kinds_tui(const struct engine *e, const struct reqset *set, size_t *n)
{
	struct report_kind *rk = kinds_report(e, set, n);
	struct tui_kind *k = xcalloc(*n + 1, sizeof *k);
	bool named = set_matches(e, set);
	size_t i;

	for (i = 0; i < *n; i++)
		k[i] = (struct tui_kind){ .name = rk[i].name, .proto = rk[i].protocol,
			.method = rk[i].method, .target = rk[i].target, .weight = rk[i].weight,
			.source = rk[i].source, .entry = named ? reqset_entry(set, i) : rk[i].name };
	free(rk);
	return k;
}
