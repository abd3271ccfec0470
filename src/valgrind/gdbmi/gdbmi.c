/* gdbmi.c - gdb as a child process, driven through MI3 on the evloop.
 *
 * Every command is written as "TOKEN-command\n" with a token that grows,
 * one at a time: the next is written when the result record carrying the
 * token of the one in flight came. Console and target stream text (~ @)
 * that arrives meanwhile belongs to that command (a `monitor leak_check`
 * answer is hundreds of KB of @ records); async records and streams
 * outside a command go to on_async.
 *
 * Writes to gdb's stdin are non-blocking through a buffer: gdb stops
 * reading stdin while it writes a long answer, and we read that answer on
 * the same loop, so a blocking write could wait on gdb waiting on us.
 *
 * gdb runs in a process group of its own: `target remote | vgdb` makes gdb
 * start `sh -c vgdb ...`, and killing the group takes vgdb with it. A
 * callback may free the client; the free then waits until the event that
 * called back returns (depth). */
#include "gdbmi_int.h"
#include "escape.h"
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

#define GDBMI_ERR_TAIL 4096
/* A command's stream text beyond this is dropped (a leak_check full of a
 * big server is a few MB). */
#define GDBMI_MAX_STREAM (64u << 20)

struct gdbmi_cmd {
	struct gdbmi_cmd *next;
	char *line;		/* "TOKEN-command\n" */
	uint64_t token;
	int64_t timeout_ms;
	gdbmi_done_cb cb;
	void *ctx;
};

struct gdbmi {
	struct evloop *loop;
	gdbmi_async_cb on_async;
	gdbmi_exit_cb on_exit;
	void *ctx;
	pid_t pid;		/* -1 once reaped */
	int in_fd, out_fd, err_fd;
	struct sbuf wbuf, rbuf, stream, errtail;
	struct gdbmi_cmd *head, *tail;
	bool inflight;		/* head was written, its result awaited */
	bool ready, dead, freed;
	int depth;		/* callbacks running: free waits for 0 */
	uint64_t next_token;
	uint64_t timer;
	int64_t started_ms;
	char error[512];
};

static void write_next(struct gdbmi *g);

static void
close_fd(struct gdbmi *g, int *fd)
{
	if (*fd < 0)
		return;
	evloop_unwatch_fd(g->loop, *fd);
	close(*fd);
	*fd = -1;
}

