/* escape.c - control characters and invalid UTF-8 made visible. */
#include "escape.h"
#include "util.h"

#include <string.h>

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if invalid. Rejects
 * overlongs, surrogates and code points above U+10FFFF. */
static size_t
utf8_seq_len(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	size_t len, i;
	unsigned cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	if (cp >= 0xd800 && cp <= 0xdfff)
		return 0;
	/* C1 controls (U+0080..U+009F) act as escape introducers on some terminals. */
	if (cp >= 0x80 && cp <= 0x9f)
		return 0;
	return len;
}

static int
is_unsafe_ascii(unsigned char c, int flags)
{
	if (c == '\t' && (flags & ESC_KEEP_TAB))
		return 0;
	return c < 0x20 || c == 0x7f;
}

int
escape_is_clean(const char *src, size_t len, int flags)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t i = 0;

	while (i < len) {
		size_t l;

		if (s[i] < 0x80) {
			if (is_unsafe_ascii(s[i], flags))
				return 0;
			i++;
			continue;
		}
		l = utf8_seq_len(s + i, len - i);
		if (!l)
			return 0;
		i += l;
	}
	return 1;
}

void
escape_append(struct sbuf *out, const char *src, size_t len, int flags)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)src;
	size_t i = 0, run = 0;

	sbuf_reserve(out, len);
	while (i < len) {
		size_t l = 1;
		int bad;

		if (s[i] < 0x80) {
			bad = is_unsafe_ascii(s[i], flags);
		} else {
			l = utf8_seq_len(s + i, len - i);
			bad = !l;
			if (bad)
				l = 1;
		}
		if (!bad) {
			run += l;
			i += l;
			continue;
		}
		sbuf_add(out, src + i - run, run);
		run = 0;
		{
			char e[4] = { '\\', 'x', hex[s[i] >> 4], hex[s[i] & 15] };

			sbuf_add(out, e, 4);
		}
		i++;
	}
	sbuf_add(out, src + i - run, run);
}

char *
escape_dup(const char *src, size_t len, int flags)
{
	struct sbuf b = SBUF_INIT;

	escape_append(&b, src, len, flags);
	return sbuf_detach(&b);
}
