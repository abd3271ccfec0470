/* report_supp.c - valgrind suppressions for report rows, and suppressions
 * added to a model that has no engine (a loaded run on the live screen). */
#include "report.h"
#include "model.h"
#include "sbuf.h"
#include "supp.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HEADER \
	"# valgrind suppressions written by ngx-leaktop " LT_VERSION ": one per leaking\n" \
	"# allocation site (kind and stack), its frames exact from the allocation up to\n" \
	"# the module's entry point and '...' below, so they survive changes in nginx's\n" \
	"# core. Give the file back: ngx-leaktop --suppressions FILE (or valgrind\n" \
	"# --suppressions=FILE). Names: ngx-leaktop:KIND:FILE:LINE:FUNCTION.\n"

/* The block after its name line: what deduplication compares. */
static const char *
body_of(const char *block)
{
	return strchr(block + 2, '\n');
}

/* One site's block. */
static char *
site_block(const struct model *m, const struct model_site *s)
{
	struct sbuf b = SBUF_INIT;
	size_t entry = report_entry_frame(m, s), k;
	struct supp_frame *f = xcalloc(entry + 1, sizeof *f);
	const struct model_frame *at = model_site_frame(m, s, s->alloc_at);
	char *loc = report_site_location(m, s), *name;

	for (k = 0; k <= entry && k < s->nframes; k++) {
		const struct model_frame *mf = model_site_frame(m, s, k);

		f[k] = (struct supp_frame){ mf->fn, mf->obj, mf->file, mf->line };
	}
	name = xasprintf("ngx-leaktop:%s:%s:%s", leak_kind_short(s->kind), loc,
		at && *at->fn ? at->fn : "???");
	supp_format(&b, name, s->kind, f, k, k < s->nframes);
	free(name);
	free(loc);
	free(f);
	return sbuf_detach(&b);
}

char *
report_supp_text(const struct model *m, const struct report_row *rows, size_t n)
{
	struct sbuf b = SBUF_INIT;
	char **seen = NULL;
	size_t nseen = 0, cap = 0, i, j, k;

	sbuf_adds(&b, HEADER);
	for (i = 0; i < n; i++)
		for (j = 0; j < rows[i].nsites; j++) {
			char *block = site_block(m, model_site(m, rows[i].sites[j]));

			for (k = 0; k < nseen && strcmp(body_of(seen[k]), body_of(block)); k++)
				;
			if (k < nseen) {
				free(block);
				continue;
			}
			xgrow((void **)&seen, &cap, nseen + 1, sizeof *seen);
			seen[nseen++] = block;
			sbuf_addc(&b, '\n');
			sbuf_adds(&b, block);
		}
	for (k = 0; k < nseen; k++)
		free(seen[k]);
	free(seen);
	return sbuf_detach(&b);
}

/* valgrind's own count: the latest check's LEAK SUMMARY "suppressed:". */
static const struct leak_total *
valgrind_suppressed(const struct model *m)
{
	size_t n = model_nrounds(m);

	return n ? &model_round(m, n - 1)->summary.suppressed : NULL;
}

bool
report_supp_line(const struct model *m, char *buf, size_t len)
{
	const struct leak_total *vg = valgrind_suppressed(m);
	struct model_suppressed ours;

	model_suppressed(m, &ours);
	if (!ours.sites && (!vg || (!vg->bytes && !vg->blocks)))
		return false;
	snprintf(buf, len, "suppressed: %zu sites hidden (%llu bytes in %llu blocks); "
		"valgrind suppressed %llu bytes in %llu blocks (latest check)", ours.sites,
		(unsigned long long)ours.bytes, (unsigned long long)ours.blocks,
		(unsigned long long)(vg ? vg->bytes : 0), (unsigned long long)(vg ? vg->blocks : 0));
	return true;
}

bool
report_supp_add(struct model *m, struct supp *set, const char *name, const char *text, char *err,
	size_t errlen)
{
	if (!supp_add_text(set, name, text, err, errlen))
		return false;
	model_set_suppressions(m, set);
	return true;
}
