/* batch.c - run R rounds of burst + check, report, exit 0/1/2. */
#include "batch.h"
#include "cli.h"
#include "emit.h"
#include "engine.h"
#include "escape.h"
#include "evloop.h"
#include "memerrors.h"
#include "model.h"
#include "report.h"
#include "util.h"

#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct batch {
	const struct cli_opts *o;
	struct evloop *loop;
	struct engine *engine;
	unsigned rounds_done;	/* not counting the baseline */
	unsigned steps_done;	/* rounds and reloads */
	unsigned reloads_done;
	bool reload_pending;	/* asked; its round (or its failure) comes */
	uint64_t every_timer;	/* --attach: the next check */
	bool failed;		/* an error ended the run early */
	int signals;
	size_t errors_shown;	/* memcheck errors already announced on stderr */
	char *sessionfile;		/* the session file, kept after the engine closed it */
	bool warned_http;	/* every request of a burst got 4xx/5xx: said once */
	char end[640];
};

/* New memcheck errors, one line each, as they arrive. */
static void
progress_errors(struct batch *b)
{
	const struct memerrors *errs = engine_errors(b->engine);
	const struct model *m = engine_model(b->engine);

	for (; b->errors_shown < memerrors_count(errs); b->errors_shown++) {
		const struct memerror *r = memerrors_get(errs, b->errors_shown);
		const struct model_frame *f = r->stacks[0].nframes ?
			model_frame(m, r->stacks[0].frames[r->at]) : NULL;
		char *loc = report_frame_location(f);

		fprintf(stderr, "ngx-leaktop: memcheck %s at %s\n", r->kind_name, loc);
		free(loc);
	}
}

static void
progress_round(struct batch *b)
{
	const struct model *m = engine_model(b->engine);
	const struct model_round *r = model_round(m, model_nrounds(m) - 1);
	const struct burst_stats *st = engine_burst_stats(b->engine);
	struct engine_owner_cost oc;
	char owner[128];
	size_t i, growing = 0;

	/* how it asked (only what changed since the check before, or all),
	 * and what the owner search after this check cost, if one ran */
	snprintf(owner, sizeof owner, "%s", r->delta ? " (what changed)" : "");
	engine_owner_cost(b->engine, &oc);
	if (oc.rounds && oc.per_round[oc.rounds - 1].round == model_nrounds(m) - 1)
		snprintf(owner + strlen(owner), sizeof owner - strlen(owner),
			", owner search %u commands %.0f ms",
			oc.per_round[oc.rounds - 1].commands, oc.per_round[oc.rounds - 1].ms);
	for (i = 0; i < model_nsites(m); i++)
		growing += model_site(m, i)->growth == GROWTH_GROWING;
	if (r->reloads) {
		fprintf(stderr, "ngx-leaktop: reload %u/%u: the new cycle serves (%u reloads so far), "
			"check %.2f s%s, %zu growing sites\n", b->reloads_done, b->o->reloads,
			engine_reloads(b->engine), (double)r->check_ns / 1e9, owner, growing);
		return;
	}
	if (engine_attached(b->engine) && model_nrounds(m) > 1) {
		fprintf(stderr, "ngx-leaktop: check %u/%u: %.2f s%s, %zu growing sites\n",
			b->rounds_done, b->o->rounds, (double)r->check_ns / 1e9, owner, growing);
		return;
	}
	if (model_nrounds(m) == 1) {
		size_t nk = engine_burst_spec(b->engine)->nurls;

		fprintf(stderr, "ngx-leaktop: baseline check: %zu sites, %" PRIu64 " bytes reachable "
			"(check %.2f s%s)", model_nsites(m), r->summary.kind[LEAK_REACHABLE].bytes,
			(double)r->check_ns / 1e9, owner);
		if (nk)
			fprintf(stderr, "; bursts over %s, %zu kind%s of request", engine_protocol(b->engine),
				nk, nk == 1 ? "" : "s");
		fputc('\n', stderr);
		return;
	}
	fprintf(stderr, "ngx-leaktop: round %u/%u: %" PRIu64 " requests (%" PRIu64 " failed, "
		"%.0f req/s), check %.2f s%s, %zu growing sites\n", b->rounds_done, b->o->rounds,
		r->requests, r->failed, st ? st->rps : 0.0, (double)r->check_ns / 1e9, owner, growing);
}

/* Where the requests go, for the user to check. */
static const char *
where_sent(const struct batch *b)
{
	if (!b->o->req_files.n && !b->o->nsends)
		return "the -u URLs";
	return b->o->nsends ? "where the requests go (-u, --request-file, --tcp)" :
		"where the requests go (-u, --request-file)";
}

/* Every request of the burst answered 4xx/5xx (a mistyped path): nginx ran
 * them, so something was measured; said once, not fatal. */
