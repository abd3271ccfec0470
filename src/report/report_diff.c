/* report_diff.c - two runs side by side (first cut: no rows). */
#include "report.h"
#include "util.h"

#include <stdlib.h>

struct report_diff {
	size_t n;
};

struct report_diff *
report_diff_new(const struct model *old, const struct model *new, const struct report_gate *g)
{
	(void)old;
	(void)new;
	(void)g;
	return xcalloc(1, sizeof(struct report_diff));
}

void
report_diff_free(struct report_diff *d)
{
	free(d);
}

size_t
report_diff_nrows(const struct report_diff *d)
{
	return d->n;
}

const struct report_diff_row *
report_diff_row(const struct report_diff *d, size_t i)
{
	(void)d;
	(void)i;
	return NULL;
}

bool
report_diff_fails(const struct report_diff *d)
{
	(void)d;
	return false;
}

void
report_diff_print(FILE *out, const struct report_diff *d)
{
	(void)d;
	fprintf(out, "(no rows)\n");
}

char *
report_diff_json(const struct report_diff *d)
{
	(void)d;
	return xstrdup("{}\n");
}
