/* evloop.c - one poll() loop: fds, deadlines, signals via a self-pipe,
 * child exits via SIGCHLD + waitpid. */
#include "evloop.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

struct ev_watch {
	int fd;
	int events;
	evloop_fd_cb cb;
	void *ctx;
	uint64_t gen;		/* tells a re-registered fd from the one polled */
};

struct ev_timer {
	uint64_t id;
	int64_t deadline_ns;
	evloop_timer_cb cb;
	void *ctx;
};

struct ev_signal {
	int signo;
	evloop_signal_cb cb;
	void *ctx;
};

struct ev_child {
	pid_t pid;
	evloop_child_cb cb;
	void *ctx;
};

struct evloop {
	struct ev_watch *watches;
	size_t nwatches, capwatches;
	struct ev_timer *timers;
	size_t ntimers, captimers;
	struct ev_signal *signals;
	size_t nsignals, capsignals;
	struct ev_child *children;
	size_t nchildren, capchildren;
	struct pollfd *pfds;
	uint64_t *pgens;
	size_t cappfds;
	uint64_t next_id;
	uint64_t next_gen;
	int stopped;
	int rc;
	evloop_hook_cb before_sleep;
	void *before_sleep_ctx;
};

/* The self-pipe is process wide: a signal handler cannot know the loop. */
static int selfpipe[2] = { -1, -1 };

static void
selfpipe_handler(int signo)
{
	int saved = errno;
	unsigned char b = (unsigned char)signo;

	/* A full pipe just drops the byte: the pending signal is still seen
	 * because the loop drains all bytes and handles each signo seen. */
	(void)!write(selfpipe[1], &b, 1);
	errno = saved;
}

static void
install_handler(int signo)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = selfpipe_handler;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = signo == SIGCHLD ? SA_NOCLDSTOP : 0;
	sigaction(signo, &sa, NULL);
}

static void
restore_handler(int signo)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	sigaction(signo, &sa, NULL);
}

struct evloop *
evloop_new(void)
{
	struct evloop *loop = xcalloc(1, sizeof *loop);

	if (selfpipe[0] < 0) {
		if (pipe2(selfpipe, O_CLOEXEC | O_NONBLOCK) < 0) {
			free(loop);
			return NULL;
		}
	}
	loop->next_id = 1;
	install_handler(SIGCHLD);
	/* A peer closing a pipe or socket must be an error return, not death. */
	signal(SIGPIPE, SIG_IGN);
	return loop;
}

void
evloop_free(struct evloop *loop)
{
	size_t i;

	if (!loop)
		return;
	for (i = 0; i < loop->nsignals; i++)
		restore_handler(loop->signals[i].signo);
	restore_handler(SIGCHLD);
	free(loop->watches);
	free(loop->timers);
	free(loop->signals);
	free(loop->children);
	free(loop->pfds);
	free(loop->pgens);
	free(loop);
	if (selfpipe[0] >= 0) {
		close(selfpipe[0]);
		close(selfpipe[1]);
		selfpipe[0] = selfpipe[1] = -1;
	}
}

static struct ev_watch *
find_watch(struct evloop *loop, int fd)
{
	size_t i;

	for (i = 0; i < loop->nwatches; i++)
		if (loop->watches[i].fd == fd)
			return &loop->watches[i];
	return NULL;
}

void
evloop_watch_fd(struct evloop *loop, int fd, int events, evloop_fd_cb cb, void *ctx)
{
	struct ev_watch *w = find_watch(loop, fd);

	if (!w) {
		xgrow((void **)&loop->watches, &loop->capwatches, loop->nwatches + 1, sizeof *w);
		w = &loop->watches[loop->nwatches++];
		w->fd = fd;
		w->gen = ++loop->next_gen;
	}
	w->events = events;
	w->cb = cb;
	w->ctx = ctx;
}

void
evloop_unwatch_fd(struct evloop *loop, int fd)
{
	struct ev_watch *w = find_watch(loop, fd);

	if (w)
		*w = loop->watches[--loop->nwatches];
}

uint64_t
evloop_timer_add(struct evloop *loop, int64_t ms, evloop_timer_cb cb, void *ctx)
{
	struct ev_timer *t;

	xgrow((void **)&loop->timers, &loop->captimers, loop->ntimers + 1, sizeof *t);
	t = &loop->timers[loop->ntimers++];
	t->id = loop->next_id++;
	t->deadline_ns = util_now_ns() + (ms < 0 ? 0 : ms) * 1000000;
	t->cb = cb;
	t->ctx = ctx;
	return t->id;
}

void
evloop_timer_cancel(struct evloop *loop, uint64_t id)
{
	size_t i;

	for (i = 0; i < loop->ntimers; i++) {
		if (loop->timers[i].id == id) {
			loop->timers[i] = loop->timers[--loop->ntimers];
			return;
		}
	}
}

void
evloop_on_signal(struct evloop *loop, int signo, evloop_signal_cb cb, void *ctx)
{
	struct ev_signal *s;
	size_t i;

	for (i = 0; i < loop->nsignals; i++) {
		if (loop->signals[i].signo == signo) {
			loop->signals[i].cb = cb;
			loop->signals[i].ctx = ctx;
			return;
		}
	}
	xgrow((void **)&loop->signals, &loop->capsignals, loop->nsignals + 1, sizeof *s);
	s = &loop->signals[loop->nsignals++];
	s->signo = signo;
	s->cb = cb;
	s->ctx = ctx;
	install_handler(signo);
}

void
evloop_watch_child(struct evloop *loop, pid_t pid, evloop_child_cb cb, void *ctx)
{
	struct ev_child *c;

	xgrow((void **)&loop->children, &loop->capchildren, loop->nchildren + 1, sizeof *c);
	c = &loop->children[loop->nchildren++];
	c->pid = pid;
	c->cb = cb;
	c->ctx = ctx;
	/* The child may have exited before it was watched. */
	selfpipe_handler(SIGCHLD);
}

