/* report_ci.c - what SARIF and JUnit share: the rows a report_set
 * reports, their fingerprints, their one-line text, stacks and paths. */
#include "report_ci.h"
#include "escape.h"
#include "intern.h"
#include "model.h"
#include "sbuf.h"
#include "util.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned
row_line(const struct model *m, const struct report_row *r)
{
	const struct model_site *s = model_site(m, r->site);
	const struct model_frame *at = s->nframes ? model_site_frame(m, s, s->alloc_at) : NULL;

	return at ? at->line : 0;
}

/* Rows of equal keys (the same leak reached at two lines of one
 * function) are told apart by their rank by line, as the diff matches
 * them: the first keeps the key's plain hash. */
static void
fingerprints(const struct model *m, struct report_ci_item *all, size_t n)
{
	char **keys = xcalloc(n + 1, sizeof *keys);
	size_t i, j;

	for (i = 0; i < n; i++)
		keys[i] = report_row_key(m, all[i].row);
	for (i = 0; i < n; i++) {
		unsigned line = row_line(m, all[i].row);
		size_t rank = 0;

		for (j = 0; j < n; j++)
			if (j != i && !strcmp(keys[i], keys[j]) &&
				(row_line(m, all[j].row) < line || (row_line(m, all[j].row) == line && j < i)))
				rank++;
		if (rank) {
			char *k = xasprintf("%s#%zu", keys[i], rank);

			report_ci_hash(k, all[i].fingerprint);
			free(k);
		} else {
			report_ci_hash(keys[i], all[i].fingerprint);
		}
	}
	for (i = 0; i < n; i++)
		free(keys[i]);
	free(keys);
}

struct report_ci_item *
report_ci_items(const struct report_set *s, bool fail_only, size_t *n)
{
	size_t i, k = 0, total = s->diff ? report_diff_nrows(s->diff) : s->nrows;
	struct report_ci_item *all = xcalloc(total + 1, sizeof *all);

	/* every row of the run first: fingerprints rank among all of them */
	for (i = 0; i < total; i++) {
		const struct report_diff_row *d = s->diff ? report_diff_row(s->diff, i) : NULL;

		if (s->diff && (!d || !d->new))
			continue;
		all[k].row = d ? d->new : &s->rows[i];
		all[k++].d = d;
	}
	fingerprints(s->m, all, k);
	for (i = 0, *n = 0; i < k; i++) {
		const struct report_ci_item *it = &all[i];
		bool keep;

		keep = !fail_only || it->row->verdict == REPORT_FAIL;
		if (it->d && it->d->change != REPORT_NEW && it->d->change != REPORT_WORSE)
			keep = false;
		if (keep)
			all[(*n)++] = *it;
	}
	return all;
}

static char *
esc(const char *s)
{
	return escape_dup(s ? s : "", s ? strlen(s) : 0, 0);
}

char *
report_ci_row_text(const struct report_set *s, const struct report_ci_item *it)
{
	const struct model_group *g = &it->row->g;
	const struct model_site *site = model_site(s->m, it->row->site);
	const struct model_site *held = report_group_holder(s->m, g->kind, g->at);
	const struct model_frame *at = site->nframes ?
		model_site_frame(s->m, site, site->alloc_at) : NULL;
	char *loc = report_site_location(s->m, site), *fn = esc(at ? at->fn : "");
	char *holder = held ? report_holder_text(s->m, &held->holder,
		g->growth == GROWTH_GROWING) : NULL;
	struct sbuf b = SBUF_INIT;

	sbuf_printf(&b, "%s at %s in %s: %s", leak_kind_text(g->kind), loc, *fn ? fn : "???",
		model_growth_name(g->growth));
	if (g->bytes_per_request > 0)
		sbuf_printf(&b, ", %.1f bytes per request", g->bytes_per_request);
	if (g->bytes_per_reload > 0)
		sbuf_printf(&b, ", %.0f bytes per reload", g->bytes_per_reload);
	if (g->nurls && g->urls[0].bytes_per_request > 0) {
		const char *url = model_url(s->m, g->urls[0].url);
		char *e = esc(report_url_path(url));

		sbuf_printf(&b, " (%.1f per %s request)", g->urls[0].bytes_per_request, e);
		free(e);
	}
	sbuf_printf(&b, ", %llu bytes in %llu blocks now", (unsigned long long)g->bytes,
		(unsigned long long)g->blocks);
	if (g->nsites > 1)
		sbuf_printf(&b, " (%zu call paths)", g->nsites);
	if (it->d && it->d->change == REPORT_NEW)
		sbuf_adds(&b, "; new since the old run");
	else if (it->d && it->d->old)
		sbuf_printf(&b, "; worse than the old run (%.1f bytes per request, %.0f per reload)",
			it->d->old->g.bytes_per_request, it->d->old->g.bytes_per_reload);
	if (holder)
		sbuf_printf(&b, "; %s", holder);
	free(loc);
	free(fn);
	free(holder);
	return sbuf_detach(&b);
}

