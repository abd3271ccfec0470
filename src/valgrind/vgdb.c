/* vgdb.c - run vgdb as a child per command, read its output on the loop. */
#include "vgdb.h"
#include "evloop.h"
#include "proc.h"
#include "sbuf.h"
#include "util.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define VGDB_ERR_TAIL 4096

struct vgdb_cmd {
	struct vgdb_cmd *next;
	char *command;
	int64_t timeout_ms;
	vgdb_done_cb cb;
	vgdb_data_cb data;	/* NULL: stdout gathered for cb */
	void *ctx;
};

struct vgdb {
	struct evloop *loop;
	char *path;
	char *prefix_arg;	/* "--vgdb-prefix=..." */
	char *pid_arg;		/* "--pid=N" */
	struct vgdb_cmd *head, *tail;
	/* the running command */
	pid_t child;
	int out_fd, err_fd;
	struct sbuf out, err;
	size_t out_seen;	/* stdout bytes handed to a data callback */
	uint64_t timer;
	int64_t started_ns;
	bool timed_out;
	bool exited;
	int wait_status;
	char message[512];
};

static void start_next(struct vgdb *v);

const char *
vgdb_status_name(enum vgdb_status st)
{
	static const char *names[] = {
		"ok", "timeout", "cannot attach", "no target", "locked", "spawn failed", "cancelled",
	};

	return st < LT_ARRAY_SIZE(names) ? names[st] : "unknown";
}

struct vgdb *
vgdb_new(struct evloop *loop, const char *vgdb_path, const char *prefix, pid_t pid)
{
	struct vgdb *v = xcalloc(1, sizeof *v);

	v->loop = loop;
	v->path = xstrdup(vgdb_path);
	v->prefix_arg = xasprintf("--vgdb-prefix=%s", prefix);
	v->pid_arg = xasprintf("--pid=%ld", (long)pid);
	v->child = -1;
	v->out_fd = v->err_fd = -1;
	return v;
}

static void
close_fd(struct vgdb *v, int *fd)
{
	if (*fd < 0)
		return;
	evloop_unwatch_fd(v->loop, *fd);
	close(*fd);
	*fd = -1;
}

/* vgdb writes its own troubles to stderr; map the known ones. */
static enum vgdb_status
classify(struct vgdb *v)
{
	const char *e = v->err.data ? v->err.data : "";

	if (v->timed_out) {
		if (strstr(e, "error attach"))
			goto no_attach;
		snprintf(v->message, sizeof v->message,
			"vgdb got no answer within the timeout (valgrind busy, or the target is stopped)");
		return VGDB_TIMEOUT;
	}
	if (strstr(e, "Cannot acquire lock")) {
		snprintf(v->message, sizeof v->message,
			"another vgdb is talking to the target (Cannot acquire lock): close it and retry");
		return VGDB_LOCKED;
	}
	if (strstr(e, "no FIFO found") || strstr(e, "error opening")) {
		snprintf(v->message, sizeof v->message,
			"vgdb found no valgrind gdbserver for this process (it exited, or --vgdb-prefix differs)");
		return VGDB_NO_TARGET;
	}
	if (strstr(e, "error attach") && !v->out.len && !v->out_seen)
		goto no_attach;
	v->message[0] = '\0';
	return VGDB_OK;
no_attach:
	snprintf(v->message, sizeof v->message,
		"vgdb cannot attach (ptrace) to wake valgrind: allow ptrace (CAP_SYS_PTRACE, "
		"kernel.yama.ptrace_scope <= 1, docker --cap-add=SYS_PTRACE)");
	return VGDB_NO_ATTACH;
}

