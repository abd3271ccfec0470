/* engine_supp_stub.c - STAND-IN for the suppressions helper's
 * engine_supp_add (#18): the live screen's W needs it to hide the rows it
 * wrote suppressions for. Drop this file when the real one is merged. */
#include "engine.h"
#include "engine_int.h"
#include "model.h"
#include "supp.h"

#include <stdio.h>

bool
engine_supp_add(struct engine *e, const char *name, const char *text, char *err, size_t errlen)
{
	/* the set is cli's (struct cli_opts.supp, always made): this stand-in
	 * adds to it in place */
	struct supp *set = (struct supp *)e->opts.supp;
	size_t i;

	if (!set) {
		snprintf(err, errlen, "no suppression set to add %s to", name);
		return false;
	}
	if (!supp_add_text(set, name, text, err, errlen))
		return false;
	model_set_suppressions(e->model, set);
	if (e->workers_model)
		model_set_suppressions(e->workers_model, set);
	for (i = 0; i < e->nprocs; i++)
		if (e->procs[i]->pub.model)
			model_set_suppressions(e->procs[i]->pub.model, set);
	return true;
}
