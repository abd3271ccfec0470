/* engine_debug_bp.c - the debugger's breakpoints: as asked (file:line),
 * numbered by gdb once set, counted as hit, toggled from the screen. */
#include "engine.h"
#include "engine_int.h"
#include "engine_debug_int.h"
#include "evloop.h"
#include "gdbmi.h"
#include "model.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- breakpoints ---- */

struct engine_debug_bp *
engine_debug_bp_find(struct engine_debug *d, const char *file, unsigned line)
{
	const char *b1 = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
	size_t i;

	for (i = 0; i < d->nbps; i++) {
		const char *f = d->bps[i].file;
		const char *b2 = strrchr(f, '/') ? strrchr(f, '/') + 1 : f;

		if (d->bps[i].line == line && !strcmp(b1, b2))
			return &d->bps[i];
	}
	return NULL;
}

struct engine_debug_bp *
engine_debug_bp_add(struct engine_debug *d, const char *file, unsigned line)
{
	struct engine_debug_bp *bp;

	d->bps = xrealloc(d->bps, (d->nbps + 1) * sizeof *d->bps);
	bp = &d->bps[d->nbps++];
	memset(bp, 0, sizeof *bp);
	bp->file = xstrdup(file);
	bp->line = line;
	return bp;
}

void
engine_debug_bp_remove(struct engine_debug *d, struct engine_debug_bp *bp)
{
	size_t i = (size_t)(bp - d->bps);

	free(bp->file);
	memmove(bp, bp + 1, (d->nbps - i - 1) * sizeof *bp);
	d->nbps--;
}

struct engine_debug_bp *
engine_debug_bp_by_number(struct engine_debug *d, unsigned n)
{
	size_t i;

	for (i = 0; n && i < d->nbps; i++)
		if (d->bps[i].number == n)
			return &d->bps[i];
	return NULL;
}

/* The reply to -break-insert of the last breakpoint without a number. */
static void
on_bp_inserted(struct gdbmi *g, const struct gdbmi_record *res, const char *s, size_t n, void *ctx)
{
	struct engine *e = ctx;
	struct engine_debug *d = e->debug;
	size_t i;

	(void)g, (void)s, (void)n;
	for (i = 0; i < d->nbps && d->bps[i].number; i++)
		;
	if (i == d->nbps)
		return;
	if (engine_debug_failed(res)) {
		engine_debug_set_note(e, true, "no breakpoint at %s:%u: %s", d->bps[i].file,
			d->bps[i].line, engine_debug_why(e, res));
		engine_debug_bp_remove(d, &d->bps[i]);
		return;
	}
	d->bps[i].number = (unsigned)strtoul(gdbmi_str(res->results, "bkpt.number") ?
		gdbmi_str(res->results, "bkpt.number") : "0", NULL, 10);
	engine_debug_changed(e);
}

void
engine_debug_bp_insert(struct engine *e, struct engine_debug_bp *bp)
{
	char *loc = xasprintf("%s:%u", bp->file, bp->line);
	char *q = gdbmi_quote(loc);
	char *cmd = xasprintf("-break-insert -f %s", q);

	engine_debug_command(e, cmd, CMD_TIMEOUT_MS, on_bp_inserted);
	free(cmd);
	free(q);
	free(loc);
}

static void
on_bp_deleted(struct gdbmi *g, const struct gdbmi_record *res, const char *s, size_t n, void *ctx)
{
	struct engine *e = ctx;

	(void)g, (void)s, (void)n;
	if (engine_debug_failed(res))
		engine_debug_set_note(e, true, "breakpoint not deleted: %s", engine_debug_why(e, res));
}

void
engine_debug_toggle_now(struct engine *e, const char *file, unsigned line)
{
	struct engine_debug *d = e->debug;
	struct engine_debug_bp *bp = engine_debug_bp_find(d, file, line);
	char cmd[64];

	if (bp && bp->number) {
		snprintf(cmd, sizeof cmd, "-break-delete %u", bp->number);
		engine_debug_command(e, cmd, CMD_TIMEOUT_MS, on_bp_deleted);
		engine_debug_set_note(e, false, "breakpoint at %s:%u deleted", file, line);
		engine_debug_bp_remove(d, bp);
		return;
	}
	if (bp)
		return;	/* its insert is on the way */
	engine_debug_bp_insert(e, engine_debug_bp_add(d, file, line));
	engine_debug_set_note(e, false, "breakpoint at %s:%u", file, line);
}

