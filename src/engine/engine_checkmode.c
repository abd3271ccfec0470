/* engine_checkmode.c - full checks and checks of what changed.
 *
 * A full check (`leak_check full reachable any`) prints every loss
 * record: on a big config megabytes of text, most of a check's time.
 * `changed` prints only the records whose numbers changed since the
 * previous leak search, with deltas, one that fell to zero once more at
 * 0 (VALGRIND.md): the model applies the deltas to what it holds. That
 * holds only while the model has taken every search valgrind made of
 * that process whole. So a process's first check is full, and so is the
 * one after any answer the model did not take (a cut answer, a parse
 * error, a timeout: valgrind may have searched all the same), after a
 * reload (new workers; the master's cycle replaced), and every check
 * with --full-checks or a check command of the caller's own. */
#include "engine_int.h"
#include "model.h"
#include "util.h"

#include <string.h>

#define CHANGED_CHECK "leak_check full reachable changed"

static struct engine_chain *
chain_of(struct engine *e, long pid)
{
	size_t i;

	for (i = 0; i < e->nchains; i++)
		if (e->chains[i].pid == pid)
			return &e->chains[i];
	xgrow((void **)&e->chains, &e->capchains, e->nchains + 1, sizeof *e->chains);
	e->chains[e->nchains] = (struct engine_chain){ .pid = pid };
	return &e->chains[e->nchains++];
}

const char *
engine_check_command(struct engine *e, long pid)
{
	struct engine_chain *c = chain_of(e, pid);

	c->asked_delta = false;
	if (e->opts.check_command)
		return e->opts.check_command;
	if (e->opts.full_checks || !c->intact)
		return DEFAULT_CHECK;
	c->asked_delta = true;
	return CHANGED_CHECK;
}

bool
engine_check_delta(const struct engine *e, long pid)
{
	size_t i;

	for (i = 0; i < e->nchains; i++)
		if (e->chains[i].pid == pid)
			return e->chains[i].asked_delta;
	return false;
}

void
engine_check_round_begin(struct engine *e)
{
	model_round_begin(e->model, e->burst_requests, e->burst_failed);
	engine_urls_round(e, e->model);
	if (engine_check_delta(e, 0))
		model_round_delta(e->model);
}

void
engine_check_taken(struct engine *e, long pid, bool ok)
{
	struct engine_chain *c = chain_of(e, pid);

	/* a full answer of the caller's own command may lack records
	 * (kinds, limited): only ours start a chain */
	c->intact = ok && !e->opts.check_command;
	c->asked_delta = false;
}

/* a year: vgdb_command's bound, never reached */
#define NO_CUT_MS (365LL * 24 * 3600 * 1000)

int64_t
engine_check_timeout(const struct engine *e)
{
	return engine_attached(e) ? NO_CUT_MS : e->opts.check_timeout_ms;
}

bool
engine_check_broken(struct engine *e, long pid, const struct model *m,
	const struct leak_summary *sum)
{
	if (!engine_check_delta(e, pid) || model_round_follows(m, sum))
		return false;
	engine_report(e, ENGINE_EV_WARNING, "another leak search of nginx came after the last "
		"check (someone else's vgdb leak_check?): its deltas do not follow; asking for every "
		"record again");
	engine_check_taken(e, pid, false);
	return true;
}

void
engine_check_full_next(struct engine *e)
{
	size_t i;

	for (i = 0; i < e->nchains; i++)
		e->chains[i].intact = false;
}