static void
warn_error_statuses(struct batch *b, const struct burst_stats *st)
{
	if (b->warned_http || !st->done || st->transport_errors || engine_burst_failed(b->engine) < st->done)
		return;
	b->warned_http = true;
	fprintf(stderr, "ngx-leaktop: warning: every request of round %u got an error status "
		"(%lu 4xx, %lu 5xx): check %s\n", b->rounds_done, st->status[4],
		st->status[5], where_sent(b));
}

/* No request of the burst got a connection (a wrong port), or every one
 * failed on its connection (HTTP/1.1 to a port that speaks HTTP/2 only):
 * the rounds would measure an idle nginx and pass. True: the run ends. */
static bool
burst_unreached(struct batch *b, const struct burst_stats *st)
{
	if (!st->done || st->transport_errors < st->done)
		return false;
	if (st->unreached < st->done)
		snprintf(b->end, sizeof b->end, "every request of round %u failed (%s): check %s "
			"and how they go (--tls, --http2, --http1.1)", b->rounds_done, st->last_error,
			where_sent(b));
	else
		snprintf(b->end, sizeof b->end, "no request of round %u reached nginx (%s): check %s",
			b->rounds_done, st->last_error, where_sent(b));
	fprintf(stderr, "ngx-leaktop: %s\n", b->end);
	b->failed = true;
	return true;
}

/* --break: the first hit of a breakpoint, with its evidence. */
static void
progress_break(struct batch *b)
{
	const struct engine_debug_info *d = engine_debug(b->engine);
	char *text, *file;

	if (!d || !d->hit)
		return;
	text = engine_debug_text(b->engine);
	file = escape_dup(d->hit->file, strlen(d->hit->file), 0);
	fprintf(stderr, "ngx-leaktop: break %s:%u hit (%s, round %u):\n%s", file, d->hit->line,
		d->why, b->rounds_done, text);
	free(file);
	free(text);
}

/* --break points no request reached, said at the end. */
static void
unreached_breaks(struct batch *b)
{
	size_t i;

	for (i = 0; i < b->o->breaks.n; i++)
		if (!engine_break_hit(b->engine, i))
			fprintf(stderr, "ngx-leaktop: warning: --break %s was never reached: no request "
				"of the %u rounds ran that line (check FILE:LINE and the -u URLs)\n",
				b->o->breaks.v[i], b->rounds_done);
}

/* --reloads spread among the rounds (Bresenham) after the first two
 * rounds: step i of the rest is a reload when the line crosses a whole
 * number, so a reload ends the run: 4 rounds, 2 reloads is B B B R B R. */
static bool
reload_step(const struct batch *b, unsigned i)
{
	/* two bursts first: a cycle with two of them tells a per-request
	 * leak from what each cycle's new workers take once (model_verdict.c) */
	unsigned first = b->o->rounds < 2 ? b->o->rounds : 2;
	unsigned total = b->o->rounds - first + b->o->reloads;

	if (i <= first)
		return false;
	i -= first;
	return (unsigned long)i * b->o->reloads / total >
		(unsigned long)(i - 1) * b->o->reloads / total;
}

static void
on_every(struct evloop *loop, void *ctx)
{
	struct batch *b = ctx;

	(void)loop;
	b->every_timer = 0;
	if (!engine_check(b->engine))
		engine_stop(b->engine);
}

static void
next_step(struct batch *b)
{
	char err[512];

	if (b->steps_done < b->o->rounds + b->o->reloads && !b->signals && !b->failed) {
		b->steps_done++;
		if (reload_step(b, b->steps_done)) {
			b->reloads_done++;
			b->reload_pending = engine_reload(b->engine, err, sizeof err);
			if (b->reload_pending)
				return;
			snprintf(b->end, sizeof b->end, "%s", err);
			fprintf(stderr, "ngx-leaktop: %s\n", err);
			b->failed = true;
		} else {
			b->rounds_done++;
			/* attached: the traffic is someone else's; a check every --every */
			if (engine_attached(b->engine))
				b->every_timer = evloop_timer_add(b->loop, b->o->every_s ?
					b->o->every_s * 1000 : 10000, on_every, b);
			else
				engine_burst_check(b->engine);
			return;
		}
	}
	engine_stop(b->engine);
}

