/* target_procs.c - the processes of nginx under valgrind: the main pid and
 * the workers (procwatch: their gdbservers appear, their pidfds say when
 * they exit), readiness in master mode, exit statuses from /proc or from
 * the master's "worker process N exited on signal S" line. */
#include "target.h"
#include "target_int.h"
#include "escape.h"
#include "evloop.h"
#include "follow.h"
#include "proc.h"
#include "procwatch.h"
#include "sbuf.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* How long a worker's exit waits for the master's log line naming its
 * status when /proc no longer had it (the master reaped it first). */
#define TARGET_EXIT_LINE_MS 1500

const char *
target_role_name(enum target_role r)
{
	static const char *names[] = { "single", "master", "worker" };

	return (size_t)r < LT_ARRAY_SIZE(names) ? names[r] : "?";
}

void
target_proc_end(const struct target_proc *p, char *buf, size_t len)
{
	if (p->exit_status < 0)
		snprintf(buf, len, "exited");
	else
		proc_status_text(p->exit_status, buf, len);
}

void
target_set_proc_cb(struct target *s, target_proc_cb cb, void *ctx)
{
	s->proc_cb = cb;
	s->proc_ctx = ctx;
}

size_t
target_nprocs(const struct target *s)
{
	return s->nprocs;
}

const struct target_proc *
target_proc(const struct target *s, size_t i)
{
	return i < s->nprocs ? &s->procs[i] : NULL;
}

bool
target_master(const struct target *s)
{
	return s->mode.master;
}

unsigned
target_workers_expected(const struct target *s)
{
	return s->mode.workers;
}

bool
target_attached(const struct target *s)
{
	return s->attached;
}

static struct target_proc *
find_proc(struct target *s, long pid, bool alive_only)
{
	size_t i;

	for (i = s->nprocs; i-- > 0;)
		if (s->procs[i].pid == pid && (!alive_only || s->procs[i].alive))
			return &s->procs[i];
	return NULL;
}

size_t
target_procs_alive_workers(const struct target *s, bool new_only)
{
	size_t i, n = 0;

	for (i = 0; i < s->nprocs; i++)
		if (s->procs[i].alive && s->procs[i].role == TARGET_ROLE_WORKER &&
			(!new_only || s->procs[i].generation > s->reloads))
			n++;
	return n;
}

static void
emit(struct target *s, enum target_proc_event ev, const struct target_proc *p)
{
	struct target_proc copy = *p;	/* the array may grow in the callback */

	if (s->proc_cb)
		s->proc_cb(s, ev, &copy, s->proc_ctx);
}

void
target_procs_check_ready(struct target *s)
{
	const struct target_proc *main = s->nprocs ? &s->procs[0] : NULL;

	if (s->state != TARGET_STARTING || !s->pid_seen || s->probe)
		return;
	if (!main || main->pid != (long)s->pid)
		return;	/* its NEW comes first */
	/* attached too: the baseline must see the workers the scan found */
	if (s->mode.master && target_procs_alive_workers(s, false) < s->mode.workers)
		return;
	target_probe_ready(s);
}

/* ---- exit statuses from the master's log ---- */

static int
exit_line_status(struct target *s, long pid)
{
	unsigned i;

	for (i = 0; i < s->nexits && i < LT_ARRAY_SIZE(s->exits); i++)
		if (s->exits[i].pid == pid)
			return s->exits[i].status;
	return -1;
}

/* "... worker process 1234 exited on signal 11 (core dumped)" or
 * "... exited with code 2": nginx's ngx_process_get_status(). */
static void
parse_exit_line(struct target *s, const char *line)
{
	const char *p = strstr(line, " process ");
	long pid;
	int v, status;
	char *end;

	if (!p)
		return;
	pid = strtol(p + 9, &end, 10);
	if (end == p + 9 || pid <= 0)
		return;
	if (sscanf(end, " exited on signal %d", &v) == 1 && v > 0 && v < 128)
		status = v | (strstr(end, "core dumped") ? 0x80 : 0);
	else if (sscanf(end, " exited with code %d", &v) == 1 && v >= 0 && v < 256)
		status = v << 8;
	else
		return;
	s->exits[s->nexits++ % LT_ARRAY_SIZE(s->exits)] = (struct target_exit_line){ pid, status };
}

/* Workers that exited with an unknown status and wait for their line. */
static void
deliver_waiting_exits(struct target *s, bool give_up)
{
	unsigned i = 0;

	while (i < s->npending) {
		struct target_proc *p = find_proc(s, s->exit_pending[i], false);
		int st = exit_line_status(s, s->exit_pending[i]);

		if (st < 0 && !give_up && p) {
			i++;
			continue;
		}
		s->exit_pending[i] = s->exit_pending[--s->npending];
		if (!p)
			continue;
		p->exit_status = st;
		emit(s, TARGET_PROC_EXIT, p);
	}
	if (!s->npending && s->exit_wait_timer) {
		evloop_timer_cancel(s->loop, s->exit_wait_timer);
		s->exit_wait_timer = 0;
	}
}

