/* util.h - allocation helpers that never return NULL, and small string tools.
 *
 * ngx-leaktop treats running out of memory as fatal: every caller would
 * otherwise need an error path that cannot be tested honestly. */
#ifndef LT_UTIL_H
#define LT_UTIL_H

#include <stddef.h>
#include <sys/types.h>
#include <stdint.h>
#include <stdbool.h>

#define LT_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
/* Grow *p (an array of *cap elements of size elem) so it holds at least
 * want elements; doubles to keep appends amortised O(1). */
void xgrow(void **p, size_t *cap, size_t want, size_t elem);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Monotonic clock in milliseconds / nanoseconds. */
int64_t util_now_ms(void);
int64_t util_now_ns(void);
/* Wall clock (CLOCK_REALTIME) in milliseconds, for timestamps in reports. */
int64_t util_wall_ms(void);

/* Parse a whole decimal string into [min,max]; false on anything else. */
bool util_parse_long(const char *s, long min, long max, long *out);

/* Write all of buf to fd, retrying on EINTR and short writes. */
bool util_write_all(int fd, const void *buf, size_t len);
/* A small file at once (a pid file, /proc/PID/stat): at most len - 1
 * bytes into buf, NUL terminated; the bytes read, -1 if none. */
ssize_t util_read_small(const char *path, char *buf, size_t len);

/* Raise the soft limit of open files to the hard one (nginx inherits it);
 * returns the soft limit now in force. */
unsigned long util_raise_nofile(void);

/* Remove a directory tree we created ourselves (no symlink following). */
int util_rm_rf(const char *path);

#endif
