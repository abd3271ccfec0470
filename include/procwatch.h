/* procwatch.h - the valgrind gdbservers of a process tree.
 *
 * valgrind makes a process's vgdb FIFOs as PREFIX-from-vgdb-to-PID-by-
 * USER-on-HOST when it starts (and in each forked child, with
 * --trace-children=yes) and removes them when it exits normally. The
 * watch sees them appear in the prefix's directory through inotify (no
 * polling; a scan at start finds the ones already there) and keeps the
 * processes that are root or descend from it (/proc/PID/stat's ppid
 * chain). Each gets a pidfd: its exit is an event on the loop even
 * though it is not our child, and its exit status is read from
 * /proc/PID/stat (exit_code) while it is a zombie. */
#ifndef LT_PROCWATCH_H
#define LT_PROCWATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct evloop;
struct procwatch;

struct procwatch_proc {
	pid_t pid;
	pid_t ppid;
	bool alive;
	int exit_status;	/* waitpid-style, -1 unknown (reaped before we read it) */
};

enum procwatch_event { PROCWATCH_NEW, PROCWATCH_EXIT };
typedef void (*procwatch_cb)(struct procwatch *w, enum procwatch_event ev,
	const struct procwatch_proc *p, void *ctx);

/* Watch prefix (the --vgdb-prefix valgrind got) for root's tree. NULL
 * with errno if the directory cannot be watched. NEW events for FIFOs
 * already there come from the loop, not from inside procwatch_new. */
struct procwatch *procwatch_new(struct evloop *loop, const char *prefix, pid_t root,
	procwatch_cb cb, void *ctx);
void procwatch_free(struct procwatch *w);
size_t procwatch_count(const struct procwatch *w);
const struct procwatch_proc *procwatch_get(const struct procwatch *w, size_t i);

/* Send sig to a live process of the watch through its pidfd (never to a
 * recycled pid's new owner); false if unknown, exited or refused. */
bool procwatch_signal(struct procwatch *w, pid_t pid, int sig);

/* The pids with gdbserver FIFOs under prefix whose process lives, in
 * ascending order; returns how many, *out malloc'd. */
size_t procwatch_scan(const char *prefix, pid_t **out);
/* ppid of pid from /proc, 0 if gone. */
pid_t procwatch_ppid(pid_t pid);

#endif
