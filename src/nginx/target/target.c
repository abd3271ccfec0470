/* target.c - spawn, readiness, death and stop of valgrind + nginx. */
#include "target.h"
#include "target_int.h"
#include "probe.h"
#include "escape.h"
#include "evloop.h"
#include "ngxconf.h"
#include "proc.h"
#include "sbuf.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>


const char *
target_state_name(enum target_state st)
{
	static const char *names[] = { "new", "starting", "ready", "stopping", "exited" };

	return st < LT_ARRAY_SIZE(names) ? names[st] : "?";
}

struct target *
target_new(struct evloop *loop, const struct target_opts *opts, target_state_cb cb, void *ctx)
{
	struct target *s = xcalloc(1, sizeof *s);

	s->loop = loop;
	s->opts = *opts;
	s->cb = cb;
	s->ctx = ctx;
	s->out_fd = s->ino_fd = -1;
	return s;
}

void
target_set_state(struct target *s, enum target_state st)
{
	s->state = st;
	if (s->cb)
		s->cb(s, st, s->ctx);
}

/* inotify on the pid file's directory: nginx writes the pid file after
 * bind()+listen(), so from then on connections queue in the backlog. */
static bool
watch_pid_file(struct target *s, char *err, size_t errlen)
{
	char *copy = xstrdup(s->pid_path);
	const char *d = dirname(copy);

	s->ino_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (s->ino_fd < 0 || inotify_add_watch(s->ino_fd, d, IN_CLOSE_WRITE | IN_MOVED_TO) < 0) {
		snprintf(err, errlen, "cannot watch %s for nginx's pid file: %s", d, strerror(errno));
		free(copy);
		return false;
	}
	free(copy);
	return true;
}

static void on_output(struct evloop *loop, int fd, int events, void *ctx);
static void on_inotify(struct evloop *loop, int fd, int events, void *ctx);
static void on_child_exit(struct evloop *loop, pid_t pid, int status, void *ctx);
static void on_start_timeout(struct evloop *loop, void *ctx);

static bool
spawn(struct target *s, char *err, size_t errlen)
{
	struct proc_spec spec = { .stdin_fd = -1, .own_pgrp = true, .die_with_parent = true };
	char **argv = target_argv(s);
	int fds[2];

	if (!proc_pipe(fds)) {
		snprintf(err, errlen, "cannot create a pipe: %s", strerror(errno));
		target_argv_free(argv);
		return false;
	}
	spec.argv = argv;
	spec.stdout_fd = spec.stderr_fd = fds[1];
	if (s->error_log) {
		struct stat st;

		s->error_log_start = stat(s->error_log, &st) == 0 && S_ISREG(st.st_mode) ?
			st.st_size : 0;
	}
	s->spawn_ns = util_now_ns();
	s->pid = proc_spawn(&spec);
	close(fds[1]);
	target_argv_free(argv);
	if (s->pid < 0) {
		snprintf(err, errlen, "cannot run %s: %s", s->opts.valgrind, strerror(errno));
		s->pid = 0;
		close(fds[0]);
		return false;
	}
	s->alive = true;
	s->out_fd = fds[0];
	s->xml_path = xasprintf("%s/vg.%ld.xml", s->dir, (long)s->pid);
	evloop_watch_fd(s->loop, s->out_fd, EV_READ, on_output, s);
	evloop_watch_fd(s->loop, s->ino_fd, EV_READ, on_inotify, s);
	evloop_watch_child(s->loop, s->pid, on_child_exit, s);
	s->start_timer = evloop_timer_add(s->loop, s->opts.start_timeout_ms, on_start_timeout, s);
	return target_procs_start(s, err, errlen);
}

