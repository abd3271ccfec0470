/* live_kinds.c - the kind editor's side in the live front: what kinds
 * the bursts send (for the header and the editor), and a new set of them
 * from the editor's entries (reqset.h), kept across restarts. */
#include "live_int.h"
#include "cli.h"
#include "engine.h"
#include "kinds.h"
#include "reqset.h"
#include "tui.h"

#include <stdio.h>
#include <stdlib.h>

/* The set the engine sends now: the editor's last, else the command line's. */
static const struct reqset *
current(const struct app *a)
{
	return a->kinds_set ? a->kinds_set : a->o->reqs;
}

void
live_kinds_fill(struct app *a, struct tui_live *l)
{
	free(a->kinds);
	a->kinds = NULL;
	l->protocol = engine_protocol(a->engine);
	if (!engine_burst_spec(a->engine)->nurls)
		return;		/* attached: the traffic is someone else's */
	a->kinds = kinds_tui(a->engine, current(a), &l->nkinds);
	l->kinds = a->kinds;
}

bool
live_kinds_set(void *ctx, char **entries, size_t n, char *err, size_t errlen)
{
	struct app *a = ctx;
	const struct reqset *cur = current(a);
	struct reqset *rs;
	size_t i;

	if (!n) {
		snprintf(err, errlen, "no kind of request left: add one (a) before applying");
		return false;
	}
	if (!cur) {
		snprintf(err, errlen, "no nginx runs here: nothing to send requests to");
		return false;
	}
	rs = reqset_empty_like(cur);
	for (i = 0; i < n; i++)
		if (!reqset_add_entry(rs, entries[i], err, errlen)) {
			reqset_free(rs);
			return false;
		}
	if (!engine_set_reqs(a->engine, reqset_urls(rs), reqset_reqs(rs), reqset_count(rs))) {
		snprintf(err, errlen, "%s", *engine_message(a->engine) ? engine_message(a->engine) :
			"kinds change between bursts, once nginx is up");
		reqset_free(rs);
		return false;
	}
	/* a restart sends these too */
	a->eo.burst.urls = reqset_urls(rs);
	a->eo.burst.reqs = reqset_reqs(rs);
	a->eo.burst.nurls = reqset_count(rs);
	reqset_free(a->kinds_set);
	a->kinds_set = rs;
	return true;
}

void
live_kinds_free(struct app *a)
{
	free(a->kinds);
	a->kinds = NULL;
	reqset_free(a->kinds_set);
	a->kinds_set = NULL;
}
