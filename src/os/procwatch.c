/* procwatch.c - the gdbservers of a process tree: inotify for the vgdb
 * FIFOs valgrind makes, a pidfd per process for its exit. */
#include "procwatch.h"
#include "evloop.h"
#include "util.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PROCWATCH_MAX_DEPTH 64	/* ppid steps from a process to root */

struct pw_entry {
	struct procwatch_proc p;
	int pidfd;
};

struct procwatch {
	struct evloop *loop;
	char *dir;
	char *stem;		/* "BASENAME-from-vgdb-to-" */
	pid_t root;
	procwatch_cb cb;
	void *ctx;
	int ino;
	uint64_t scan_timer;
	struct pw_entry *v;
	size_t n, cap;
	unsigned in_cb;		/* callbacks running: a free waits for them */
	bool freed;
	/* no pidfd_open (a kernel before 5.3, or ngx-leaktop itself under
	 * valgrind, which does not know the call): an exit is seen when the
	 * FIFOs go (a normal exit) or at the next FIFO event (a crash leaves
	 * them, and the master starts another worker) */
	bool no_pidfd;
};

/* The pid in a FIFO name STEM PID -by-..., 0 if the name is not one. */
static pid_t
fifo_pid(const char *stem, const char *name)
{
	size_t sl = strlen(stem);
	const char *p;
	long v = 0;

	if (strncmp(name, stem, sl))
		return 0;
	for (p = name + sl; isdigit((unsigned char)*p) && v < 1L << 30; p++)
		v = v * 10 + (*p - '0');
	if (p == name + sl || strncmp(p, "-by-", 4) || v < 1 || v >= 1L << 30)
		return 0;
	return (pid_t)v;
}

/* Fields of /proc/PID/stat after the command (which may hold ')' and
 * spaces): the line from its state field on, malloc'd; NULL if gone. */
static char *
stat_tail(pid_t pid)
{
	char path[64], buf[1024], *rp;

	snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
	if (util_read_small(path, buf, sizeof buf) < 0)
		return NULL;
	rp = strrchr(buf, ')');
	return rp && rp[1] == ' ' ? xstrdup(rp + 2) : NULL;
}

/* Field number k (1-based as in proc(5)) of a stat tail, which starts at
 * field 3; "" if missing. */
static const char *
stat_field(char *tail, int k, char *out, size_t outlen)
{
	char *save = NULL, *f = strtok_r(tail, " \n", &save);
	int i;

	for (i = 3; f && i < k; i++)
		f = strtok_r(NULL, " \n", &save);
	snprintf(out, outlen, "%s", f ? f : "");
	return out;
}

pid_t
procwatch_ppid(pid_t pid)
{
	char *t = stat_tail(pid), f[32];
	long v;

	if (!t)
		return 0;
	stat_field(t, 4, f, sizeof f);
	free(t);
	return util_parse_long(f, 0, 1L << 30, &v) ? (pid_t)v : 0;
}

/* The waitpid status of a zombie (exit_code, field 52), -1 if it is not
 * one any more (its parent reaped it) or the kernel does not say. */
static int
zombie_status(pid_t pid)
{
	char *t = stat_tail(pid), *copy, f[32];
	long v;

	if (!t)
		return -1;
	copy = xstrdup(t);
	stat_field(t, 3, f, sizeof f);
	if (strcmp(f, "Z") && strcmp(f, "X")) {
		free(t);
		free(copy);
		return -1;
	}
	stat_field(copy, 52, f, sizeof f);
	free(t);
	free(copy);
	return util_parse_long(f, 0, 0xffff, &v) ? (int)v : -1;
}

static bool
descends(pid_t pid, pid_t root)
{
	int depth;

	for (depth = 0; depth < PROCWATCH_MAX_DEPTH && pid > 1; depth++) {
		if (pid == root)
			return true;
		pid = procwatch_ppid(pid);
	}
	return pid == root;
}

static struct pw_entry *
find(struct procwatch *w, pid_t pid)
{
	size_t i;

	for (i = 0; i < w->n; i++)
		if (w->v[i].p.pid == pid && w->v[i].p.alive)
			return &w->v[i];
	return NULL;
}

