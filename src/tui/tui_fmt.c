/* tui_fmt.c - compact numbers, times, sparklines for the screen. */
#include "tui_fmt.h"
#include "escape.h"
#include "report.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char units[] = "KMGTPE";

/* "1.2K" / "12K" / "123K": three digits at most, a larger unit while it
 * does not fit width. */
static const char *
scaled(char *buf, size_t len, const char *sign, uint64_t v, int width)
{
	double d = (double)v / 1024.0;
	size_t u = 0;

	while (d >= 999.5 && u + 2 < sizeof units) {
		d /= 1024.0;
		u++;
	}
	for (;;) {
		if (d < 9.95)
			snprintf(buf, len, "%s%.1f%c", sign, d, units[u]);
		else
			snprintf(buf, len, "%s%.0f%c", sign, d, units[u]);
		if ((int)strlen(buf) <= width || u + 2 >= sizeof units)
			return buf;
		d /= 1024.0;
		u++;
	}
}

const char *
tui_fmt_size(char *buf, size_t len, uint64_t v, int width)
{
	snprintf(buf, len, "%" PRIu64, v);
	if ((int)strlen(buf) <= width)
		return buf;
	return scaled(buf, len, "", v, width);
}

const char *
tui_fmt_delta(char *buf, size_t len, int64_t v, int width)
{
	uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	const char *sign = v < 0 ? "-" : v > 0 ? "+" : "";

	snprintf(buf, len, "%s%" PRIu64, sign, mag);
	if ((int)strlen(buf) <= width)
		return buf;
	return scaled(buf, len, sign, mag, width);
}

const char *
tui_fmt_grouped(char *buf, size_t len, uint64_t v)
{
	char digits[32];
	size_t n, i, o = 0;

	n = (size_t)snprintf(digits, sizeof digits, "%" PRIu64, v);
	for (i = 0; i < n && o + 1 < len; i++) {
		if (i && (n - i) % 3 == 0 && o + 2 < len)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
	return buf;
}

const char *
tui_fmt_rate(char *buf, size_t len, double v, int width)
{
	if (v < 0)
		v = 0;
	snprintf(buf, len, "%.1f", v);
	if ((int)strlen(buf) <= width)
		return buf;
	snprintf(buf, len, "%.0f", v);
	if ((int)strlen(buf) <= width)
		return buf;
	return scaled(buf, len, "", (uint64_t)v, width);
}

const char *
tui_fmt_clock(char *buf, size_t len, int64_t wall_ms)
{
	time_t secs = (time_t)(wall_ms / 1000);
	struct tm tm;

	if (!localtime_r(&secs, &tm) || !strftime(buf, len, "%H:%M:%S", &tm))
		snprintf(buf, len, "--:--:--");
	return buf;
}

const char *
tui_fmt_duration_ms(char *buf, size_t len, int64_t ms)
{
	if (ms < 0)
		ms = 0;
	if (ms < 1000)
		snprintf(buf, len, "%" PRId64 "ms", ms);
	else if (ms < 60000)
		snprintf(buf, len, "%.2fs", (double)ms / 1000.0);
	else
		snprintf(buf, len, "%" PRId64 "m%02" PRId64 "s", ms / 60000, ms / 1000 % 60);
	return buf;
}

const char *
tui_fmt_spark(char *buf, size_t len, const uint64_t *v, size_t n, bool utf8)
{
	static const char *const blocks[] = {
		"\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83", "\xe2\x96\x84",
		"\xe2\x96\x85", "\xe2\x96\x86", "\xe2\x96\x87", "\xe2\x96\x88",
	};
	static const char ascii[] = "_.-=+*#@";
	uint64_t max = 0;
	size_t i, o = 0;

	for (i = 0; i < n; i++)
		if (v[i] > max)
			max = v[i];
	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		/* 1..8 by the share of the largest; any non-zero value shows. */
		int level = v[i] ? (int)(((long double)v[i] * 8 + max - 1) / max) : 0;
		const char *cell = " ";
		char one[2] = { 0, 0 };

		if (level > 8)
			level = 8;
		if (level && utf8)
			cell = blocks[level - 1];
		else if (level) {
			one[0] = ascii[level - 1];
			cell = one;
		}
		if (o + strlen(cell) + 1 > len)
			break;
		memcpy(buf + o, cell, strlen(cell) + 1);
		o += strlen(cell);
	}
	return buf;
}

const char *
tui_fmt_spinner(int64_t ms, bool utf8)
{
	static const char *const braille[] = {
		"\xe2\xa0\x8b", "\xe2\xa0\x99", "\xe2\xa0\xb9", "\xe2\xa0\xb8", "\xe2\xa0\xbc",
		"\xe2\xa0\xb4", "\xe2\xa0\xa6", "\xe2\xa0\xa7", "\xe2\xa0\x87", "\xe2\xa0\x8f",
	};
	static const char *const ascii[] = { "|", "/", "-", "\\" };
	int64_t frame = ms < 0 ? 0 : ms / 100;

	return utf8 ? braille[frame % 10] : ascii[frame % 4];
}

bool
tui_fmt_urls(struct sbuf *b, const struct model *m, const struct model_site_url *u, uint32_t n,
	enum model_attrib a)
{
	char rate[32];
	uint32_t i;

	if (!n && a == MODEL_ATTRIB_FEW_ROUNDS) {
		sbuf_adds(b, "URLs need more rounds");
		return true;
	}
	for (i = 0; i < n; i++) {
		const char *path = report_url_path(model_url(m, u[i].url));
		char *e = escape_dup(path, strlen(path), 0);

		sbuf_printf(b, "%s%s %s B/req", i ? ", " : "", e,
			tui_fmt_rate(rate, sizeof rate, u[i].bytes_per_request, 8));
		free(e);
	}
	return n > 0;
}