static void
finish(struct vgdb *v, enum vgdb_status forced)
{
	struct vgdb_cmd *cmd = v->head;
	struct vgdb_result res;

	if (v->timer)
		evloop_timer_cancel(v->loop, v->timer);
	v->timer = 0;
	v->head = cmd->next;
	if (!v->head)
		v->tail = NULL;
	memset(&res, 0, sizeof res);
	res.status = forced != VGDB_OK ? forced : classify(v);
	res.wait_status = v->wait_status;
	sbuf_addc(&v->out, '\0');	/* make sure data is allocated */
	v->out.len--;
	res.out = v->out.data;
	res.outlen = v->out.len;
	res.err = v->err.data ? v->err.data : "";
	res.elapsed_ns = util_now_ns() - v->started_ns;
	res.message = v->message;
	v->child = -1;
	cmd->cb(v, &res, cmd->ctx);
	free(cmd->command);
	free(cmd);
	sbuf_reset(&v->out);
	sbuf_reset(&v->err);
	v->out_seen = 0;
	start_next(v);
}

/* Done only when vgdb exited and both pipes reached EOF: nothing is lost. */
static void
maybe_finish(struct vgdb *v)
{
	if (v->exited && v->out_fd < 0 && v->err_fd < 0)
		finish(v, VGDB_OK);
}

static void
on_readable(struct evloop *loop, int fd, int events, void *ctx)
{
	struct vgdb *v = ctx;
	bool is_out = fd == v->out_fd;
	struct sbuf *b = is_out ? &v->out : &v->err;

	(void)loop;
	(void)events;
	if (!sbuf_read_fd(b, fd))
		close_fd(v, is_out ? &v->out_fd : &v->err_fd);
	if (!is_out)
		sbuf_keep_tail(b, VGDB_ERR_TAIL);
	else if (v->head && v->head->data && b->len) {
		/* streamed: what came is handed on now, nothing is gathered */
		v->out_seen += b->len;
		v->head->data(v, b->data, b->len, v->head->ctx);
		sbuf_reset(b);
	}
	maybe_finish(v);
}

static void
on_exit_child(struct evloop *loop, pid_t pid, int status, void *ctx)
{
	struct vgdb *v = ctx;

	(void)loop;
	(void)pid;
	v->exited = true;
	v->wait_status = status;
	maybe_finish(v);
}

static void
on_timeout(struct evloop *loop, void *ctx)
{
	struct vgdb *v = ctx;

	(void)loop;
	v->timer = 0;
	v->timed_out = true;
	/* The kernel drops vgdb's lock with the process; the exit callback
	 * then finishes the command as a timeout. */
	if (v->child > 0)
		kill(v->child, SIGKILL);
}

/* vgdb's argv: a command of several lines is several commands, each
 * after a "-c" (one connection, their answers one after the other).
 * argv[4] is a copy of the command with its newlines cut, the others
 * point into it or into v. */
static char **
chain_argv(struct vgdb *v, const char *command)
{
	char *copy = xstrdup(command), *p;
	size_t n = 1, i = 4;
	char **argv;

	for (p = copy; *p; p++)
		n += *p == '\n';
	argv = xcalloc(4 + 2 * n + 1, sizeof *argv);
	argv[0] = v->path;
	argv[1] = v->prefix_arg;
	argv[2] = v->pid_arg;
	argv[3] = "--max-invoke-ms=1";
	argv[i++] = copy;
	for (p = copy; *p; p++) {
		if (*p != '\n')
			continue;
		*p = '\0';
		argv[i++] = "-c";
		argv[i++] = p + 1;
	}
	return argv;
}