bool
target_start(struct target *s, char *err, size_t errlen)
{
	if (s->state != TARGET_NEW) {
		snprintf(err, errlen, "session already started");
		return false;
	}
	if ((s->opts.conf || s->opts.attach_pid > 0) && target_refuse_protocols(&s->opts, err, errlen))
		return false;
	if (s->opts.attach_pid > 0) {
		if (!target_attach_start(s, err, errlen))
			return false;
		target_set_state(s, TARGET_STARTING);
		return true;
	}
	if (!target_make_dir(s, err, errlen))
		return false;
	if (!(s->opts.conf ? target_prepare_user_conf(s, err, errlen) : target_prepare_embedded(s, err, errlen)))
		return false;
	if (!strncmp(s->pid_path, s->dir, strlen(s->dir)))
		unlink(s->pid_path);	/* ours: never stale, but be sure */
	if (!watch_pid_file(s, err, errlen) || !spawn(s, err, errlen))
		return false;
	target_set_state(s, TARGET_STARTING);
	return true;
}

static void
read_output(struct target *s)
{
	char buf[8192];
	ssize_t n;

	while (s->out_fd >= 0) {
		n = read(s->out_fd, buf, sizeof buf);
		if (n > 0) {
			if (!s->error_log)	/* its log is this stream */
				target_procs_log_bytes(s, buf, (size_t)n);
			sbuf_add(&s->out, buf, (size_t)n);
			sbuf_keep_tail(&s->out, OUTPUT_TAIL);
			continue;
		}
		if (n < 0 && (errno == EINTR))
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		evloop_unwatch_fd(s->loop, s->out_fd);
		close(s->out_fd);
		s->out_fd = -1;
	}
}

static void
on_output(struct evloop *loop, int fd, int events, void *ctx)
{
	(void)loop;
	(void)fd;
	(void)events;
	read_output(ctx);
}

static bool
pid_file_is_ours(struct target *s)
{
	char buf[32] = "";
	long pid;

	if (util_read_small(s->pid_path, buf, sizeof buf) < 0)
		return false;
	buf[strcspn(buf, "\n")] = '\0';
	return util_parse_long(buf, 1, LONG_MAX, &pid) && pid == (long)s->pid;
}

void
target_close_inotify(struct target *s)
{
	if (s->ino_fd < 0)
		return;
	evloop_unwatch_fd(s->loop, s->ino_fd);
	close(s->ino_fd);
	s->ino_fd = -1;
}

static void
became_ready(struct target *s)
{
	evloop_timer_cancel(s->loop, s->start_timer);
	s->start_timer = 0;
	s->ready_ms = (util_now_ns() - s->spawn_ns) / 1000000;
	target_set_state(s, TARGET_READY);
}

static void
on_probe(void *ctx, bool answered)
{
	struct target *s = ctx;

	/* Not reached (it listens elsewhere than we think): as before the
	 * probe, the pid file is the sign; the first burst will tell. */
	(void)answered;
	probe_free(s->probe);
	s->probe = NULL;
	if (s->state == TARGET_STARTING)
		became_ready(s);
}

static void
on_inotify(struct evloop *loop, int fd, int events, void *ctx)
{
	struct target *s = ctx;
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));

	(void)loop;
	(void)events;
	/* Any event in the directory: just check the pid file itself. */
	while (read(fd, buf, sizeof buf) > 0)
		;
	if (s->state != TARGET_STARTING || !pid_file_is_ours(s) || s->probe)
		return;
	target_close_inotify(s);
	s->pid_seen = true;
	target_procs_check_ready(s);	/* and the gdbservers: target_procs.c */
}

void
target_probe_ready(struct target *s)
{
	/* listening, but maybe not in its event loop yet: see probe.h */
	s->probe = probe_start(s->loop, s->base_url, on_probe, s);
	if (!s->probe)
		became_ready(s);
}

/* The most telling line nginx or valgrind printed: nginx's first [emerg] /
 * [alert] / [crit] (the cause; later ones are consequences, like "still
 * could not bind()") or valgrind's own complaint ("valgrind: Bad option:
 * ...", not the "Use --help" after it), else valgrind's last words. */
