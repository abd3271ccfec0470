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

enum engine_phase {
	ENGINE_NEW,
	ENGINE_STARTING,	/* valgrind + nginx starting */
	ENGINE_IDLE,		/* ready, nothing running */
	ENGINE_BURST,		/* requests in flight */
	ENGINE_CHECK,		/* leak check running in valgrind */
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
};

typedef void (*engine_cb)(struct engine *e, enum engine_event ev, void *ctx);

struct engine_opts {
	struct target_opts target;
	struct burst_spec burst;	/* urls may be paths ("/x"): resolved against nginx */
	const char *vgdb;	/* resolved path */
	char **alloc_fns;
	size_t nalloc_fns;
	int64_t check_timeout_ms;
	const char *check_command;	/* NULL: "leak_check full reachable any" */
	const char *sessionfile;	/* session file to append every round to, or NULL */
	const char *nginx_version;	/* for the session file's header */
	bool debug_palloc;
};

struct engine *engine_new(struct evloop *loop, const struct engine_opts *opts,
	engine_cb cb, void *ctx);
void engine_free(struct engine *e);

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

#endif
