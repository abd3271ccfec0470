/* vgdb.h - monitor commands through vgdb, asynchronously, one at a time.
 *
 * vgdb's exit status says little (0 for unknown commands and for a target
 * that died mid-command), so a result carries the full stdout for the
 * caller to judge by content, plus a classification of vgdb's own stderr. */
#ifndef LT_VGDB_H
#define LT_VGDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct evloop;
struct vgdb;

enum vgdb_status {
	VGDB_OK,		/* vgdb ran and exited; judge out by content */
	VGDB_TIMEOUT,		/* no answer in time; vgdb was killed */
	VGDB_NO_ATTACH,		/* vgdb could not ptrace-attach to wake the target */
	VGDB_NO_TARGET,		/* no valgrind gdbserver for that pid/prefix */
	VGDB_LOCKED,		/* another vgdb speaks with the target */
	VGDB_SPAWN_FAILED,	/* vgdb could not be started */
	VGDB_CANCELLED,		/* vgdb_cancel_all() */
};

struct vgdb_result {
	enum vgdb_status status;
	int wait_status;	/* vgdb's waitpid status */
	const char *out;	/* stdout, NUL terminated; valid during the callback */
	size_t outlen;
	const char *err;	/* tail of vgdb's stderr */
	int64_t elapsed_ns;	/* spawn to exit */
	const char *message;	/* one-line explanation for non-OK results */
};

typedef void (*vgdb_done_cb)(struct vgdb *v, const struct vgdb_result *res, void *ctx);

struct vgdb *vgdb_new(struct evloop *loop, const char *vgdb_path, const char *prefix, pid_t pid);
void vgdb_free(struct vgdb *v);

/* Queue a command (words joined by spaces, e.g. "leak_check full reachable
 * any"). Commands run one at a time, in order; the callback runs from the
 * loop. timeout_ms bounds the wait for this command once it is started.
 * A command of several lines ("block_list 3\nblock_list 9") is that many
 * monitor commands on one vgdb connection (vgdb's -c); their answers come
 * one after the other in out. */
void vgdb_command(struct vgdb *v, const char *command, int64_t timeout_ms,
	vgdb_done_cb cb, void *ctx);
/* As vgdb_command, but stdout goes to data piece by piece as it arrives
 * (a 9 MB leak_check answer is parsed while it streams in); the done
 * callback's out is then empty. */
typedef void (*vgdb_data_cb)(struct vgdb *v, const char *buf, size_t len, void *ctx);
void vgdb_command_stream(struct vgdb *v, const char *command, int64_t timeout_ms,
	vgdb_data_cb data, vgdb_done_cb cb, void *ctx);
bool vgdb_busy(const struct vgdb *v);
/* Milliseconds the running command has taken so far, or -1. */
int64_t vgdb_running_ms(const struct vgdb *v);
/* Kill the running vgdb and drop the queue; each callback gets
 * VGDB_CANCELLED. */
void vgdb_cancel_all(struct vgdb *v);

const char *vgdb_status_name(enum vgdb_status st);

#endif
