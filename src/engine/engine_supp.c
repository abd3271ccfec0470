/* engine_supp.c - suppressions added while the engine runs (the live
 * screen's key on the marked rows): the engine's set grows and every model
 * it holds is judged again: the main one, the workers' merged one, each
 * process's and valgrind's exit report. valgrind is not told: it runs with
 * the files it started with, so what these add is hidden by our matching
 * (model_set_suppressions). */
#include "engine.h"
#include "engine_int.h"
#include "model.h"
#include "supp.h"

bool
engine_supp_add(struct engine *e, const char *name, const char *text, char *err, size_t errlen)
{
	size_t i;

	if (!e->opts.supp)
		e->opts.supp = e->own_supp = supp_new();
	if (!supp_add_text(e->opts.supp, name, text, err, errlen))
		return false;
	model_set_suppressions(e->model, e->opts.supp);
	if (e->workers_model)
		model_set_suppressions(e->workers_model, e->opts.supp);
	if (engine_exit_model(e) && engine_exit_model(e) != e->model)
		model_set_suppressions(engine_exit_model(e), e->opts.supp);
	for (i = 0; i < e->nprocs; i++) {
		struct model *m = e->procs[i]->pub.model;

		if (m && m != e->model)
			model_set_suppressions(m, e->opts.supp);
	}
	return true;
}

void
engine_supp_free(struct engine *e)
{
	supp_free(e->own_supp);
	e->own_supp = NULL;
}
