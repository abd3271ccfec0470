/* tui_draw.h - the only door to curses output.
 *
 * Views compose lines out of text cells and call these; they never call
 * curses themselves. Every string goes through escape.h here, whatever the
 * caller did: text from valgrind, nginx or a source file can carry escape
 * sequences, and this is the last point before the terminal. Colors are
 * named by role, in one table (TUI_ROLES), with a monochrome attribute for
 * terminals without color and for NO_COLOR. */
#ifndef LT_TUI_DRAW_H
#define LT_TUI_DRAW_H

#include <stdbool.h>
#include <stdio.h>
#include "tui.h"

struct sbuf;

/* _(ROLE, foreground, background, extra attributes in color, attributes in
 * monochrome). -1 is the terminal's default color. No bold on black text:
 * many terminals show bold black as grey, unreadable on cyan or yellow. */
#define TUI_ROLES(_) \
	_(NORMAL, -1, -1, A_NORMAL, A_NORMAL) \
	_(TITLE, COLOR_BLACK, COLOR_CYAN, A_NORMAL, A_REVERSE) \
	_(TITLE_BOLD, COLOR_BLACK, COLOR_CYAN, A_NORMAL, A_REVERSE | A_BOLD) \
	_(LABEL, COLOR_CYAN, -1, A_NORMAL, A_NORMAL) \
	_(VALUE, -1, -1, A_BOLD, A_BOLD) \
	_(STATE_OK, COLOR_GREEN, -1, A_BOLD, A_BOLD) \
	_(STATE_BUSY, COLOR_YELLOW, -1, A_BOLD, A_BOLD | A_UNDERLINE) \
	_(STATE_DEAD, COLOR_WHITE, COLOR_RED, A_BOLD, A_REVERSE | A_BOLD) \
	_(UP, COLOR_RED, -1, A_BOLD, A_BOLD) \
	_(DOWN, COLOR_GREEN, -1, A_NORMAL, A_NORMAL) \
	_(COLUMN, COLOR_BLACK, COLOR_GREEN, A_NORMAL, A_REVERSE) \
	_(COLUMN_SORTED, COLOR_BLACK, COLOR_CYAN, A_NORMAL, A_REVERSE | A_BOLD | A_UNDERLINE) \
	_(CURSOR, COLOR_BLACK, COLOR_CYAN, A_NORMAL, A_REVERSE) \
	_(GROWING, COLOR_RED, -1, A_BOLD, A_BOLD) \
	_(BOUNDED, COLOR_YELLOW, -1, A_NORMAL, A_NORMAL) \
	_(STABLE, -1, -1, A_DIM, A_DIM) \
	_(SPARK, COLOR_MAGENTA, -1, A_NORMAL, A_NORMAL) \
	_(DETAIL, COLOR_CYAN, -1, A_NORMAL, A_NORMAL) \
	_(ALLOC_FRAME, -1, -1, A_DIM, A_DIM) \
	_(FRAME_FN, -1, -1, A_BOLD, A_BOLD) \
	_(FRAME_LOC, COLOR_CYAN, -1, A_NORMAL, A_NORMAL) \
	_(SRC_TITLE, COLOR_CYAN, -1, A_BOLD, A_BOLD | A_UNDERLINE) \
	_(SRC_LINENO, COLOR_YELLOW, -1, A_NORMAL, A_DIM) \
	_(SRC_CURRENT, COLOR_BLACK, COLOR_YELLOW, A_NORMAL, A_REVERSE | A_BOLD) \
	_(LOG_TITLE, COLOR_RED, -1, A_BOLD, A_BOLD | A_UNDERLINE) \
	_(LOG, -1, -1, A_NORMAL, A_NORMAL) \
	_(STATUS_INFO, COLOR_GREEN, -1, A_NORMAL, A_NORMAL) \
	_(STATUS_WARN, COLOR_YELLOW, -1, A_BOLD, A_BOLD) \
	_(STATUS_ERROR, COLOR_WHITE, COLOR_RED, A_BOLD, A_REVERSE | A_BOLD) \
	_(PROMPT, -1, -1, A_BOLD, A_BOLD) \
	_(KEY, COLOR_BLACK, COLOR_CYAN, A_NORMAL, A_REVERSE) \
	_(KEY_TEXT, -1, -1, A_NORMAL, A_NORMAL) \
	_(HELP_TITLE, COLOR_CYAN, -1, A_BOLD, A_BOLD | A_UNDERLINE) \
	_(HELP_KEY, COLOR_YELLOW, -1, A_BOLD, A_BOLD) \
	_(DIMMED, -1, -1, A_DIM, A_DIM) \
	_(MARKED, COLOR_YELLOW, -1, A_BOLD, A_BOLD)

enum tui_role {
#define TUI_ROLE_ENUM(name, ...) TUI_ROLE_##name,
	TUI_ROLES(TUI_ROLE_ENUM)
#undef TUI_ROLE_ENUM
	TUI_ROLE_COUNT
};

enum tui_text_flags {
	TUI_TEXT_PAD = 1,		/* fill the rest of width with spaces of the role */
	TUI_TEXT_RIGHT = 2,		/* right-align in width */
	TUI_TEXT_CLIP_LEFT = 4,	/* too long: keep the end ("…ule.c:188") */
	TUI_TEXT_TABS = 8,		/* expand tabs to 8 columns (source lines) */
	TUI_TEXT_CURSOR = 16,	/* on the cursor line: cursor colors (mono: keeps bold) */
};

/* Opening and closing the terminal: tui.h. */
bool tui_draw_is_open(void);
bool tui_draw_utf8(void);		/* the locale can show UTF-8 (else ASCII art) */
void tui_draw_size(int *rows, int *cols);
void tui_draw_resize(int rows, int cols);

/* Blank rows [y0, y1). */
void tui_draw_clear(int y0, int y1);
/* Draw text at (y, x) within width columns; returns the columns used. */
int tui_draw_text(int y, int x, int width, enum tui_role role, const char *s, unsigned flags);
int tui_draw_textn(int y, int x, int width, enum tui_role role, const char *s, size_t len,
	unsigned flags);
/* The columns s takes drawn in full (escaped as the two above do). */
int tui_draw_cols(const char *s);
/* Push the frame to the terminal (only what changed is sent). */
void tui_draw_flush(void);
/* Repaint everything on the next flush (after the editor ran). */
void tui_draw_repaint(void);

/* The screen as text, one line per row, trailing blanks cut (tests). */
void tui_draw_dump(struct sbuf *out);
/* Attributes of the cell at (y, x), for tests of the roles. */
unsigned long tui_draw_cell_attrs(int y, int x);
unsigned long tui_draw_role_attrs(enum tui_role role);

#endif
