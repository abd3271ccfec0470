/* tui_debug.h - the debugger view's state, shared by its keys
 * (tui_debug.c) and its drawing (tui_debug_draw.c). Private to src/tui/. */
#ifndef LT_TUI_DEBUG_H
#define LT_TUI_DEBUG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "tui_int.h"

struct gdbmi_frame;

/* The bytes and blocks of the model's sites allocated at the debugged
 * line (any kind), in the latest round and their change since the one
 * before: a check while stopped shows what stepping allocated. */
struct tui_debug_numbers {
	size_t stamp;		/* model rounds they were summed at */
	bool dirty;
	size_t nsites, round;
	uint64_t bytes, blocks;
	int64_t dbytes, dblocks;
	bool have_prev;
};

struct tui_debug_view {
	const struct tui_target_ops *ops;	/* for the detach at the view's end */
	void *ctx;
	const struct model *m;
	char *file, *url, *fn;	/* where d asked to stop */
	unsigned line;
	struct tui_debug d;	/* the last fill */
	bool on;
	struct tui_list frames;	/* the cursor is the selected frame */
	size_t seen_frame;	/* d.frame at the last fill */
	int frames_y, frames_h;
	/* the source cursor (b breaks there); it follows the shown line
	 * until moved, and again when another line is shown */
	unsigned cursor, cursor_of;
	char cursor_file[1024];
	unsigned marks[64];	/* the breakpoints in the shown file */
	size_t nmarks;
	struct tui_debug_numbers nums;
};

/* The target's debugger state into v->d (off: state OFF, nothing shown). */
void tui_debug_fill(struct tui_debug_view *v);
/* The shown source: the selected frame's, else where d asked to stop. */
const char *tui_debug_src_file(const struct tui_debug_view *v, unsigned *line);
void tui_debug_numbers(struct tui_debug_view *v);
/* tui_debug_draw.c */
void tui_debug_draw(struct tui *t, struct tui_view *view, int y0, int y1);

#endif
