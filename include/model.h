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

/* A URL that drives a site: its id (model_url) and the bytes each of its
 * requests adds. */
struct model_site_url {
	uint32_t url;
	double bytes_per_request;
};

enum model_attrib {
	MODEL_ATTRIB_NONE,	/* not growing: no URL drives it */
	MODEL_ATTRIB_DONE,	/* urls[] says which URLs drive it (maybe none) */
	MODEL_ATTRIB_FEW_ROUNDS,	/* growing, but the rounds so far cannot tell its URLs apart */
};

/* The pool (or static) holding a still-reachable site's blocks. */
enum model_pool {
	MODEL_POOL_UNKNOWN,	/* not searched (yet), or nothing found */
	MODEL_POOL_CYCLE,	/* ngx_cycle->pool: lives until reload */
	MODEL_POOL_CONNECTION,	/* c->pool: lives as long as the connection */
	MODEL_POOL_REQUEST,	/* r->pool: freed when the request ends */
	MODEL_POOL_MODULE,	/* a pool the module created (created_at says where) */
	MODEL_POOL_STATIC,	/* a global or static variable (symbol) */
	MODEL_POOL_OTHER,	/* another pool of nginx's (created_at) */
};

/* "cycle", "connection", ...; "" for MODEL_POOL_UNKNOWN. */
const char *model_pool_name(enum model_pool p);

struct model_holder {
	enum model_pool pool;
	bool searched;		/* a search ran (pool may still be UNKNOWN) */
	uint32_t created_at;	/* frame id of the ngx_create_pool caller, UINT32_MAX if none */
	const char *symbol;	/* STATIC: the variable (interned); else NULL */
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
	/* Growing over reloads (rounds with model_round.reloads > 0): what
	 * each reload adds, per process holding the site in the latest round
	 * (a block the master loses on each reload is copied into every
	 * worker it forks: counted once). 0 when it does not grow on reloads.
	 * With reloads in the rounds, a site is judged twice: on the reload
	 * rounds alone (their deltas) and on the other rounds alone (bursts,
	 * reload deltas left out: a reload replaces the workers); growing in
	 * either is growing, and bytes_per_request counts only the other
	 * rounds' rises (0 for a site that grows on reloads only). */
	double bytes_per_reload;
	/* The sources (model_round_source: pids) that had the site in any
	 * round, in the order first seen. */
	const uint32_t *sources;
	uint32_t nsources;
	uint32_t nsources_now;	/* of them, in the latest round */
	/* Which request: the URLs whose requests drive the site's growth,
	 * biggest first, with the bytes per request of that URL (derived with
	 * the verdict; see model_why.c). */
	const struct model_site_url *urls;
	uint32_t nurls;
	enum model_attrib attrib;
	/* Loss record number of the site in the latest round, 0 if absent:
	 * `block_list recno` right after that check. */
	uint32_t recno;
	/* What holds it (the owning pool), once searched. */
	struct model_holder holder;
	/* A suppression (model_set_suppressions) matches it: no report row,
	 * no verdict that fails a run; counted (model_suppressed). supp is
	 * the matching suppression's index, -1 when none. */
	bool suppressed;
	long supp;
};