static void
on_exit_wait(struct evloop *loop, void *ctx)
{
	struct target *s = ctx;

	(void)loop;
	s->exit_wait_timer = 0;
	deliver_waiting_exits(s, true);
}

static void
log_line(struct target *s, const char *line, size_t len)
{
	char *copy = xstrndup(line, len);

	parse_exit_line(s, copy);
	free(copy);
	if (s->reloading)
		target_reload_on_line(s, line, len);
	deliver_waiting_exits(s, false);
}

void
target_procs_log_bytes(struct target *s, const char *buf, size_t len)
{
	const char *nl;

	while (len && (nl = memchr(buf, '\n', len))) {
		size_t n = (size_t)(nl - buf);

		if (s->log_part.len) {
			sbuf_add(&s->log_part, buf, n);
			log_line(s, s->log_part.data, s->log_part.len);
			sbuf_reset(&s->log_part);
		} else {
			log_line(s, buf, n);
		}
		buf += n + 1;
		len -= n + 1;
	}
	if (len && s->log_part.len < 65536)
		sbuf_add(&s->log_part, buf, len);
}

static void
on_log_bytes(void *ctx, const char *buf, size_t len)
{
	target_procs_log_bytes(ctx, buf, len);
}

/* ---- procwatch events ---- */

static void
exited_now(struct target *s)
{
	s->exit_deferred = false;
	if (s->exit_deferred_timer)
		evloop_timer_cancel(s->loop, s->exit_deferred_timer);
	s->exit_deferred_timer = 0;
	target_set_state(s, TARGET_EXITED);
}

static void
on_exit_deferred(struct evloop *loop, void *ctx)
{
	struct target *s = ctx;
	size_t i;

	(void)loop;
	s->exit_deferred_timer = 0;
	for (i = 0; i < s->nprocs; i++) {	/* SIGKILLed, yet not seen to go */
		if (!s->procs[i].alive)
			continue;
		s->procs[i].alive = false;
		emit(s, TARGET_PROC_EXIT, &s->procs[i]);
	}
	exited_now(s);
}

void
target_procs_exited(struct target *s)
{
	/* The workers were SIGKILLed with the main pid's exit: their EXITs
	 * come before TARGET_EXITED, which may end the session. */
	if (s->attached || !target_procs_alive_workers(s, false)) {
		target_set_state(s, TARGET_EXITED);
		return;
	}
	s->exit_deferred = true;
	s->exit_deferred_timer = evloop_timer_add(s->loop, TARGET_EXIT_LINE_MS, on_exit_deferred, s);
}

static void
proc_new(struct target *s, const struct procwatch_proc *pp)
{
	struct target_proc *p;
	bool main = pp->pid == s->pid;

	xgrow((void **)&s->procs, &s->capprocs, s->nprocs + 1, sizeof *s->procs);
	if (main && s->nprocs) {	/* the main process is always procs[0] */
		memmove(&s->procs[1], &s->procs[0], s->nprocs * sizeof *s->procs);
		p = &s->procs[0];
	} else {
		p = &s->procs[s->nprocs];
	}
	s->nprocs++;
	memset(p, 0, sizeof *p);
	p->pid = pp->pid;
	p->role = !main ? TARGET_ROLE_WORKER : s->mode.master ? TARGET_ROLE_MASTER :
		TARGET_ROLE_SINGLE;
	p->alive = true;
	/* a worker born during a reload belongs to the cycle it starts */
	p->generation = s->reloads + (s->reloading && !main ? 1 : 0);
	p->exit_status = -1;
	p->born_ms = util_now_ms();
	emit(s, TARGET_PROC_NEW, p);
	if (!main && s->reloading)
		target_reload_on_new(s);
	target_procs_check_ready(s);
}

static void
proc_exit(struct target *s, const struct procwatch_proc *pp)
{
	struct target_proc *p = find_proc(s, pp->pid, true);

	if (!p)
		return;
	if (pp->pid == s->pid) {	/* ours: waitpid tells; attached: only this */
		if (s->attached)
			target_attach_main_exit(s, pp->exit_status);
		return;
	}
	p->alive = false;
	p->exit_status = pp->exit_status >= 0 ? pp->exit_status : exit_line_status(s, p->pid);
	/* no master: no line will name it */
	if (p->exit_status >= 0 || !s->log || !s->alive ||
		s->npending == LT_ARRAY_SIZE(s->exit_pending)) {
		emit(s, TARGET_PROC_EXIT, p);
		if (s->exit_deferred && !target_procs_alive_workers(s, false))
			exited_now(s);
		return;
	}
	/* the master may log it in a moment: a real deadline, not a poll */
	s->exit_pending[s->npending++] = p->pid;
	if (!s->exit_wait_timer)
		s->exit_wait_timer = evloop_timer_add(s->loop, TARGET_EXIT_LINE_MS, on_exit_wait, s);
	if (s->log)
		follow_drain(s->log);
}

