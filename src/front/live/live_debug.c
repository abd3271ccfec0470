/* live_debug.c - the debugger behind the live screen: the debug target
 * ops on the engine's engine_debug_* (engine.h), and the full gdb handed
 * the terminal. The screen's struct tui_debug is the engine's
 * engine_debug_info renamed: frames and variables pass through, the
 * breakpoints are copied into a small array of ours. */
#include "live_int.h"
#include "engine.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static enum tui_debug_state
tui_state_of(enum engine_debug_state s)
{
	switch (s) {
	case ENGINE_DEBUG_LOADING:
		return TUI_DEBUG_LOADING;
	case ENGINE_DEBUG_WAITING:
		return TUI_DEBUG_WAITING;
	case ENGINE_DEBUG_STOPPED:
		return TUI_DEBUG_STOPPED;
	case ENGINE_DEBUG_STEPPING:
		return TUI_DEBUG_STEPPING;
	case ENGINE_DEBUG_RUNNING:
		return TUI_DEBUG_RUNNING;
	case ENGINE_DEBUG_DETACHING:
		return TUI_DEBUG_DETACHING;
	case ENGINE_DEBUG_HANDOFF:
		return TUI_DEBUG_HANDOFF;
	case ENGINE_DEBUG_OFF:
	default:
		return TUI_DEBUG_OFF;
	}
}

static enum engine_debug_cmd
engine_cmd_of(enum tui_debug_cmd c)
{
	switch (c) {
	case TUI_DEBUG_STEP:
		return ENGINE_DEBUG_STEP;
	case TUI_DEBUG_FINISH:
		return ENGINE_DEBUG_FINISH;
	case TUI_DEBUG_CONTINUE:
		return ENGINE_DEBUG_CONTINUE;
	case TUI_DEBUG_AGAIN:
		return ENGINE_DEBUG_AGAIN;
	case TUI_DEBUG_NEXT:
	default:
		return ENGINE_DEBUG_NEXT;
	}
}

static bool
no_engine(struct app *a, char *err, size_t errlen)
{
	if (a->engine)
		return false;
	snprintf(err, errlen, "no nginx to debug: this screen shows a recorded run");
	return true;
}

bool
live_debug_start(void *ctx, const char *file, unsigned line, const char *url, char *err,
	size_t errlen)
{
	struct app *a = ctx;

	return !no_engine(a, err, errlen) &&
		engine_debug_start(a->engine, file, line, url, err, errlen);
}

static void
copy_bps(struct app *a, const struct engine_debug_info *in, struct tui_debug *out)
{
	size_t i;

	xgrow((void **)&a->debug_bps, &a->debug_capbps, in->nbps ? in->nbps : 1,
		sizeof *a->debug_bps);
	for (i = 0; i < in->nbps; i++)
		a->debug_bps[i] = (struct tui_debug_bp){ .file = in->bps[i].file,
			.line = in->bps[i].line, .hits = in->bps[i].hits };
	out->bps = a->debug_bps;
	out->nbps = in->nbps;
}

bool
live_debug_fill(void *ctx, struct tui_debug *out)
{
	struct app *a = ctx;
	const struct engine_debug_info *in = a->engine ? engine_debug(a->engine) : NULL;

	if (!in)
		return false;
	*out = (struct tui_debug){
		.state = tui_state_of(in->state), .url = in->url, .why = in->why, .note = in->note,
		.note_error = in->note_error, .frames = in->frames, .nframes = in->nframes,
		.frame = in->frame, .vars = in->vars, .nvars = in->nvars, .requests = in->requests,
		.answered = in->answered, .last_status = in->last_status, .load_ms = in->load_ms,
		.stop_ms = in->stop_ms, .step_ms = in->step_ms,
	};
	copy_bps(a, in, out);
	return true;
}

bool
live_debug_run(void *ctx, enum tui_debug_cmd c, char *err, size_t errlen)
{
	struct app *a = ctx;

	return !no_engine(a, err, errlen) &&
		engine_debug_run(a->engine, engine_cmd_of(c), err, errlen);
}

bool
live_debug_frame(void *ctx, size_t level, char *err, size_t errlen)
{
	struct app *a = ctx;

	return !no_engine(a, err, errlen) && engine_debug_frame(a->engine, level, err, errlen);
}

bool
live_debug_eval(void *ctx, const char *expr, char *err, size_t errlen)
{
	struct app *a = ctx;

	return !no_engine(a, err, errlen) && engine_debug_eval(a->engine, expr, err, errlen);
}

bool
live_debug_toggle(void *ctx, const char *file, unsigned line, char *err, size_t errlen)
{
	struct app *a = ctx;

	return !no_engine(a, err, errlen) &&
		engine_debug_toggle(a->engine, file, line, err, errlen);
}

bool
live_debug_check(void *ctx, char *err, size_t errlen)
{
	struct app *a = ctx;

	return !no_engine(a, err, errlen) && engine_debug_check(a->engine, err, errlen);
}

void
live_debug_detach(void *ctx)
{
	struct app *a = ctx;

	if (a->engine && engine_debug(a->engine))
		engine_debug_detach(a->engine);
}

bool
live_debug_busy(const struct app *a)
{
	const struct engine_debug_info *in = a->engine ? engine_debug(a->engine) : NULL;

	return in && (in->state == ENGINE_DEBUG_LOADING || in->state == ENGINE_DEBUG_WAITING);
}

void
live_debug_free(struct app *a)
{
	free(a->debug_bps);
	a->debug_bps = NULL;
	a->debug_capbps = 0;
}