/* The error line: untrusted bytes (gdb's stderr) escaped, one line. */
static void set_error(struct gdbmi *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void
set_error(struct gdbmi *g, const char *fmt, ...)
{
	char raw[sizeof g->error];
	char *safe;
	va_list ap;

	if (g->error[0])
		return;		/* the first cause is the one to tell */
	va_start(ap, fmt);
	vsnprintf(raw, sizeof raw, fmt, ap);
	va_end(ap);
	safe = escape_dup(raw, strlen(raw), 0);
	snprintf(g->error, sizeof g->error, "%s", safe);
	free(safe);
}

/* The last non-empty line of gdb's stderr and log, for error messages. */
static const char *
last_words(struct gdbmi *g, char *buf, size_t n)
{
	size_t end = g->errtail.len, start;

	while (end && (g->errtail.data[end - 1] == '\n' || g->errtail.data[end - 1] == ' '))
		end--;
	start = end;
	while (start && g->errtail.data[start - 1] != '\n')
		start--;
	snprintf(buf, n, "%s%.*s", end > start ? ": " : "", (int)(end - start),
		end > start ? g->errtail.data + start : "");
	return buf;
}

static void
free_cmd(struct gdbmi_cmd *c)
{
	free(c->line);
	free(c);
}

/* Fail every queued command (res NULL), in order. */
static void
fail_queue(struct gdbmi *g)
{
	if (g->timer)
		evloop_timer_cancel(g->loop, g->timer);
	g->timer = 0;
	g->inflight = false;
	while (g->head) {
		struct gdbmi_cmd *c = g->head;

		g->head = c->next;
		if (!g->head)
			g->tail = NULL;
		g->depth++;
		c->cb(g, NULL, NULL, 0, c->ctx);
		g->depth--;
		free_cmd(c);
	}
	sbuf_reset(&g->stream);
}

/* gdb is of no more use: the group killed (vgdb included), the pipes
 * closed, the queue failed. The exit is still reaped by the loop. */
static void
go_dead(struct gdbmi *g)
{
	if (g->dead)
		return;
	g->dead = true;
	g->ready = false;
	if (g->pid > 0)
		kill(-g->pid, SIGKILL);
	/* what gdb still writes is of no use: its output ends here */
	close_fd(g, &g->in_fd);
	close_fd(g, &g->out_fd);
	close_fd(g, &g->err_fd);
	fail_queue(g);
}

static void
release(struct gdbmi *g)
{
	close_fd(g, &g->in_fd);
	close_fd(g, &g->out_fd);
	close_fd(g, &g->err_fd);
	sbuf_free(&g->wbuf);
	sbuf_free(&g->rbuf);
	sbuf_free(&g->stream);
	sbuf_free(&g->errtail);
	free(g);
}

/* After an event's callbacks: a free asked for meanwhile happens now. */
static bool
leave(struct gdbmi *g)
{
	if (g->freed && g->depth == 0) {
		release(g);
		return true;
	}
	return false;
}

static void
on_timeout(struct evloop *loop, void *ctx)
{
	struct gdbmi *g = ctx;
	const char *cmd = g->head ? strchr(g->head->line, '-') : NULL;

	(void)loop;
	g->timer = 0;
	set_error(g, "gdb gave no answer to %.*s within %lld ms: gdb killed",
		cmd ? (int)strcspn(cmd, "\n") : 1, cmd ? cmd : "?",
		g->head ? (long long)g->head->timeout_ms : 0LL);
	go_dead(g);
	leave(g);
}

static void
finish_head(struct gdbmi *g, const struct gdbmi_record *rec)
{
	struct gdbmi_cmd *c = g->head;

	if (g->timer)
		evloop_timer_cancel(g->loop, g->timer);
	g->timer = 0;
	g->inflight = false;
	g->head = c->next;
	if (!g->head)
		g->tail = NULL;
	sbuf_addc(&g->stream, '\0');	/* allocated, NUL-terminated */
	g->stream.len--;
	g->depth++;
	c->cb(g, rec, g->stream.data, g->stream.len, c->ctx);
	g->depth--;
	free_cmd(c);
	sbuf_reset(&g->stream);
	write_next(g);
}

static void
route(struct gdbmi *g, const struct gdbmi_record *r)
{
	switch (r->type) {
	case GDBMI_PROMPT:
		if (!g->ready) {
			g->ready = true;
			write_next(g);
		}
		return;
	case GDBMI_RESULT:
		/* A result of no queued command (gdbmi_send_now's) is dropped. */
		if (g->inflight && r->has_token && r->token == g->head->token)
			finish_head(g, r);
		return;
	case GDBMI_LOG:
		sbuf_add(&g->errtail, r->text, r->textlen);
		sbuf_keep_tail(&g->errtail, GDBMI_ERR_TAIL);
		return;
	case GDBMI_CONSOLE:
	case GDBMI_TARGET:
		if (g->inflight) {
			if (g->stream.len + r->textlen <= GDBMI_MAX_STREAM)
				sbuf_add(&g->stream, r->text, r->textlen);
			return;
		}
		break;
	default:
		break;
	}
	if (g->on_async) {
		g->depth++;
		g->on_async(g, r, g->ctx);
		g->depth--;
	}
}

static void
take_line(struct gdbmi *g, const char *line, size_t len)
{
	struct gdbmi_record r;
	char why[256];

	if (!len)
		return;
	if (!gdbmi_parse_line(line, len, &r, why, sizeof why)) {
		/* Not fatal: gdb may print a stray line; keep why for errors. */
		sbuf_printf(&g->errtail, "bad MI line: %s\n", why);
		sbuf_keep_tail(&g->errtail, GDBMI_ERR_TAIL);
		return;
	}
	route(g, &r);
	gdbmi_record_clear(&r);
}

/* Whole lines of rbuf, one by one; a callback may kill gdb meanwhile. */
static void
take_lines(struct gdbmi *g)
{
	size_t off = 0;

	while (!g->dead && !g->freed) {
		char *nl = memchr(g->rbuf.data + off, '\n', g->rbuf.len - off);

		if (!nl)
			break;
		take_line(g, g->rbuf.data + off, (size_t)(nl - (g->rbuf.data + off)));
		off = (size_t)(nl - g->rbuf.data) + 1;
	}
	sbuf_consume(&g->rbuf, off);
	if (g->rbuf.len > GDBMI_MAX_LINE && !g->dead) {
		set_error(g, "gdb wrote a line longer than %u bytes: gdb killed", GDBMI_MAX_LINE);
		go_dead(g);
	}
}

static void
read_out(struct gdbmi *g)
{
	bool open = sbuf_read_fd(&g->rbuf, g->out_fd);

	take_lines(g);
	if (!open && !g->freed)
		close_fd(g, &g->out_fd);
}

static void
read_err(struct gdbmi *g)
{
	bool open = sbuf_read_fd(&g->errtail, g->err_fd);

	sbuf_keep_tail(&g->errtail, GDBMI_ERR_TAIL);
	if (!open)
		close_fd(g, &g->err_fd);
}

static void
on_readable(struct evloop *loop, int fd, int events, void *ctx)
{
	struct gdbmi *g = ctx;

	(void)loop;
	(void)events;
	if (fd == g->out_fd)
		read_out(g);
	else if (fd == g->err_fd)
		read_err(g);
	leave(g);
}

static void on_writable(struct evloop *loop, int fd, int events, void *ctx);

static void
flush_writes(struct gdbmi *g)
{
	while (g->wbuf.len && g->in_fd >= 0) {
		ssize_t n = write(g->in_fd, g->wbuf.data, g->wbuf.len);

		if (n > 0) {
			sbuf_consume(&g->wbuf, (size_t)n);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			evloop_watch_fd(g->loop, g->in_fd, EV_WRITE, on_writable, g);
			return;
		}
		/* EPIPE: gdb closed its stdin, its exit tells the rest. */
		close_fd(g, &g->in_fd);
		sbuf_reset(&g->wbuf);
		return;
	}
	if (g->in_fd >= 0)
		evloop_watch_fd(g->loop, g->in_fd, 0, on_writable, g);
}

static void
on_writable(struct evloop *loop, int fd, int events, void *ctx)
{
	struct gdbmi *g = ctx;

	(void)loop;
	(void)fd;
	(void)events;
	flush_writes(g);
	leave(g);
}

static void
write_next(struct gdbmi *g)
{
	struct gdbmi_cmd *c = g->head;

	if (!c || g->inflight || !g->ready || g->dead || g->freed)
		return;
	g->inflight = true;
	sbuf_reset(&g->stream);
	sbuf_adds(&g->wbuf, c->line);
	flush_writes(g);
	if (c->timeout_ms > 0)
		g->timer = evloop_timer_add(g->loop, c->timeout_ms, on_timeout, g);
}

static void
on_child(struct evloop *loop, pid_t pid, int status, void *ctx)
{
	struct gdbmi *g = ctx;
	char st[128], last[256];

	(void)loop;
	/* Reaped: no waitpid for it any more (a free from a callback below). */
	g->pid = -1;
	/* What gdb wrote before it died (its ^exit, an error) comes first. */
	if (g->out_fd >= 0)
		read_out(g);
	if (g->err_fd >= 0 && !g->freed)
		read_err(g);
	if (!g->dead && !g->freed)
		set_error(g, "gdb %s%s", proc_status_text(status, st, sizeof st),
			last_words(g, last, sizeof last));
	/* What gdb started (sh, vgdb, a `shell` command) may outlive it: the
	 * group id stays taken while they live, so killing it is safe. */
	if (pid > 0)
		kill(-pid, SIGKILL);
	go_dead(g);
	if (g->on_exit && !g->freed) {
		g->depth++;
		g->on_exit(g, status, g->ctx);
		g->depth--;
	}
	leave(g);
}

struct gdbmi *
gdbmi_start(struct evloop *loop, const struct gdbmi_spec *spec, char *err, size_t errlen)
{
	struct gdbmi *g;
	int fds[3];
	pid_t pid;

	if (errlen)
		err[0] = '\0';
	if (!spec->program) {
		snprintf(err, errlen, "gdb needs the program whose symbols it reads");
		return NULL;
	}
	if ((pid = gdbmi_spawn(spec, fds, err, errlen)) < 0)
		return NULL;
	g = xcalloc(1, sizeof *g);
	g->loop = loop;
	g->on_async = spec->on_async;
	g->on_exit = spec->on_exit;
	g->ctx = spec->ctx;
	g->pid = pid;
	g->in_fd = fds[0];
	g->out_fd = fds[1];
	g->err_fd = fds[2];
	g->next_token = 1;
	g->started_ms = util_now_ms();
	evloop_watch_fd(loop, g->in_fd, 0, on_writable, g);
	evloop_watch_fd(loop, g->out_fd, EV_READ, on_readable, g);
	evloop_watch_fd(loop, g->err_fd, EV_READ, on_readable, g);
	evloop_watch_child(loop, pid, on_child, g);
	return g;
}

/* One line of MI input: a command with a newline inside would be two. */
static bool
command_ok(const char *command)
{
	return command && *command && !strpbrk(command, "\r\n");
}

bool
gdbmi_command(struct gdbmi *g, const char *command, int64_t timeout_ms, gdbmi_done_cb cb,
	void *ctx)
{
	struct gdbmi_cmd *c;

	if (!g || g->dead || g->freed || !command_ok(command) || !cb)
		return false;
	c = xcalloc(1, sizeof *c);
	c->token = g->next_token++;
	c->line = xasprintf("%llu%s\n", (unsigned long long)c->token, command);
	c->timeout_ms = timeout_ms;
	c->cb = cb;
	c->ctx = ctx;
	if (g->tail)
		g->tail->next = c;
	else
		g->head = c;
	g->tail = c;
	write_next(g);
	return true;
}

bool
gdbmi_send_now(struct gdbmi *g, const char *command)
{
	if (!g || g->dead || g->freed || !command_ok(command) || g->in_fd < 0)
		return false;
	sbuf_printf(&g->wbuf, "%llu%s\n", (unsigned long long)g->next_token++, command);
	flush_writes(g);
	return true;
}

bool
gdbmi_ready(const struct gdbmi *g)
{
	return g && g->ready && !g->dead;
}

bool
gdbmi_busy(const struct gdbmi *g)
{
	return g && g->head;
}

pid_t
gdbmi_pid(const struct gdbmi *g)
{
	return g ? g->pid : -1;
}

const char *
gdbmi_error(const struct gdbmi *g)
{
	return g ? g->error : "";
}

int64_t
gdbmi_age_ms(const struct gdbmi *g)
{
	return g ? util_now_ms() - g->started_ms : 0;
}

void
gdbmi_free(struct gdbmi *g)
{
	if (!g || g->freed)
		return;
	set_error(g, "gdb stopped by its owner");
	g->freed = true;
	if (g->pid > 0) {
		/* SIGKILL at once: gdb keeps no state worth a clean exit, and
		 * its group holds the vgdb of `target remote | vgdb`. */
		evloop_unwatch_child(g->loop, g->pid);
		kill(-g->pid, SIGKILL);
		while (waitpid(g->pid, NULL, 0) < 0 && errno == EINTR)
			;
		g->pid = -1;
	}
	go_dead(g);
	leave(g);
}
