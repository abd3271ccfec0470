/* leak.h - vocabulary shared by the parsers, the model and the reports. */
#ifndef LT_LEAK_H
#define LT_LEAK_H

#include <stdint.h>
#include <stddef.h>

struct leak_summary;

enum leak_kind {
	LEAK_DEFINITE,
	LEAK_INDIRECT,
	LEAK_POSSIBLE,
	LEAK_REACHABLE,
	LEAK_KIND_COUNT
};

/* "definitely_lost" ... (JSON names) */
const char *leak_kind_json(enum leak_kind k);
/* "definitely lost" ... (valgrind's text words) */
const char *leak_kind_text(enum leak_kind k);
/* Short label for tables: "definite", "indirect", "possible", "reachable" */
const char *leak_kind_short(enum leak_kind k);
/* Parse a JSON or short name; -1 if unknown. */
int leak_kind_from_name(const char *s);
/* to += s, kind by kind: the summaries of several processes as one. */
void leak_summary_add(struct leak_summary *to, const struct leak_summary *s);

struct leak_total {
	uint64_t bytes;
	uint64_t blocks;
	/* "N (+d)": the change since the previous leak search of any kind
	 * (increased/changed answers; 0 otherwise) */
	int64_t bytes_delta;
	int64_t blocks_delta;
};

/* The LEAK SUMMARY block of one leak search. */
struct leak_summary {
	int seen;			/* a LEAK SUMMARY (or the empty-heap line) was parsed */
	int heap_empty;			/* "All heap blocks were freed" */
	struct leak_total kind[LEAK_KIND_COUNT];
	struct leak_total suppressed;
};

#endif
