/* sbuf.c - growable byte buffer. */
#include "sbuf.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void
sbuf_reserve(struct sbuf *b, size_t extra)
{
	xgrow((void **)&b->data, &b->cap, b->len + extra + 1, 1);
}

void
sbuf_add(struct sbuf *b, const void *p, size_t n)
{
	sbuf_reserve(b, n);
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void
sbuf_adds(struct sbuf *b, const char *s)
{
	sbuf_add(b, s, strlen(s));
}

void
sbuf_addc(struct sbuf *b, char c)
{
	sbuf_add(b, &c, 1);
}

void
sbuf_vprintf(struct sbuf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n <= 0)
		return;
	sbuf_reserve(b, (size_t)n);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void
sbuf_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sbuf_vprintf(b, fmt, ap);
	va_end(ap);
}

void
sbuf_reset(struct sbuf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void
sbuf_consume(struct sbuf *b, size_t n)
{
	if (n >= b->len) {
		sbuf_reset(b);
		return;
	}
	memmove(b->data, b->data + n, b->len - n);
	b->len -= n;
	b->data[b->len] = '\0';
}

void
sbuf_keep_tail(struct sbuf *b, size_t max)
{
	size_t cut;
	char *nl;

	if (b->len <= max)
		return;
	cut = b->len - max;
	nl = memchr(b->data + cut, '\n', b->len - cut);
	if (nl && (size_t)(nl - b->data) + 1 < b->len)
		cut = (size_t)(nl - b->data) + 1;
	sbuf_consume(b, cut);
}

void
sbuf_free(struct sbuf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

char *
sbuf_detach(struct sbuf *b)
{
	char *p;

	if (!b->data)
		return xstrdup("");
	p = b->data;
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}

bool
sbuf_read_fd(struct sbuf *b, int fd)
{
	for (;;) {
		ssize_t n;

		sbuf_reserve(b, 65536);
		n = read(fd, b->data + b->len, 65536);
		if (n > 0) {
			b->len += (size_t)n;
			b->data[b->len] = '\0';
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0)
			errno = 0;
		return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
	}
}
