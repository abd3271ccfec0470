/* emit.h - what a finished run leaves behind, the same from batch, --load
 * and --diff: the reports a CI job asked for (--json, --sarif, --junit,
 * --folded, --gen-suppressions) and the exit status by the gate (--fail-on
 * and the budgets), said on stderr. */
#ifndef LT_EMIT_H
#define LT_EMIT_H

#include <stdbool.h>
#include <stddef.h>

struct cli_opts;
struct model;
struct report_meta;
struct report_gate;
struct report_diff;

/* Where the table goes: stdout, or stderr when a report goes to stdout
 * ("-"), so that report can be read by a tool. */
#include <stdio.h>
FILE *emit_table_stream(const struct cli_opts *o);

/* Every report o asks for, of model m (meta for the JSON; gate judges the
 * rows). Each one is written whole or not at all; false + a one-line err
 * naming the first that failed (the others are still written). */
bool emit_reports(const struct cli_opts *o, const struct model *m,
	const struct report_meta *meta, const struct report_gate *gate, char *err, size_t errlen);
/* The CI formats of a diff (--sarif, --junit, --folded): its NEW and
 * WORSE rows; new is the NEW run's model. */
bool emit_diff_reports(const struct cli_opts *o, const struct model *new,
	const struct report_diff *d, char *err, size_t errlen);
/* 0 or 1 by the gate, and on stderr why: what fails, what grows under a
 * budget, what suppressions hid. */
int emit_status(const struct cli_opts *o, const struct model *m, const struct report_meta *meta,
	const struct report_gate *gate);

#endif
