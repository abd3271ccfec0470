/* tui_rows.h - the sites table's rows: filtered, grouped, sorted, cached.
 *
 * A frame draws a screenful of rows; with 100,000 sites, filtering,
 * grouping and sorting every frame would cost more than the frame. The
 * rows are rebuilt only when their inputs change: the model (a new round,
 * a new baseline, a new model), the filter, the grouping or the sort.
 * No curses. */
#ifndef LT_TUI_ROWS_H
#define LT_TUI_ROWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "model.h"

struct report_diff;
struct report_gate;

/* Columns in table order: title, title on a narrow terminal. All but
 * HISTORY sort. */
#define TUI_COLUMNS(_) \
	_(SITE, "SITE", "SITE") \
	_(FUNCTION, "FUNCTION", "FUNCTION") \
	_(KIND, "KIND", "KIND") \
	_(BYTES, "BYTES", "BYTES") \
	_(BLOCKS, "BLOCKS", "BLKS") \
	_(DELTA, "DELTA", "DELTA") \
	_(BPR, "B/REQ", "B/REQ") \
	_(BEFORE, "BEFORE", "BEFORE") \
	_(CHANGE, "CHANGE", "CHANGE") \
	_(VERDICT, "VERDICT", "VERDICT") \
	_(URL, "TOP URL", "URL") \
	_(HISTORY, "HISTORY", "HIST")

enum tui_column {
#define TUI_COL_ENUM(id, ...) TUI_COL_##id,
	TUI_COLUMNS(TUI_COL_ENUM)
#undef TUI_COL_ENUM
	TUI_COL_COUNT
};

const char *tui_column_title(enum tui_column c, bool narrow);

/* Verdict filter values besides an enum growth. */
enum {
	TUI_VERDICT_DEFAULT = -1,	/* all but stable still-reachable sites */
	TUI_VERDICT_ALL = -2,
};

struct tui_filter {
	char text[128];		/* substring of the allocation frame's function or file */
	int kind;		/* enum leak_kind, -1 = any */
	int growth;		/* enum growth, or TUI_VERDICT_* */
	bool hide_core;		/* hide sites whose stack is all nginx core */
	bool changes_only;	/* with a baseline: new and worse rows only */
};

/* A row's change against the baseline run: an enum report_change, or
 * this when there is no baseline. */
#define TUI_NO_CHANGE (-1)

struct tui_row {
	struct model_group g;
	const char *file;	/* basename of the allocation frame's file, "" */
	uint32_t first;		/* its sites: members[first .. first + g.nsites) */
	int verdict;		/* enum report_verdict by the gate */
	int change;		/* enum report_change, TUI_NO_CHANGE */
	double before;		/* B/REQ in the baseline run, < 0: not there */
	/* in the baseline run only (fixed): g, file and members are the
	 * baseline model's */
	bool old_only;
};

struct tui_rows {
	/* inputs */
	const struct model *m;
	size_t stamp_rounds, stamp_baseline, stamp_sites;
	struct tui_filter filter;
	enum tui_column sort;
	bool invert;
	bool group;		/* merge by allocation site (else one row per stack) */
	bool dirty;
	const struct report_gate *gate;	/* NULL: no budgets */
	/* --baseline: the run compared with and the diff (not owned) */
	const struct model *old;
	const struct report_diff *diff;
	/* outputs */
	struct tui_row *rows;
	size_t nrows, caprows;
	uint32_t *members;	/* site indexes, biggest first within a row */
	size_t capmembers;
	size_t nlisted;		/* sites passing the filters */
	size_t nhidden_core;	/* sites left out by hide_core alone */
	size_t nsuppressed;	/* sites a suppression hides */
	size_t nchanges_hidden;	/* rows left out by changes_only */
	bool under_budget;	/* a row is REPORT_UNDER_BUDGET */
	/* scratch kept between rebuilds */
	uint32_t *slots, *site_row;
	size_t nslots, capsite_row;
	uint64_t rebuilds;	/* for tests and the benchmark */
};

void tui_rows_init(struct tui_rows *r);
void tui_rows_free(struct tui_rows *r);
/* The model, its rounds or the filters changed since the last rebuild. */
bool tui_rows_stale(const struct tui_rows *r, const struct model *m);
/* Rebuild when stale; true if it did. */
bool tui_rows_update(struct tui_rows *r, const struct model *m);
/* The filter/sort/grouping changed. */
void tui_rows_invalidate(struct tui_rows *r);
/* Index of the row holding site (UINT32 index), or nrows if none. */
size_t tui_rows_find_site(const struct tui_rows *r, uint32_t site);
size_t tui_rows_memory(const struct tui_rows *r);

#endif
