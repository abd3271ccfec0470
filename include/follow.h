/* follow.h - follow a file another process appends to (valgrind's XML
 * stream), on the evloop: inotify says when it grew, we read the new
 * bytes. No polling, no re-reading. */
#ifndef LT_XFOLLOW_H
#define LT_XFOLLOW_H

#include <stddef.h>
#include <stdint.h>

struct evloop;
struct follow;

typedef void (*follow_cb)(void *ctx, const char *buf, size_t len);

/* The file may not exist yet: it is opened when it appears. NULL with
 * errno set if inotify cannot watch its directory. */
struct follow *follow_new(struct evloop *loop, const char *path, follow_cb cb, void *ctx);
/* Deliver whatever is in the file now (e.g. after the writer exited). */
void follow_drain(struct follow *f);
/* Start at offset instead (older bytes are another run's), before the
 * first drain. */
void follow_skip(struct follow *f, uint64_t offset);
uint64_t follow_offset(const struct follow *f);
void follow_free(struct follow *f);

#endif
