/* engine_debug_int.h - inside the debugger: engine_debug.c drives gdb
 * (attach, stops, steps, checks through its monitor, detach),
 * engine_debug_req.c sends the requests that reach a breakpoint and runs
 * the batch's --break rounds. Private to src/engine/. */
#ifndef LT_ENGINE_DEBUG_INT_H
#define LT_ENGINE_DEBUG_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "engine.h"
#include "gdbmi.h"

#define ATTACH_TIMEOUT_MS 60000	/* symbols read, vgdb attached */
#define CMD_TIMEOUT_MS 15000
#define DETACH_WAIT_MS 5000	/* then gdb is killed */
#define PAUSE_WAIT_MS 5000	/* for nginx to stop on -exec-interrupt */

/* What to do once gdb has stopped nginx for us (-exec-interrupt): the
 * work that needs a stopped target while it runs. */
enum debug_then {
	DEBUG_THEN_NONE,
	DEBUG_THEN_CHECK,	/* monitor leak_check, then continue */
	DEBUG_THEN_TOGGLE,	/* the toggle asked, then continue */
	DEBUG_THEN_DETACH,	/* detach (and maybe hand off) */
};

struct engine_debug {
	struct gdbmi *gdb;
	enum engine_debug_state state;
	struct engine_debug_info info;
	char *url;		/* as given (the model's name), NULL: round robin */
	size_t url_index;	/* into the engine's URLs when url is set */
	struct engine_debug_bp *bps;
	size_t nbps;
	struct gdbmi_frame *frames;
	size_t nframes, frame;
	struct gdbmi_var *vars;
	size_t nvars;
	char thread[24];	/* the stopped thread's id ("1") */
	char why[256];
	char note[768];
	char eval_expr[256];
	bool note_error;
	int64_t started_ns, step_sent_ns, stop_ms, step_ms;
	bool first_stop_seen;
	bool timing_step;	/* the next stop ends a next/step/finish: its time is step_ms */
	bool attaching;		/* until target remote answered: its stop is valgrind's */
	/* the pause: interrupting for a job, and the job */
	bool interrupting;
	enum debug_then then;
	char *toggle_file;
	unsigned toggle_line;
	bool resume_after;	/* continue once the job is done */
	bool handoff;		/* the detach hands the terminal to a full gdb */
	char **handoff_argv;
	bool auto_was;		/* auto mode before the debugger paused it */
	bool deferred;		/* asked in auto mode: attach once the round is in */
	/* batch (--break): print the first hit of each, continue */
	bool batch;
	bool batch_then_check;
	bool after_close_check;	/* batch: the burst's check follows the detach */
	const struct engine_debug_bp *hit;
	bool stopping;		/* engine_stop asked: detach, then stop */
	uint64_t detach_timer;
	uint64_t close_timer;
	uint64_t pause_timer;
	bool closing;		/* gdb is gone; the held request still runs */
	/* the requests (engine_debug_req.c) */
	struct burst *req;
	unsigned long requests, answered;
	int last_status;
	bool sending;		/* sending until a breakpoint is hit */
	uint64_t send_timer;	/* ENGINE_DEBUG_MAX_MS */
	unsigned long send_budget;
	unsigned long sent_before;	/* requests before this sending began */
	bool send_expired;
};

/* engine_debug.c: tell the front end (set_note: with a one-line note);
 * gdb's reason for a failed command; queue a command to gdb; nginx runs
 * on under gdb (in state st); forget the stop; ask the selected frame's
 * locals. */
void engine_debug_set_note(struct engine *e, bool error, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void engine_debug_changed(struct engine *e);
const char *engine_debug_why(struct engine *e, const struct gdbmi_record *res);
bool engine_debug_failed(const struct gdbmi_record *res);
bool engine_debug_command(struct engine *e, const char *cmd, int64_t timeout_ms, gdbmi_done_cb cb);
void engine_debug_run_on(struct engine *e, enum engine_debug_state st);
void engine_debug_clear_stop(struct engine_debug *d);
void engine_debug_ask_vars(struct engine *e);
/* engine_debug_end.c: gdb has left after a detach (hand off, or end);
 * end from the loop's next pass (not inside gdb's own callback). */
void engine_debug_gdb_gone(struct engine *e);
void engine_debug_close_later(struct engine *e);
/* The debug session (gdb started, attaching), for the screen or --break. */
bool engine_debug_open(struct engine *e, bool batch, char *err, size_t errlen);
/* gdb and the requests are gone: the engine is back to idle. */
void engine_debug_close(struct engine *e);
/* The stop at a breakpoint of the batch: evidence taken, go on. */
void engine_debug_batch_resume(struct engine *e, const struct engine_debug_bp *bp);

/* engine_debug_bp.c: breakpoints as asked, by file:line or gdb's number;
 * insert one into gdb; toggle one (nginx stopped). */
struct engine_debug_bp *engine_debug_bp_find(struct engine_debug *d, const char *file, unsigned line);
struct engine_debug_bp *engine_debug_bp_add(struct engine_debug *d, const char *file, unsigned line);
void engine_debug_bp_remove(struct engine_debug *d, struct engine_debug_bp *bp);
struct engine_debug_bp *engine_debug_bp_by_number(struct engine_debug *d, unsigned n);
void engine_debug_bp_insert(struct engine *e, struct engine_debug_bp *bp);
void engine_debug_toggle_now(struct engine *e, const char *file, unsigned line);

/* engine_debug_cmd.c: the job that waited for nginx to stop (then
 * continue if asked); get nginx stopped for a job (at once when it is);
 * detach now that nginx is stopped. */
void engine_debug_do_job(struct engine *e);
void engine_debug_pause(struct engine *e, enum debug_then then, bool resume);
void engine_debug_detach_now(struct engine *e);

/* engine_debug_req.c: start sending requests until a breakpoint is hit
 * (bounded); stop sending (the one in flight goes on); gone: abort it. */
void engine_debug_req_send(struct engine *e);
void engine_debug_req_stop(struct engine *e);
void engine_debug_req_free(struct engine *e);
bool engine_debug_req_in_flight(const struct engine *e);
/* The full gdb's argv (attached like ours, with the breakpoints). */
char **engine_debug_req_gdb_argv(const struct engine *e);

#endif
