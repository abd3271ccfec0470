/* report.h - what the engine found, as a table (people) or JSON (tools). */
#ifndef LT_REPORT_H
#define LT_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "leak.h"
#include "model.h"

struct model;
struct model_site;
struct model_frame;
struct memerrors;

/* What makes a run fail (--fail-on). */
enum fail_on {
	FAIL_ON_GROWING,
	FAIL_ON_DEFINITE,
	FAIL_ON_NONE,
	FAIL_ON_ERROR,		/* any memcheck error (invalid read, uninit, ...) */
};

struct report_owner_round {
	unsigned round;		/* the round it followed */
	unsigned commands;
	double ms;
};

/* A --break point and, once hit, the evidence of its first hit. */
struct gdbmi_frame;
struct gdbmi_var;
struct report_break {
	char *at;		/* FILE:LINE as given */
	bool hit;
	unsigned round;		/* the round whose burst hit it */
	char *why;		/* "breakpoint 1 hit" */
	struct gdbmi_frame *frames;
	size_t nframes;
	struct gdbmi_var *vars;	/* of frame 0 */
	size_t nvars;
};

struct report_meta {
	const char *nginx;		/* binary path */
	const char *nginx_version;
	bool debug_palloc;
	const char *end_reason;		/* how the run ended (nginx died, ...), or NULL */
	const struct memerrors *errors;	/* memcheck errors, or NULL */
	const struct model *exit_model;	/* valgrind's exit leak report, or NULL */
	/* the owner search's cost (commands, ms, rounds), shown when set, and
	 * per round that ran one (owner_rounds entries) */
	bool owner_search;
	unsigned long owner_commands, owner_rounds;
	double owner_ms;
	const struct report_owner_round *owner_per_round;
	/* --break points, in order (nbreaks 0: no "breaks" in the JSON) */
	const struct report_break *breaks;
	size_t nbreaks;
	/* nginx's processes (a master and workers; nprocesses 0: no
	 * "processes" in the JSON) */
	const struct report_process *processes;
	size_t nprocesses;
	/* how the bursts went ("HTTP/2 (TLS) + TCP") and their kinds of
	 * request (nkinds 0: no "kinds" in the JSON) */
	const char *protocol;
	const struct report_kind *kinds;
	size_t nkinds;
	/* what fails the run: each site's "verdict" and the "gate" (NULL: no
	 * "gate", verdicts by --fail-on growing) */
	const struct report_gate *gate;
	/* the suppression files given (--suppressions) and whether the
	 * default set was on: the JSON's "suppressed" */
	char *const *supp_files;
	size_t nsupp_files;
	bool default_supp;
};

/* One kind of request the bursts sent, for the JSON's "kinds". */
struct report_kind {
	const char *name;	/* what sites[].urls[].url calls it */
	const char *protocol;	/* "http", "https", "h2", "h2c", "tcp" */
	const char *method;	/* NULL for tcp */
	const char *target;	/* the URL or tcp://HOST:PORT sent to */
	unsigned long weight;
	const char *source;	/* "-u", "api.http:12", "--send hello.bin" */
};

/* One nginx process of the run, for the JSON's "processes". */
struct report_process {
	long pid;
	const char *role;	/* "master", "worker", "single" */
	long first_round, last_round;	/* -1: never checked */
	unsigned generation;	/* reloads before it started */
	unsigned long long requests;
	bool requests_known;
	const char *end;	/* how it ended, "" if it ran to the end */
};

/* Site indexes in display order: growing first, then bounded, then by
 * bytes. Stable "still reachable" sites (nginx's start-up heap) are left
 * out unless all is set. Malloc'd; *n gets the count. */
size_t *report_order(const struct model *m, bool all, size_t *n);

/* "file.c:123" (basename) of a site's allocation site, escaped; malloc'd. */
char *report_site_location(const struct model *m, const struct model_site *s);

