/* session.h - nginx under valgrind memcheck with its gdbserver.
 *
 * Owns a private directory (mkdtemp, 0700) holding the vgdb FIFOs, the XML
 * stream, and - with the embedded config - the whole nginx prefix. nginx
 * runs in the foreground as a single process, so the pid we spawn is
 * valgrind's and nginx's at once. Readiness is the pid file nginx writes
 * after it has bound its listening sockets (watched with inotify: no
 * polling); death is SIGCHLD. */
#ifndef LT_SESSION_H
#define LT_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct evloop;
struct session;

enum session_state {
	SESSION_NEW,
	SESSION_STARTING,
	SESSION_READY,
	SESSION_STOPPING,
	SESSION_EXITED,
};

const char *session_state_name(enum session_state st);

struct session_opts {
	const char *nginx;	/* binary (checked by preflight) */
	const char *valgrind;	/* resolved path */
	const char *conf;	/* NULL: embedded default config */
	const char *prefix;	/* -p for a user config; NULL: its directory's parent */
	const char *extra_server;	/* embedded config: directives for the server block */
	char **valgrind_opts;	/* passed through before the nginx binary */
	size_t nvalgrind_opts;
	unsigned num_callers;
	int64_t start_timeout_ms;
	int64_t stop_timeout_ms;	/* per stage of QUIT, TERM */
};

typedef void (*session_state_cb)(struct session *s, enum session_state st, void *ctx);

struct session *session_new(struct evloop *loop, const struct session_opts *opts,
	session_state_cb cb, void *ctx);
/* Tears down: kills what still runs (bounded), removes the private dir. */
void session_free(struct session *s);

/* Prepare the config and spawn valgrind; false with a one-line err. */
bool session_start(struct session *s, char *err, size_t errlen);
/* Graceful stop: SIGQUIT, then SIGTERM, then SIGKILL, each with a bounded
 * wait; the state callback reports SESSION_EXITED. */
void session_stop(struct session *s);

enum session_state session_state(const struct session *s);
pid_t session_pid(const struct session *s);
const char *session_dir(const struct session *s);
const char *session_vgdb_prefix(const struct session *s);
/* The XML stream valgrind writes (vg.PID.xml), NULL before the spawn. */
const char *session_xml_path(const struct session *s);
/* http://127.0.0.1:PORT for the embedded config or a loopback listen of a
 * user config; NULL if unknown. */
const char *session_base_url(const struct session *s);
/* Why it is not running: start failure or exit, one line; "" if running. */
const char *session_reason(const struct session *s);
/* Last lines of valgrind's/nginx's stderr and nginx's error log. */
char *session_log_tail(const struct session *s, size_t max_lines);
int session_exit_status(const struct session *s);	/* waitpid status */
bool session_stopped_by_us(const struct session *s);
int64_t session_ready_ms(const struct session *s);	/* spawn -> ready */

#endif
