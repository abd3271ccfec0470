/* trace.c - the opt-in timing trace (trace.h). */
#include "trace.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static FILE *trace_file;
static int trace_state;	/* 0: not looked yet, 1: on, -1: off */

bool
trace_on(void)
{
	const char *path;

	if (trace_state == 0) {
		path = getenv("LEAKTOP_TRACE");
		trace_file = path && *path ? fopen(path, "a") : NULL;
		trace_state = trace_file ? 1 : -1;
		/* line buffered: a test reads the file while we run */
		if (trace_file)
			setvbuf(trace_file, NULL, _IOLBF, 0);
	}
	return trace_state > 0;
}

double
trace_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

void
trace_event(const char *what, const char *detail)
{
	if (!trace_on())
		return;
	fprintf(trace_file, "%s %.3f%s%s\n", what, trace_now_ms(), detail ? " " : "",
		detail ? detail : "");
}