static void
on_engine(struct engine *e, enum engine_event ev, void *ctx)
{
	struct batch *b = ctx;

	switch (ev) {
	case ENGINE_EV_ROUND: {
		const struct burst_stats *st = engine_burst_stats(e);

		b->reload_pending = false;
		progress_round(b);
		if (st)
			warn_error_statuses(b, st);
		if (st && burst_unreached(b, st))
			engine_stop(e);
		else
			next_step(b);
		break;
	}
	case ENGINE_EV_ERROR:
		fprintf(stderr, "ngx-leaktop: %s\n", engine_message(e));
		snprintf(b->end, sizeof b->end, "%s", engine_message(e));
		b->failed = true;
		if (engine_phase(e) == ENGINE_IDLE)
			engine_stop(e);
		break;
	case ENGINE_EV_WARNING:
		fprintf(stderr, "ngx-leaktop: warning: %s\n", engine_message(e));
		break;
	case ENGINE_EV_MEMERROR:
		progress_errors(b);
		break;
	case ENGINE_EV_EXIT_REPORT:
		break;	/* reported at the end */
	case ENGINE_EV_DEBUG:
		progress_break(b);
		break;
	case ENGINE_EV_PHASE:
		if (engine_phase(e) == ENGINE_DEAD) {
			evloop_stop(b->loop, 0);
		} else if (engine_phase(e) == ENGINE_CHECK) {
			b->reload_pending = false;	/* the reload is done: its round follows */
		} else if (engine_phase(e) == ENGINE_IDLE && b->reload_pending) {
			b->reload_pending = false;	/* the reload failed (warned): go on */
			next_step(b);
		}
		else if (engine_phase(e) == ENGINE_IDLE && b->failed)
			engine_stop(e);
		break;
	}
}

static void
on_signal(struct evloop *loop, int signo, void *ctx)
{
	struct batch *b = ctx;

	(void)loop;
	if (b->signals++) {
		fprintf(stderr, "ngx-leaktop: second SIG%s, stopping now\n", sigabbrev_np(signo));
		evloop_stop(b->loop, 0);	/* engine_free kills what still runs */
		return;
	}
	fprintf(stderr, "ngx-leaktop: SIG%s: stopping nginx, reporting what was gathered\n",
		sigabbrev_np(signo));
	snprintf(b->end, sizeof b->end, "interrupted by SIG%s", sigabbrev_np(signo));
	b->failed = true;
	engine_stop(b->engine);
}

static void
say_core_reloads(const struct model *m)
{
	size_t i;

	for (i = 0; i < model_nsites(m); i++) {
		const struct model_site *s = model_site(m, i);
		char *loc;

		if (s->growth != GROWTH_GROWING || !report_gate_core_reload(s))
			continue;
		loc = report_site_location(m, s);
		fprintf(stderr, "ngx-leaktop: nginx core grows %.0f B per reload at %s (%s): nginx's "
			"own, not your module's; --fail-on growing leaves it out\n", s->bytes_per_reload,
			loc, leak_kind_short(s->kind));
		free(loc);
	}
}

/* The JSON's "processes": every one, also with a single process (its
 * role says so). */
static struct report_process *
batch_processes(const struct engine *e, size_t *n)
{
	struct report_process *p;
	size_t i;

	*n = engine_nprocs(e);
	p = xcalloc(*n + 1, sizeof *p);
	for (i = 0; i < *n; i++) {
		const struct engine_proc *ep = engine_proc(e, i);

		p[i] = (struct report_process){ .pid = ep->pid, .role = engine_role_name(ep->role),
			.first_round = ep->first_round, .last_round = ep->last_round,
			.generation = ep->generation, .requests = ep->requests,
			.requests_known = ep->requests_known, .end = ep->end };
	}
	return p;
}

static struct report_kind *
batch_kinds(const struct engine *e, size_t *n)
{
	const struct engine_kind *k = engine_kinds(e, n);
	struct report_kind *r = xcalloc(*n + 1, sizeof *r);
	size_t i;

	for (i = 0; i < *n; i++)
		r[i] = (struct report_kind){ .name = k[i].name, .protocol = k[i].protocol,
			.method = k[i].method, .target = k[i].target, .weight = k[i].weight,
			.source = k[i].source };
	return r;
}

