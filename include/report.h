/* report.h - what the engine found, as a table (people) or JSON (tools). */
#ifndef LT_REPORT_H
#define LT_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "leak.h"

struct model;
struct model_site;
struct model_frame;
struct memerrors;

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

#endif
