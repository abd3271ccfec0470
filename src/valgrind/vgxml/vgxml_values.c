/* vgxml_values.c - the values inside valgrind's XML: numbers, times, the
 * text of a leak record, memcheck's kind names. */
#include "vgxml_int.h"
#include "leak.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

static const char *const kind_names[VGXML_K_COUNT] = {
	"", "UninitValue", "UninitCondition", "CoreMemError", "InvalidRead",
	"InvalidWrite", "InvalidJump", "SyscallParam", "ClientCheck", "InvalidFree",
	"MismatchedFree", "Overlap", "InvalidMemPool", "FishyValue",
	"Leak_DefinitelyLost", "Leak_IndirectlyLost", "Leak_PossiblyLost",
	"Leak_StillReachable",
};

/* --- numbers ------------------------------------------------------------ */

static bool
vgxml_u64(const char *s, size_t n, int base, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	size_t i = 0;

	if (base == 16) {
		if (n < 3 || s[0] != '0' || (s[1] | 0x20) != 'x')
			return false;
		i = 2;
	}
	if (i == n)
		return false;
	for (; i < n; i++) {
		unsigned c = (unsigned char)s[i], d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (base == 16 && (c | 0x20) >= 'a' && (c | 0x20) <= 'f')
			d = (c | 0x20) - 'a' + 10;
		else
			return false;
		if (v > (max - d) / (unsigned)base)
			return false;
		v = v * (unsigned)base + d;
	}
	*out = v;
	return true;
}

/* The number in a leaf; a malformed one fails the parse. */
bool
vgxml_num(struct vgxml *x, enum el id, struct xstr t, int base, uint64_t max, uint64_t *out)
{
	const char *s = x->arena->data + t.off;
	bool neg = max == (uint64_t)INT_MAX && t.len && *s == '-';
	char q[64];

	if (neg && vgxml_u64(s + 1, t.len - 1, base, (uint64_t)INT_MAX + 1, out)) {
		*out = (uint64_t)(-(int64_t)*out);
		return true;
	}
	if (!neg && vgxml_u64(s, t.len, base, max, out))
		return true;
	vgxml_fail(x, "bad <%s> value \"%s\" at line %d", vgxml_el_defs[id].name,
		vgxml_quote(x, t, q, sizeof(q)), vgxml_line(x));
	return false;
}

/* "days:hours:minutes:seconds.ms" */
uint64_t
vgxml_time_ms(const char *s)
{
	unsigned d, h, m, sec, ms;

	if (sscanf(s, "%u:%u:%u:%u.%u", &d, &h, &m, &sec, &ms) != 5)
		return 0;
	return (((uint64_t)d * 24 + h) * 60 + m) * 60000 + (uint64_t)sec * 1000 + ms;
}

/* --- the text of a leak record: best effort, the XML numbers rule ------- */

struct tcur {
	const char *s, *e;
};

static bool
t_lit(struct tcur *c, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(c->e - c->s) < n || memcmp(c->s, lit, n))
		return false;
	c->s += n;
	return true;
}

/* A decimal with "," thousands separators. */
static bool
t_num(struct tcur *c, uint64_t *v)
{
	const char *start = c->s;

	*v = 0;
	for (; c->s < c->e && ((*c->s >= '0' && *c->s <= '9') || (*c->s == ',' && c->s > start)); c->s++) {
		if (*c->s == ',')
			continue;
		if (*v > (UINT64_MAX - 9) / 10)
			return false;
		*v = *v * 10 + (uint64_t)(*c->s - '0');
	}
	return c->s > start;
}

/* An optional " (+N)" or " (-N)"; false if it is malformed. */
static bool
t_delta(struct tcur *c, int64_t *d, bool *has)
{
	bool neg = t_lit(c, " (-");
	uint64_t v;

	if (!neg && !t_lit(c, " (+"))
		return true;
	if (!t_num(c, &v) || v > INT64_MAX || !t_lit(c, ")"))
		return false;
	*d = neg ? -(int64_t)v : (int64_t)v;
	return *has = true;
}

/* "B [(+d)] [(D [(+d)] direct, I [(+d)] indirect)] bytes in N [(+d)]
 * blocks are ... in loss record R of M" */
void
vgxml_leak_text(struct vgxml_leak *lk, struct vgxml_str t)
{
	struct tcur c = { t.s, t.s + t.len };
	uint64_t v, d, i;
	int64_t ign;
	bool ignh;
	const char *p;

	lk->direct = lk->bytes;
	if (!t_num(&c, &v) || !t_delta(&c, &lk->bytes_delta, &lk->has_delta))
		return;
	if (t_lit(&c, " (")) {
		if (!t_num(&c, &d) || !t_delta(&c, &ign, &ignh) || !t_lit(&c, " direct, ") ||
			!t_num(&c, &i) || !t_delta(&c, &ign, &ignh) || !t_lit(&c, " indirect)"))
			return;
		lk->direct = d;
		lk->indirect = i;
	}
	if (!t_lit(&c, " bytes in ") || !t_num(&c, &v) || !t_delta(&c, &lk->blocks_delta, &lk->has_delta))
		return;
	p = memmem(c.s, (size_t)(c.e - c.s), " in loss record ", 16);
	if (!p)
		return;
	c.s = p + 16;
	if (t_num(&c, &v) && v <= UINT_MAX && t_lit(&c, " of ") && t_num(&c, &d) && d <= UINT_MAX) {
		lk->recno = (unsigned)v;
		lk->nrecs = (unsigned)d;
	}
}

/* --- kinds ---------------------------------------------------------------- */

const char *
vgxml_kind_name(enum vgxml_kind k)
{
	return (unsigned)k < VGXML_K_COUNT ? kind_names[k] : "";
}

enum vgxml_kind
vgxml_kind_from_name(const char *s, size_t len)
{
	int k;

	for (k = 1; k < VGXML_K_COUNT; k++)
		if (strlen(kind_names[k]) == len && !memcmp(kind_names[k], s, len))
			return (enum vgxml_kind)k;
	return VGXML_K_OTHER;
}

int
vgxml_kind_leak(enum vgxml_kind k)
{
	switch (k) {
	case VGXML_K_LEAK_DEFINITE: return LEAK_DEFINITE;
	case VGXML_K_LEAK_INDIRECT: return LEAK_INDIRECT;
	case VGXML_K_LEAK_POSSIBLE: return LEAK_POSSIBLE;
	case VGXML_K_LEAK_REACHABLE: return LEAK_REACHABLE;
	default: return -1;
	}
}
