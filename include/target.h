/* target.h - nginx under valgrind memcheck with its gdbserver.
 *
 * Owns a private directory (mkdtemp, 0700) holding the vgdb FIFOs, the XML
 * stream, and - with the embedded config - the whole nginx prefix. nginx
 * runs in the foreground, as a single process or a master with workers
 * (see workers below); the pid we spawn is valgrind's and nginx's (the
 * master's) at once. Readiness is the pid file nginx writes after it has
 * bound its listening sockets (watched with inotify: no polling); death
 * is SIGCHLD. */
#ifndef LT_TARGET_H
#define LT_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct evloop;
struct target;

enum target_state {
	TARGET_NEW,
	TARGET_STARTING,
	TARGET_READY,
	TARGET_STOPPING,
	TARGET_EXITED,
};

const char *target_state_name(enum target_state st);

struct target_opts {
	const char *nginx;	/* binary (checked by preflight) */
	const char *valgrind;	/* resolved path */
	const char *conf;	/* NULL: embedded default config */
	const char *prefix;	/* -p for a user config; NULL: its directory's parent */
	const char *extra_server;	/* embedded config: directives for the server block */
	char **valgrind_opts;	/* passed through before the nginx binary */
	size_t nvalgrind_opts;
	unsigned num_callers;
	/* valgrind --vgdb=full: gdb's next stops in code valgrind translated
	 * already (the live screen's debugger steps); --vgdb=yes else, faster
	 * (batch: --break only breaks) */
	bool vgdb_full;
	int64_t start_timeout_ms;
	int64_t stop_timeout_ms;	/* per stage of QUIT, TERM */
	/* Master and workers: 0 = as the config says (the generated config:
	 * single process; a user config with `master_process on`: its
	 * worker_processes); N > 0 = a master with N workers (the generated
	 * config gets `worker_processes N` and `reuseport`; a user config
	 * `-g 'master_process on; worker_processes N;'`). With a master,
	 * valgrind runs with --trace-children=yes, so every worker has its own
	 * gdbserver; run as root, the workers stay root (`user root;`: they
	 * would switch users after valgrind made their FIFOs). */
	unsigned workers;
	/* --attach: no spawn; nginx (pid attach_pid, a master or single
	 * process) was started by someone else under valgrind --vgdb=yes with
	 * vgdb prefix attach_prefix (NULL: valgrind's default,
	 * /tmp/vgdb-pipe). The target never signals it: target_stop just
	 * lets go (TARGET_EXITED, stopped by us). */
	long attach_pid;
	const char *attach_prefix;
	/* The generated config: `listen ... ssl` with a throwaway key and
	 * certificate made at start in the private dir (tlscert.h); `listen
	 * ... http2`; a stream {} server on a free loopback port with these
	 * directives (NULL: none). A user config has its own. */
	bool tls;
	bool http2;
	const char *stream_directives;
	/* The generated config: directives of its http {} and stream {}
	 * blocks themselves (NULL: none; stream_block needs a stream server) */
	const char *http_block, *stream_block;
	/* valgrind --suppressions=: each file (made absolute; read and
	 * checked before), then supp_text (NULL: none) from a 0600 file
	 * written in the private directory (the default set). */
	char **supp_files;
	size_t nsupp_files;
	const char *supp_text;
};

typedef void (*target_state_cb)(struct target *s, enum target_state st, void *ctx);

struct target *target_new(struct evloop *loop, const struct target_opts *opts,
	target_state_cb cb, void *ctx);
/* Tears down: kills what still runs (bounded), removes the private dir. */
void target_free(struct target *s);

/* Prepare the config and spawn valgrind; false with a one-line err. */
bool target_start(struct target *s, char *err, size_t errlen);
/* Graceful stop: SIGQUIT, then SIGTERM, then SIGKILL, each with a bounded
 * wait; the state callback reports TARGET_EXITED. */
void target_stop(struct target *s);

enum target_state target_state(const struct target *s);
pid_t target_pid(const struct target *s);
const char *target_dir(const struct target *s);
const char *target_vgdb_prefix(const struct target *s);
/* The XML stream valgrind writes (vg.PID.xml), NULL before the spawn. */
const char *target_xml_path(const struct target *s);
/* http://127.0.0.1:PORT (https:// with TLS) for the embedded config or a
 * loopback listen of a user config; NULL if unknown. */
