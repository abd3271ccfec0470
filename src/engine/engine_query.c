/* engine_query.c - what the front ends read of the engine: its phase,
 * the model, the burst's figures, why nginx ended, its logs. */
#include "engine_int.h"
#include "burst.h"
#include "memerrors.h"
#include "model.h"
#include "sessionfile.h"
#include "target.h"
#include "util.h"
#include "vgdb.h"
#include "xmlstream.h"

#include <stdio.h>
#include <stdlib.h>

enum engine_phase
engine_phase(const struct engine *e)
{
	return e->phase;
}

struct model *
engine_model(const struct engine *e)
{
	return e->model;
}

long
engine_pid(const struct engine *e)
{
	return e->target ? (long)target_pid(e->target) : 0;
}

const char *
engine_vgdb_prefix(const struct engine *e)
{
	return e->target ? target_vgdb_prefix(e->target) : "";
}

const char *
engine_end_reason(const struct engine *e)
{
	const char *why = e->target ? target_reason(e->target) : "";

	return *why ? why : e->message;
}

bool
engine_ended_unasked(const struct engine *e)
{
	return e->target && target_state(e->target) == TARGET_EXITED &&
		!target_stopped_by_us(e->target);
}

char *
engine_log_tail(const struct engine *e, size_t max_lines)
{
	return e->target ? target_log_tail(e->target, max_lines) : xstrdup("");
}

unsigned long
engine_burst_failed(const struct engine *e)
{
	const struct burst_stats *st = engine_burst_stats(e);

	return st ? burst_failed(st) : 0;
}

const struct burst_stats *
engine_burst_stats(const struct engine *e)
{
	return e->burst && e->have_stats ? burst_stats(e->burst) : NULL;
}

const struct burst_spec *
engine_burst_spec(const struct engine *e)
{
	return e->urls ? &e->spec : &e->opts.burst;
}

const char *
engine_message(const struct engine *e)
{
	return e->message;
}

int64_t
engine_check_running_ms(const struct engine *e)
{
	return e->phase == ENGINE_CHECK && e->vgdb ? vgdb_running_ms(e->vgdb) : -1;
}

int64_t
engine_last_check_ns(const struct engine *e)
{
	return e->last_check_ns;
}

int64_t
engine_last_update_ns(const struct engine *e)
{
	return e->last_update_ns;
}

const char *
engine_sessionfile_path(const struct engine *e)
{
	return e->sessionfile ? sessionfile_path(e->sessionfile) : NULL;
}

struct memerrors *
engine_errors(const struct engine *e)
{
	return e->xml ? xmlstream_errors(e->xml) : NULL;
}

uint64_t
engine_total_requests(const struct engine *e)
{
	return e->total_requests;
}

uint64_t
engine_total_failed(const struct engine *e)
{
	return e->total_failed;
}

bool
engine_auto(const struct engine *e)
{
	return e->auto_mode;
}

const char *
engine_phase_name(enum engine_phase p)
{
	static const char *names[] = {
		"new", "starting", "ready", "burst", "checking", "debugging", "reloading", "stopping",
		"exited",
	};

	return p < LT_ARRAY_SIZE(names) ? names[p] : "?";
}

