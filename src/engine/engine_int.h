/* engine_int.h - inside the engine: engine.c runs the rounds (start,
 * bursts, leak checks, stop), engine_query.c answers what the front ends
 * read. Private to src/engine/. */
#ifndef LT_ENGINE_INT_H
#define LT_ENGINE_INT_H

#include <stdbool.h>
#include <stdint.h>
#include "engine.h"
#include "burst.h"
#include "model.h"

#define DEFAULT_CHECK "leak_check full reachable any"
/* How long a stop waits for the leak check in flight (see engine_stop). */
#define STOP_CHECK_WAIT_MS 5000

/* One nginx process (engine_procs.c). */
struct eproc {
	struct engine_proc pub;
	struct engine *e;
	struct vgdb *vgdb;	/* its gdbserver's */
	bool asked;		/* in the round being checked */
	bool in_check;		/* its answer is awaited */
	bool cancelled;		/* it exited while asked */
	bool ok;
	char *out;		/* its answer, until the round is built */
	size_t outlen;
	int64_t check_ns;
	char fail[256];
	uint64_t round_requests;	/* answered since its last check */
	struct xmlstream *xml;	/* a worker's own XML file (its errors join the master's) */
	struct follow *follow;
	bool warned_idle;	/* "got no requests" said */
};

/* engine_checkmode.c: per process, whether its next check may ask for
 * what changed only (the model holds what valgrind's previous search
 * found), and whether the check in flight did. */
struct engine_chain {
	long pid;
	bool intact;
	bool asked_delta;
};

struct engine {
	struct evloop *loop;
	struct engine_opts opts;
	engine_cb cb;
	void *ctx;
	enum engine_phase phase;
	struct target *target;
	struct vgdb *vgdb;
	struct burst *burst;
	struct engine_chain *chains;	/* engine_checkmode.c */
	size_t nchains, capchains;
	struct burst_spec spec;	/* with resolved URLs */
	char **urls;
	struct model *model;
	struct xmlstream *xml;	/* valgrind's XML: memcheck errors, exit report */
	struct model *exit_model;	/* engine_exit.c: every process's exit report */
	bool exit_closed;
	struct follow *follow;
	struct sessionfile *sessionfile;
	bool sessionfile_failed;	/* warned once; later rounds are not written */
	bool auto_mode;
	bool check_after_burst;
	bool stop_after_check;	/* a stop waits for the check in flight */
	uint64_t stop_wait_timer;
	bool have_stats;
	uint64_t burst_requests, burst_failed;	/* of the burst before the next check */
	uint64_t total_requests, total_failed;
	int64_t last_check_ns, last_update_ns;
	char message[640];
	/* engine_urls.c: the model id of each burst URL, and per model id the
	 * requests that reached nginx since the last check */
	uint32_t *url_ids;
	uint64_t *url_acc;
	size_t cap_url_acc;
	bool warned_conn_closed;
	char protocol[64];	/* engine_protocol */
	struct reqset *kinds_set;	/* engine_set_kinds' last set, or NULL */
	struct engine_kind *kinds;	/* engine_kinds' answer */
	bool warned_version;	/* HTTP/2 asked, HTTP/1.x answered: said */
	struct engine_owner *owner;	/* the owner search (engine_owner.c) */
	int burst_after_search;
	struct engine_debug *debug;	/* the debugger, NULL while off */
	struct report_break *breaks;	/* per opts.breaks: the first hit's evidence */
	bool breaks_off;	/* gdb could not start: the rounds go on without */
	/* engine_procs.c: nginx's processes; e->vgdb is the main one's */
	struct eproc **procs;
	size_t nprocs, cap_procs;
	struct model *workers_model;	/* with a master: the workers merged */
	unsigned pending;	/* answers a round still waits for */
	int64_t round_t0;	/* when its checks were asked */
	unsigned worker_deaths;	/* workers that died on their own */
	unsigned round_reloads;	/* reloads since the last round */
	int warm_tries;		/* reconnects so far to reach every worker */
	bool rewarm;		/* a reload: the next burst opens new connections first */
	uint64_t every_timer;
	/* the owner search's process: its model (recno) and its vgdb */
	struct model *owner_model;
	struct supp *own_supp;	/* engine_supp.c: the set when opts.supp was NULL */
	struct vgdb *owner_vgdb;
	struct engine_checkstream *checkstream;	/* engine_checkstream.c */
};

