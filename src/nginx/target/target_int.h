/* target_int.h - inside the target module: nginx under valgrind. target.c
 * runs it (spawn, readiness, death, stop); target_prepare.c lays out what
 * it runs in (the private directory, the config, the command line).
 * Private to src/nginx/target/. */
#ifndef LT_TARGET_INT_H
#define LT_TARGET_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "target.h"
#include "sbuf.h"

struct probe;
struct procwatch;
struct follow;
struct ngxconf_scan;

/* Master or single, and what -g must say (never a directive the user's
 * config sets: nginx refuses duplicates). target_mode.c. */
struct target_mode {
	bool master;
	unsigned workers;	/* expected with a master */
	bool g_daemon;		/* -g daemon off; */
	bool g_master;		/* -g master_process on|off; */
	bool g_workers;		/* -g worker_processes N; */
	bool g_user_root;	/* -g user root; */
};

/* A worker's exit status read from the master's log line. */
struct target_exit_line {
	long pid;
	int status;
};

#define OUTPUT_TAIL (64 * 1024)

struct target {
	struct evloop *loop;
	struct target_opts opts;
	target_state_cb cb;
	void *ctx;
	enum target_state state;

	char *dir;		/* private, 0700 */
	char *vgdb_prefix;
	char *xml_path;
	char *conf;
	char *nginx_prefix;
	char *pid_path;
	char *error_log;
	off_t error_log_start;	/* its size at spawn: older lines are another run's */
	char *base_url;
	bool http2;		/* base_url's listen speaks HTTP/2 */
	char *stream_addr;	/* "127.0.0.1:PORT" of a stream server, or NULL */

	pid_t pid;
	bool alive;		/* spawned and not yet reaped */
	bool add_pid;		/* user config without `pid`: we give one with -g */
	int out_fd;
	struct sbuf out;	/* tail of valgrind's + nginx's stderr */
	int ino_fd;
	uint64_t start_timer, stop_timer;
	int stop_stage;
	int exit_status;
	bool stopped_by_us;
	bool start_timed_out;	/* the reason says so; the exit status is ours */
	int64_t spawn_ns, ready_ms;
	struct probe *probe;	/* pid file seen, waiting for the event loop */
	char reason[512];

	/* processes (target_procs.c) */
	struct target_mode mode;
	bool attached;
	bool pid_seen;		/* nginx wrote its pid file */
	struct procwatch *pw;
	struct target_proc *procs;
	size_t nprocs, capprocs;
	target_proc_cb proc_cb;
	void *proc_ctx;
	struct follow *log;	/* the error log, for exits and [emerg] */
	uint64_t log_base;	/* bytes of it before follow_skip */
	struct sbuf log_part;	/* an unfinished line */
	struct target_exit_line exits[32];	/* the last ones, a ring */
	unsigned nexits;
	long exit_pending[16];	/* exited workers waiting for that line */
	unsigned npending;
	uint64_t exit_wait_timer;	/* ... until then */
	bool exit_deferred;	/* the main pid is gone, its workers are going */
	uint64_t exit_deferred_timer;

	/* reloads (target_reload.c) */
	unsigned reloads;
	bool reloading;
	target_reload_cb reload_cb;
	void *reload_ctx;
	unsigned reload_new;	/* new workers with gdbservers since the HUP */
	uint64_t reload_timer;
	struct probe *reload_probe;
};

/* The private directory (mkdtemp, 0700) and the vgdb prefix in it. */
/* The private directory (and in it the owner file and TARGET_SUPP_FILE
 * of opts.supp_text). */
#define TARGET_SUPP_FILE "default.supp"
bool target_make_dir(struct target *s, char *err, size_t errlen);
/* The config: the embedded one written into the directory, or the user's
 * scanned for its pid file, error log and listen address. */
bool target_prepare_embedded(struct target *s, char *err, size_t errlen);
bool target_prepare_user_conf(struct target *s, char *err, size_t errlen);
/* --tls/--http2/--stream-directives with a user config or --attach:
 * true with a one-line err (they are for the generated config). */
bool target_refuse_protocols(const struct target_opts *o, char *err, size_t errlen);
/* target.c, for the other files */
void target_set_state(struct target *s, enum target_state st);
/* Start the readiness probe (or READY at once without a URL). */
void target_probe_ready(struct target *s);
void target_close_inotify(struct target *s);

/* target_mode.c: decide master/single from opts + the user's config
 * (scan NULL: the embedded one); false with a one-line err. */
bool target_mode_decide(const struct ngxconf_scan *scan, const char *conf, unsigned workers,
	bool root, struct target_mode *m, char *err, size_t errlen);
/* The -g argument: "daemon off; master_process on; ..." (+ pid). */
char *target_mode_g(const struct target_mode *m, const char *pid_path);

/* target_procs.c */
bool target_procs_start(struct target *s, char *err, size_t errlen);
/* All conditions of READY met? Then the probe, then READY. */
void target_procs_check_ready(struct target *s);
/* The main pid was reaped (status as from waitpid). */
void target_procs_main_exit(struct target *s, int status);
/* Bytes of nginx's stderr (a config logging to stderr). */
void target_procs_log_bytes(struct target *s, const char *buf, size_t len);
/* TARGET_EXITED once the workers' exits are reported too (bounded). */
void target_procs_exited(struct target *s);
/* SIGKILL to every live process but the main one (never when attached). */
void target_procs_kill_rest(struct target *s);
void target_procs_free(struct target *s);
size_t target_procs_alive_workers(const struct target *s, bool new_only);

/* target_reload.c */
void target_reload_on_new(struct target *s);
void target_reload_on_line(struct target *s, const char *line, size_t len);
void target_reload_abort(struct target *s, const char *why);

/* target_attach.c */
bool target_attach_start(struct target *s, char *err, size_t errlen);
void target_attach_main_exit(struct target *s, int status);
void target_attach_stop(struct target *s);

/* valgrind's command line running nginx; target_argv_free frees it. */
char **target_argv(struct target *s);
void target_argv_free(char **argv);

#endif