struct model_round {
	uint64_t requests;	/* sent in the burst before this check */
	uint64_t failed;
	uint64_t total_requests;	/* since nginx started */
	struct leak_summary summary;
	int64_t check_ns;	/* how long the leak check took */
	int64_t wall_ms;	/* CLOCK_REALTIME when it completed */
	size_t nsites;		/* sites known when the round closed */
	/* Requests of each URL (model_url id) that reached nginx in the burst
	 * before this check; URLs past nurls had none. */
	const uint64_t *url_requests;
	uint32_t nurls;
	/* nginx reloads (SIGHUP, new cycle serving) before this check and
	 * after the previous one; such a round has no burst of its own. */
	unsigned reloads;
	uint64_t total_reloads;	/* since nginx started */
	/* Some source's records were deltas (model_round_delta): a check of
	 * what changed, `leak_check ... changed`. */
	bool delta;
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
/* Between begin and end: n reloads happened before this check. */
void model_round_reloads(struct model *m, unsigned n);
/* Between begin and end: the records added next come from source src
 * (the engine's pid of the process checked); a model fed by several
 * processes sums their records per site and keeps which had it. */
void model_round_source(struct model *m, uint32_t src);
/* As src: the records added next have no source (a session file replays
 * a site no process was named for). */
#define MODEL_NO_SOURCE UINT32_MAX
/* Whether source k of a site (its sources[k]) had it in the latest round
 * (the session file writes which). */
bool model_site_source_now(const struct model *m, size_t site, uint32_t k);
/* The source that lives across reloads (nginx's master): the workers are
 * replaced at each reload, so a site it does not hold now does not grow
 * from reload to reload (a worker's start-up - glibc's NSS on
 * initgroups - varies with no trend). MODEL_NO_SOURCE (the default): any. */
void model_set_lasting_source(struct model *m, uint32_t src);
/* leakcheck callback that feeds model_round_add (ctx = model). */
int model_leakcheck_cb(void *ctx, const struct leakcheck_record *rec);

/* ---- rounds that carry what did not change ----
 *
 * `leak_check ... changed` prints only the records that changed since the
 * previous search (one that fell to zero once more, at 0), with deltas;
 * the session file appends only what changed. In such a round a site
 * nobody names keeps its values: a round costs what changed, and so does
 * the memory that keeps it (series are stored as their changes). */

/* Between begin and end, after model_round_source (or with no source):
 * the records added next for the current source are deltas (has_delta;
 * bytes/blocks/direct/indirect_delta) against what this source had in
 * the model's latest round; its sites that no record names keep that.
 * Without this call a source's records are its whole answer (a site it
 * does not name has nothing from it). The engine asks for a full answer
 * again whenever a round of the source was not taken whole (an abort, a
 * new process, a restart, a reload). */
void model_round_delta(struct model *m);
/* Between begin and end: mark the round as a check of what changed
 * (model_round.delta) without taking records as deltas: the session
 * file's replay says what each round was. */
void model_round_mark_delta(struct model *m);
/* Between begin and end, before any record: every site keeps the latest
 * round's values and sources, but for those model_round_put names (the
 * session file's rounds list what changed). */
void model_round_carry(struct model *m);
/* In a carried round: rec's site (its kind and stack; created when new)
 * has rec's bytes, blocks, direct and indirect now, held by the sources
 * pids[0..npids) (npids 0: no source named). */
void model_round_put(struct model *m, const struct leakcheck_record *rec, const uint32_t *pids,
	size_t npids);
/* The sites whose bytes, blocks, direct, indirect or sources now differ
 * in the latest round from the round before (the first round: every
 * site present), ascending ids, in O(changed). */
size_t model_changed(const struct model *m, const uint32_t **ids);
/* Whether valgrind's previous search is the model's latest round: the
 * summary of a `changed` answer (its totals less their deltas) against
 * the latest round's. A search the model never saw in between (someone
 * else's vgdb leak_check, a check whose answer was lost) breaks the chain
 * of deltas: false, and the answer must not be taken as deltas. Between
 * begin and end, for a model fed by one process. */
bool model_round_follows(const struct model *m, const struct leak_summary *sum);
/* Direct and indirect bytes of a site at round r (0 when absent). */
uint64_t model_site_direct(const struct model *m, size_t site, size_t r);
uint64_t model_site_indirect(const struct model *m, size_t site, size_t r);

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
#define MODEL_GROUP_URLS 8

struct model_group {
	enum leak_kind kind;
	uint32_t at;		/* frame id of the allocation site */
	size_t nsites;
	uint64_t bytes, blocks;	/* latest round */
	int64_t delta_bytes;
	double bytes_per_request;
	double bytes_per_reload;
	enum growth growth;	/* the strongest verdict of its sites */
	bool core_only;		/* every site is */
	/* Its sites' driving URLs merged (bytes per request summed per URL),
	 * biggest first; the MODEL_GROUP_URLS biggest are kept. */
	struct model_site_url urls[MODEL_GROUP_URLS];
	uint32_t nurls;
	enum model_attrib attrib;	/* DONE if a site is, else FEW_ROUNDS if one is */
};

/* The allocation frame's id of a site (UINT32_MAX for an empty stack). */
uint32_t model_site_alloc_frame(const struct model_site *s);
/* The one rule of rows: s is on the line (kind, allocation frame at). */
bool model_site_on_line(const struct model_site *s, enum leak_kind kind, uint32_t at);
/* Start a group with s; add further sites of the same kind and frame. */
void model_group_init(struct model_group *g, const struct model_site *s);
void model_group_add(struct model_group *g, const struct model_site *s);

/* Intern one frame (memcheck errors share the model's frame table, so the
 * backtrace and source views serve both); returns its id. */
uint32_t model_frame_intern(struct model *m, const struct leakcheck_frame *f);

/* ---- why it leaks (model_why.c) ---- */

/* URLs get ids in the order first seen; the same URL the same id. */
uint32_t model_url_intern(struct model *m, const char *url);
size_t model_nurls(const struct model *m);
const char *model_url(const struct model *m, uint32_t id);
/* Between model_round_begin and _end: `reached` requests of that URL got
 * an answer from nginx (any status) in the burst before this check. */
void model_round_url_requests(struct model *m, uint32_t url, uint64_t reached);
/* Requests of URL in round r (0 if none or out of range). */
uint64_t model_round_url(const struct model *m, size_t r, uint32_t url);

/* The fit (model_fit.c): URLs with requests in the rounds since the
 * baseline, and the rounds after the baseline (a round per URL, one for a
 * one-off) a run needs at least to tell them apart, with bursts that
 * rotate their mix. */
size_t model_attrib_urls(const struct model *m);
size_t model_attrib_rounds_needed(const struct model *m);
/* When a growing site is MODEL_ATTRIB_FEW_ROUNDS: a one-line note of why
 * ("5 URLs need at least 6 rounds after the baseline to tell apart; this
 * run has 3") in buf,
 * and true; false when every growing site is attributed. */
bool model_attrib_note(const struct model *m, char *buf, size_t len);

/* Record what holds a site (symbol is copied). */
void model_site_set_holder(struct model *m, size_t site, const struct model_holder *h);

/* ---- suppressions (model_supp.c) ---- */

/* Judge every site, now and as new ones come, by a set of valgrind
 * suppressions (supp.h; not owned, must outlive the model or be replaced;
 * NULL: none). Call again after the set grew (the live screen adds the
 * rows it wrote): every site is judged again. */
struct supp;
void model_set_suppressions(struct model *m, const struct supp *s);
/* The set given (NULL: none): another model of the same run (valgrind's
 * exit report) is judged by it too. */
const struct supp *model_suppressions(const struct model *m);
/* What the suppressions hide in the latest round: present sites, their
 * bytes and blocks. */
struct model_suppressed {
	size_t sites;
	uint64_t bytes, blocks;
};
void model_suppressed(const struct model *m, struct model_suppressed *out);

/* Memory the model holds, for the benchmark and the TUI. */
size_t model_memory(const struct model *m);

#endif
