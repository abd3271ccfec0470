/* trace.h - an opt-in timing trace: with LEAKTOP_TRACE=FILE in the
 * environment, lines "WHAT MS [DETAIL]" are appended to FILE, MS being
 * CLOCK_MONOTONIC milliseconds (three decimals). The live screen writes
 * "key" (a key read) and "frame" (a frame drawn), the engine "check-start",
 * "piece" (a piece of a leak_check answer: its bytes and how long the
 * loop spent on it, in ms) and "check-end" (the ms all pieces took, or
 * "failed"). tests/integration/tui_stream.sh
 * reads them. Without the variable every call is one branch. */
#ifndef LT_TRACE_H
#define LT_TRACE_H

#include <stdbool.h>

/* Is the trace on (LEAKTOP_TRACE set and its file open)? */
bool trace_on(void);
/* Append "what ms detail" (detail may be NULL). */
void trace_event(const char *what, const char *detail);
/* CLOCK_MONOTONIC in milliseconds. */
double trace_now_ms(void);

#endif