static int
finish(struct batch *b, const struct engine_opts *eo)
{
	const struct model *m = engine_model(b->engine);
	struct report_meta meta = {
		.nginx = eo->target.nginx, .nginx_version = eo->nginx_version,
		.debug_palloc = eo->debug_palloc, .end_reason = b->end[0] ? b->end : NULL,
		.errors = engine_errors(b->engine), .exit_model = engine_exit_model(b->engine),
	};
	struct engine_owner_cost oc;
	struct report_owner_round *per;
	struct report_process *procs;
	struct report_kind *kinds;
	bool written;
	char err[512];
	size_t i;

	engine_owner_cost(b->engine, &oc);
	meta.owner_search = true;
	meta.owner_commands = (unsigned long)oc.commands;
	meta.owner_rounds = oc.rounds;
	meta.owner_ms = oc.ms;
	per = xcalloc(oc.rounds + 1, sizeof *per);
	for (i = 0; oc.per_round && i < oc.rounds; i++) {
		per[i].round = oc.per_round[i].round;
		per[i].commands = oc.per_round[i].commands;
		per[i].ms = oc.per_round[i].ms;
	}
	meta.owner_per_round = per;
	meta.breaks = engine_breaks(b->engine, &meta.nbreaks);
	procs = batch_processes(b->engine, &meta.nprocesses);
	meta.processes = procs;
	meta.protocol = engine_protocol(b->engine);
	kinds = batch_kinds(b->engine, &meta.nkinds);
	meta.kinds = kinds;
	if (model_nrounds(m)) {
		/* stdout carries the JSON when asked for with "-": table to stderr then. */
		FILE *out = emit_table_stream(b->o);

		report_table_print(out, m, 40);
		report_table_print_errors(out, m, meta.errors);
		fflush(out);
	}
	written = emit_reports(b->o, m, &meta, &b->o->gate, err, sizeof err);
	free(per);
	free(procs);
	free(kinds);
	if (!written) {
		/* the rounds are not lost: the session file has every one */
		if (b->sessionfile && model_nrounds(m))
			fprintf(stderr, "ngx-leaktop: %s; the %zu checks are in the session file %s: "
				"ngx-leaktop --load %s --batch --json FILE writes the report again\n",
				err, model_nrounds(m), b->sessionfile, b->sessionfile);
		else
			fprintf(stderr, "ngx-leaktop: %s\n", err);
		return 2;
	}
	if (b->failed)
		return 2;
	say_core_reloads(m);
	return emit_status(b->o, m, &meta, &b->o->gate);
}

static void
batch_say_start(const struct cli_opts *o, const struct engine_opts *eo)
{
	char procs[64] = "";

	if (o->attach) {
		fprintf(stderr, "ngx-leaktop: attaching to %ld (%s): %u checks %ld s apart, the traffic "
			"is yours\n", o->attach_pid, eo->target.nginx, o->rounds,
			o->every_s ? o->every_s : 10L);
		return;
	}
	if (eo->target.workers)
		snprintf(procs, sizeof procs, ", a master and %u worker%s%s", eo->target.workers,
			eo->target.workers > 1 ? "s" : "", o->reloads && !o->workers ?
			" (reloads need the master)" : "");
	fprintf(stderr, "ngx-leaktop: starting %s under valgrind (%u rounds of %lu requests, "
		"concurrency %u%s", eo->target.nginx, o->rounds, o->requests, o->concurrency, procs);
	if (o->reloads)
		fprintf(stderr, ", %u reloads", o->reloads);
	fprintf(stderr, ")\n");
}

/* --reloads with a config that runs one process: said before any round. */
static bool
batch_can_reload(struct batch *b, char *err, size_t errlen)
{
	if (!b->o->reloads || engine_master(b->engine))
		return true;
	snprintf(err, errlen, "--reloads needs nginx's master process (nginx 1.22 breaks after two "
		"SIGHUPs with master_process off): set master_process on in %s, or give --workers N",
		b->o->conf ? b->o->conf : "the config");
	engine_stop(b->engine);
	return false;
}

int
batch_run(const struct cli_opts *o, const struct engine_opts *eo)
{
	struct batch b = { .o = o };
	char err[512];
	int rc;

	if (o->json && !report_json_check_path(o->json, err, sizeof err)) {
		fprintf(stderr, "ngx-leaktop: %s\n", err);
		return 2;
	}
	b.loop = evloop_new();
	if (!b.loop) {
		fprintf(stderr, "ngx-leaktop: cannot set up the event loop\n");
		return 2;
	}
	b.engine = engine_new(b.loop, eo, on_engine, &b);
	evloop_on_signal(b.loop, SIGINT, on_signal, &b);
	evloop_on_signal(b.loop, SIGTERM, on_signal, &b);
	evloop_on_signal(b.loop, SIGHUP, on_signal, &b);
	batch_say_start(o, eo);
	if (!engine_start(b.engine, err, sizeof err) || !batch_can_reload(&b, err, sizeof err)) {
		fprintf(stderr, "ngx-leaktop: %s\n", err);
		engine_free(b.engine);
		evloop_free(b.loop);
		return 2;
	}
	if (engine_sessionfile_path(b.engine)) {
		b.sessionfile = xstrdup(engine_sessionfile_path(b.engine));
		fprintf(stderr, "ngx-leaktop: session file %s\n", b.sessionfile);
	}
	evloop_run(b.loop);
	if (b.every_timer)
		evloop_timer_cancel(b.loop, b.every_timer);
	unreached_breaks(&b);
	rc = finish(&b, eo);
	engine_free(b.engine);
	evloop_free(b.loop);
	free(b.sessionfile);
	return rc;
}
