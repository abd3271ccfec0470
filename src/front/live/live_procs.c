/* live_procs.c - nginx's processes for the live screen: the list its
 * header shows, the views over them (P) and the reload key (^R). */
#include "live_int.h"
#include "engine.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *
proc_state(const struct app *a, const struct engine_proc *p)
{
	if (!p->alive)
		return p->end[0] ? p->end : "exited";
	if (p->role == TARGET_ROLE_WORKER && p->generation < engine_reloads(a->engine))
		return "leaving";	/* a reload replaced it: it finishes its requests */
	return "ready";
}

void
live_procs_fill(struct app *a, struct tui_live *l)
{
	size_t i, n = engine_nprocs(a->engine);

	xgrow((void **)&a->procs, &a->cap_procs, n + 1, sizeof *a->procs);
	for (i = 0; i < n; i++) {
		const struct engine_proc *p = engine_proc(a->engine, i);

		a->procs[i] = (struct tui_proc){
			.pid = p->pid, .role = engine_role_name(p->role), .state = proc_state(a, p),
			.alive = p->alive, .requests = p->requests, .requests_known = p->requests_known,
		};
	}
	l->procs = a->procs;
	l->nprocs = n;
	l->reloads = engine_reloads(a->engine);
	l->attached = engine_attached(a->engine);
}

struct model *
live_procs_view(void *ctx, size_t v, char *name, size_t len)
{
	struct app *a = ctx;

	return a->engine ? engine_view(a->engine, v, name, len) : NULL;
}

bool
live_procs_reload(void *ctx, char *err, size_t errlen)
{
	struct app *a = ctx;

	if (!a->engine) {
		snprintf(err, errlen, "no nginx runs");
		return false;
	}
	return engine_reload(a->engine, err, errlen);
}

void
live_procs_free(struct app *a)
{
	free(a->procs);
	a->procs = NULL;
	a->cap_procs = 0;
}
