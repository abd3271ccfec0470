/* sbuf.h - growable byte buffer, always NUL terminated. */
#ifndef LT_SBUF_H
#define LT_SBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdarg.h>

struct sbuf {
	char *data;
	size_t len;
	size_t cap;
};

#define SBUF_INIT { NULL, 0, 0 }

void sbuf_reserve(struct sbuf *b, size_t extra);
void sbuf_add(struct sbuf *b, const void *p, size_t n);
void sbuf_adds(struct sbuf *b, const char *s);
void sbuf_addc(struct sbuf *b, char c);
void sbuf_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sbuf_vprintf(struct sbuf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
void sbuf_reset(struct sbuf *b);
/* Drop the first n bytes (used for rolling log tails). */
void sbuf_consume(struct sbuf *b, size_t n);
/* Keep only the last max bytes, starting at a line boundary when possible. */
void sbuf_keep_tail(struct sbuf *b, size_t max);
void sbuf_free(struct sbuf *b);
/* Hand the buffer to the caller (never NULL) and reset b. */
char *sbuf_detach(struct sbuf *b);
/* Append what the non-blocking fd holds now. False at EOF or on a read
 * error (errno says which; 0 at EOF), true once it would block. */
bool sbuf_read_fd(struct sbuf *b, int fd);

#endif