/* engine_procs.c: the processes (target_proc events), the check of all
 * of them at once and the round they make; engine_round_in: the round is
 * in the models (engine.c: saved, searched, announced). */
bool engine_procs_multi(const struct engine *e);
/* A model with the engine's allocators and suppressions. */
struct model *engine_model_new(const struct engine *e);
/* A process's XML read to its end (it exited, or nginx is gone). */
void engine_procs_finish_xml(struct eproc *p);

/* engine_exit.c: valgrind's exit reports of every process, as one. */
void engine_exit_start(struct engine *e);
void engine_exit_follow(struct engine *e, struct xmlstream *xs, long pid);
void engine_exit_finish(struct engine *e);
void engine_exit_free(struct engine *e);
void engine_procs_init(struct engine *e);
void engine_procs_free(struct engine *e);
void engine_procs_cancel(struct engine *e);
void engine_procs_check(struct engine *e);
void engine_round_in(struct engine *e, bool search);
/* Pick the process the owner search asks (false: none); copy what it
 * found into the merged models by stack. */
bool engine_procs_owner(struct engine *e);
void engine_procs_single_round(struct engine *e);
/* The process gdb attaches to: with workers, the first of the current
 * cycle (requests run there), else nginx's one process. */
long engine_procs_debug_pid(const struct engine *e);
void engine_procs_holders(struct engine *e);
/* engine_reload.c: a burst's requests per worker (by the connections that
 * carried them); true if the warm-up must run again to reach every
 * worker (it was restarted); the clock of --every. */
void engine_reload_burst_done(struct engine *e);
bool engine_reload_warm_again(struct engine *e, burst_done_cb cb);
void engine_reload_every(struct engine *e);
void engine_reload_free(struct engine *e);

/* engine_urls.c: intern the burst's URLs (after they were resolved); add a
 * finished burst's per-URL counts (true once: warn that nginx closed held
 * connections); hand the counts to the round begun; clear them once the
 * round is in; free. */
void engine_urls_intern(struct engine *e, char **in, const struct burst_req *reqs, size_t nin);
bool engine_urls_burst_done(struct engine *e, const struct burst *burst,
	const struct burst_stats *st);
void engine_urls_round(struct engine *e, struct model *m);
void engine_urls_clear(struct engine *e);
void engine_urls_free(struct engine *e);
/* "/path" resolved against nginx's address, "tcp:" against its stream
 * server; the kinds replaced (then engine_proto_decide). */
bool engine_resolve_reqs(struct engine *e, char **in, const struct burst_req *reqs, size_t nin);
/* engine_proto.c: HTTP/2 or not, the streams per connection, and the
 * protocol the header shows, for the kinds just resolved; a burst's
 * answers against what was asked (warned once). */
void engine_proto_decide(struct engine *e);
/* How a resolved kind's URL goes: plain HTTP, over TLS, or raw TCP. */
enum engine_scheme { ENGINE_HTTP, ENGINE_HTTPS, ENGINE_TCP };
enum engine_scheme engine_url_scheme(const char *url);
void engine_proto_burst_done(struct engine *e, const struct burst_stats *st);
void engine_kinds_free(struct engine *e);
/* engine_supp.c: the set it made for engine_supp_add. */
void engine_supp_free(struct engine *e);
void engine_free_urls(struct engine *e);

/* engine.c's services for its other files: tell the front end; change
 * the phase (told); a one-line message (told as ev). */
