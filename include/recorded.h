/* recorded.h - a recorded run for a front end: a session file or a JSON
 * report read into a model with the command line's suppressions and
 * --alloc-fn, its problems said on stderr. The one way --load, --diff and
 * --baseline read a run. */
#ifndef LT_RECORDED_H
#define LT_RECORDED_H

struct cli_opts;
struct model;

/* A new model of the run at path, or NULL after a one-line error on
 * stderr (prefixed by what, e.g. "--baseline"; NULL: none). A torn last
 * line is said as a warning. *nginx gets the binary recorded (malloc'd,
 * may be ""; NULL on failure). */
struct model *recorded_load(const struct cli_opts *o, const char *path, const char *what,
	char **nginx);

#endif
