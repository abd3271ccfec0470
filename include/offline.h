/* offline.h - --load: a valgrind memcheck XML file from any program,
 * without running anything: its errors and its exit leak report. */
#ifndef LT_OFFLINE_H
#define LT_OFFLINE_H

struct cli_opts;

/* Batch: table on stdout (stderr with --json -), JSON with --json.
 * Exit 0/1 by --fail-on (growing means: any definite or indirect leak in
 * the exit report, the only round there is), 2 if the file is unusable. */
int offline_batch(const struct cli_opts *o);
/* The live screen over the file's model (browse, backtraces, sources). */
int offline_browse(const struct cli_opts *o);

#endif
