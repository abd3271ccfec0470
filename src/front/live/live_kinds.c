/* live_kinds.c - the kind editor's side in the live front: the kinds
 * the bursts send, for the header and the editor, and the editor's
 * entries handed to the engine. */
#include "live_int.h"
#include "engine.h"
#include "tui.h"
#include "util.h"

#include <stdlib.h>

void
live_kinds_fill(struct app *a, struct tui_live *l)
{
	const struct engine_kind *k = engine_kinds(a->engine, &l->nkinds);
	size_t i;

	free(a->kinds);
	a->kinds = NULL;
	l->protocol = engine_protocol(a->engine);
	if (!l->nkinds)
		return;		/* not up yet, or attached: the traffic is someone else's */
	a->kinds = xcalloc(l->nkinds, sizeof *a->kinds);
	for (i = 0; i < l->nkinds; i++)
		a->kinds[i] = (struct tui_kind){ .name = k[i].name, .proto = k[i].protocol,
			.method = k[i].method, .target = k[i].target, .weight = k[i].weight,
			.source = k[i].source, .entry = k[i].entry };
	l->kinds = a->kinds;
}

bool
live_kinds_set(void *ctx, char **entries, size_t n, char *err, size_t errlen)
{
	struct app *a = ctx;

	return engine_set_kinds(a->engine, entries, n, err, errlen);
}

void
live_kinds_free(struct app *a)
{
	free(a->kinds);
	a->kinds = NULL;
}
