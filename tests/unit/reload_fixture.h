/* reload_fixture.h - synthetic rounds of an nginx master and its workers:
 * each round names its processes (pids) and what each holds of a few
 * one-frame sites, as the engine feeds a merged model. */
#ifndef LT_RELOAD_FIXTURE_H
#define LT_RELOAD_FIXTURE_H

#include <string.h>

#include "leakcheck.h"
#include "model.h"

/* The sites, by their one function name. */
enum { RF_PER_REQUEST, RF_PER_RELOAD, RF_BOTH, RF_LAZY, RF_SWING, RF_WORKER_INIT, RF_NSITES };
static const char *const rf_fn[RF_NSITES] = {
	"per_request", "per_reload", "both", "lazy", "swing", "worker_init",
};

/* One process in a round: its pid and its bytes of each site (0: none). */
struct rf_proc {
	uint32_t pid;
	uint64_t bytes[RF_NSITES];
};

static void
rf_record(struct model *m, size_t site, uint64_t bytes)
{
	struct leakcheck_frame f = { .ip = 0x1000 + site, .fn = { rf_fn[site], strlen(rf_fn[site]) },
		.file = { "mod.c", 5 }, .line = 10 + (unsigned)site };
	struct leakcheck_record rec = { .kind = LEAK_DEFINITE, .bytes = bytes, .direct = bytes,
		.blocks = 1, .nframes = 1, .frames = &f };

	model_round_add(m, &rec);
}

/* A round: requests in the burst before it (0 for a reload round),
 * reloads before it, then each process's records after its source. */
static void
rf_round(struct model *m, uint64_t requests, unsigned reloads, const struct rf_proc *p, size_t np)
{
	struct leak_summary sum;
	size_t i, s;

	memset(&sum, 0, sizeof sum);
	sum.seen = 1;
	model_round_begin(m, requests, 0);
	if (reloads)
		model_round_reloads(m, reloads);
	for (i = 0; i < np; i++) {
		model_round_source(m, p[i].pid);
		for (s = 0; s < RF_NSITES; s++)
			if (p[i].bytes[s])
				rf_record(m, s, p[i].bytes[s]);
	}
	model_round_end(m, &sum, 1000);
}

static size_t
rf_site_id(const struct model *m, size_t site)
{
	size_t i;

	for (i = 0; i < model_nsites(m); i++) {
		const struct model_site *s = model_site(m, i);

		if (!strcmp(model_site_frame(m, s, 0)->fn, rf_fn[site]))
			return i;
	}
	return SIZE_MAX;
}

static const struct model_site *
rf_site(const struct model *m, size_t site)
{
	size_t id = rf_site_id(m, site);

	return id == SIZE_MAX ? NULL : model_site(m, id);
}

/* master 1 and workers 2, 3; each reload forks two new workers (4 and 5,
 * then 6 and 7, ...). The master loses 1000 bytes on each reload
 * (RF_PER_RELOAD and RF_BOTH), which every worker it forks inherits; the
 * workers leak 1 byte per request (RF_PER_REQUEST and RF_BOTH, 50 each of
 * a 100-request burst). Rounds: baseline, burst, burst, reload, burst,
 * burst, reload, burst. each (if set) runs after every round. */
static void
rf_master_and_workers_each(struct model *m, void (*each)(struct model *m, void *ctx), void *ctx)
{
	uint64_t lost = 0, leak = 0;
	uint32_t w = 2;
	int r;
	/* 'b' burst, 'r' reload, after the baseline */
	static const char plan[] = "bbrbbrb";

	rf_round(m, 0, 0, (struct rf_proc[]){ { 1, { 0 } }, { 2, { 0 } }, { 3, { 0 } } }, 3);
	if (each)
		each(m, ctx);
	for (r = 0; plan[r]; r++) {
		bool reload = plan[r] == 'r';

		if (reload) {
			lost += 1000;
			leak = 0;	/* the old workers exit, the new start fresh */
			w += 2;
		} else {
			leak += 50;
		}
		rf_round(m, reload ? 0 : 100, reload, (struct rf_proc[]){
			{ 1, { [RF_PER_RELOAD] = lost, [RF_BOTH] = lost } },
			{ w, { [RF_PER_REQUEST] = leak, [RF_PER_RELOAD] = lost, [RF_BOTH] = lost + leak } },
			{ w + 1, { [RF_PER_REQUEST] = leak, [RF_PER_RELOAD] = lost, [RF_BOTH] = lost + leak } },
		}, 3);
		if (each)
			each(m, ctx);
	}
}

static void
rf_master_and_workers(struct model *m)
{
	rf_master_and_workers_each(m, NULL, NULL);
}

#endif
