/* model_int.h - inside the model module: model.c keeps frames, sites
 * and rounds; model_verdict.c derives what a front end shows of a site
 * (growing, bounded, stable; bytes per request) and groups sites into rows.
 * Private to src/model/model/. */
#ifndef LT_MODEL_INT_H
#define LT_MODEL_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "model.h"

struct frame_lens {
	uint32_t fn, file, obj;	/* strlen of the interned strings */
};

/* What a new site needs to know of its frames, a byte per frame: a new
 * site reads all of its ~30, and this array stays in L1 where the frame
 * structs would not. */
enum {
	FF_ALLOC = 1,		/* model_frame.alloc */
	FF_CORE = 2,		/* model_frame.core */
	FF_FN = 4,		/* has a function name */
	FF_FILE = 8,		/* has a source file */
};

/* A site's series, stored as its changes (model_series.c): a point per
 * round whose values differ from the point before; the value at round r
 * is the latest point at or before r (0 before the first). A round costs
 * memory only for the sites it changed. */
enum { V_BYTES, V_BLOCKS, V_DIRECT, V_INDIRECT, V_N };

struct series_pt {
	uint32_t round;
	uint64_t v[V_N];
};

struct site_series {
	struct series_pt *pt;
	uint32_t n, cap;
};

/* What one source (a pid, or MODEL_NO_SOURCE) has of a site: a delta
 * round of that source applies to its part alone. val and held are the
 * latest closed round's; next and next_held this round's, valid while
 * stamp is the round's epoch (an abort forgets them by moving on). */
struct contrib {
	uint64_t val[V_N];
	uint64_t next[V_N];
	uint32_t stamp;		/* epoch of next */
	uint32_t added;		/* epoch the source first had the site */
	uint32_t tab;		/* index in model.srctab */
	bool held, next_held;
};

/* A site's sources: pid[] is model_site.sources (the pids in the order
 * first seen), c[] their parts; none is the part of records with no
 * source. */
struct site_srcs {
	uint32_t *pid;
	struct contrib *c;
	struct contrib none;
	uint32_t n, cap;
	uint32_t stamp;		/* epoch the site was last touched */
};

/* A source of the model as a whole: whether a round named it and in
 * which mode, so a round knows whether sites it did not name can keep
 * their values (every source holding something carries) or must be
 * visited (a full answer, or a source gone, drops what it does not name). */
struct src_ent {
	uint32_t src;
	uint32_t last_round;	/* latest closed round naming it; UINT32_MAX none */
	uint32_t named;		/* epoch of the round that named it */
	uint32_t delta;		/* epoch of the round where its records are deltas */
};

struct model {
	struct intern *strs;
	struct model_frame *frames;
	size_t nframes, capframes;
	uint64_t *frame_hash;	/* per frame id */
	struct frame_lens *frame_lens;	/* per frame id */
	uint8_t *frame_flags;	/* per frame id: FF_* */
	uint64_t *frame_slots;	/* see slot_make */
	size_t nframe_slots;

	struct model_site *sites;
	size_t nsites, capsites;
	uint64_t *site_hash;
	uint64_t *site_slots;	/* see slot_make */
	size_t nsite_slots;

	struct model_round *rounds;
	size_t nrounds, caprounds;
	struct site_series *series;	/* per site */
	size_t capseries;
	bool in_round;
	size_t sites_at_begin;
	size_t baseline;

	uint32_t cur_src;	/* model_round_source; MODEL_NO_SOURCE */
	struct site_srcs *srcs;	/* per site */
	size_t capsrcs;

	const char **urls;	/* interned, by URL id */
	size_t nurls, capurls;

	char **alloc_fns;
	size_t nalloc_fns;
	uint32_t *stack;	/* scratch for one record's frame ids */
	size_t capstack;
	/* Frame ids by leakcheck text_id, for the parse memo_parse (see
	 * frame_id_memo): id + 1, 0 = not looked up yet. */
	uint64_t memo_parse;
	uint32_t *memo;
	size_t capmemo;
	uint32_t lasting_src;	/* model_set_lasting_source */
	uint32_t epoch;		/* bumped at each round's begin (1 the first) */
	bool carry;		/* model_round_carry: every site keeps, but put */
	struct src_ent *srctab;	/* [0] is MODEL_NO_SOURCE */
	size_t nsrctab, capsrctab;
	uint32_t cur_tab;	/* srctab index of cur_src */
	uint32_t *touched;	/* sites this round named (their stamp is the epoch) */
	size_t ntouched, captouched;
	uint32_t *changed;	/* model_changed */
	size_t nchanged, capchanged;

	const struct supp *supp;	/* model_set_suppressions */

	/* model_track.c: verdicts kept up round by round */
	struct model_track *track;
	bool track_full;	/* tests: derive every round from scratch (the reference) */
	bool derive_off;	/* bench: rounds end without a derive; the caller
				 * calls model_verdict_derive, timed alone */
};

/* model_supp.c: judge a new site by the suppressions. */
void model_supp_site(struct model *m, struct model_site *s);

/* Each site's verdict and latest numbers, from the rounds since the
 * baseline: after a round ends and when the baseline moves. */
void model_verdict_derive(struct model *m);
/* A site's latest bytes, blocks, direct, indirect, present and deltas. */
void model_verdict_latest(struct model *m, size_t id);
/* Sources (model_sources.c): a record of the current source for site id
 * (in a round; a delta when the source's round is one), a session file's
 * absolute values held by pids; undo an aborted round's, free them all;
 * how many had the site in the latest round. */
