/* tui_procs.c - nginx's processes on the screen: the header's process
 * line (which view the sites table shows, each process's role, pid and
 * state) and the pids that fed a site. The views themselves are switched
 * by the top (tui.c): it closes what was opened over the old one. */
#include "tui_int.h"
#include "model.h"
#include "sbuf.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

/* pids named in a backtrace's header; more are counted */
#define SITE_PIDS_MAX 8

bool
tui_procs_line_shown(const struct tui *t)
{
	return (t->live.present && t->live.nprocs > 1) || t->view != 0;
}

/* "worker 1205 ready 812 req"; short (a narrow line): the usual state
 * left out, a signal by its name ("worker 1190 SIGSEGV"). */
static void
proc_text(const struct tui_proc *p, bool brief, char *buf, size_t len)
{
	const char *state = p->state && *p->state ? p->state : p->alive ? "alive" : "gone";
	const char *sig = strstr(state, "(SIG");
	int n;

	if (brief && sig && strchr(sig, ')'))
		n = snprintf(buf, len, "%s %ld %.*s", p->role ? p->role : "?", p->pid,
			(int)(strchr(sig, ')') - sig - 1), sig + 1);
	else if (brief && !strcmp(state, "ready"))
		n = snprintf(buf, len, "%s %ld", p->role ? p->role : "?", p->pid);
	else
		n = snprintf(buf, len, "%s %ld %s", p->role ? p->role : "?", p->pid, state);
	if (p->requests_known && n >= 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, " %llu req", p->requests);
}

/* A crash, not a worker a reload or a restart retired. */
static bool
proc_crashed(const struct tui_proc *p)
{
	return !p->alive && p->state && !strncmp(p->state, "killed", 6);
}

/* The order shown: the live ones as the engine lists them, then the
 * crashed, then the others that ended (a reload storm leaves many), the
 * newest first in each. */
static size_t
proc_order(const struct tui_live *l, size_t *out, size_t max)
{
	size_t n = 0, i;

	for (i = 0; i < l->nprocs && n < max; i++)
		if (l->procs[i].alive)
			out[n++] = i;
	for (i = l->nprocs; i-- > 0 && n < max;)
		if (proc_crashed(&l->procs[i]))
			out[n++] = i;
	for (i = l->nprocs; i-- > 0 && n < max;)
		if (!l->procs[i].alive && !proc_crashed(&l->procs[i]))
			out[n++] = i;
	return n;
}

/* Columns of an ASCII-or-UTF-8 string as drawn (each UTF-8 character one). */
static int
text_cols(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* Columns the processes take in full, each after a separator but the first. */
static int
procs_cols(const struct tui_live *l, const size_t *order, size_t n, int sep_w)
{
	char text[256];
	int w = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		proc_text(&l->procs[order[i]], false, text, sizeof text);
		w += (i ? sep_w : 0) + text_cols(text);
	}
	return w;
}

/* The processes from x on: in full when they all fit, else short, each
 * whole or not at all; what does not fit becomes "+3 more" (its room is
 * kept while more remain). */
static void
draw_procs(struct tui *t, int y, int x)
{
	const struct tui_live *l = &t->live;
	const char *sep = tui_draw_utf8() ? " \xc2\xb7 " : " | ";
	size_t order[256], n = proc_order(l, order, LT_ARRAY_SIZE(order)), i;
	bool brief = n < l->nprocs || procs_cols(l, order, n, text_cols(sep)) > t->cols - x;
	char text[256], more[32];

	for (i = 0; i < n; i++) {
		const struct tui_proc *p = &l->procs[order[i]];
		int need, room = t->cols - x;

		proc_text(p, brief, text, sizeof text);
		need = (i ? text_cols(sep) : 0) + text_cols(text);
		if (i + 1 < n || n < l->nprocs) {
			snprintf(more, sizeof more, "%s+%zu more", sep, l->nprocs - i - 1);
			room -= text_cols(more);
		}
		if (need > room)
			break;
		if (i)
			x += tui_draw_text(y, x, t->cols - x, TUI_ROLE_LABEL, sep, 0);
		x += tui_draw_text(y, x, t->cols - x, p->alive ? TUI_ROLE_VALUE : TUI_ROLE_DIMMED,
			text, 0);
	}
	if (i < l->nprocs) {
		snprintf(more, sizeof more, "%s+%zu more", i ? sep : "", l->nprocs - i);
		tui_draw_text(y, x, t->cols - x, TUI_ROLE_LABEL, more, 0);
	}
}

void
tui_procs_line_draw(struct tui *t, int y)
{
	int x = 1;

	x += tui_draw_text(y, x, t->cols - x, TUI_ROLE_LABEL, "view: ", 0);
	x += tui_draw_text(y, x, t->cols - x, TUI_ROLE_VALUE, t->view_name[0] ? t->view_name :
		"all", 0);
	x += tui_draw_text(y, x, t->cols - x, TUI_ROLE_LABEL, " (P)  ", 0);
	if (t->live.present && t->live.nprocs)
		draw_procs(t, y, x);
}

bool
tui_procs_model_multi(const struct model *m)
{
	size_t n = model_nsites(m), i, k;
	uint32_t first = 0;
	bool have = false;

	/* a scan when a backtrace opens: the sources of a site are a few pids */
	for (i = 0; i < n; i++) {
		const struct model_site *s = model_site(m, i);

		for (k = 0; k < s->nsources && s->sources; k++) {
			if (have && s->sources[k] != first)
				return true;
			first = s->sources[k];
			have = true;
		}
	}
	return false;
}

void
tui_procs_site_pids(struct sbuf *b, const struct model_site *s, bool multi)
{
	uint32_t k;

	if (!multi || !s->nsources || !s->sources)
		return;
	sbuf_adds(b, " | in");
	for (k = 0; k < s->nsources && k < SITE_PIDS_MAX; k++)
		sbuf_printf(b, " %u", (unsigned)s->sources[k]);
	if (s->nsources > SITE_PIDS_MAX)
		sbuf_printf(b, " +%u more", (unsigned)(s->nsources - SITE_PIDS_MAX));
}

double
tui_procs_per_reload(const struct model *m, const struct model_group *g, const uint32_t *sites)
{
	double sum = 0;
	size_t i;

	if (g->bytes_per_reload > 0)
		return g->bytes_per_reload;
	/* the group's is its sites' summed, as bytes_per_request's is */
	for (i = 0; i < g->nsites; i++)
		sum += model_site(m, sites[i])->bytes_per_reload;
	return sum;
}
