/* evloop.h - the one poll() loop everything runs on.
 *
 * File descriptors, timers (real deadlines only: a timeout for vgdb, a
 * bounded wait for nginx to stop, libcurl's own timers - never a tick used
 * to poll state), signals through a self-pipe, and child exits (SIGCHLD ->
 * waitpid) are all delivered as callbacks from evloop_run(). Callbacks
 * only mark what changed; one hook that runs before the loop sleeps does
 * the work they marked (redis's beforesleep: the screen draws one frame per
 * pass, however many events the pass delivered). */
#ifndef LT_EVLOOP_H
#define LT_EVLOOP_H

#include <stdint.h>
#include <stdbool.h>
#include <sys/types.h>

struct evloop;

enum {
	EV_READ = 1,
	EV_WRITE = 2,
	/* delivered only: POLLERR/POLLHUP/POLLNVAL on the fd */
	EV_ERROR = 4,
};

typedef void (*evloop_fd_cb)(struct evloop *loop, int fd, int events, void *ctx);
typedef void (*evloop_timer_cb)(struct evloop *loop, void *ctx);
typedef void (*evloop_signal_cb)(struct evloop *loop, int signo, void *ctx);
/* status as from waitpid() */
typedef void (*evloop_child_cb)(struct evloop *loop, pid_t pid, int status, void *ctx);
typedef void (*evloop_hook_cb)(struct evloop *loop, void *ctx);

struct evloop *evloop_new(void);
void evloop_free(struct evloop *loop);

/* Watch fd for events (EV_READ|EV_WRITE); replaces an existing watch of the
 * same fd. events == 0 keeps the fd registered but idle. */
void evloop_watch_fd(struct evloop *loop, int fd, int events, evloop_fd_cb cb, void *ctx);
void evloop_unwatch_fd(struct evloop *loop, int fd);

/* One-shot timer; returns an id > 0. */
uint64_t evloop_timer_add(struct evloop *loop, int64_t ms, evloop_timer_cb cb, void *ctx);
void evloop_timer_cancel(struct evloop *loop, uint64_t id);

/* Route signo through the self-pipe to cb (SA_RESTART is not used: poll()
 * simply wakes up). Installing for SIGCHLD is done internally. A NULL cb
 * keeps the signal caught and ignores it. */
void evloop_on_signal(struct evloop *loop, int signo, evloop_signal_cb cb, void *ctx);

/* Call cb once when child pid exits (reaped with waitpid by the loop). */
void evloop_watch_child(struct evloop *loop, pid_t pid, evloop_child_cb cb, void *ctx);
void evloop_unwatch_child(struct evloop *loop, pid_t pid);

/* Call cb at the start of every pass, before the loop polls (and so
 * sleeps); NULL removes it. One hook per loop. */
void evloop_before_sleep(struct evloop *loop, evloop_hook_cb cb, void *ctx);

/* Run until evloop_stop(); returns the value given to evloop_stop. */
int evloop_run(struct evloop *loop);
/* Run one iteration (blocks at most until the next event or timer). */
void evloop_run_once(struct evloop *loop);
void evloop_stop(struct evloop *loop, int rc);
bool evloop_stopped(const struct evloop *loop);

#endif
