/* session.c - spawn, readiness, death and stop of valgrind + nginx. */
#include "session.h"
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

#define OUTPUT_TAIL (64 * 1024)

struct session {
	struct evloop *loop;
	struct session_opts opts;
	session_state_cb cb;
	void *ctx;
	enum session_state state;

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

const char *
session_state_name(enum session_state st)
{
	static const char *names[] = { "new", "starting", "ready", "stopping", "exited" };

	return st < LT_ARRAY_SIZE(names) ? names[st] : "?";
}

struct session *
session_new(struct evloop *loop, const struct session_opts *opts, session_state_cb cb, void *ctx)
{
	struct session *s = xcalloc(1, sizeof *s);

	s->loop = loop;
	s->opts = *opts;
	s->cb = cb;
	s->ctx = ctx;
	s->out_fd = s->ino_fd = -1;
	return s;
}

static void
set_state(struct session *s, enum session_state st)
{
	s->state = st;
	if (s->cb)
		s->cb(s, st, s->ctx);
}

static char *
resolve(const char *prefix, const char *path)
{
	if (path[0] == '/')
		return xstrdup(path);
	return xasprintf("%s/%s", prefix, path);
}

/* A private dir whose owner died by SIGKILL could not be removed by it:
 * the next run removes it (ours only: same uid, owner pid gone). */
static void
reap_stale_dirs(const char *tmp)
{
	DIR *d = opendir(tmp);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		char *dir, *owner, buf[32] = "";
		struct stat st;
		long pid;
		int fd;

		if (strncmp(de->d_name, "ngx-leaktop.", 12))
			continue;
		dir = xasprintf("%s/%s", tmp, de->d_name);
		owner = xasprintf("%s/owner", dir);
		fd = open(owner, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (fd >= 0 && fstat(fd, &st) == 0 && st.st_uid == getuid() &&
			read(fd, buf, sizeof buf - 1) > 0 && util_parse_long(strtok(buf, "\n"), 1,
			LONG_MAX, &pid) && kill((pid_t)pid, 0) < 0 && errno == ESRCH)
			util_rm_rf(dir);
		if (fd >= 0)
			close(fd);
		free(owner);
		free(dir);
	}
	closedir(d);
}

static bool
write_owner(struct session *s)
{
	char *path = xasprintf("%s/owner", s->dir), pid[32];
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	bool ok;

	free(path);
	snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
	ok = fd >= 0 && util_write_all(fd, pid, strlen(pid));
	if (fd >= 0)
		close(fd);
	return ok;
}

static bool
make_private_dir(struct session *s, char *err, size_t errlen)
{
	const char *tmp = getenv("TMPDIR");
	char *tmpl = xasprintf("%s/ngx-leaktop.XXXXXX", tmp && *tmp ? tmp : "/tmp");

	reap_stale_dirs(tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(tmpl)) {
		snprintf(err, errlen, "cannot create a private directory in %s: %s (set TMPDIR)",
			tmp && *tmp ? tmp : "/tmp", strerror(errno));
		free(tmpl);
		return false;
	}
	s->dir = tmpl;
	s->vgdb_prefix = xasprintf("%s/vgdb", s->dir);
	if (!write_owner(s)) {
		snprintf(err, errlen, "cannot write in %s: %s", s->dir, strerror(errno));
		return false;
	}
	return true;
}

static bool
prepare_embedded(struct session *s, char *err, size_t errlen)
{
	unsigned port = ngxconf_free_port();

	if (!port) {
		snprintf(err, errlen, "cannot find a free port on 127.0.0.1: %s", strerror(errno));
		return false;
	}
	s->nginx_prefix = xasprintf("%s/nginx", s->dir);
	if (mkdir(s->nginx_prefix, 0700) < 0) {
		snprintf(err, errlen, "cannot create %s: %s", s->nginx_prefix, strerror(errno));
		return false;
	}
	if (!ngxconf_write_embedded(s->nginx_prefix, port, s->opts.extra_server, err, errlen))
		return false;
	s->conf = xasprintf("%s/conf/nginx.conf", s->nginx_prefix);
	s->pid_path = xasprintf("%s/nginx.pid", s->nginx_prefix);
	s->error_log = xasprintf("%s/logs/error.log", s->nginx_prefix);
	s->base_url = xasprintf("http://127.0.0.1:%u", port);
	return true;
}

static bool
prepare_user_conf(struct session *s, char *err, size_t errlen)
{
	struct ngxconf_scan scan;
	char *abs = realpath(s->opts.conf, NULL);

	if (!abs) {
		snprintf(err, errlen, "nginx config %.300s: %s", s->opts.conf, strerror(errno));
		return false;
	}
	s->conf = abs;
	if (!ngxconf_scan_file(s->conf, &scan, err, errlen))
		return false;
	if (scan.daemon_line || scan.master_line) {
		snprintf(err, errlen, "%s:%u sets '%s': remove it, ngx-leaktop runs nginx with "
			"-g 'daemon off; master_process off;' (nginx refuses a directive given twice)",
			s->opts.conf, scan.daemon_line ? scan.daemon_line : scan.master_line,
			scan.daemon_line ? "daemon" : "master_process");
		ngxconf_scan_free(&scan);
		return false;
	}
	if (s->opts.prefix) {
		char *p = realpath(s->opts.prefix, NULL);

		s->nginx_prefix = p ? p : xstrdup(s->opts.prefix);
	} else {
		char *copy = xstrdup(s->conf);

		s->nginx_prefix = xstrdup(dirname(copy));
		free(copy);
	}
	s->pid_path = scan.pid_path ? resolve(s->nginx_prefix, scan.pid_path)
		: xasprintf("%s/nginx.pid", s->dir);
	s->add_pid = !scan.pid_path;
	if (scan.error_log && strcmp(scan.error_log, "stderr") && strncmp(scan.error_log, "syslog:", 7))
		s->error_log = resolve(s->nginx_prefix, scan.error_log);
	if (scan.listen)
		s->base_url = ngxconf_listen_url(scan.listen);
	ngxconf_scan_free(&scan);
	return true;
}

/* inotify on the pid file's directory: nginx writes the pid file after
 * bind()+listen(), so from then on connections queue in the backlog. */
static bool
watch_pid_file(struct session *s, char *err, size_t errlen)
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

/* valgrind expands %p, %q{VAR}, %n in --xml-file: a '%' of TMPDIR is
 * doubled to stay itself. */
static char *
xml_file_arg(const char *dir)
{
	struct sbuf b = SBUF_INIT;

	sbuf_adds(&b, "--xml-file=");
	for (; *dir; dir++) {
		if (*dir == '%')
			sbuf_addc(&b, '%');
		sbuf_addc(&b, *dir);
	}
	sbuf_adds(&b, "/vg.%p.xml");
	return sbuf_detach(&b);
}

static char **
build_argv(struct session *s)
{
	size_t n = 0, cap = 24 + s->opts.nvalgrind_opts, i;
	char **argv = xcalloc(cap, sizeof *argv);

	argv[n++] = xstrdup(s->opts.valgrind);
	argv[n++] = xstrdup("--tool=memcheck");
	argv[n++] = xstrdup("--vgdb=yes");
	argv[n++] = xasprintf("--vgdb-prefix=%s", s->vgdb_prefix);
	argv[n++] = xstrdup("--xml=yes");
	argv[n++] = xml_file_arg(s->dir);
	argv[n++] = xasprintf("--num-callers=%u", s->opts.num_callers);
	argv[n++] = xstrdup("--keep-stacktraces=alloc-and-free");
	argv[n++] = xstrdup("--fullpath-after=");
	argv[n++] = xstrdup("--error-limit=no");
	for (i = 0; i < s->opts.nvalgrind_opts; i++)
		argv[n++] = xstrdup(s->opts.valgrind_opts[i]);
	argv[n++] = xstrdup(s->opts.nginx);
	argv[n++] = xstrdup("-p");
	argv[n++] = xasprintf("%s/", s->nginx_prefix);
	argv[n++] = xstrdup("-c");
	argv[n++] = xstrdup(s->conf);
	argv[n++] = xstrdup("-g");
	/* A user config without `pid` gets ours, so readiness can be seen. */
	if (s->add_pid) {
		char *q = ngxconf_quote(s->pid_path, "");

		argv[n++] = xasprintf("daemon off; master_process off; pid %s;", q);
		free(q);
	} else {
		argv[n++] = xstrdup("daemon off; master_process off;");
	}
	return argv;
}

static void
free_argv(char **argv)
{
	size_t i;

	for (i = 0; argv[i]; i++)
		free(argv[i]);
	free(argv);
}

static void on_output(struct evloop *loop, int fd, int events, void *ctx);
static void on_inotify(struct evloop *loop, int fd, int events, void *ctx);
static void on_child_exit(struct evloop *loop, pid_t pid, int status, void *ctx);
static void on_start_timeout(struct evloop *loop, void *ctx);

static bool
spawn(struct session *s, char *err, size_t errlen)
{
	struct proc_spec spec = { .stdin_fd = -1, .own_pgrp = true, .die_with_parent = true };
	char **argv = build_argv(s);
	int fds[2];

	if (!proc_pipe(fds)) {
		snprintf(err, errlen, "cannot create a pipe: %s", strerror(errno));
		free_argv(argv);
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
	free_argv(argv);
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
	return true;
}

bool
session_start(struct session *s, char *err, size_t errlen)
{
	if (s->state != SESSION_NEW) {
		snprintf(err, errlen, "session already started");
		return false;
	}
	if (!make_private_dir(s, err, errlen))
		return false;
	if (!(s->opts.conf ? prepare_user_conf(s, err, errlen) : prepare_embedded(s, err, errlen)))
		return false;
	if (!strncmp(s->pid_path, s->dir, strlen(s->dir)))
		unlink(s->pid_path);	/* ours: never stale, but be sure */
	if (!watch_pid_file(s, err, errlen) || !spawn(s, err, errlen))
		return false;
	set_state(s, SESSION_STARTING);
	return true;
}

static void
read_output(struct session *s)
{
	char buf[8192];
	ssize_t n;

	while (s->out_fd >= 0) {
		n = read(s->out_fd, buf, sizeof buf);
		if (n > 0) {
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
pid_file_is_ours(struct session *s)
{
	char buf[32] = "";
	int fd = open(s->pid_path, O_RDONLY | O_CLOEXEC);
	ssize_t n;
	long pid;

	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return util_parse_long(buf, 1, LONG_MAX, &pid) && pid == (long)s->pid;
}

static void
close_inotify(struct session *s)
{
	if (s->ino_fd < 0)
		return;
	evloop_unwatch_fd(s->loop, s->ino_fd);
	close(s->ino_fd);
	s->ino_fd = -1;
}

static void
became_ready(struct session *s)
{
	evloop_timer_cancel(s->loop, s->start_timer);
	s->start_timer = 0;
	s->ready_ms = (util_now_ns() - s->spawn_ns) / 1000000;
	set_state(s, SESSION_READY);
}

static void
on_probe(void *ctx, bool answered)
{
	struct session *s = ctx;

	/* Not reached (it listens elsewhere than we think): as before the
	 * probe, the pid file is the sign; the first burst will tell. */
	(void)answered;
	probe_free(s->probe);
	s->probe = NULL;
	if (s->state == SESSION_STARTING)
		became_ready(s);
}

static void
on_inotify(struct evloop *loop, int fd, int events, void *ctx)
{
	struct session *s = ctx;
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));

	(void)loop;
	(void)events;
	/* Any event in the directory: just check the pid file itself. */
	while (read(fd, buf, sizeof buf) > 0)
		;
	if (s->state != SESSION_STARTING || !pid_file_is_ours(s) || s->probe)
		return;
	close_inotify(s);
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
find_reason_line(struct session *s, char *out, size_t outlen)
{
	char *tail = session_log_tail(s, 200), *line, *save = NULL, *best = NULL, *last = NULL;

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
	struct session *s = ctx;
	char st[96], why[384];

	(void)loop;
	(void)pid;
	s->exit_status = status;
	s->alive = false;
	read_output(s);
	close_inotify(s);
	probe_free(s->probe);
	s->probe = NULL;
	if (s->start_timer)
		evloop_timer_cancel(s->loop, s->start_timer);
	if (s->stop_timer)
		evloop_timer_cancel(s->loop, s->stop_timer);
	s->start_timer = s->stop_timer = 0;
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
	else if (s->state == SESSION_STARTING)
		snprintf(s->reason, sizeof s->reason, "nginx %s during start-up%s%s", st,
			*why ? ": " : "", why);
	else	/* a log line after start-up is rarely the cause: the engine adds
		 * the fatal signal's location from valgrind's XML instead */
		snprintf(s->reason, sizeof s->reason, "nginx %s", st);
	set_state(s, SESSION_EXITED);
}

static void
on_start_timeout(struct evloop *loop, void *ctx)
{
	struct session *s = ctx;

	(void)loop;
	s->start_timer = 0;
	session_stop(s);
	if (s->probe)
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
	struct session *s = ctx;

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
	}
}

void
session_stop(struct session *s)
{
	if (!s->alive || s->state == SESSION_STOPPING || s->state == SESSION_EXITED)
		return;
	s->stopped_by_us = true;
	s->stop_stage = 0;
	/* QUIT: graceful, so valgrind writes its exit leak report. CONT: a
	 * stopped process (SIGSTOP, a debugger) would never see the QUIT. */
	kill(s->pid, SIGQUIT);
	kill(s->pid, SIGCONT);
	s->stop_timer = evloop_timer_add(s->loop, s->opts.stop_timeout_ms, on_stop_timer, s);
	set_state(s, SESSION_STOPPING);
}

void
session_free(struct session *s)
{
	if (!s)
		return;
	if (s->alive) {
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
	close_inotify(s);
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
session_log_tail(const struct session *s, size_t max_lines)
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

		esc_append(&out, start, n, 0);
		sbuf_addc(&out, '\n');
		start += n + 1;
	}
	sbuf_free(&raw);
	return sbuf_detach(&out);
}

enum session_state
session_state(const struct session *s)
{
	return s->state;
}

pid_t
session_pid(const struct session *s)
{
	return s->pid;
}

const char *
session_dir(const struct session *s)
{
	return s->dir;
}

const char *
session_vgdb_prefix(const struct session *s)
{
	return s->vgdb_prefix;
}

const char *
session_xml_path(const struct session *s)
{
	return s->xml_path;
}

const char *
session_base_url(const struct session *s)
{
	return s->base_url;
}

const char *
session_reason(const struct session *s)
{
	return s->reason;
}

int
session_exit_status(const struct session *s)
{
	return s->exit_status;
}

bool
session_stopped_by_us(const struct session *s)
{
	return s->stopped_by_us;
}

int64_t
session_ready_ms(const struct session *s)
{
	return s->ready_ms;
}
