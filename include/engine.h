/* engine.h - the spine: target + burst + vgdb + parser + model.
 *
 * Front ends (batch, TUI) drive it with actions and listen to its events;
 * it never draws and never blocks: everything runs on the evloop. */
#ifndef LT_ENGINE_H
#define LT_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "burst.h"
#include "target.h"

struct evloop;
struct engine;
struct model;
struct reqset;

enum engine_phase {
	ENGINE_NEW,
	ENGINE_STARTING,	/* valgrind + nginx starting */
	ENGINE_IDLE,		/* ready, nothing running */
	ENGINE_BURST,		/* requests in flight */
	ENGINE_CHECK,		/* leak check running in valgrind */
	ENGINE_DEBUG,		/* gdb is attached (engine_debug): no burst or check behind its back */
	ENGINE_RELOAD,		/* SIGHUP sent, waiting for the new cycle to serve; a check follows */
	ENGINE_STOPPING,
	ENGINE_DEAD,		/* nginx exited (see engine_reason) */
};

const char *engine_phase_name(enum engine_phase p);

enum engine_event {
	ENGINE_EV_PHASE,	/* phase changed */
	ENGINE_EV_ROUND,	/* a check completed and the model has a new round */
	ENGINE_EV_ERROR,	/* engine_message() has a one-line error */
	ENGINE_EV_WARNING,	/* engine_message() has a warning, the engine goes on */
	ENGINE_EV_MEMERROR,	/* a memcheck error arrived, or valgrind's counts of them (engine_errors()) */
	ENGINE_EV_EXIT_REPORT,	/* the exit leak report is in (engine_exit_model()) */
	ENGINE_EV_DEBUG,	/* the debugger's state or what it shows changed (engine_debug()) */
};

typedef void (*engine_cb)(struct engine *e, enum engine_event ev, void *ctx);

struct engine_opts {
	struct target_opts target;
	struct burst_spec burst;	/* urls may be paths ("/x"): resolved against nginx */
	const char *vgdb;	/* resolved path */
	char **alloc_fns;
	size_t nalloc_fns;
	int64_t check_timeout_ms;
	const char *check_command;	/* NULL: "leak_check full reachable any", then "changed" */
	/* --full-checks: every check asks for every record (`any`), none
	 * for what changed since the previous one (`changed`) */
	bool full_checks;
	const char *sessionfile;	/* session file to append every round to, or NULL */
	const char *nginx_version;	/* for the session file's header */
	bool debug_palloc;
	const char *gdb;	/* gdb for the debugger, NULL: "gdb" from PATH */
	/* --break FILE:LINE: after the baseline, bursts run under gdb until
	 * each was hit once (its backtrace and locals: ENGINE_EV_DEBUG with
	 * engine_debug()->hit set), then gdb detaches */
	char **breaks;
	size_t nbreaks;
	/* A check every this many ms when idle (--every; attach mode's
	 * clock: the traffic is someone else's), 0 = none. */
	int64_t every_ms;
	/* HTTP/2 or not: 20 (--http2), 11 (--http1.1), 0: as nginx's listen
	 * says (`http2`: HTTP/2; over TLS by ALPN, cleartext by prior
	 * knowledge). With workers, the streams spread over one connection
	 * per worker. */
	int http_version;
	/* The set burst.urls/reqs came from (not owned; NULL: plain -u URLs
	 * or "/"): names, sources and entries of the kinds, and the defaults
	 * of the editor's new kinds. */
	const struct reqset *reqs;
	/* Suppressions: the files go to valgrind as they are (and the
	 * default set, unless default_supp is false, from a file in the
	 * private directory); supp (all of them, read) judges the model's
	 * sites for what valgrind did not see (attach, rows suppressed live);
	 * engine_supp_add adds to it (NULL: the engine makes its own). */
	struct supp *supp;
	char **supp_files;
	size_t nsupp_files;
	bool default_supp;
};

struct engine *engine_new(struct evloop *loop, const struct engine_opts *opts,
	engine_cb cb, void *ctx);
void engine_free(struct engine *e);

/* Add the suppressions of text (named name in errors: "NAME:LINE: ...")
 * to the engine's set and judge every model it holds again: the sites
 * they match are hidden and counted (model_suppressed). valgrind, already
 * running, is not told. False + a one-line err, the set unchanged. */
bool engine_supp_add(struct engine *e, const char *name, const char *text, char *err,
	size_t errlen);

