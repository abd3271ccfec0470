/* engine_kinds.c - the kinds of request, as the front ends show them:
 * where the bursts send each (the resolved URLs, HTTP/2 or not) with what
 * the set of kinds knows of it (name, entry, source); and a new set from
 * the live kind editor's entries. */
#include "engine_int.h"
#include "reqset.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The set the engine sends now: the editor's last, else the one given. */
static const struct reqset *
current_set(const struct engine *e)
{
	return e->kinds_set ? e->kinds_set : e->opts.reqs;
}

/* The same kinds in both: the set is what the engine was given, in order. */
static bool
set_matches(const struct engine *e, const struct reqset *set)
{
	return set && reqset_count(set) == e->spec.nurls;
}

static const char *
kind_proto(const struct burst_spec *sp, size_t i)
{
	switch (engine_url_scheme(sp->urls[i])) {
	case ENGINE_TCP:
		return "tcp";
	case ENGINE_HTTPS:
		return sp->http2 ? "h2" : "https";
	default:
		return sp->http2 ? "h2c" : "http";
	}
}

static const char *
kind_method(const struct burst_spec *sp, size_t i)
{
	const struct burst_req *r = sp->reqs ? &sp->reqs[i] : NULL;
	bool body;

	if (engine_url_scheme(sp->urls[i]) == ENGINE_TCP)
		return NULL;
	if (r && r->method)
		return r->method;
	if (sp->method)
		return sp->method;
	body = r && r->own_body ? r->body != NULL : sp->body != NULL;
	return body ? "POST" : "GET";
}

/* A kind no set names (the default "/"): the model's name of its URL. */
static const char *
model_name(const struct engine *e, size_t i)
{
	return e->url_ids ? model_url(e->model, e->url_ids[i]) : e->spec.urls[i];
}

const struct engine_kind *
engine_kinds(const struct engine *e, size_t *n)
{
	struct engine *w = (struct engine *)e;	/* a cache of what the spec says */
	const struct reqset *set = current_set(e);
	bool named = set_matches(e, set);
	size_t i;

	*n = e->burst ? e->spec.nurls : 0;
	if (!*n)
		return NULL;
	free(w->kinds);
	w->kinds = xcalloc(*n, sizeof *w->kinds);
	for (i = 0; i < *n; i++) {
		const struct burst_req *r = e->spec.reqs ? &e->spec.reqs[i] : NULL;
		struct engine_kind *k = &w->kinds[i];

		k->name = named ? reqset_name(set, i) : model_name(e, i);
		k->protocol = kind_proto(&e->spec, i);
		k->method = kind_method(&e->spec, i);
		k->target = e->spec.urls[i];
		k->weight = r && r->weight ? r->weight : 1;
		k->source = named ? reqset_source(set, i) : "-u";
		k->entry = named ? reqset_entry(set, i) : k->name;
	}
	return w->kinds;
}

bool
engine_set_kinds(struct engine *e, char **entries, size_t n, char *err, size_t errlen)
{
	const struct reqset *cur = current_set(e);
	struct reqset_defaults none = { NULL, NULL, 0, NULL };
	struct reqset *rs;
	size_t i;

	if (!n) {
		snprintf(err, errlen, "no kind of request left: add one before applying");
		return false;
	}
	rs = cur ? reqset_empty_like(cur) : reqset_new(&none);
	for (i = 0; i < n; i++)
		if (!reqset_add_entry(rs, entries[i], err, errlen)) {
			reqset_free(rs);
			return false;
		}
	if (!engine_set_reqs(e, reqset_urls(rs), reqset_reqs(rs), reqset_count(rs))) {
		snprintf(err, errlen, "%s", *e->message ? e->message :
			"kinds change between bursts, once nginx is up");
		reqset_free(rs);
		return false;
	}
	reqset_free(e->kinds_set);
	e->kinds_set = rs;
	return true;
}

void
engine_kinds_free(struct engine *e)
{
	free(e->kinds);
	e->kinds = NULL;
	reqset_free(e->kinds_set);
	e->kinds_set = NULL;
}
