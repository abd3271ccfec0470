/* target_attach.c - an nginx someone else started under valgrind
 * --vgdb=yes: no spawn, no config, no signal ever; its processes are
 * found through their gdbservers like ours, its exit through a pidfd. */
#include "target.h"
#include "target_int.h"
#include "proc.h"
#include "procwatch.h"
#include "util.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TARGET_VGDB_DEFAULT_PREFIX "/tmp/vgdb-pipe"

/* The live gdbservers under the prefix that descend from pid. */
static unsigned
count_workers(const pid_t *pids, size_t n, pid_t pid)
{
	unsigned k = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		pid_t p = pids[i];
		int depth;

		for (depth = 0; depth < 8 && p > 1 && p != pid; depth++)
			p = procwatch_ppid(p);
		k += p == pid && pids[i] != pid;
	}
	return k;
}

bool
target_attach_start(struct target *s, char *err, size_t errlen)
{
	const char *prefix = s->opts.attach_prefix ? s->opts.attach_prefix :
		TARGET_VGDB_DEFAULT_PREFIX;
	pid_t pid = (pid_t)s->opts.attach_pid, *pids;
	size_t n, i;
	bool found = false;

	s->attached = true;
	s->pid = pid;
	s->vgdb_prefix = xstrdup(prefix);
	if (kill(pid, 0) < 0 && errno == ESRCH) {
		snprintf(err, errlen, "no process %ld to attach to", (long)pid);
		return false;
	}
	n = procwatch_scan(prefix, &pids);
	for (i = 0; i < n; i++)
		found = found || pids[i] == pid;
	if (!found) {
		snprintf(err, errlen, "process %ld has no valgrind gdbserver under %s: start nginx "
			"under 'valgrind --vgdb=yes' (with --vgdb-prefix=P, attach with that prefix)",
			(long)pid, prefix);
		free(pids);
		return false;
	}
	/* Workers there already: a master; its expected count is theirs. */
	s->mode.workers = count_workers(pids, n, pid);
	s->mode.master = s->mode.workers > 0;
	free(pids);
	s->alive = true;
	s->pid_seen = true;	/* READY as soon as its NEW comes from the loop */
	s->spawn_ns = util_now_ns();
	return target_procs_start(s, err, errlen);
}

void
target_attach_main_exit(struct target *s, int status)
{
	char st[96];

	if (!s->alive)
		return;
	s->alive = false;
	s->exit_status = status;
	target_procs_main_exit(s, status);
	if (status >= 0)
		snprintf(s->reason, sizeof s->reason, "nginx (pid %ld) %s", (long)s->pid,
			proc_status_text(status, st, sizeof st));
	else
		snprintf(s->reason, sizeof s->reason, "nginx (pid %ld) exited", (long)s->pid);
	target_set_state(s, TARGET_EXITED);
}

void
target_attach_stop(struct target *s)
{
	if (s->state == TARGET_EXITED)
		return;
	/* Not ours to stop: let go and leave it running. */
	s->stopped_by_us = true;
	s->alive = false;
	target_procs_free(s);
	snprintf(s->reason, sizeof s->reason, "let go of nginx (pid %ld), which runs on",
		(long)s->pid);
	target_set_state(s, TARGET_EXITED);
}