/* Start nginx; once it is ready the engine runs a baseline check (round 0)
 * by itself. False with a one-line err if nothing could be started. */
bool engine_start(struct engine *e, char *err, size_t errlen);

/* Actions: false (and nothing happens) unless the engine is idle. */
bool engine_burst(struct engine *e);
bool engine_check(struct engine *e);
bool engine_burst_check(struct engine *e);
/* Auto mode: burst + check again and again until turned off. */
void engine_set_auto(struct engine *e, bool on);
bool engine_auto(const struct engine *e);
/* Graceful stop of nginx; phase goes STOPPING then DEAD. */
void engine_stop(struct engine *e);
/* Change the burst size / concurrency for the next bursts. */
void engine_set_shape(struct engine *e, unsigned long requests, unsigned concurrency);

/* Replace the URL set for the next bursts (paths resolve against nginx as
 * at start). False with engine_message() set if one cannot be resolved. */
bool engine_set_urls(struct engine *e, char **urls, size_t nurls);
/* Replace the kinds (reqset.h): urls as written ("/x", "tcp:" for the
 * default stream server) with their burst_req (names for attribution).
 * Loopback only, as at start. False with engine_message() set. */
bool engine_set_reqs(struct engine *e, char **urls, const struct burst_req *reqs, size_t n);
/* The kinds of request the bursts send, as the front ends show them:
 * where each goes (resolved), how, and what the set of kinds (reqset.h)
 * knows of it. Valid until the kinds change; NULL/0 before nginx is up
 * or when attached without requests. */
struct engine_kind {
	const char *name;	/* what attribution calls it (sites' urls) */
	const char *protocol;	/* "http", "https", "h2", "h2c", "tcp" */
	const char *method;	/* NULL for tcp */
	const char *target;	/* the URL or tcp://HOST:PORT */
	unsigned long weight;
	const char *source;	/* "-u", "api.http:12", "--send hello.bin" */
	const char *entry;	/* the kind editor's text that makes it again */
};
const struct engine_kind *engine_kinds(const struct engine *e, size_t *n);
/* Replace the kinds by editor entries (reqset.h's forms), built on the
 * set the engine was given (opts.reqs: its -X/-H/-d defaults). False
 * with a one-line err. */
bool engine_set_kinds(struct engine *e, char **entries, size_t n, char *err, size_t errlen);
/* How the bursts talk to nginx, for the header and the reports:
 * "HTTP/1.1", "HTTPS", "HTTP/2 (TLS)", "HTTP/2 (h2c)", "TCP", joined by
 * " + " when the kinds mix them ("HTTPS + TCP"). */
const char *engine_protocol(const struct engine *e);

enum engine_phase engine_phase(const struct engine *e);
struct model *engine_model(const struct engine *e);
/* nginx's (and valgrind's) pid, 0 before the start. */
long engine_pid(const struct engine *e);
/* Where vgdb's FIFOs are, for a second client (benchmarks); "" before. */
const char *engine_vgdb_prefix(const struct engine *e);
/* Why nginx is not running, one line ("" while it runs). */
const char *engine_end_reason(const struct engine *e);
/* nginx exited (crashed, killed, valgrind gave up) without engine_stop. */
bool engine_ended_unasked(const struct engine *e);
/* Last lines of valgrind's/nginx's stderr and nginx's error log, escaped;
 * the caller frees it. */
char *engine_log_tail(const struct engine *e, size_t max_lines);
/* Stats of the current or last burst; NULL before the first. */
const struct burst_stats *engine_burst_stats(const struct engine *e);
/* Of those, the requests that failed (transport errors, non-2xx/3xx). */
unsigned long engine_burst_failed(const struct engine *e);
const struct burst_spec *engine_burst_spec(const struct engine *e);
const char *engine_message(const struct engine *e);
/* The session file being written, NULL if none. */
const char *engine_sessionfile_path(const struct engine *e);
/* ms the running leak check has taken, -1 if none runs. */
int64_t engine_check_running_ms(const struct engine *e);
/* Last completed check: vgdb round trip and parse+model time. */
int64_t engine_last_check_ns(const struct engine *e);
int64_t engine_last_update_ns(const struct engine *e);
/* memcheck errors seen so far (never NULL once started). */
struct memerrors *engine_errors(const struct engine *e);
/* valgrind's exit-time leak report, NULL until nginx exited gracefully. */
struct model *engine_exit_model(const struct engine *e);
uint64_t engine_total_requests(const struct engine *e);

