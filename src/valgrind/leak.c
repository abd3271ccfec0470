/* leak.c - names of the leak kinds, sums of leak summaries. */
#include "leak.h"

#include <string.h>

static const struct {
	const char *json, *text, *brief;
} leak_names[LEAK_KIND_COUNT] = {
	[LEAK_DEFINITE] = { "definitely_lost", "definitely lost", "definite" },
	[LEAK_INDIRECT] = { "indirectly_lost", "indirectly lost", "indirect" },
	[LEAK_POSSIBLE] = { "possibly_lost", "possibly lost", "possible" },
	[LEAK_REACHABLE] = { "still_reachable", "still reachable", "reachable" },
};

const char *
leak_kind_json(enum leak_kind k)
{
	return k < LEAK_KIND_COUNT ? leak_names[k].json : "unknown";
}

const char *
leak_kind_text(enum leak_kind k)
{
	return k < LEAK_KIND_COUNT ? leak_names[k].text : "unknown";
}

const char *
leak_kind_short(enum leak_kind k)
{
	return k < LEAK_KIND_COUNT ? leak_names[k].brief : "unknown";
}

int
leak_kind_from_name(const char *s)
{
	int k;

	for (k = 0; k < LEAK_KIND_COUNT; k++)
		if (!strcmp(s, leak_names[k].json) || !strcmp(s, leak_names[k].brief))
			return k;
	return -1;
}

void
leak_summary_add(struct leak_summary *to, const struct leak_summary *s)
{
	size_t k;

	to->seen |= s->seen;
	for (k = 0; k < LEAK_KIND_COUNT; k++) {
		to->kind[k].bytes += s->kind[k].bytes;
		to->kind[k].blocks += s->kind[k].blocks;
	}
	to->suppressed.bytes += s->suppressed.bytes;
	to->suppressed.blocks += s->suppressed.blocks;
}