/* The JSON report as a string (malloc'd). */
char *report_json_render(const struct model *m, const struct report_meta *meta);
/* An untrusted string escaped (escape.h) as a jansson string, for every
 * JSON the reports write ("" for NULL). */
struct json_t;
struct json_t *report_json_str(const char *s);
/* Write it to path ("-" = stdout) safely: a temp file renamed into place,
 * fsync'd, so a reader never sees half a report. False + err on failure. */
bool report_json_write(const struct model *m, const struct report_meta *meta, const char *path,
	char *err, size_t errlen);

/* Before a run: can a report be put at path? A directory, or a directory
 * we may not create files in, is known now rather than after the rounds.
 * False + a one-line err. Devices, pipes and "-" pass. */
bool report_json_check_path(const char *path, char *err, size_t errlen);

/* The readable table: at most max_rows rows (0 = all). */
void report_table_print(FILE *out, const struct model *m, size_t max_rows);
/* s in a column of width (padded; clipped with '~' at a UTF-8 boundary). */
void report_put_clipped(FILE *out, const char *s, int width);
/* memcheck errors, one line each: kind, count, location, what. */
void report_table_print_errors(FILE *out, const struct model *m, const struct memerrors *errs);
/* The path of a URL: what follows its scheme and host ("/leak/pool"). */
const char *report_url_path(const char *url);
/* "file.c:12" of a frame, escaped, malloc'd ("obj" or "0x..." without a file). */
char *report_frame_location(const struct model_frame *f);

/* What holds a site, one line (pool or static, how long it lives, what to
 * do: growing says it grows per request), escaped; malloc'd. NULL when no
 * holder is known (h NULL, not searched, or nothing found). */
struct model_holder;
char *report_holder_text(const struct model *m, const struct model_holder *h, bool growing);
/* The first site of a (kind, allocation frame) group with a known holder. */
const struct model_site *report_group_holder(const struct model *m, enum leak_kind kind,
	uint32_t at);

/* ---- putting a report in place (report_file.c) ---- */

/* Write text to path ("-" = stdout): a regular file through a temp file
 * in its directory, fsync'd and renamed, so a reader never sees half of
 * it; a device or FIFO in place. what names it in err ("SARIF report").
 * False + a one-line err. */
bool report_file_write(const char *path, const char *what, const char *text, char *err,
	size_t errlen);
/* Before a run: can option's report be put at path? A directory, or a
 * directory we may not create files in, is known now rather than after
 * the rounds. False + a one-line err naming option. */
bool report_file_check_path(const char *path, const char *option, const char *what, char *err,
	size_t errlen);

/* ---- the gate: what fails a run (report_gate.c) ---- */

/* --fail-on and the budgets. A budget excuses a growing site that grows
 * less than it: per request (bytes_per_request) and per reload
 * (bytes_per_reload); a site growing on both must be under both. */
struct report_gate {
	enum fail_on fail_on;
	double max_per_request;	/* --max-bytes-per-request; < 0: no budget */
	double max_per_reload;	/* --max-bytes-per-reload; < 0: no budget */
};
#define REPORT_GATE_INIT { FAIL_ON_GROWING, -1, -1 }

enum report_verdict {
	REPORT_PASS,		/* does not match --fail-on */
	REPORT_FAIL,		/* matches --fail-on: the run exits 1 */
	REPORT_UNDER_BUDGET,	/* would match, but grows less than the budgets */
};
const char *report_verdict_name(enum report_verdict v);	/* "pass", "fail", "under budget" */

/* The gate for a run of nrounds rounds: one round (valgrind's exit
 * report, a run cut after its baseline) has no growth to judge, so
 * --fail-on growing means a real loss there (definite or indirect). */
struct report_gate report_gate_rounds(const struct report_gate *g, size_t nrounds);

/* One site by the gate. nginx core growing on reloads alone (every frame
 * nginx's, no growth per request) passes: it is nginx's, not the module's.
 * Suppressed sites pass. FAIL_ON_ERROR and FAIL_ON_NONE pass every site. */
