/* tui_sites.h - inside the sites table: its state, shared by the table's
 * actions (tui_sites.c), its drawing (tui_sites_draw.c) and its marks and
 * suppressions (tui_marks.c). Private to src/tui/. */
#ifndef LT_TUI_SITES_H
#define LT_TUI_SITES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "tui_int.h"
#include "tui_rows.h"

struct report_diff;

/* Marked rows (space), by their line: (kind << 32) | allocation frame
 * id, so a mark survives the rebuilds of a new round. */
struct tui_marks {
	uint64_t *keys;
	size_t n, cap;
};

struct sites {
	const struct model *m;	/* the live rounds, or valgrind's exit report */
	bool exit_report;
	struct tui_rows rows;
	struct tui_list list;
	uint32_t sel_site;	/* a site of the selected row: kept across rebuilds */
	bool have_sel;
	int height;		/* table rows of the last frame */
	int head_y;		/* row of the column titles */
	int col_x[TUI_COL_COUNT + 1];
	struct tui_marks marks;
	/* W: the lines the prompt's file will get suppressions for */
	uint64_t *supp_keys;
	size_t nsupp_keys;
	struct report_diff *diff;	/* --baseline against m (owned) */
};

static inline const struct tui_row *
tui_sites_sel(const struct sites *s)
{
	return s->list.cur < s->rows.nrows ? &s->rows.rows[s->list.cur] : NULL;
}

/* The model a row's sites are in (the baseline's for a fixed row). */
const struct model *tui_sites_row_model(const struct sites *s, const struct tui_row *row);
const struct model_frame *tui_sites_row_frame(const struct sites *s, const struct tui_row *row);
/* The table a prompt's answer is for (the top one, else the root). */
struct sites *tui_sites_prompt_table(struct tui *t);
/* The table in body rows [y0, y1): info line, titles, rows, detail line. */
void tui_sites_paint(struct tui *t, struct sites *s, int y0, int y1);

/* ---- marks and suppressions (tui_marks.c) ---- */

uint64_t tui_marks_key(const struct tui_row *row);
bool tui_marks_has(const struct tui_marks *mk, uint64_t key);
void tui_marks_free(struct tui_marks *mk);
/* Space: mark or unmark the cursor's row, then the cursor goes down. */
unsigned tui_marks_toggle(struct tui *t, struct sites *s);
/* U */
unsigned tui_marks_clear(struct tui *t, struct sites *s);
/* W: ask where to write the suppressions of the marked rows (or the
 * cursor's), then write them and hide them (the supp_add op). */
unsigned tui_marks_suppress(struct tui *t, struct sites *s);

#endif
