/* report_ci.h - private to src/report: what the CI formats (SARIF,
 * JUnit) share: which rows a report_set reports, their identity across
 * runs, the one-line text of a row, and source paths relative to the
 * source root. Every string returned is escaped (no control byte, valid
 * UTF-8) and malloc'd. */
#ifndef LT_REPORT_CI_H
#define LT_REPORT_CI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "report.h"

/* One row a CI format reports: a run's row, or a diff's (d non-NULL,
 * row = d->new). fingerprint: a hash of report_row_key and which of the
 * equal keys it is (by line), 16 hex digits. */
struct report_ci_item {
	const struct report_row *row;
	const struct report_diff_row *d;
	char fingerprint[24];
};

/* The rows of s: a run's rows, or a diff's NEW and WORSE rows;
 * fail_only: those whose verdict (the NEW side's) is REPORT_FAIL.
 * Malloc'd; *n the count. */
struct report_ci_item *report_ci_items(const struct report_set *s, bool fail_only, size_t *n);

/* "definitely lost at x.c:12 in f: growing, 100.0 bytes per request,
 * 1600 bytes in 16 blocks now; <holder>" (with a diff: what it was). */
char *report_ci_row_text(const struct report_set *s, const struct report_ci_item *it);
/* What the budgets say of an under-budget row, one line. */
char *report_ci_budget_text(const struct report_set *s, const struct report_row *r);

/* The frames, innermost first, one "  at fn (path:line)" line each
 * (paths as report_ci_path). */
char *report_ci_stack_text(const struct report_set *s, const uint32_t *frames, size_t n);

/* A frame's file relative to the source root when under it (*under
 * true), else as given (absolute); raw bytes, not escaped. */
char *report_ci_path(const struct report_set *s, const char *file, bool *under);
/* The source root, absolute, ending in '/' (NULL root: the current
 * directory). */
char *report_ci_root(const struct report_set *s);
/* Percent-encode a path for a URI (RFC 3986: unreserved, sub-delims,
 * ':', '@' and '/' stay). */
char *report_ci_uri_path(const char *path);


/* A short stable id of text, 16 hex digits. */
void report_ci_hash(const char *text, char out[24]);

#endif