/* The owner search (what holds a still-reachable site): its monitor
 * commands and milliseconds, in the last round that ran one, in each
 * (rounds of them, per_round), and in all. */
struct engine_owner_round {
	unsigned round;		/* the model's round it followed */
	unsigned commands;
	double ms;
};
struct engine_owner_cost {
	unsigned last_commands;
	double last_ms;
	unsigned rounds;	/* rounds that ran a search */
	uint64_t commands;
	double ms;
	const struct engine_owner_round *per_round;	/* rounds entries, or NULL */
};
void engine_owner_cost(const struct engine *e, struct engine_owner_cost *c);
uint64_t engine_total_failed(const struct engine *e);

/* ---- processes: a master and its workers (engine_procs.c) ----
 *
 * Every check runs on every live process at once (one vgdb each: one
 * command at a time per pid, the pids in parallel) and makes one round:
 * each process's answer goes to its own model and all of them to
 * engine_model(), which sums them per site (model_site.sources: the
 * pids). A process that appears later (a respawned worker, the workers
 * of a reload) is checked from the next round on, its first check its
 * own baseline; one that exits keeps its model and rounds. */
struct engine_proc {
	long pid;
	enum target_role role;
	bool alive;
	unsigned generation;	/* reloads before it appeared */
	long first_round, last_round;	/* rounds of engine_model() it is in, -1 none */
	/* Requests it answered, told by the connection that carried them
	 * (sockowner.h); requests_known false without held connections. */
	uint64_t requests;
	bool requests_known;
	char end[96];		/* how it ended ("killed by signal 11 (SIGSEGV)"), "" alive */
	struct model *model;	/* its own rounds */
};
size_t engine_nprocs(const struct engine *e);
/* "master", "worker", "single" */
const char *engine_role_name(enum target_role r);
const struct engine_proc *engine_proc(const struct engine *e, size_t i);

/* What a front end can look at: view 0 = every process merged
 * (engine_model()); with a master, view 1 = its workers merged; then one
 * view per process in engine_proc order. name gets "all", "workers",
 * "worker 1234" (+ " (exited)"), "master 1233". NULL past the last. */
size_t engine_nviews(const struct engine *e);
struct model *engine_view(const struct engine *e, size_t v, char *name, size_t len);

/* Reload (master mode): SIGHUP, wait until the new cycle serves, then a
 * check of the master and the new workers: a round with reloads = 1 and
 * no burst. A reload nginx refuses (a config error on disk) is an
 * ENGINE_EV_WARNING with nginx's message, and the old cycle goes on.
 * False (with err) unless idle with a master; a single-process nginx
 * cannot reload safely (see target.h). */
bool engine_reload(struct engine *e, char *err, size_t errlen);
unsigned engine_reloads(const struct engine *e);
bool engine_attached(const struct engine *e);
bool engine_master(const struct engine *e);	/* a master and workers */

/* ---- the debugger (engine_debug*.c): gdb through nginx's gdbserver ----
 *
 * gdb attaches to the nginx being checked through the same vgdb prefix;
 * while it is attached the engine is in ENGINE_DEBUG: no burst or check
 * goes to vgdb behind its back (one client per gdbserver), auto mode
 * waits, and leak checks go through gdb's `monitor`. Requests that reach
 * the breakpoint are sent one at a time with no timeout (a request held
 * at a breakpoint waits as long as the user thinks). */

enum engine_debug_state {
	ENGINE_DEBUG_OFF,	/* no gdb */
	ENGINE_DEBUG_LOADING,	/* gdb reads nginx's symbols, then attaches */
	ENGINE_DEBUG_WAITING,	/* nginx runs; requests go out until a breakpoint is hit */
	ENGINE_DEBUG_STOPPED,	/* nginx stopped: step, look, check */
	ENGINE_DEBUG_STEPPING,	/* next/step/finish in flight */
	ENGINE_DEBUG_RUNNING,	/* continued: nginx runs under gdb, breakpoints armed */
	ENGINE_DEBUG_DETACHING,
	ENGINE_DEBUG_HANDOFF,	/* a full gdb has the terminal (engine_debug_handoff) */
};

const char *engine_debug_state_name(enum engine_debug_state s);

struct gdbmi_frame;
struct gdbmi_var;

struct engine_debug_bp {
	char *file;		/* as asked: a basename or a path */
	unsigned line;
	unsigned number;	/* gdb's, 0 if not (yet) set */
	unsigned hits;
};

