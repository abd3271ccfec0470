/* tui_fmt.h - numbers and times in the few columns a screen has. No curses. */
#ifndef LT_TUI_FMT_H
#define LT_TUI_FMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "model.h"
#include "sbuf.h"

/* 12345 as is while it fits width, else 123K / 12.3M / 1.2G (1024-based). */
const char *tui_fmt_size(char *buf, size_t len, uint64_t v, int width);
/* +123, -4.5K, 0: a size with its sign. */
const char *tui_fmt_delta(char *buf, size_t len, int64_t v, int width);
/* 12,345,678: thousands separated, for the header. */
const char *tui_fmt_grouped(char *buf, size_t len, uint64_t v);
/* 12.5 / 136 / 1.2K bytes per request within width. */
const char *tui_fmt_rate(char *buf, size_t len, double v, int width);
/* HH:MM:SS local time of a CLOCK_REALTIME millisecond stamp. */
const char *tui_fmt_clock(char *buf, size_t len, int64_t wall_ms);
/* 250ms, 1.25s, 2m05s. */
const char *tui_fmt_duration_ms(char *buf, size_t len, int64_t ms);

/* The URLs that drive a site (or a row), biggest first, into b:
 * "/leak/pool 1088 B/req, /clean 2.5 B/req" (paths, escaped), or "URLs need
 * more rounds" for MODEL_ATTRIB_FEW_ROUNDS. False, b untouched, when there
 * is nothing to say (not growing, or no URL drives it). */
bool tui_fmt_urls(struct sbuf *b, const struct model *m, const struct model_site_url *u,
	uint32_t n, enum model_attrib a);

/* Sparkline of values into cells (UTF-8 blocks, or ASCII), one per value,
 * scaled to the largest; zero is blank. Returns buf. */
const char *tui_fmt_spark(char *buf, size_t len, const uint64_t *v, size_t n, bool utf8);
/* A spinner frame for an elapsed time. */
const char *tui_fmt_spinner(int64_t ms, bool utf8);

#endif