/* Calls back; false if the callback freed the watch (stop touching it). */
static bool
deliver(struct procwatch *w, enum procwatch_event ev, const struct procwatch_proc *p)
{
	struct procwatch_proc copy = *p;	/* the array may move in the callback */

	w->in_cb++;
	w->cb(w, ev, &copy, w->ctx);
	w->in_cb--;
	if (w->freed && !w->in_cb) {
		procwatch_free(w);
		return false;
	}
	return !w->freed;
}

static void on_pidfd(struct evloop *loop, int fd, int events, void *ctx);

/* A FIFO for pid appeared: follow it if it is root's or a descendant's. */
static bool
consider(struct procwatch *w, pid_t pid)
{
	struct pw_entry *e;
	int fd;

	if (find(w, pid) || !descends(pid, w->root))
		return true;
	fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (fd < 0 && errno == ENOSYS && kill(pid, 0) == 0 && zombie_status(pid) < 0)
		w->no_pidfd = true;
	else if (fd < 0)
		return true;	/* gone already: a stale FIFO of a killed run */
	xgrow((void **)&w->v, &w->cap, w->n + 1, sizeof *w->v);
	e = &w->v[w->n++];
	memset(e, 0, sizeof *e);
	e->p.pid = pid;
	e->p.ppid = procwatch_ppid(pid);
	e->p.alive = true;
	e->p.exit_status = -1;
	e->pidfd = fd;
	if (fd >= 0)
		evloop_watch_fd(w->loop, fd, EV_READ, on_pidfd, w);
	return deliver(w, PROCWATCH_NEW, &e->p);
}

/* Without pidfds: the processes followed that are gone or zombies now. */
static bool
sweep(struct procwatch *w)
{
	size_t i;

	for (i = 0; w->no_pidfd && i < w->n; i++) {
		struct pw_entry *e = &w->v[i];

		if (!e->p.alive || e->pidfd >= 0)
			continue;
		e->p.exit_status = zombie_status(e->p.pid);
		if (e->p.exit_status < 0 && kill(e->p.pid, 0) == 0)
			continue;
		e->p.alive = false;
		if (!deliver(w, PROCWATCH_EXIT, &w->v[i].p))
			return false;
	}
	return true;
}

static void
on_pidfd(struct evloop *loop, int fd, int events, void *ctx)
{
	struct procwatch *w = ctx;
	size_t i;

	(void)events;
	for (i = 0; i < w->n; i++) {
		struct pw_entry *e = &w->v[i];

		if (e->pidfd != fd)
			continue;
		/* Readable once it exited: a zombie until its parent reaps it. */
		evloop_unwatch_fd(loop, fd);
		e->p.exit_status = zombie_status(e->p.pid);
		e->p.alive = false;
		close(fd);
		e->pidfd = -1;
		deliver(w, PROCWATCH_EXIT, &e->p);
		return;
	}
}

static void
on_inotify(struct evloop *loop, int fd, int events, void *ctx)
{
	struct procwatch *w = ctx;
	char buf[8192] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t n;

	(void)loop;
	(void)events;
	while ((n = read(fd, buf, sizeof buf)) > 0) {
		char *p = buf;

		while (p < buf + n) {
			struct inotify_event *ev = (struct inotify_event *)p;
			pid_t pid = ev->len ? fifo_pid(w->stem, ev->name) : 0;

			p += sizeof *ev + ev->len;
			if (pid && (ev->mask & (IN_CREATE | IN_MOVED_TO)) && !consider(w, pid))
				return;
		}
	}
	sweep(w);
}

/* The pids of the FIFOs in dir named stem PID -by-..., any order. */
static size_t
list_fifos(const char *dir, const char *stem, pid_t **out)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t n = 0, cap = 0;

	*out = NULL;
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		pid_t pid = fifo_pid(stem, de->d_name);

		if (!pid)
			continue;
		xgrow((void **)out, &cap, n + 1, sizeof **out);
		(*out)[n++] = pid;
	}
	closedir(d);
	return n;
}