char *
report_ci_budget_text(const struct report_set *s, const struct report_row *r)
{
	struct sbuf b = SBUF_INIT;

	sbuf_adds(&b, "grows");
	if (r->g.bytes_per_request > 0)
		sbuf_printf(&b, " %.1f bytes per request (budget %.1f)", r->g.bytes_per_request,
			s->gate->max_per_request);
	if (r->g.bytes_per_reload > 0)
		sbuf_printf(&b, " %.0f bytes per reload (budget %.0f)", r->g.bytes_per_reload,
			s->gate->max_per_reload);
	sbuf_adds(&b, ": under budget, it does not fail the run");
	return sbuf_detach(&b);
}

char *
report_ci_stack_text(const struct report_set *s, const uint32_t *frames, size_t n)
{
	struct sbuf b = SBUF_INIT;
	size_t i;

	for (i = 0; i < n; i++) {
		const struct model_frame *f = model_frame(s->m, frames[i]);
		char *fn = esc(*f->fn ? f->fn : "???");

		sbuf_printf(&b, "  at %s", fn);
		if (*f->file) {
			bool under;
			char *p = report_ci_path(s, f->file, &under), *e = esc(p);

			sbuf_printf(&b, " (%s:%u)", e, f->line);
			free(p);
			free(e);
		} else if (*f->obj) {
			char *e = esc(f->obj);

			sbuf_printf(&b, " (in %s)", e);
			free(e);
		}
		sbuf_adds(&b, "\n");
		free(fn);
	}
	return sbuf_detach(&b);
}

char *
report_ci_root(const struct report_set *s)
{
	char buf[PATH_MAX];
	const char *root = s->source_root && *s->source_root ? s->source_root : ".";
	size_t len;

	if (!realpath(root, buf))
		snprintf(buf, sizeof buf, "%s", root);
	len = strlen(buf);
	return len && buf[len - 1] == '/' ? xstrdup(buf) : xasprintf("%s/", buf);
}

static const char *
under_root(const char *root, const char *path)
{
	size_t n = strlen(root);

	return !strncmp(path, root, n) && path[n] ? path + n : NULL;
}

char *
report_ci_path(const struct report_set *s, const char *file, bool *under)
{
	char *root = report_ci_root(s), real[PATH_MAX];
	const char *rel;
	char *out;

	*under = true;
	if (*file != '/')	/* relative already: to the root it ran in */
		out = xstrdup(file);
	else if ((rel = under_root(root, file)))
		out = xstrdup(rel);
	else if (realpath(file, real) && (rel = under_root(root, real)))
		out = xstrdup(rel);
	else {
		*under = false;
		out = xstrdup(file);
	}
	free(root);
	return out;
}

char *
report_ci_uri_path(const char *path)
{
	static const char keep[] = "-._~!$&'()*+,;=:@/";
	struct sbuf b = SBUF_INIT;
	const unsigned char *p;

	for (p = (const unsigned char *)path; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
			strchr(keep, *p))
			sbuf_printf(&b, "%c", *p);
		else
			sbuf_printf(&b, "%%%02X", *p);
	}
	return sbuf_detach(&b);
}

void
report_ci_hash(const char *text, char out[24])
{
	snprintf(out, 24, "%016llx", (unsigned long long)intern_hash(text, strlen(text), 0));
}

