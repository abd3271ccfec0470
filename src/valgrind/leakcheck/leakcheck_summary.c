/* leakcheck_summary.c - the LEAK SUMMARY block that ends a complete
 * leak_check answer: five totals (and heuristic lines) that must each
 * appear once. */
#include "leakcheck_int.h"

/* "N [(+d)] bytes in N [(+d)] blocks" to the end of the line. */
static enum leakcheck_status
summary_counts(struct parser *ps, struct cur *c, struct leak_total *t)
{
	enum leakcheck_status st;
	bool has_delta;

	if ((st = leakcheck_amount(ps, c, &t->bytes, &has_delta, &t->bytes_delta)))
		return st;
	if (!EAT(c, " bytes in "))
		return leakcheck_bad(ps, c, "expected ' bytes in '");
	if ((st = leakcheck_amount(ps, c, &t->blocks, &has_delta, &t->blocks_delta)))
		return st;
	if (!EAT(c, " blocks") || c->s != c->e)
		return leakcheck_bad(ps, c, "expected ' blocks' at the end");
	return LEAKCHECK_OK;
}

enum leakcheck_status
leakcheck_summary_line(struct parser *ps, struct cur *c)
{
	struct leak_total ignored, *t = NULL;
	unsigned bit;
	int k;

	while (c->s < c->e && *c->s == ' ')
		c->s++;
	if (EAT(c, "of which reachable via heuristic:") && c->s == c->e) {
		ps->sumbits |= SUM_HEURISTIC;
		return LEAKCHECK_OK;
	}
	if ((k = leakcheck_kind(c)) >= 0) {
		t = &ps->sum->kind[k];
		bit = 1u << k;
	} else if (EAT(c, "suppressed")) {
		t = &ps->sum->suppressed;
		bit = SUM_SUPPRESSED;
	} else {
		/* "length64           : 48 bytes in 1 blocks" */
		const char *name = c->s;

		while (c->s < c->e && *c->s != ' ' && *c->s != ':')
			c->s++;
		while (c->s < c->e && *c->s == ' ')
			c->s++;
		if (c->s == name || !(ps->sumbits & SUM_HEURISTIC))
			return leakcheck_bad(ps, c, "unknown LEAK SUMMARY line");
		t = &ignored;
		bit = 0;
	}
	if (!EAT(c, ": "))
		return leakcheck_bad(ps, c, "expected ': '");
	if (ps->sumbits & bit)
		return leakcheck_bad(ps, c, "LEAK SUMMARY line seen twice");
	ps->sumbits |= bit;
	return summary_counts(ps, c, t);
}

