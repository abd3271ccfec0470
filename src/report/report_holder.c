/* report_holder.c - what holds a site, in one line for people: which pool
 * (or static), how long it lives, and what to do about it. The table and
 * the live screen show the same line. */
#include "report.h"
#include "escape.h"
#include "model.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

char *
report_holder_text(const struct model *m, const struct model_holder *h, bool growing)
{
	const struct model_frame *at;
	char *loc, *sym, *text;

	if (!h || !h->searched || h->pool == MODEL_POOL_UNKNOWN)
		return NULL;
	at = h->created_at != UINT32_MAX ? model_frame(m, h->created_at) : NULL;
	switch (h->pool) {
	case MODEL_POOL_CYCLE:
		return xasprintf("%s the cycle pool: lives until reload%s", growing ?
			"per request from" : "on", growing ? " - allocate from r->pool" : "");
	case MODEL_POOL_CONNECTION:
		return xasprintf("%s the connection pool: lives as long as the connection (keepalive: "
			"up to keepalive_requests; HTTP/2: unbounded)%s", growing ? "per request from" : "on",
			growing ? " - allocate from r->pool" : "");
	case MODEL_POOL_REQUEST:
		return xstrdup("on the request pool: freed when the request ends");
	case MODEL_POOL_STATIC:
		sym = h->symbol ? escape_dup(h->symbol, strlen(h->symbol), 0) : xstrdup("a static");
		text = xasprintf("held by static %s: lives as long as the process%s", sym,
			growing ? " - free what it drops, or bound it" : "");
		free(sym);
		return text;
	case MODEL_POOL_MODULE:
	case MODEL_POOL_OTHER:
		loc = at ? report_frame_location(at) : xstrdup("?");
		text = xasprintf("in a pool created at %s%s: lives until that pool is destroyed", loc,
			h->pool == MODEL_POOL_OTHER ? " (nginx)" : "");
		free(loc);
		return text;
	default:
		return NULL;
	}
}

const struct model_site *
report_group_holder(const struct model *m, enum leak_kind kind, uint32_t at)
{
	size_t i, n = model_nsites(m);

	for (i = 0; i < n; i++) {
		const struct model_site *s = model_site(m, i);

		if (model_site_on_line(s, kind, at) && s->holder.searched &&
			s->holder.pool != MODEL_POOL_UNKNOWN)
			return s;
	}
	return NULL;
}