static bool
spawn_vgdb(struct vgdb *v, struct vgdb_cmd *cmd)
{
	int out[2], err[2];
	/* --max-invoke-ms=1: we only run commands while nginx idles in
	 * epoll_wait, so waiting (default 100 ms) before vgdb wakes it with
	 * ptrace is pure latency: a leak check takes ~120 ms instead of ~220. */
	char **argv = chain_argv(v, cmd->command);
	/* A process group of its own: a ^C at the terminal (or timeout(1)
	 * passing a signal on to its group) reaches ngx-leaktop, which lets
	 * the check in flight end; killed with the rest of the group, vgdb
	 * would cut the check short and lose its round. */
	struct proc_spec spec = { .argv = argv, .stdin_fd = -1, .own_pgrp = true,
		.die_with_parent = true };

	if (!proc_pipe(out)) {
		free(argv[4]);
		free(argv);
		return false;
	}
	if (!proc_pipe(err)) {
		close(out[0]);
		close(out[1]);
		free(argv[4]);
		free(argv);
		return false;
	}
	spec.stdout_fd = out[1];
	spec.stderr_fd = err[1];
	v->child = proc_spawn(&spec);
	free(argv[4]);
	free(argv);
	close(out[1]);
	close(err[1]);
	if (v->child < 0) {
		close(out[0]);
		close(err[0]);
		return false;
	}
	v->out_fd = out[0];
	v->err_fd = err[0];
	evloop_watch_fd(v->loop, v->out_fd, EV_READ, on_readable, v);
	evloop_watch_fd(v->loop, v->err_fd, EV_READ, on_readable, v);
	evloop_watch_child(v->loop, v->child, on_exit_child, v);
	return true;
}

static void
start_next(struct vgdb *v)
{
	struct vgdb_cmd *cmd = v->head;

	if (!cmd || v->child > 0)
		return;
	v->started_ns = util_now_ns();
	v->timed_out = false;
	v->exited = false;
	v->wait_status = 0;
	if (!spawn_vgdb(v, cmd)) {
		snprintf(v->message, sizeof v->message, "cannot run %s: %s", v->path, strerror(errno));
		finish(v, VGDB_SPAWN_FAILED);
		return;
	}
	v->timer = evloop_timer_add(v->loop, cmd->timeout_ms, on_timeout, v);
}

void
vgdb_command(struct vgdb *v, const char *command, int64_t timeout_ms, vgdb_done_cb cb, void *ctx)
{
	vgdb_command_stream(v, command, timeout_ms, NULL, cb, ctx);
}

void
vgdb_command_stream(struct vgdb *v, const char *command, int64_t timeout_ms, vgdb_data_cb data,
	vgdb_done_cb cb, void *ctx)
{
	struct vgdb_cmd *cmd = xcalloc(1, sizeof *cmd);

	cmd->command = xstrdup(command);
	cmd->timeout_ms = timeout_ms;
	cmd->cb = cb;
	cmd->data = data;
	cmd->ctx = ctx;
	if (v->tail)
		v->tail->next = cmd;
	else
		v->head = cmd;
	v->tail = cmd;
	start_next(v);
}

bool
vgdb_busy(const struct vgdb *v)
{
	return v->head != NULL;
}

int64_t
vgdb_running_ms(const struct vgdb *v)
{
	return v->child > 0 ? (util_now_ns() - v->started_ns) / 1000000 : -1;
}

static void
kill_running(struct vgdb *v)
{
	if (v->child <= 0)
		return;
	evloop_unwatch_child(v->loop, v->child);
	kill(v->child, SIGKILL);
	while (waitpid(v->child, NULL, 0) < 0 && errno == EINTR)
		;
	close_fd(v, &v->out_fd);
	close_fd(v, &v->err_fd);
	if (v->timer)
		evloop_timer_cancel(v->loop, v->timer);
	v->timer = 0;
	v->child = -1;
}

void
vgdb_cancel_all(struct vgdb *v)
{
	kill_running(v);
	snprintf(v->message, sizeof v->message, "cancelled");
	while (v->head) {
		/* finish() would start the next one: detach the queue first. */
		struct vgdb_cmd *rest = v->head->next;

		v->head->next = NULL;
		v->tail = v->head;
		finish(v, VGDB_CANCELLED);
		v->head = rest;
	}
	v->tail = NULL;
}

void
vgdb_free(struct vgdb *v)
{
	if (!v)
		return;
	vgdb_cancel_all(v);
	sbuf_free(&v->out);
	sbuf_free(&v->err);
	free(v->path);
	free(v->prefix_arg);
	free(v->pid_arg);
	free(v);
}
