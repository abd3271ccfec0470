/* batch.h - the engine without a screen: rounds, table, JSON, exit code. */
#ifndef LT_BATCH_H
#define LT_BATCH_H

struct cli_opts;
struct engine_opts;

/* Returns the process exit status: 0 nothing matched --fail-on, 1 something
 * did, 2 setup or run error. */
int batch_run(const struct cli_opts *o, const struct engine_opts *eo);

#endif