const char *target_base_url(const struct target *s);
/* That listen speaks HTTP/2 (`http2`, or `http2 on;`): over TLS by ALPN,
 * cleartext only with prior knowledge (nginx 1.22 answers nothing else). */
bool target_http2(const struct target *s);
/* Where stream bursts go by default: "127.0.0.1:PORT" of the generated
 * stream server or of a user config's first stream listen; NULL: none. */
const char *target_stream_addr(const struct target *s);
/* Why it is not running: start failure or exit, one line; "" if running. */
const char *target_reason(const struct target *s);
/* Last lines of valgrind's/nginx's stderr and nginx's error log. */
char *target_log_tail(const struct target *s, size_t max_lines);
int target_exit_status(const struct target *s);	/* waitpid status */
bool target_stopped_by_us(const struct target *s);
int64_t target_ready_ms(const struct target *s);	/* spawn -> ready */

/* ---- processes: a master and its workers (target_procs.c) ----
 *
 * Every process with a valgrind gdbserver under nginx's main pid (the
 * spawned or attached one): the main pid itself, then each worker as its
 * vgdb FIFOs appear (procwatch.h: inotify, no polling). Workers are not
 * our children: their exit is seen through a pidfd, their exit status
 * read from /proc while they are zombies, else from the master's
 * "worker process N exited on signal S" line in the error log.
 * TARGET_READY in master mode means: the pid file is written, the
 * expected workers have their gdbservers, and one answered HTTP. */
enum target_role {
	TARGET_ROLE_SINGLE,	/* master_process off: the one process */
	TARGET_ROLE_MASTER,
	TARGET_ROLE_WORKER,	/* any child of the master (cache manager too) */
};
const char *target_role_name(enum target_role r);	/* "single", "master", "worker" */

struct target_proc {
	long pid;
	enum target_role role;
	bool alive;
	/* the cycle it serves: reloads that had succeeded when it appeared,
	 * + 1 for a worker born during a reload (the cycle that reload starts) */
	unsigned generation;
	int exit_status;	/* waitpid-style once it exited, -1 unknown */
	int64_t born_ms;	/* util_now_ms() when seen */
};

enum target_proc_event {
	TARGET_PROC_NEW,	/* a process got its gdbserver (the main pid at READY too) */
	TARGET_PROC_EXIT,	/* it exited; p->exit_status if known */
};
typedef void (*target_proc_cb)(struct target *s, enum target_proc_event ev,
	const struct target_proc *p, void *ctx);
/* Set before target_start; NEW for the main process comes before READY. */
void target_set_proc_cb(struct target *s, target_proc_cb cb, void *ctx);
/* Known processes, alive and exited, in the order seen. */
size_t target_nprocs(const struct target *s);
const struct target_proc *target_proc(const struct target *s, size_t i);
bool target_master(const struct target *s);	/* master and workers */
unsigned target_workers_expected(const struct target *s);
bool target_attached(const struct target *s);
/* "exited with status 1", "killed by signal 11 (SIGSEGV)", "exited" */
void target_proc_end(const struct target_proc *p, char *buf, size_t len);

/* ---- reloads (master mode only) ----
 * SIGHUP to the master; done once the new cycle serves: as many new
 * workers as expected have their gdbservers (old ones may still be
 * finishing) and one answered HTTP; or once the master logged an [emerg]
 * line since the signal (a config error on disk: ok false, msg is that
 * line, escaped; the old cycle serves on); or after start_timeout_ms (ok
 * false, "the reload did not finish in N s"). False with err unless
 * READY in master mode with no reload in flight. */
typedef void (*target_reload_cb)(struct target *s, bool ok, const char *msg, void *ctx);
bool target_reload(struct target *s, target_reload_cb cb, void *ctx, char *err, size_t errlen);
bool target_reloading(const struct target *s);
unsigned target_reloads(const struct target *s);	/* that succeeded */

/* --attach without a PID: the processes with a valgrind gdbserver under
 * prefix (NULL: /tmp/vgdb-pipe) that are alive, main ones first (a
 * master and its workers: the workers follow it, indented by
 * "worker of"). One line each: "PID  valgrind's command line", escaped;
 * returns how many, *out malloc'd (free each, then the array). */
size_t target_list_gdbservers(const char *prefix, char ***out);

#endif