static void
on_start_scan(struct evloop *loop, void *ctx)
{
	struct procwatch *w = ctx;
	pid_t *pids;
	size_t n, i;

	(void)loop;
	w->scan_timer = 0;
	n = list_fifos(w->dir, w->stem, &pids);
	/* root first: its NEW comes before its workers' */
	for (i = 0; i < n; i++)
		if (pids[i] == w->root && !consider(w, pids[i]))
			goto out;
	for (i = 0; i < n; i++)
		if (pids[i] != w->root && !consider(w, pids[i]))
			goto out;
out:
	free(pids);
}

/* prefix "/d/vgdb" -> dir "/d", stem "vgdb-from-vgdb-to-" */
static void
split_prefix(const char *prefix, char **dir, char **stem)
{
	char *a = xstrdup(prefix), *b = xstrdup(prefix);

	*dir = xstrdup(dirname(a));
	*stem = xasprintf("%s-from-vgdb-to-", basename(b));
	free(a);
	free(b);
}

struct procwatch *
procwatch_new(struct evloop *loop, const char *prefix, pid_t root, procwatch_cb cb, void *ctx)
{
	struct procwatch *w = xcalloc(1, sizeof *w);

	w->loop = loop;
	w->root = root;
	w->cb = cb;
	w->ctx = ctx;
	split_prefix(prefix, &w->dir, &w->stem);
	w->ino = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (w->ino < 0 || inotify_add_watch(w->ino, w->dir, IN_CREATE | IN_MOVED_TO | IN_DELETE) < 0) {
		int e = errno;

		procwatch_free(w);
		errno = e;
		return NULL;
	}
	evloop_watch_fd(loop, w->ino, EV_READ, on_inotify, w);
	/* From the loop, so the caller has its handle before the first NEW;
	 * FIFOs made meanwhile come through inotify too (consider dedupes). */
	w->scan_timer = evloop_timer_add(loop, 0, on_start_scan, w);
	return w;
}

void
procwatch_free(struct procwatch *w)
{
	size_t i;

	if (!w)
		return;
	if (w->in_cb) {
		w->freed = true;	/* deliver() frees it when the callback returns */
		return;
	}
	if (w->scan_timer)
		evloop_timer_cancel(w->loop, w->scan_timer);
	for (i = 0; i < w->n; i++) {
		if (w->v[i].pidfd >= 0) {
			evloop_unwatch_fd(w->loop, w->v[i].pidfd);
			close(w->v[i].pidfd);
		}
	}
	if (w->ino >= 0) {
		evloop_unwatch_fd(w->loop, w->ino);
		close(w->ino);
	}
	free(w->v);
	free(w->dir);
	free(w->stem);
	free(w);
}

size_t
procwatch_count(const struct procwatch *w)
{
	return w->n;
}

const struct procwatch_proc *
procwatch_get(const struct procwatch *w, size_t i)
{
	return i < w->n ? &w->v[i].p : NULL;
}

bool
procwatch_signal(struct procwatch *w, pid_t pid, int sig)
{
	struct pw_entry *e = find(w, pid);

	/* Through the pidfd: never a recycled pid's new owner. */
	if (e && e->pidfd < 0 && w->no_pidfd)
		return kill(pid, sig) == 0;	/* no pidfds here: the pid, still ours (alive) */
	return e && e->pidfd >= 0 && syscall(SYS_pidfd_send_signal, e->pidfd, sig, NULL, 0) == 0;
}

static int
cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

size_t
procwatch_scan(const char *prefix, pid_t **out)
{
	char *dir, *stem;
	size_t n, i, k = 0;
	pid_t *pids;

	split_prefix(prefix, &dir, &stem);
	n = list_fifos(dir, stem, &pids);
	for (i = 0; i < n; i++)
		if (kill(pids[i], 0) == 0 || errno == EPERM)
			pids[k++] = pids[i];
	free(dir);
	free(stem);
	if (k > 1)
		qsort(pids, k, sizeof *pids, cmp_pid);
	*out = pids;
	return k;
}
