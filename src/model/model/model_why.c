/* model_why.c - what says why a site leaks: the URLs of the bursts and
 * their requests per round (the fit that names a site's driving URLs uses
 * them), and what holds a site's blocks (filled by the owner search). */
#include "model_int.h"
#include "intern.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

const char *
model_pool_name(enum model_pool p)
{
	static const char *const names[] = {
		[MODEL_POOL_UNKNOWN] = "", [MODEL_POOL_CYCLE] = "cycle",
		[MODEL_POOL_CONNECTION] = "connection", [MODEL_POOL_REQUEST] = "request",
		[MODEL_POOL_MODULE] = "module", [MODEL_POOL_STATIC] = "static",
		[MODEL_POOL_OTHER] = "other",
	};

	return (unsigned)p < LT_ARRAY_SIZE(names) ? names[p] : "";
}

uint32_t
model_url_intern(struct model *m, const char *url)
{
	const char *s = intern_get(m->strs, url, strlen(url));
	size_t i;

	/* Interned: equal strings are the same pointer. A run has a handful. */
	for (i = 0; i < m->nurls; i++)
		if (m->urls[i] == s)
			return (uint32_t)i;
	xgrow((void **)&m->urls, &m->capurls, m->nurls + 1, sizeof *m->urls);
	m->urls[m->nurls] = s;
	return (uint32_t)m->nurls++;
}

size_t
model_nurls(const struct model *m)
{
	return m->nurls;
}

const char *
model_url(const struct model *m, uint32_t id)
{
	return id < m->nurls ? m->urls[id] : "";
}

void
model_round_url_requests(struct model *m, uint32_t url, uint64_t reached)
{
	struct model_round *r = &m->rounds[m->nrounds];
	uint64_t *v;

	if (!m->in_round || url >= m->nurls)
		return;
	if (url >= r->nurls) {
		v = xrealloc((void *)r->url_requests, (url + 1) * sizeof *v);
		memset(v + r->nurls, 0, (url + 1 - r->nurls) * sizeof *v);
		r->url_requests = v;
		r->nurls = url + 1;
	}
	((uint64_t *)r->url_requests)[url] = reached;
}

uint64_t
model_round_url(const struct model *m, size_t r, uint32_t url)
{
	if (r >= m->nrounds || url >= m->rounds[r].nurls)
		return 0;
	return m->rounds[r].url_requests[url];
}

void
model_site_set_holder(struct model *m, size_t site, const struct model_holder *h)
{
	struct model_holder *d;

	if (site >= m->nsites)
		return;
	d = &m->sites[site].holder;
	*d = *h;
	d->searched = true;
	d->symbol = h->symbol ? intern_get(m->strs, h->symbol, strlen(h->symbol)) : NULL;
}
