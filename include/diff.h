/* diff.h - ngx-leaktop --diff OLD NEW: two recorded runs (session files or
 * JSON reports, any mix) compared by allocation site and kind. */
#ifndef LT_DIFF_H
#define LT_DIFF_H

struct cli_opts;

/* The table (stdout; stderr with --json -), --json, --sarif, --junit and
 * --folded of the diff. Exit 0, 1 when a row new or worse fails the gate,
 * 2 when a run cannot be read or a report not written. */
int diff_run(const struct cli_opts *o);

#endif
