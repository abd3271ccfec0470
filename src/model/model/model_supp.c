/* model_supp.c - sites hidden by valgrind suppressions.
 *
 * valgrind applies the suppressions it was given to its own answers; the
 * same files are matched here too, for what valgrind never saw them on:
 * an attached nginx, a loaded file, rows suppressed from the live screen. */
#include "model.h"
#include "model_int.h"
#include "supp.h"
#include "util.h"

#include <stdlib.h>

void
model_supp_site(struct model *m, struct model_site *s)
{
	struct supp_frame stack[64], *frames = stack;
	size_t i;

	s->suppressed = false;
	s->supp = -1;
	if (!m->supp || !supp_count(m->supp) || !s->nframes)
		return;
	if (s->nframes > LT_ARRAY_SIZE(stack))
		frames = xmalloc(s->nframes * sizeof *frames);
	for (i = 0; i < s->nframes; i++) {
		const struct model_frame *f = &m->frames[s->frames[i]];

		frames[i] = (struct supp_frame){ f->fn, f->obj, f->file, f->line };
	}
	s->supp = supp_match(m->supp, s->kind, frames, s->nframes);
	s->suppressed = s->supp >= 0;
	if (frames != stack)
		free(frames);
}

void
model_set_suppressions(struct model *m, const struct supp *s)
{
	size_t i;

	m->supp = s;
	for (i = 0; i < m->nsites; i++)
		model_supp_site(m, &m->sites[i]);
}

const struct supp *
model_suppressions(const struct model *m)
{
	return m->supp;
}

void
model_suppressed(const struct model *m, struct model_suppressed *out)
{
	size_t i;

	out->sites = 0;
	out->bytes = out->blocks = 0;
	for (i = 0; i < m->nsites; i++) {
		const struct model_site *s = &m->sites[i];

		if (!s->suppressed || !s->present)
			continue;
		out->sites++;
		out->bytes += s->bytes;
		out->blocks += s->blocks;
	}
}
