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
};

/* The private directory (mkdtemp, 0700) and the vgdb prefix in it. */
bool target_make_dir(struct target *s, char *err, size_t errlen);
/* The config: the embedded one written into the directory, or the user's
 * scanned for its pid file, error log and listen address. */
bool target_prepare_embedded(struct target *s, char *err, size_t errlen);
bool target_prepare_user_conf(struct target *s, char *err, size_t errlen);
/* valgrind's command line running nginx; target_argv_free frees it. */
char **target_argv(struct target *s);
void target_argv_free(char **argv);

#endif