enum report_verdict report_gate_site(const struct model_site *s, const struct report_gate *g);
/* nginx core itself loses memory on each reload in some versions: a site
 * all of whose frames are nginx's, growing on reloads alone, is nginx's,
 * not the module's (shown, and said, but --fail-on growing passes it). */
bool report_gate_core_reload(const struct model_site *s);

/* A row: the sites of one (kind, allocation frame), the table's row and
 * the unit of SARIF results, JUnit test cases, folded stacks and diffs. */
struct report_row {
	struct model_group g;	/* the aggregate (model.h) */
	size_t site;		/* its first site in display order: location, stack */
	size_t *sites;		/* every site of it, display order */
	size_t nsites;
	enum report_verdict verdict;	/* the strongest of its sites' (FAIL first) */
};

/* A row by the gate, from the strongest verdict of its sites: a row whose
 * sites are each under budget but whose sum is not (the same line reached
 * through two call paths, 13 + 5 B per request against a budget of 15)
 * fails: a budget is for the line, as the table shows it. */
enum report_verdict report_gate_row(const struct model_group *g, enum report_verdict sites,
	const struct report_gate *gate);

/* The rows of a model in display order (report_order's sites grouped;
 * all: also stable still-reachable sites and absent ones). Suppressed
 * sites are in no row. Free with report_rows_free. */
struct report_row *report_rows(const struct model *m, const struct report_gate *g, bool all,
	size_t *n);
void report_rows_free(struct report_row *rows, size_t n);

/* Whether the run fails the gate: a row FAIL, or with FAIL_ON_ERROR a
 * memcheck error (errs may be NULL). */
bool report_gate_fails(const struct report_row *rows, size_t n, const struct memerrors *errs,
	const struct report_gate *g);

/* A row's identity across runs and builds: kind, the allocation
 * function and file (basename), and the function names of the module's
 * frames above it (up to the module's entry point, the outermost frame
 * that is not nginx core), no addresses or line numbers, so a rebuilt or
 * edited module keeps it. Core-only stacks use their first 8 functions.
 * "definite|ngx_http_x_module.c|x_alloc<x_handler". Malloc'd. */
char *report_row_key(const struct model *m, const struct report_row *r);

/* Index of the module's entry point in a site's frames: the outermost
 * frame, from the allocation site outward, before the first run of
 * nginx core frames that reaches the stack's end (the frame nginx called
 * into the module); the allocation site when every frame is core. */
size_t report_entry_frame(const struct model *m, const struct model_site *s);

/* ---- two runs (report_diff.c, report_load.c) ---- */

/* Load a recorded run into an empty model: a session file (.jsonl) or a
 * JSON report (--json), told apart by their content. *nginx gets the
 * binary recorded (malloc'd, may be ""); *torn (when not NULL) whether a
 * session file ended in a torn line (a crash mid-write: skipped). False +
 * a one-line err naming path and what is wrong. */
bool report_load(const char *path, struct model *m, char **nginx, bool *torn, char *err,
	size_t errlen);

enum report_change {
	/* a row "leaks" when it grows or fails the gate */
	REPORT_NEW,		/* leaks in NEW; absent from OLD or not leaking there */
	REPORT_FIXED,		/* leaked in OLD; absent from NEW or not leaking there */
	REPORT_WORSE,		/* leaks in both, grows more per request (or per reload):
				 * by more than 10% of OLD's figure and 1 byte */
	REPORT_BETTER,		/* leaks in both, grows less by that much */
	REPORT_SAME,		/* leaks in both within that, or in neither (a row in
				 * one run only that leaks in neither is no row) */
};
const char *report_change_name(enum report_change c);	/* "new", "fixed", ... */

/* A row of the diff: the same row key in both runs, or in one. */
struct report_diff_row {
	enum report_change change;
	const struct report_row *old, *new;	/* NULL where absent */
};
struct report_diff;

/* Match the rows of two runs by report_row_key (the k-th of equal keys
 * with the k-th, by line), judge each by the gate. Rows in order: new,
 * worse, fixed, better, unchanged. The models must outlive the diff. */
