/* engine_exit.c - valgrind's exit leak report. Each of nginx's processes
 * writes its own when it exits: the main one in the XML file we follow,
 * each worker in its vg.PID.xml. They go into one model, each process's
 * records as its source, in one round opened when nginx starts and closed
 * when it is gone: the report is the sum of every process's (a worker a
 * reload replaced reports at its exit, mid-run; the model keeps who had
 * each site). A master holds little at exit: its workers' reports are
 * where a module's leaks are. */
#include "engine_int.h"
#include "follow.h"
#include "leak.h"
#include "model.h"
#include "target.h"
#include "xmlstream.h"

#include <string.h>

void
engine_exit_start(struct engine *e)
{
	e->exit_model = engine_model_new(e);
	model_round_begin(e->exit_model, 0, 0);
	engine_exit_follow(e, e->xml, (long)target_pid(e->target));
}

void
engine_exit_follow(struct engine *e, struct xmlstream *xs, long pid)
{
	if (e->exit_model && xs)
		xmlstream_exit_into(xs, e->exit_model, (uint32_t)pid);
}

/* The main process's XML to its end: followed, or read whole if it could
 * not be followed. */
static void
drain_main(struct engine *e)
{
	if (e->follow) {
		follow_drain(e->follow);
	} else {
		char err[256];

		xmlstream_load_file(e->xml, target_xml_path(e->target), err, sizeof err);
	}
	xmlstream_finish(e->xml);
}

static bool
add_summary(const struct xmlstream *xs, struct leak_summary *sum)
{
	struct leak_summary one;

	if (!xs || !xmlstream_exit_summary(xs, &one))
		return false;
	leak_summary_add(sum, &one);
	return true;
}

/* nginx is gone: every process's XML read to its end, the report closed
 * (dropped if no process wrote one: killed by SIGKILL). */
void
engine_exit_finish(struct engine *e)
{
	struct leak_summary sum;
	bool any;
	size_t i;

	if (!e->xml || !e->exit_model || e->exit_closed)
		return;
	e->exit_closed = true;
	drain_main(e);
	memset(&sum, 0, sizeof sum);
	any = add_summary(e->xml, &sum);
	for (i = 0; i < e->nprocs; i++) {
		engine_procs_finish_xml(e->procs[i]);
		any |= add_summary(e->procs[i]->xml, &sum);
	}
	if (!any) {
		model_round_abort(e->exit_model);
		return;
	}
	sum.seen = 1;
	model_round_end(e->exit_model, &sum, 0);
	engine_emit(e, ENGINE_EV_EXIT_REPORT);
}

struct model *
engine_exit_model(const struct engine *e)
{
	return e->exit_model && model_nrounds(e->exit_model) ? e->exit_model : NULL;
}

void
engine_exit_free(struct engine *e)
{
	model_free(e->exit_model);
	e->exit_model = NULL;
}
