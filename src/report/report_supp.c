/* report_supp.c - valgrind suppressions for report rows. */
#include "report.h"
#include "model.h"
#include "sbuf.h"
#include "supp.h"
#include "util.h"

#include <stdlib.h>

char *
report_supp_text(const struct model *m, const struct report_row *rows, size_t n)
{
	struct sbuf b = SBUF_INIT;
	size_t i, k;

	sbuf_adds(&b, "");
	for (i = 0; i < n; i++) {
		const struct model_site *s = model_site(m, rows[i].site);
		size_t entry = report_entry_frame(m, s);
		struct supp_frame *f = xcalloc(entry + 1, sizeof *f);
		char *loc = report_site_location(m, s);
		char *name = xasprintf("ngx-leaktop:%s:%s", leak_kind_short(s->kind), loc);

		for (k = 0; k <= entry && k < s->nframes; k++) {
			const struct model_frame *mf = model_site_frame(m, s, k);

			f[k] = (struct supp_frame){ mf->fn, mf->obj, mf->file, mf->line };
		}
		supp_format(&b, name, s->kind, f, k, k < s->nframes);
		free(name);
		free(loc);
		free(f);
	}
	return sbuf_detach(&b);
}