void engine_emit(struct engine *e, enum engine_event ev);
void engine_set_phase(struct engine *e, enum engine_phase p);
void engine_report(struct engine *e, enum engine_event ev, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A burst (then a check) / a check now: the rounds' own steps. */
bool engine_start_burst(struct engine *e, bool then_check);
void engine_start_check(struct engine *e);
/* A leak check's answer, however it came (vgdb, or gdb's monitor): the
 * round it makes; search: then look for the holders (vgdb only). */
void engine_check_text(struct engine *e, const char *out, size_t outlen, int64_t elapsed_ns,
	bool search);
void engine_check_failed(struct engine *e, const char *what);

/* engine_debug*.c: the debugger, seen from the rounds. free: nginx or
 * the engine is gone, no detach. stop: engine_stop while debugging gives
 * nginx back first; true: the stop waits for that (and comes back).
 * breaks: --break points not yet hit; batch_attach: attach gdb with them,
 * then run the burst under it; batch_detach: the burst is done, give
 * nginx back, then check (true: the check waits for it). */
struct engine_debug;
void engine_debug_free(struct engine *e);
void engine_debug_breaks_free(struct engine *e);
bool engine_debug_stop(struct engine *e);
bool engine_debug_breaks_pending(const struct engine *e);
bool engine_debug_batch_attach(struct engine *e, bool then_check);
bool engine_debug_batch_detach(struct engine *e);
/* d in auto mode waited for the round in flight: it is in, attach now
 * (true: the debugger took over). */
bool engine_debug_deferred(struct engine *e);
bool engine_debug_waits_round(const struct engine *e);

/* The end of a check once its round is in: announce it, then go on (the
 * next burst in auto mode, or the stop that waited). */
void engine_check_finished(struct engine *e);

/* engine_owner.c: start the owner search of the round just checked; true
 * if it runs (it calls engine_check_finished when done), false if there
 * is nothing to search. */
bool engine_owner_search(struct engine *e);

/* One step of the search: what a who_points_at answer about [addr,
 * addr + len) says. FOUND: holder (its symbol malloc'd in symbol, free it);
 * FOLLOW: ask who points at [addr, addr + len) next (pool_block: a pool's
 * later block, followed back to its first); NONE: nothing names it (a heap
 * block holder counts only when may_hop). */
enum engine_owner_next { ENGINE_OWNER_NONE, ENGINE_OWNER_FOUND, ENGINE_OWNER_FOLLOW };
struct engine_owner_step {
	struct model_holder holder;
	char *symbol;
	uint64_t addr, len;
	bool pool_block;
};
struct blocks_answer;
enum engine_owner_next engine_owner_classify(struct model *m, const struct blocks_answer *a,
	uint64_t addr, uint64_t len, bool may_hop, struct engine_owner_step *out);
bool engine_owner_running(const struct engine *e);
void engine_owner_free(struct engine *e);

/* engine_checkmode.c: which leak_check a process gets. After a full
 * answer the model took whole, `leak_check full reachable changed` (only
 * what changed since the previous search, with deltas); a full `any`
 * first, and again after anything that breaks that chain (an answer not
 * taken whole, a new process, a restart, a reload, --full-checks, a
 * --check-command of the user's). pid 0: the single process. */
const char *engine_check_command(struct engine *e, long pid);
/* The answer being fed was asked with `changed`: the model takes its
 * records as deltas (model_round_delta after model_round_source). */
bool engine_check_delta(const struct engine *e, long pid);
/* The single process's round for its answer: begun with the burst's
 * requests and URLs, its records deltas when `changed` was asked. */
void engine_check_round_begin(struct engine *e);
/* The answer of pid's check was taken whole (ok) or not (the chain
 * breaks: its next check is full). */
void engine_check_taken(struct engine *e, long pid, bool ok);
/* The bound on a monitor command that makes valgrind scan the heap (a
 * leak check, who_points_at): --check-timeout, but none for an attached
 * nginx: vgdb killed while valgrind answers leaves valgrind stuck in its
 * gdbserver, then aborting ("vgdb did not take control"), and someone
 * else's nginx must never be stopped. */
int64_t engine_check_timeout(const struct engine *e);
/* Every process's next check is full (restart, reload, a process gone). */
void engine_check_full_next(struct engine *e);
/* A `changed` answer of pid (sum: its summary, m: its model, in the open
 * round) that does not follow the model's latest round: someone else's
 * leak search came between. Says so once (a warning), makes pid's next
 * check full and returns true: the caller drops the round's records and
 * asks again. */
bool engine_check_broken(struct engine *e, long pid, const struct model *m,
	const struct leak_summary *sum);

/* engine_checkstream.c: the single process's check, its answer parsed
 * and put in the model's round piece by piece as it arrives. */
void engine_checkstream_start(struct engine *e);
void engine_checkstream_free(struct engine *e);
/* A parse that failed (a truncated answer, a bad line): the round is
 * aborted (engine_check_failed), the reason in words. */
void engine_check_parse_failed(struct engine *e, enum leakcheck_status st,
	const struct leakcheck_error *perr);

#endif
