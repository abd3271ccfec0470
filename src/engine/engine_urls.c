/* engine_urls.c - which request: the bursts' URLs in the model, and the
 * requests of each URL that reached nginx between two checks, handed to
 * the round of the second (model_round_url_requests). Counts add up over
 * every burst before a check, as the round's request count does; the
 * baseline and a check without a burst have none. Also the one warning
 * about held connections that nginx closed. */
#include "engine_int.h"
#include "burst.h"
#include "model.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include "target.h"

/* A URL is named as the user wrote it (-u /leak/pool), not as resolved
 * against nginx's address (a free port that changes every run); a kind
 * with a name (a request file's title) by that name. */
void
engine_urls_intern(struct engine *e, char **in, const struct burst_req *reqs, size_t nin)
{
	size_t i, old = e->cap_url_acc;

	free(e->url_ids);
	e->url_ids = xcalloc(e->spec.nurls, sizeof *e->url_ids);
	for (i = 0; i < e->spec.nurls; i++)
		e->url_ids[i] = model_url_intern(e->model, i < nin && reqs && reqs[i].name ?
			reqs[i].name : i < nin ? in[i] : "/");
	/* the accumulator is indexed by model id: it outlives a URL change */
	xgrow((void **)&e->url_acc, &e->cap_url_acc, model_nurls(e->model), sizeof *e->url_acc);
	memset(e->url_acc + old, 0, (e->cap_url_acc - old) * sizeof *e->url_acc);
}

bool
engine_urls_burst_done(struct engine *e, const struct burst *burst, const struct burst_stats *st)
{
	size_t i;

	for (i = 0; i < e->spec.nurls; i++)
		e->url_acc[e->url_ids[i]] += burst_url_reached(burst, i);
	/* nothing connected or answered: no connection nginx closed to speak of */
	if (!st->conn_closed || e->warned_conn_closed || st->transport_errors >= st->done)
		return false;
	e->warned_conn_closed = true;
	return true;
}

void
engine_urls_round(struct engine *e, struct model *m)
{
	size_t i, n = model_nurls(e->model);

	if (!m)
		return;
	/* another model (the workers') names the URL with its own id */
	for (i = 0; i < n && i < e->cap_url_acc; i++)
		if (e->url_acc[i])
			model_round_url_requests(m, m == e->model ? (uint32_t)i :
				model_url_intern(m, model_url(e->model, (uint32_t)i)), e->url_acc[i]);
}

/* A failed check keeps them for the next, like the request count. */
void
engine_urls_clear(struct engine *e)
{
	if (e->url_acc)
		memset(e->url_acc, 0, e->cap_url_acc * sizeof *e->url_acc);
}

void
engine_urls_free(struct engine *e)
{
	free(e->url_ids);
	free(e->url_acc);
	e->url_ids = NULL;
	e->url_acc = NULL;
	e->cap_url_acc = 0;
}

/* "tcp:" -> the stream server nginx listens on (generated, or the
 * config's first stream listen). */
static char *
resolve_tcp(struct engine *e, const char *u)
{
	const char *addr = target_stream_addr(e->target);

	if (strcmp(u, "tcp:") && strcmp(u, "tcp://"))
		return xstrdup(u);
	if (addr)
		return xasprintf("tcp://%s", addr);
	if (e->opts.target.conf)
		engine_report(e, ENGINE_EV_ERROR, "--send: %s has no stream {} server listening on "
			"loopback: give --tcp HOST:PORT before --send", e->opts.target.conf);
	else
		engine_report(e, ENGINE_EV_ERROR, "--send: no stream server to send to: give --tcp "
			"HOST:PORT before it, or --stream-directives for the generated config's");
	return NULL;
}

/* One kind's URL as burst takes it, NULL (engine_message set) if it
 * cannot be. */
static char *
resolve_one(struct engine *e, const char *u)
{
	const char *base = target_base_url(e->target);

	if (!strncmp(u, "tcp:", 4))
		return resolve_tcp(e, u);
	if (strstr(u, "://"))
		return xstrdup(u);
	if (!base) {
		engine_report(e, ENGINE_EV_ERROR, "cannot tell nginx's address from the config for "
			"URL %s: give a full URL, e.g. -u http://127.0.0.1:8080%s", u, u);
		return NULL;
	}
	return xasprintf("%s%s%s", base, u[0] == '/' ? "" : "/", u);
}

static void
free_strv(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* "/path" -> base + "/path"; full URLs stay as they are; "tcp:" is the
 * stream server. On success the resolved list replaces e->urls and
 * e->spec's URLs and kinds (reqs: the caller's, kept as long as they are
 * the engine's). */
bool
engine_resolve_reqs(struct engine *e, char **in, const struct burst_req *reqs, size_t nin)
{
	size_t i, n = nin ? nin : 1;
	char **urls = xcalloc(n, sizeof *urls);

	for (i = 0; i < n; i++) {
		if (!(urls[i] = resolve_one(e, nin ? in[i] : "/"))) {
			free_strv(urls, i);
			return false;
		}
		if (!burst_url_is_loopback(urls[i])) {
			engine_report(e, ENGINE_EV_ERROR, "URL %.200s: load goes to loopback only "
				"(127.0.0.1, localhost, [::1])", urls[i]);
			free_strv(urls, n);
			return false;
		}
	}
	engine_free_urls(e);
	e->urls = urls;
	e->spec.urls = urls;
	e->spec.nurls = n;
	e->spec.reqs = nin ? reqs : NULL;
	engine_urls_intern(e, in, e->spec.reqs, nin);
	engine_proto_decide(e);
	return true;
}

bool
engine_set_reqs(struct engine *e, char **urls, const struct burst_req *reqs, size_t n)
{
	if (e->phase == ENGINE_BURST || e->phase == ENGINE_DEBUG || !e->burst)
		return false;
	if (!engine_resolve_reqs(e, urls, reqs, n))
		return false;
	/* the held connections close, drained, in the next burst */
	return burst_set_reqs(e->burst, e->spec.urls, e->spec.reqs, e->spec.nurls);
}

bool
engine_set_urls(struct engine *e, char **urls, size_t nurls)
{
	return engine_set_reqs(e, urls, NULL, nurls);
}