/* What the debugger shows; valid until the next event. */
struct engine_debug_info {
	enum engine_debug_state state;
	const char *url;	/* requests go to this URL, NULL: the URL set round robin */
	const char *why;	/* why nginx stopped: "breakpoint 1 hit", "end of step", ... */
	const char *note;	/* last progress or answer, one line: "p = (void *) 0x4b80d80" */
	bool note_error;	/* note is an error (gdb said ^error, a line never reached) */
	const struct gdbmi_frame *frames;	/* the stopped thread's backtrace */
	size_t nframes;
	size_t frame;		/* the selected one */
	const struct gdbmi_var *vars;	/* its arguments and locals */
	size_t nvars;
	const struct engine_debug_bp *bps;
	size_t nbps;
	unsigned long requests;	/* sent since the debugger started */
	unsigned long answered;
	int last_status;	/* HTTP status of the last answered request, 0 none */
	int64_t load_ms;	/* while LOADING: ms since gdb started */
	int64_t stop_ms;	/* engine_debug_start to the first stop, -1 before */
	int64_t step_ms;	/* the last next/step/finish: sent to stopped and shown, -1 none */
	/* --break: the breakpoint this stop is the first hit of, else NULL */
	const struct engine_debug_bp *hit;
};

/* Attach gdb and stop at file:line (the basename or path of a frame),
 * sending requests to url (NULL: the URL set, round robin) until it is
 * reached - at most ENGINE_DEBUG_MAX_REQUESTS requests or
 * ENGINE_DEBUG_MAX_MS, then a note says it was not. Only when idle (a
 * running burst or check is not cut). */
#define ENGINE_DEBUG_MAX_REQUESTS 50
#define ENGINE_DEBUG_MAX_MS 20000
bool engine_debug_start(struct engine *e, const char *file, unsigned line, const char *url,
	char *err, size_t errlen);

enum engine_debug_cmd {
	ENGINE_DEBUG_NEXT,
	ENGINE_DEBUG_STEP,
	ENGINE_DEBUG_FINISH,
	ENGINE_DEBUG_CONTINUE,
	ENGINE_DEBUG_AGAIN,	/* running: send requests again until a breakpoint is hit */
};
/* false (with err) unless the state allows it (stepping needs STOPPED). */
bool engine_debug_run(struct engine *e, enum engine_debug_cmd c, char *err, size_t errlen);
/* Select frame level of the backtrace: its locals follow. */
bool engine_debug_frame(struct engine *e, size_t level, char *err, size_t errlen);
/* Evaluate an expression in the selected frame; the answer is the note. */
bool engine_debug_eval(struct engine *e, const char *expr, char *err, size_t errlen);
/* Set a breakpoint at file:line, or delete the one there. */
bool engine_debug_toggle(struct engine *e, const char *file, unsigned line, char *err, size_t errlen);
/* A leak check through gdb's monitor: a round as any other (ENGINE_EV_ROUND). */
bool engine_debug_check(struct engine *e, char *err, size_t errlen);
/* Detach: breakpoints removed, nginx runs on, the request in flight
 * completes; the engine goes back to IDLE (and auto mode resumes). */
void engine_debug_detach(struct engine *e);
/* A full gdb on the terminal: the MI gdb detaches (breakpoints removed,
 * nginx runs on) and the engine goes to HANDOFF; then
 * engine_debug_handoff_argv() is a gdb's argv (NULL terminated, the
 * engine's) attached the same way with the same breakpoints, which
 * signals ngx-leaktop (SIGUSR1, from gdb's python) once attached so that
 * requests go out to reach them. The engine stays in ENGINE_DEBUG until
 * engine_debug_handoff_done() (that gdb exited). */
bool engine_debug_handoff(struct engine *e, char *err, size_t errlen);
char *const *engine_debug_handoff_argv(const struct engine *e);
void engine_debug_handoff_done(struct engine *e);
/* The stop's backtrace, then the selected frame's arguments and locals,
 * one per line, escaped; malloc'd ("" while off). */
char *engine_debug_text(const struct engine *e);
/* --break point i (of engine_opts.breaks) was hit. */
bool engine_break_hit(const struct engine *e, size_t i);
/* The --break points with the evidence of their first hits (for the
 * JSON report); NULL (*n 0) before the first burst. */
struct report_break;
const struct report_break *engine_breaks(const struct engine *e, size_t *n);
/* NULL while the debugger is off. */
const struct engine_debug_info *engine_debug(const struct engine *e);

#endif
