/* target.h - nginx under valgrind memcheck with its gdbserver.
 *
 * Owns a private directory (mkdtemp, 0700) holding the vgdb FIFOs, the XML
 * stream, and - with the embedded config - the whole nginx prefix. nginx
 * runs in the foreground as a single process, so the pid we spawn is
 * valgrind's and nginx's at once. Readiness is the pid file nginx writes
 * after it has bound its listening sockets (watched with inotify: no
 * polling); death is SIGCHLD. */
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
/* http://127.0.0.1:PORT for the embedded config or a loopback listen of a
 * user config; NULL if unknown. */
const char *target_base_url(const struct target *s);
/* Why it is not running: start failure or exit, one line; "" if running. */
const char *target_reason(const struct target *s);
/* Last lines of valgrind's/nginx's stderr and nginx's error log. */
char *target_log_tail(const struct target *s, size_t max_lines);
int target_exit_status(const struct target *s);	/* waitpid status */
bool target_stopped_by_us(const struct target *s);
int64_t target_ready_ms(const struct target *s);	/* spawn -> ready */

#endif