static void
find_reason_line(struct target *s, char *out, size_t outlen)
{
	char *tail = target_log_tail(s, 200), *line, *save = NULL, *best = NULL, *last = NULL;

	for (line = strtok_r(tail, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (!best && (strstr(line, "[emerg]") || strstr(line, "[alert]") ||
			strstr(line, "[crit]") || (!strncmp(line, "valgrind: ", 10) &&
			strncmp(line, "valgrind: Use --help", 20))))
			best = line;
		if (strspn(line, "= 0123456789") < strlen(line) &&
			!strstr(line, "Use --help for more information"))
			last = line;
	}
	snprintf(out, outlen, "%s", best ? best : last ? last : "");
	free(tail);
}

static void
on_child_exit(struct evloop *loop, pid_t pid, int status, void *ctx)
{
	struct target *s = ctx;
	char st[96], why[384];

	(void)loop;
	(void)pid;
	s->exit_status = status;
	s->alive = false;
	read_output(s);
	target_close_inotify(s);
	probe_free(s->probe);
	s->probe = NULL;
	if (s->start_timer)
		evloop_timer_cancel(s->loop, s->start_timer);
	if (s->stop_timer)
		evloop_timer_cancel(s->loop, s->stop_timer);
	s->start_timer = s->stop_timer = 0;
	target_procs_main_exit(s, status);
	proc_status_text(status, st, sizeof st);
	find_reason_line(s, why, sizeof why);
	/* A stop of ours ends in an exit or in QUIT/TERM/KILL; any other signal
	 * is a crash that came first (a burst's request killed nginx and the
	 * stop followed the failed check): it is the reason, not our stop. */
	if (s->stopped_by_us && WIFSIGNALED(status) && WTERMSIG(status) != SIGQUIT &&
		WTERMSIG(status) != SIGTERM && WTERMSIG(status) != SIGKILL)
		s->stopped_by_us = false;
	if (s->start_timed_out)
		;	/* "did not become ready": the QUIT that followed is ours */
	else if (s->stopped_by_us)
		snprintf(s->reason, sizeof s->reason, "nginx stopped (%s)", st);
	else if (s->state == TARGET_STARTING)
		snprintf(s->reason, sizeof s->reason, "nginx %s during start-up%s%s", st,
			*why ? ": " : "", why);
	else	/* a log line after start-up is rarely the cause: the engine adds
		 * the fatal signal's location from valgrind's XML instead */
		snprintf(s->reason, sizeof s->reason, "nginx %s", st);
	target_procs_exited(s);
}

static void
on_start_timeout(struct evloop *loop, void *ctx)
{
	struct target *s = ctx;

	(void)loop;
	s->start_timer = 0;
	target_stop(s);
	if (s->pid_seen && !s->probe)
		snprintf(s->reason, sizeof s->reason, "nginx did not become ready within %lld s "
			"(%zu of %u workers have a valgrind gdbserver)",
			(long long)(s->opts.start_timeout_ms / 1000),
			target_procs_alive_workers(s, false), s->mode.workers);
	else if (s->probe)
		snprintf(s->reason, sizeof s->reason, "nginx did not become ready within %lld s "
			"(its pid file is there, but %s does not answer)",
			(long long)(s->opts.start_timeout_ms / 1000), s->base_url);
	else
		snprintf(s->reason, sizeof s->reason, "nginx did not become ready within %lld s "
			"(no pid file at %s)", (long long)(s->opts.start_timeout_ms / 1000), s->pid_path);
	s->stopped_by_us = false;
	s->start_timed_out = true;
}

static void
on_stop_timer(struct evloop *loop, void *ctx)
{
	struct target *s = ctx;

	(void)loop;
	s->stop_timer = 0;
	if (!s->alive)
		return;
	s->stop_stage++;
	if (s->stop_stage == 1) {
		kill(s->pid, SIGTERM);
		kill(s->pid, SIGCONT);
		s->stop_timer = evloop_timer_add(s->loop, s->opts.stop_timeout_ms, on_stop_timer, s);
	} else {
		kill(-s->pid, SIGKILL);	/* the whole process group */
		kill(s->pid, SIGKILL);
		target_procs_kill_rest(s);	/* workers that left the group */
	}
}

void
target_stop(struct target *s)
{
	if (s->attached) {
		target_attach_stop(s);
		return;
	}
	if (!s->alive || s->state == TARGET_STOPPING || s->state == TARGET_EXITED)
		return;
	s->stopped_by_us = true;
	s->stop_stage = 0;
	/* QUIT: graceful, so valgrind writes its exit leak report. CONT: a
	 * stopped process (SIGSTOP, a debugger) would never see the QUIT. */
	kill(s->pid, SIGQUIT);
	kill(s->pid, SIGCONT);
	s->stop_timer = evloop_timer_add(s->loop, s->opts.stop_timeout_ms, on_stop_timer, s);
	target_set_state(s, TARGET_STOPPING);
}

void
target_free(struct target *s)
{
	if (!s)
		return;
	target_procs_free(s);	/* kills our workers, never an attached one's */
	if (s->alive && !s->attached) {
		evloop_unwatch_child(s->loop, s->pid);
		kill(-s->pid, SIGKILL);
		kill(s->pid, SIGKILL);
		while (waitpid(s->pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	if (s->start_timer)
		evloop_timer_cancel(s->loop, s->start_timer);
	if (s->stop_timer)
		evloop_timer_cancel(s->loop, s->stop_timer);
	probe_free(s->probe);
	target_close_inotify(s);
	if (s->out_fd >= 0) {
		evloop_unwatch_fd(s->loop, s->out_fd);
		close(s->out_fd);
	}
	if (s->dir)
		util_rm_rf(s->dir);
	sbuf_free(&s->out);
	free(s->dir);
	free(s->vgdb_prefix);
	free(s->xml_path);
	free(s->conf);
	free(s->nginx_prefix);
	free(s->pid_path);
	free(s->error_log);
	free(s->base_url);
	free(s->stream_addr);
	free(s);
}

/* The last max bytes of path written since offset start (all of it if
 * the file shrank meanwhile: rotated or truncated). */
static void
append_file_tail(struct sbuf *b, const char *path, off_t start, size_t max)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	char *buf;
	ssize_t n;

	if (fd < 0)
		return;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
		off_t off = st.st_size > (off_t)max ? st.st_size - (off_t)max : 0;

		if (st.st_size >= start && off < start)
			off = start;

		buf = xmalloc(max);
		n = pread(fd, buf, max, off);
		if (n > 0)
			sbuf_add(b, buf, (size_t)n);
		free(buf);
	}
	close(fd);
}

char *
target_log_tail(const struct target *s, size_t max_lines)
{
	struct sbuf raw = SBUF_INIT, out = SBUF_INIT;
	const char *p, *end, *start;
	size_t lines = 0;

	if (s->out.len)
		sbuf_add(&raw, s->out.data, s->out.len);
	if (raw.len && raw.data[raw.len - 1] != '\n')
		sbuf_addc(&raw, '\n');
	if (s->error_log)
		append_file_tail(&raw, s->error_log, s->error_log_start, 16384);
	/* Keep the last max_lines lines, each escaped: this text is shown. */
	end = raw.data ? raw.data + raw.len : NULL;
	start = raw.data;
	for (p = end; p && p > raw.data; p--) {
		if (p[-1] == '\n' && p != end && ++lines > max_lines) {
			start = p;
			break;
		}
	}
	while (start && start < end) {
		const char *nl = memchr(start, '\n', (size_t)(end - start));
		size_t n = nl ? (size_t)(nl - start) : (size_t)(end - start);

		escape_append(&out, start, n, 0);
		sbuf_addc(&out, '\n');
		start += n + 1;
	}
	sbuf_free(&raw);
	return sbuf_detach(&out);
}

enum target_state
target_state(const struct target *s)
{
	return s->state;
}

pid_t
target_pid(const struct target *s)
{
	return s->pid;
}

const char *
target_dir(const struct target *s)
{
	return s->dir;
}

const char *
target_vgdb_prefix(const struct target *s)
{
	return s->vgdb_prefix;
}

const char *
target_xml_path(const struct target *s)
{
	return s->xml_path;
}

const char *
target_base_url(const struct target *s)
{
	return s->base_url;
}

bool
target_http2(const struct target *s)
{
	return s->http2;
}

const char *
target_stream_addr(const struct target *s)
{
	return s->stream_addr;
}

const char *
target_reason(const struct target *s)
{
	return s->reason;
}

int
target_exit_status(const struct target *s)
{
	return s->exit_status;
}

bool
target_stopped_by_us(const struct target *s)
{
	return s->stopped_by_us;
}

int64_t
target_ready_ms(const struct target *s)
{
	return s->ready_ms;
}
