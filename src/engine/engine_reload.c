/* engine_reload.c - what master mode adds to the rounds: reloads (SIGHUP,
 * the new cycle serving, then a check with no burst: a round with
 * reloads = 1), the requests each worker answered (told by the held
 * connection that carried them), a warm-up that reaches every worker, and
 * the clock of --every. */
#include "engine_int.h"
#include "burst.h"
#include "evloop.h"
#include "model.h"
#include "sockowner.h"
#include "target.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Reconnects of the warm-up before it says some worker holds no
 * connection: each is a fresh draw of the kernel's reuseport hash. */
#define WARM_TRIES 8

static unsigned
server_port(const struct engine *e)
{
	const char *url = target_base_url(e->target), *colon = url ? strrchr(url, ':') : NULL;
	long port;

	return colon && util_parse_long(colon + 1, 1, 65535, &port) ? (unsigned)port : 0;
}

/* The live workers of the current cycle, and their pids. */
static size_t
current_workers(const struct engine *e, struct eproc **w, pid_t *pids)
{
	size_t i, n = 0;

	for (i = 0; i < e->nprocs; i++) {
		struct eproc *p = e->procs[i];

		if (p->pub.role == TARGET_ROLE_WORKER && p->pub.alive &&
			p->pub.generation >= target_reloads(e->target)) {
			w[n] = p;
			pids[n++] = (pid_t)p->pub.pid;
		}
	}
	return n;
}

/* Requests per held connection, given to the worker holding it; what
 * connections that closed meanwhile carried is shared in proportion.
 * held[i] gets worker i's connections. False: nothing to tell them by. */
static bool
attribute(struct engine *e, struct eproc **w, const pid_t *pids, size_t nw, unsigned *held)
{
	struct burst_conn_count *cc = NULL;
	unsigned long closed = 0, mapped = 0, *got = xcalloc(nw + 1, sizeof *got);
	unsigned *ports;
	pid_t *owner;
	size_t n = burst_conn_counts(e->burst, &cc, &closed), i, j;
	bool ok;

	ports = xcalloc(n + 1, sizeof *ports);
	owner = xcalloc(n + 1, sizeof *owner);
	for (i = 0; i < n; i++)
		ports[i] = cc[i].port;
	ok = n && sockowner_map(server_port(e), ports, n, pids, nw, owner);
	for (i = 0; ok && i < n; i++)
		for (j = 0; j < nw; j++)
			if (owner[i] == pids[j]) {
				got[j] += cc[i].requests;
				held[j]++;
				mapped += cc[i].requests;
			}
	for (j = 0; ok && j < nw; j++) {
		uint64_t share = mapped ? (uint64_t)((double)closed * got[j] / mapped + 0.5) : 0;

		w[j]->round_requests += got[j] + share;
		w[j]->pub.requests += got[j] + share;
		w[j]->pub.requests_known = true;
	}
	free(cc);
	free(ports);
	free(owner);
	free(got);
	return ok;
}

void
engine_reload_burst_done(struct engine *e)
{
	struct eproc *w[256];
	pid_t pids[256];
	unsigned held[256] = { 0 };
	size_t nw, j;

	if (!engine_procs_multi(e) || !e->burst)
		return;
	nw = current_workers(e, w, pids);
	if (!nw)
		return;
	if (!e->spec.hold || !attribute(e, w, pids, nw, held)) {
		/* no held connections: an even share, said to be a guess */
		for (j = 0; j < nw; j++)
			w[j]->round_requests += burst_stats(e->burst)->done / nw;
	} else {
		for (j = 0; j < nw; j++)
			if (!held[j] && !w[j]->warned_idle) {
				w[j]->warned_idle = true;
				engine_report(e, ENGINE_EV_WARNING, "worker %ld got no requests: the %u "
					"connections went to other workers (with your config, add reuseport "
					"to listen, or raise -C); its sites show no per-request growth",
					w[j]->pub.pid, e->spec.concurrency);
			}
	}
	burst_conn_reset(e->burst);
}

