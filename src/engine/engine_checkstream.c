/* engine_checkstream.c - the single process's leak check, parsed as it
 * streams in.
 *
 * A big config's `leak_check full reachable any` answer is megabytes; parsed
 * whole when it ends, it held the loop (keys, frames, bursts) for the whole
 * parse. Here vgdb hands each piece of stdout over as it arrives
 * (vgdb_command_stream), leakcheck_stream parses it, and its records go to
 * the model at once: the loop is held one piece at a time. The model's
 * round begins with the first piece (or when the answer ends empty) and
 * stays open (model in_round) between pieces: front ends draw the rounds
 * before it meanwhile. A failure (vgdb's, the parse's, a truncated answer)
 * aborts the round when the answer ends, as a whole parse did. */
#include "engine_int.h"
#include "leakcheck.h"
#include "target.h"
#include "trace.h"
#include "util.h"
#include "vgdb.h"

#include <stdio.h>
#include <stdlib.h>

struct engine_checkstream {
	struct leakcheck_stream *ls;	/* NULL until the round begins */
	enum leakcheck_status st;	/* the first failure of a feed */
	struct leakcheck_error err;
	int64_t parse_ns;		/* the model's update: parse time, all pieces */
};

static struct engine_checkstream *
checkstream(struct engine *e)
{
	if (!e->checkstream)
		e->checkstream = xcalloc(1, sizeof *e->checkstream);
	return e->checkstream;
}

/* The round the answer's records go to. */
static void
round_begin(struct engine *e, struct engine_checkstream *cs)
{
	engine_check_round_begin(e);
	cs->ls = leakcheck_stream_new(model_leakcheck_cb, e->model);
	cs->st = LEAKCHECK_OK;
	cs->parse_ns = 0;
}

/* The answer is done with: the round stays (model_round_end) or not. */
static void
release(struct engine_checkstream *cs)
{
	leakcheck_stream_free(cs->ls);
	cs->ls = NULL;
}

static void
on_piece(struct vgdb *v, const char *buf, size_t len, void *ctx)
{
	struct engine *e = ctx;
	struct engine_checkstream *cs = checkstream(e);
	int64_t t0 = util_now_ns(), dt;
	char detail[64];

	(void)v;
	if (!cs->ls)
		round_begin(e, cs);
	if (cs->st == LEAKCHECK_OK)
		cs->st = leakcheck_stream_feed(cs->ls, buf, len, &cs->err);
	dt = util_now_ns() - t0;
	cs->parse_ns += dt;
	if (trace_on()) {
		snprintf(detail, sizeof detail, "%zu %.3f", len, (double)dt / 1e6);
		trace_event("piece", detail);
	}
}

/* The whole answer's parse and model update: what a parse of the whole
 * at once would have held the loop for. */
static void
trace_parse_total(int64_t ns)
{
	char detail[32];

	if (!trace_on())
		return;
	snprintf(detail, sizeof detail, "%.3f", (double)ns / 1e6);
	trace_event("check-end", detail);
}

/* The parse's failure in words; the round is aborted. */
void
engine_check_parse_failed(struct engine *e, enum leakcheck_status st,
	const struct leakcheck_error *perr)
{
	char why[256];

	if (st == LEAKCHECK_INCOMPLETE)
		snprintf(why, sizeof why, "the answer has no LEAK SUMMARY (%s)",
			target_state(e->target) == TARGET_READY ? "valgrind cut it short" :
			"nginx died during the check");
	else
		snprintf(why, sizeof why, "line %u: %s", perr->line, perr->msg);
	engine_check_failed(e, why);
}

static void
on_answer(struct vgdb *v, const struct vgdb_result *res, void *ctx)
{
	struct engine *e = ctx;
	struct engine_checkstream *cs = checkstream(e);
	struct leak_summary sum;
	enum leakcheck_status st;
	int64_t t0;

	(void)v;
	if (res->status != VGDB_OK) {
		bool ours = cs->ls != NULL;

		trace_event("check-end", "failed");
		release(cs);
		engine_check_taken(e, 0, false);
		/* cancelled: the process is gone or we are; nothing to say */
		if (res->status != VGDB_CANCELLED)
			engine_check_failed(e, res->message);
		else if (ours)
			model_round_abort(e->model);
		return;
	}
	if (!cs->ls)
		round_begin(e, cs);	/* an empty answer: the parse says so */
	t0 = util_now_ns();
	st = leakcheck_stream_end(cs->ls, &sum, &cs->err);
	cs->parse_ns += util_now_ns() - t0;
	release(cs);
	trace_parse_total(cs->parse_ns);
	if (st == LEAKCHECK_OK && engine_check_broken(e, 0, e->model, &sum)) {
		model_round_abort(e->model);
		engine_start_check(e);	/* full now; the burst's requests wait for it */
		return;
	}
	engine_check_taken(e, 0, st == LEAKCHECK_OK);
	if (st != LEAKCHECK_OK) {
		engine_check_parse_failed(e, st, &cs->err);
		return;
	}
	model_round_end(e->model, &sum, res->elapsed_ns);
	e->last_check_ns = res->elapsed_ns;
	e->last_update_ns = cs->parse_ns;
	engine_round_in(e, true);
}

void
engine_checkstream_start(struct engine *e)
{
	struct engine_checkstream *cs = checkstream(e);

	release(cs);
	trace_event("check-start", NULL);
	vgdb_command_stream(e->vgdb, engine_check_command(e, 0), engine_check_timeout(e), on_piece,
		on_answer, e);
}

void
engine_checkstream_free(struct engine *e)
{
	if (!e->checkstream)
		return;
	release(e->checkstream);
	free(e->checkstream);
	e->checkstream = NULL;
}
