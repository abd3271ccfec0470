/* live.h - the live front end: nginx under valgrind behind the screen.
 *
 * Owns the terminal and the one evloop; the engine runs on that loop and
 * the screen (tui.h) draws once per loop pass, before the loop sleeps. */
#ifndef LT_LIVE_H
#define LT_LIVE_H

struct cli_opts;
struct engine_opts;
struct model;
struct report_meta;

/* The live screen over a running engine; returns the exit status (0, or 2
 * when nginx could not start or ended by itself). */
int live_run(const struct cli_opts *o, const struct engine_opts *eo);
/* The same screen over a recorded model, no nginx (e.g. --load FILE):
 * browse, sort, filter, backtraces, sources, editor, save. meta->nginx
 * names what was recorded in the header. */
int live_browse(struct model *m, const struct cli_opts *o, const struct report_meta *meta);

#endif