void model_sources_record(struct model *m, size_t id, const struct leakcheck_record *rec);
void model_sources_put(struct model *m, size_t id, const struct leakcheck_record *rec,
	const uint32_t *pids, size_t npids);
void model_sources_abort(struct model *m);
void model_sources_free(struct model *m);
uint32_t model_sources_now(const struct model *m, size_t id);
size_t model_sources_memory(const struct model *m);
/* At a round's end: site id's values and holders now (its parts of this
 * round, or carried); *held_changed when a source took or left it. */
void model_sources_commit(struct model *m, size_t id, uint64_t out[V_N], bool *held_changed);
/* Whether sites this round did not name may still lose a part (a source
 * that held some in the latest round is not carried): then every site is
 * visited. Also marks the sources this round named. */
bool model_sources_round_end(struct model *m);
void model_sources_init(struct model *m);
/* model_round_end without the verdicts (the store's own cost, for the
 * benchmark); false when no round was open. */
bool model_round_close(struct model *m, const struct leak_summary *sum, int64_t check_ns);
/* model_site_bytes of site at rounds[0..n) into out, in one walk when
 * rounds ascend (the verdicts' series; any order works). */
void model_series_bytes(const struct model *m, size_t site, const size_t *rounds, size_t n,
	uint64_t *out);
/* Series (model_series.c): the round's end (values, points, changed
 * list), their memory, free. */
void model_series_end(struct model *m);
size_t model_series_memory(const struct model *m);
void model_series_free(struct model *m, size_t from);
/* Each growing site's driving URLs (model_fit.c); after the verdicts. */
void model_fit_derive(struct model *m);

/* model_track.c: derive the latest round's verdicts and URLs in
 * O(changed sites); false when they need model_verdict.c's full derive
 * (see there). Free its state; its bytes. */
bool model_track_derive(struct model *m);
void model_track_free(struct model *m);
size_t model_track_memory(const struct model *m);
/* The sites of site's line (its kind and allocation frame), ascending, in
 * *ids; 0 when not kept up (scan them). */
size_t model_track_line(const struct model *m, size_t site, const uint32_t **ids);
/* model_lines.c: the sites of each line (kind, allocation frame), for
 * model_track.c. Added in ascending ids; get: 0 for a line with none. */
struct model_lines;
struct model_lines *model_lines_new(void);
void model_lines_free(struct model_lines *l);
void model_lines_clear(struct model_lines *l);
void model_lines_add(struct model_lines *l, const struct model_site *s, uint32_t id);
size_t model_lines_get(const struct model_lines *l, const struct model_site *s,
	const uint32_t **ids);
size_t model_lines_memory(const struct model_lines *l);
/* model_sums.c: the fit's normal equations kept up over the rounds
 * since the baseline (none with reloads), per site and per line, for
 * the kept-up derive. A row (round) counts in an entity's Gram matrix
 * unless its bytes fell there: G (all rows) minus F (its falls). */
struct model_sums_ent {
	double *c;		/* dim: sum of requests x its rise, rows it rose */
	double *F;		/* dim x dim: requests x requests, rows it fell */
	size_t dim;
	uint32_t f;		/* round of its first rise with requests, UINT32_MAX */
	double yf;		/* that rise */
};

struct model_sums {
	size_t dim;		/* URLs so far */
	double *G;		/* dim x dim: requests x requests, every row */
	double *total;		/* dim: requests */
	struct model_sums_ent **site;	/* by site id; NULL: never changed */
	struct model_sums_ent **line;	/* by its line's first site id */
	size_t cap;
	uint32_t *scratch;	/* per round: lines touched */
	double *yline;		/* per site id: a line's rise this round */
	size_t capscratch;
};

void model_sums_reset(struct model_sums *s);
void model_sums_free(struct model_sums *s);
/* Round r (closed): its requests, and the sites of ids[0..n) (ascending;
 * others did not change) that changed bytes since round r - 1. */
void model_sums_round(struct model *m, struct model_sums *s, const struct model_lines *l,
	uint32_t r, const uint32_t *ids, size_t n);
size_t model_sums_memory(const struct model_sums *s);
/* The entity of site id (line false) or of its line: NULL if never changed. */
const struct model_sums_ent *model_sums_get(const struct model *m, const struct model_sums *s,
	size_t id, bool line);
/* model_track.c: the sums, when kept up for every site of the model
 * (else NULL: the fit reads the rounds). */
const struct model_sums *model_track_sums(const struct model *m);
/* model_fit.c: a stack through ngx_palloc_block (not fitted with its line). */
bool model_fit_pool_block(const struct model *m, const struct model_site *s);

/* model_nnls.c: the rank of the symmetric PSD h (n x n; destroyed);
 * x >= 0 minimising x'hx/2 - c'x (h PD). */
size_t model_nnls_rank(double *h, size_t n);
void model_nnls(const double *h, const double *c, size_t n, double *x);
/* model_fit_derive for the growing sites ids[0..n) (ascending) alone;
 * done: per site, all false, left so. */
void model_fit_derive_list(struct model *m, const uint32_t *ids, size_t n, bool *done);

/* model_sources.c: the lasting source (the master) holds site now, or
 * none is set. */
bool model_sources_lasting_now(const struct model *m, size_t site);

#endif
