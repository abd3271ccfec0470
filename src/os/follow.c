/* follow.c - tail -f on inotify. */
#include "follow.h"
#include "evloop.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#define FOLLOW_CHUNK (256 * 1024)

struct follow {
	struct evloop *loop;
	char *path;
	int ino;
	int fd;
	uint64_t offset;
	follow_cb cb;
	void *ctx;
	char *buf;
};

void
follow_drain(struct follow *f)
{
	if (f->fd < 0) {
		f->fd = open(f->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (f->fd < 0)
			return;	/* not there yet */
		if (f->offset && lseek(f->fd, (off_t)f->offset, SEEK_SET) < 0)
			f->offset = 0;
	}
	for (;;) {
		ssize_t n = read(f->fd, f->buf, FOLLOW_CHUNK);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;	/* EOF for now: inotify tells when there is more */
		f->offset += (uint64_t)n;
		f->cb(f->ctx, f->buf, (size_t)n);
	}
}

static void
on_inotify(struct evloop *loop, int fd, int events, void *ctx)
{
	char ev[4096] __attribute__((aligned(__alignof__(struct inotify_event))));

	(void)loop;
	(void)events;
	/* Which event does not matter: the file can only have grown. */
	while (read(fd, ev, sizeof ev) > 0)
		;
	follow_drain(ctx);
}

struct follow *
follow_new(struct evloop *loop, const char *path, follow_cb cb, void *ctx)
{
	struct follow *f = xcalloc(1, sizeof *f);
	char *copy = xstrdup(path);

	f->loop = loop;
	f->path = xstrdup(path);
	f->cb = cb;
	f->ctx = ctx;
	f->fd = -1;
	f->buf = xmalloc(FOLLOW_CHUNK);
	f->ino = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (f->ino < 0 || inotify_add_watch(f->ino, dirname(copy),
		IN_CREATE | IN_MODIFY | IN_CLOSE_WRITE) < 0) {
		int e = errno;

		free(copy);
		follow_free(f);
		errno = e;
		return NULL;
	}
	free(copy);
	evloop_watch_fd(loop, f->ino, EV_READ, on_inotify, f);
	return f;
}

void
follow_skip(struct follow *f, uint64_t offset)
{
	if (f->fd >= 0 && lseek(f->fd, (off_t)offset, SEEK_SET) < 0)
		return;
	f->offset = offset;
}

uint64_t
follow_offset(const struct follow *f)
{
	return f->offset;
}

void
follow_free(struct follow *f)
{
	if (!f)
		return;
	if (f->ino >= 0) {
		evloop_unwatch_fd(f->loop, f->ino);
		close(f->ino);
	}
	if (f->fd >= 0)
		close(f->fd);
	free(f->buf);
	free(f->path);
	free(f);
}