bool
engine_reload_warm_again(struct engine *e, burst_done_cb cb)
{
	struct eproc *w[256];
	pid_t pids[256];
	unsigned held[256] = { 0 };
	size_t nw, j;
	bool all = true;

	if (!engine_procs_multi(e) || !e->burst || !e->spec.hold)
		return false;
	nw = current_workers(e, w, pids);
	if (!nw || nw > e->spec.concurrency || e->warm_tries >= WARM_TRIES)
		return false;
	/* its requests are counted as they are (the start's warm-up is in
	 * no round: the baseline's check takes them) */
	attribute(e, w, pids, nw, held);
	for (j = 0; j < nw; j++)
		all = all && held[j];
	burst_conn_reset(e->burst);
	if (all)
		return false;
	e->warm_tries++;
	return burst_reconnect(e->burst) && burst_warm(e->burst, cb, e);
}

static void
go_on(struct engine *e)
{
	engine_set_phase(e, ENGINE_IDLE);
	if (e->auto_mode)
		engine_start_burst(e, true);
	else
		engine_reload_every(e);
}

static void
on_reloaded(struct target *s, bool ok, const char *msg, void *ctx)
{
	struct engine *e = ctx;

	(void)s;
	if (e->phase != ENGINE_RELOAD)
		return;		/* stopping meanwhile */
	if (!ok) {
		engine_report(e, ENGINE_EV_WARNING, "reload failed: %s; the old cycle serves on", msg);
		go_on(e);
		return;
	}
	e->round_reloads++;
	engine_check_full_next(e);
	/* the old workers close the held connections: that is the reload,
	 * not keepalive_requests, and needs no warning */
	e->warned_conn_closed = true;
	/* The reload's round has no request at all (what the new workers
	 * take on their first requests is a burst's, judged per cycle); the
	 * next burst opens new connections to them first (engine.c). */
	e->rewarm = e->burst && e->spec.hold;
	engine_start_check(e);
}

bool
engine_reload(struct engine *e, char *err, size_t errlen)
{
	if (target_attached(e->target)) {
		snprintf(err, errlen, "attached to an nginx ngx-leaktop did not start: it sends it no "
			"signal (reload it yourself, then check)");
		return false;
	}
	if (!target_master(e->target)) {
		snprintf(err, errlen, "reloads need nginx's master process (nginx 1.22 breaks after two "
			"SIGHUPs with master_process off): run with --workers N");
		return false;
	}
	if (e->phase != ENGINE_IDLE) {
		snprintf(err, errlen, "busy (%s): reload when idle", engine_phase_name(e->phase));
		return false;
	}
	if (!target_reload(e->target, on_reloaded, e, err, errlen))
		return false;
	engine_set_phase(e, ENGINE_RELOAD);
	return true;
}

unsigned
engine_reloads(const struct engine *e)
{
	return e->target ? target_reloads(e->target) : 0;
}

bool
engine_master(const struct engine *e)
{
	return engine_procs_multi(e);
}

bool
engine_attached(const struct engine *e)
{
	return e->target && target_attached(e->target);
}

static void
on_every(struct evloop *loop, void *ctx)
{
	struct engine *e = ctx;

	(void)loop;
	e->every_timer = 0;
	if (e->phase == ENGINE_IDLE && !e->auto_mode)
		engine_start_check(e);
}

/* --every: the next check SEC after this round, when nothing else runs. */
void
engine_reload_every(struct engine *e)
{
	if (!e->opts.every_ms || e->every_timer || e->phase != ENGINE_IDLE)
		return;
	e->every_timer = evloop_timer_add(e->loop, e->opts.every_ms, on_every, e);
}

void
engine_reload_free(struct engine *e)
{
	if (e->every_timer)
		evloop_timer_cancel(e->loop, e->every_timer);
	e->every_timer = 0;
}
