/* report_folded.c - folded stacks for flame graphs (first cut: none). */
#include "report.h"
#include "util.h"

char *
report_folded_render(const struct report_set *s)
{
	(void)s;
	return xstrdup("");
}
