/* model.h - leak sites over time.
 *
 * A site is (kind, full stack). Each leak check is a round; the model keeps
 * bytes and blocks of every site per round and judges growth: a site whose
 * bytes keep rising with the requests is a leak whatever memcheck calls it;
 * one that stopped rising (a cache filled, a lazy init ran) is not. */
#ifndef LT_MODEL_H
#define LT_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "leak.h"
#include "leakcheck.h"

enum growth {
	GROWTH_STABLE,		/* never grew after the baseline */
	GROWTH_BOUNDED,		/* grew, then stopped for longer than it ever paused */
	GROWTH_GROWING,		/* still rising: rounds with a rise and pauses alike */
};

const char *model_growth_name(enum growth g);

struct model_frame {
	uint64_t ip;
	const char *fn;		/* interned; "" for ??? */
	const char *file;	/* interned; "" if none */
	const char *obj;	/* interned; "" if none */
	unsigned line;
	bool alloc;		/* an allocator (malloc family, ngx_palloc, --alloc-fn) */
	bool core;		/* nginx's own source tree (src/core, src/http, ...) */
};

struct model_site {
	enum leak_kind kind;
	uint32_t nframes;
	uint32_t *frames;	/* frame ids, innermost first */
	uint32_t alloc_at;	/* index in frames of the allocation site */
	uint32_t first_round;
	bool core_only;		/* every frame with a file is nginx core */
	/* derived at the end of each round */
	bool present;		/* in the latest round */
	enum growth growth;
	uint64_t bytes, blocks;	/* latest round */
	uint64_t direct, indirect;	/* latest round */
	int64_t delta_bytes;	/* latest round minus the previous one */
	int64_t delta_blocks;
	double bytes_per_request;	/* growing: first to latest rise / its requests */
};

struct model_round {
	uint64_t requests;	/* sent in the burst before this check */
	uint64_t failed;
	uint64_t total_requests;	/* since nginx started */
	struct leak_summary summary;
	int64_t check_ns;	/* how long the leak check took */
	int64_t wall_ms;	/* CLOCK_REALTIME when it completed */
	size_t nsites;		/* sites known when the round closed */
};

struct model;

struct model *model_new(void);
void model_free(struct model *m);

/* Extra allocator function names; a trailing '*' matches a prefix. Must be
 * called before records are added. */
void model_add_alloc_fn(struct model *m, const char *pattern);

/* A round: begin, add every record of one leak check, end (or abort). */
void model_round_begin(struct model *m, uint64_t requests, uint64_t failed);
void model_round_add(struct model *m, const struct leakcheck_record *rec);
void model_round_end(struct model *m, const struct leak_summary *sum, int64_t check_ns);
void model_round_abort(struct model *m);
/* leakcheck callback that feeds model_round_add (ctx = model). */
int model_leakcheck_cb(void *ctx, const struct leakcheck_record *rec);

size_t model_nrounds(const struct model *m);
const struct model_round *model_round(const struct model *m, size_t r);
size_t model_nsites(const struct model *m);
const struct model_site *model_site(const struct model *m, size_t i);
const struct model_frame *model_frame(const struct model *m, uint32_t id);
size_t model_nframes(const struct model *m);
const struct model_frame *model_site_frame(const struct model *m, const struct model_site *s,
	size_t i);
/* Bytes / blocks of a site at round r (0 when absent). */
uint64_t model_site_bytes(const struct model *m, size_t site, size_t r);
uint64_t model_site_blocks(const struct model *m, size_t site, size_t r);

/* Verdicts look only at rounds from the baseline on; by default the first
 * round (the check before any burst). Reset makes the latest round the
 * baseline (TUI "reset baseline"). */
void model_set_baseline(struct model *m, size_t round);
size_t model_baseline(const struct model *m);

/* The verdict rule on its own, for tests: series of n values. */
enum growth model_growth(const uint64_t *bytes, size_t n);

/* Sites merged by (kind, allocation frame): the same leaking line reached
 * through several call paths (a connection's first request, then the
 * keepalive path) is one leak to a reader. Used by the TUI's grouped
 * table; report_table.c's rows are the same aggregate. */
struct model_group {
	enum leak_kind kind;
	uint32_t at;		/* frame id of the allocation site */
	size_t nsites;
	uint64_t bytes, blocks;	/* latest round */
	int64_t delta_bytes;
	double bytes_per_request;
	enum growth growth;	/* the strongest verdict of its sites */
	bool core_only;		/* every site is */
};

/* The allocation frame's id of a site (UINT32_MAX for an empty stack). */
uint32_t model_site_alloc_frame(const struct model_site *s);
/* Start a group with s; add further sites of the same kind and frame. */
void model_group_init(struct model_group *g, const struct model_site *s);
void model_group_add(struct model_group *g, const struct model_site *s);

/* Intern one frame (memcheck errors share the model's frame table, so the
 * backtrace and source views serve both); returns its id. */
uint32_t model_frame_intern(struct model *m, const struct leakcheck_frame *f);

/* Memory the model holds, for the benchmark and the TUI. */
size_t model_memory(const struct model *m);

#endif