struct report_diff *report_diff_new(const struct model *old, const struct model *new,
	const struct report_gate *g);
void report_diff_free(struct report_diff *d);
size_t report_diff_nrows(const struct report_diff *d);
const struct report_diff_row *report_diff_row(const struct report_diff *d, size_t i);
/* The runs' names for the JSON ("old": {path, nginx}); copied, any NULL. */
void report_diff_set_names(struct report_diff *d, const char *old_path, const char *old_nginx,
	const char *new_path, const char *new_nginx);
/* The diff row of NEW's row of (kind, allocation frame at): what the
 * live screen shows beside a row of NEW. NULL when NEW's row is in no
 * row of the diff (it leaks in neither run and OLD lacks it). */
const struct report_diff_row *report_diff_find(const struct report_diff *d, enum leak_kind kind,
	uint32_t at);
/* The OLD (new false) or NEW run's model. */
const struct model *report_diff_model(const struct report_diff *d, bool new);
/* How many rows have change c. */
size_t report_diff_count(const struct report_diff *d, enum report_change c);
/* A row NEW or WORSE whose NEW side fails the gate: --diff exits 1. */
bool report_diff_fails(const struct report_diff *d);
/* The diff as a table and as JSON (malloc'd). */
void report_diff_print(FILE *out, const struct report_diff *d);
char *report_diff_json(const struct report_diff *d);

/* ---- CI formats (report_sarif.c, report_junit.c, report_folded.c) ---- */

/* What a CI format writer reports: a run's rows, or a diff's. */
struct report_set {
	const struct model *m;		/* the run (with a diff: NEW) */
	const struct memerrors *errs;	/* memcheck errors, or NULL */
	const struct report_row *rows;	/* report_rows(m, gate, false) */
	size_t nrows;
	const struct report_diff *diff;	/* NULL; else its NEW and WORSE rows are reported */
	const struct report_gate *gate;
	const char *source_root;	/* paths under it are written relative to it */
	const char *nginx;		/* the binary that ran, may be NULL */
};

/* SARIF 2.1.0: a result per FAIL row (diff: NEW/WORSE rows that fail)
 * and per memcheck error context; rule per kind; location the allocation
 * site; codeFlows the stacks; partialFingerprints from report_row_key. */
char *report_sarif_render(const struct report_set *s);
/* JUnit XML: one suite, a test case per row (diff: NEW/WORSE rows;
 * classname the module's file, name "file.c:line function (kind)") and
 * per error context; failures for what fails the gate, with the stack. */
char *report_junit_render(const struct report_set *s);
/* Folded stacks for flame graphs: a line per FAIL row's site, root
 * first, ';'-joined function names, then its bytes; with a diff the
 * two-column differential form (OLD bytes, NEW bytes). */
char *report_folded_render(const struct report_set *s);

/* ---- suppressions (report_supp.c) ---- */

/* Valgrind suppressions for the rows' sites: frames from the allocation
 * up to the module's entry point (report_entry_frame) exact, "..." for
 * the rest, so they survive nginx upgrades; one per site of each row
 * (identical blocks once), named "ngx-leaktop:KIND:file.c:line:function",
 * after a header comment that says how it was made. Malloc'd. */
char *report_supp_text(const struct model *m, const struct report_row *rows, size_t n);

/* For a model with no engine (a loaded run on the live screen): add the
 * suppressions of text (named name in errors) to set and judge m's sites
 * again (model_set_suppressions; set must outlive m). False + a one-line
 * err, set unchanged. With an engine: engine_supp_add. */
/* What the suppressions hide, one line for people: the sites our
 * matching hid in the latest round and the bytes valgrind suppressed in
 * its latest check. False (buf untouched) when both are nothing. */
bool report_supp_line(const struct model *m, char *buf, size_t len);

struct supp;
bool report_supp_add(struct model *m, struct supp *set, const char *name, const char *text,
	char *err, size_t errlen);

#endif