static void
on_procwatch(struct procwatch *w, enum procwatch_event ev, const struct procwatch_proc *pp,
	void *ctx)
{
	(void)w;
	if (ev == PROCWATCH_NEW)
		proc_new(ctx, pp);
	else
		proc_exit(ctx, pp);
}

bool
target_procs_start(struct target *s, char *err, size_t errlen)
{
	s->pw = procwatch_new(s->loop, s->vgdb_prefix, s->pid, on_procwatch, s);
	if (!s->pw) {
		snprintf(err, errlen, "cannot watch %s for valgrind's gdbservers: %s",
			s->vgdb_prefix, strerror(errno));
		return false;
	}
	if (s->error_log && !s->attached) {
		s->log = follow_new(s->loop, s->error_log, on_log_bytes, s);
		if (s->log)
			follow_skip(s->log, (uint64_t)s->error_log_start);
	}
	return true;
}

void
target_procs_main_exit(struct target *s, int status)
{
	struct target_proc *p = find_proc(s, (long)s->pid, true);

	if (s->reloading)
		target_reload_abort(s, "nginx exited during the reload");
	/* A master that died leaves its workers orphaned, serving on: they
	 * go too, so nothing is left running. */
	target_procs_kill_rest(s);
	deliver_waiting_exits(s, true);	/* no master: no more lines */
	if (!p)
		return;
	p->alive = false;
	p->exit_status = status;
	emit(s, TARGET_PROC_EXIT, p);
}

void
target_procs_kill_rest(struct target *s)
{
	size_t i;

	if (s->attached || !s->pw)
		return;
	for (i = 0; i < s->nprocs; i++)
		if (s->procs[i].alive && s->procs[i].pid != (long)s->pid)
			procwatch_signal(s->pw, (pid_t)s->procs[i].pid, SIGKILL);
}

void
target_procs_free(struct target *s)
{
	target_procs_kill_rest(s);
	procwatch_free(s->pw);
	s->pw = NULL;
	follow_free(s->log);
	s->log = NULL;
	if (s->exit_wait_timer)
		evloop_timer_cancel(s->loop, s->exit_wait_timer);
	s->exit_wait_timer = 0;
	s->npending = 0;
	if (s->exit_deferred_timer)
		evloop_timer_cancel(s->loop, s->exit_deferred_timer);
	s->exit_deferred_timer = 0;
	sbuf_free(&s->log_part);
	free(s->procs);
	s->procs = NULL;
	s->nprocs = 0;
}

/* ---- the listing for --attach without a PID ---- */

/* valgrind's command line of pid, NULs as spaces, escaped; malloc'd. */
static char *
cmdline(pid_t pid)
{
	char path[64];
	struct sbuf raw = SBUF_INIT, out = SBUF_INIT;
	size_t i;
	int fd;

	snprintf(path, sizeof path, "/proc/%ld/cmdline", (long)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		sbuf_read_fd(&raw, fd);
		close(fd);
	}
	for (i = 0; i < raw.len; i++)
		if (raw.data[i] == '\0')
			raw.data[i] = i + 1 < raw.len ? ' ' : '\n';
	while (raw.len && raw.data[raw.len - 1] == '\n')
		raw.len--;
	escape_append(&out, raw.data ? raw.data : "", raw.len, 0);
	sbuf_free(&raw);
	return sbuf_detach(&out);
}

static bool
listed(const pid_t *pids, size_t n, pid_t pid)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (pids[i] == pid)
			return true;
	return false;
}

size_t
target_list_gdbservers(const char *prefix, char ***out)
{
	pid_t *pids;
	size_t n = procwatch_scan(prefix ? prefix : "/tmp/vgdb-pipe", &pids), i, j, k = 0;
	pid_t *ppid = xcalloc(n + 1, sizeof *ppid);

	*out = xcalloc(n + 1, sizeof **out);
	for (i = 0; i < n; i++)
		ppid[i] = procwatch_ppid(pids[i]);
	for (i = 0; i < n; i++) {	/* main ones, each followed by its workers */
		char *c;

		if (listed(pids, n, ppid[i]))
			continue;
		c = cmdline(pids[i]);
		(*out)[k++] = xasprintf("%ld  %s", (long)pids[i], c);
		free(c);
		for (j = 0; j < n; j++) {
			if (ppid[j] != pids[i])
				continue;
			c = cmdline(pids[j]);
			(*out)[k++] = xasprintf("  %ld  worker of %ld  %s", (long)pids[j],
				(long)pids[i], c);
			free(c);
		}
	}
	free(ppid);
	free(pids);
	return k;
}