void
evloop_unwatch_child(struct evloop *loop, pid_t pid)
{
	size_t i;

	for (i = 0; i < loop->nchildren; i++) {
		if (loop->children[i].pid == pid) {
			loop->children[i] = loop->children[--loop->nchildren];
			return;
		}
	}
}

static void
reap_children(struct evloop *loop)
{
	size_t i = 0;

	/* Only our own watched pids: never steal another component's child. */
	while (i < loop->nchildren) {
		struct ev_child c = loop->children[i];
		int status;
		pid_t r = waitpid(c.pid, &status, WNOHANG);

		if (r == c.pid || (r < 0 && errno == ECHILD)) {
			loop->children[i] = loop->children[--loop->nchildren];
			if (r < 0)
				status = 0xff00;	/* unknown: report exit 255 */
			c.cb(loop, c.pid, status, c.ctx);
			i = 0;	/* the callback may have changed the list */
			continue;
		}
		i++;
	}
}

static void
drain_selfpipe(struct evloop *loop)
{
	unsigned char buf[64];
	int seen[65] = { 0 };
	ssize_t n, k;
	size_t i;
	int signo;

	while ((n = read(selfpipe[0], buf, sizeof buf)) > 0)
		for (k = 0; k < n; k++)
			if (buf[k] < 65)
				seen[buf[k]] = 1;
	if (seen[SIGCHLD])
		reap_children(loop);
	for (signo = 1; signo < 65; signo++) {
		if (!seen[signo] || signo == SIGCHLD)
			continue;
		for (i = 0; i < loop->nsignals; i++) {
			if (loop->signals[i].signo == signo) {
				struct ev_signal s = loop->signals[i];

				if (s.cb)	/* NULL: caught and ignored */
					s.cb(loop, signo, s.ctx);
				break;
			}
		}
	}
}

static int
next_timeout_ms(struct evloop *loop)
{
	int64_t now, best = -1;
	size_t i;

	if (!loop->ntimers)
		return -1;
	now = util_now_ns();
	for (i = 0; i < loop->ntimers; i++) {
		int64_t left = loop->timers[i].deadline_ns - now;

		if (left < 0)
			left = 0;
		if (best < 0 || left < best)
			best = left;
	}
	/* Round up so a timer never fires early and spins. */
	best = (best + 999999) / 1000000;
	return best > 1000000 ? 1000000 : (int)best;
}

static void
fire_timers(struct evloop *loop)
{
	int64_t now = util_now_ns();
	size_t i = 0;

	while (i < loop->ntimers) {
		struct ev_timer t = loop->timers[i];

		if (t.deadline_ns <= now) {
			loop->timers[i] = loop->timers[--loop->ntimers];
			t.cb(loop, t.ctx);
			i = 0;
			continue;
		}
		i++;
	}
}

void
evloop_run_once(struct evloop *loop)
{
	size_t i, n = 0;
	int rc;

	/* What the callbacks of the last pass marked is done once, here (a
	 * frame of the screen); it may add timers and watches, so it runs
	 * before the poll set is built. */
	if (loop->before_sleep) {
		loop->before_sleep(loop, loop->before_sleep_ctx);
		if (loop->stopped)
			return;
	}
	xgrow((void **)&loop->pfds, &loop->cappfds, loop->nwatches + 1, sizeof *loop->pfds);
	loop->pgens = xrealloc(loop->pgens, loop->cappfds * sizeof *loop->pgens);
	loop->pfds[n].fd = selfpipe[0];
	loop->pfds[n].events = POLLIN;
	loop->pgens[n++] = 0;
	for (i = 0; i < loop->nwatches; i++) {
		struct ev_watch *w = &loop->watches[i];

		loop->pfds[n].fd = w->fd;
		loop->pfds[n].events = (short)((w->events & EV_READ ? POLLIN : 0) |
			(w->events & EV_WRITE ? POLLOUT : 0));
		if (!w->events)
			loop->pfds[n].fd = -1;
		loop->pgens[n++] = w->gen;
	}
	rc = poll(loop->pfds, n, next_timeout_ms(loop));
	if (rc < 0 && errno != EINTR)
		return;
	if (rc > 0 && loop->pfds[0].revents)
		drain_selfpipe(loop);
	for (i = 1; rc > 0 && i < n; i++) {
		struct pollfd *p = &loop->pfds[i];
		struct ev_watch *w;
		int ev = 0;

		if (!p->revents || p->fd < 0)
			continue;
		w = find_watch(loop, p->fd);
		if (!w || w->gen != loop->pgens[i])
			continue;	/* removed or replaced by an earlier callback */
		if (p->revents & POLLIN)
			ev |= EV_READ;
		if (p->revents & POLLOUT)
			ev |= EV_WRITE;
		if (p->revents & (POLLERR | POLLHUP | POLLNVAL))
			ev |= EV_ERROR;
		w->cb(loop, p->fd, ev, w->ctx);
		if (loop->stopped)
			return;
	}
	fire_timers(loop);
}

int
evloop_run(struct evloop *loop)
{
	loop->stopped = 0;
	while (!loop->stopped)
		evloop_run_once(loop);
	return loop->rc;
}

void
evloop_before_sleep(struct evloop *loop, evloop_hook_cb cb, void *ctx)
{
	loop->before_sleep = cb;
	loop->before_sleep_ctx = ctx;
}

void
evloop_stop(struct evloop *loop, int rc)
{
	loop->stopped = 1;
	loop->rc = rc;
}

bool
evloop_stopped(const struct evloop *loop)
{
	return loop->stopped;
}
