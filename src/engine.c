/* engine.c - rounds of burst + leak check on the evloop. */
#include "engine.h"
#include "evloop.h"
#include "journal.h"
#include "lparse.h"
#include "model.h"
#include "util.h"
#include "vgdb.h"
#include "xfollow.h"
#include "xstream.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_CHECK "leak_check full reachable any"
/* How long a stop waits for the leak check in flight (see engine_stop). */
#define STOP_CHECK_WAIT_MS 5000

struct engine {
	struct evloop *loop;
	struct engine_opts opts;
	engine_cb cb;
	void *ctx;
	enum engine_phase phase;
	struct session *session;
	struct vgdb *vgdb;
	struct load *load;
	struct load_spec spec;	/* with resolved URLs */
	char **urls;
	struct model *model;
	struct xstream *xml;	/* valgrind's XML: memcheck errors, exit report */
	struct xfollow *follow;
	struct journal *journal;
	bool journal_failed;	/* warned once; later rounds are not written */
	bool auto_mode;
	bool check_after_burst;
	bool stop_after_check;	/* a stop waits for the check in flight */
	uint64_t stop_wait_timer;
	bool have_stats;
	uint64_t burst_requests, burst_failed;	/* of the burst before the next check */
	uint64_t total_requests, total_failed;
	int64_t last_check_ns, last_update_ns;
	char message[640];
};

const char *
engine_phase_name(enum engine_phase p)
{
	static const char *names[] = {
		"new", "starting", "ready", "burst", "checking", "stopping", "exited",
	};

	return p < LT_ARRAY_SIZE(names) ? names[p] : "?";
}

static void
emit(struct engine *e, enum engine_event ev)
{
	if (e->cb)
		e->cb(e, ev, e->ctx);
}

static void
set_phase(struct engine *e, enum engine_phase p)
{
	if (e->phase == p)
		return;
	e->phase = p;
	emit(e, ENGINE_EV_PHASE);
}

static void __attribute__((format(printf, 3, 4)))
report(struct engine *e, enum engine_event ev, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->message, sizeof e->message, fmt, ap);
	va_end(ap);
	emit(e, ev);
}

static void on_session_state(struct session *s, enum session_state st, void *ctx);

struct engine *
engine_new(struct evloop *loop, const struct engine_opts *opts, engine_cb cb, void *ctx)
{
	struct engine *e = xcalloc(1, sizeof *e);
	size_t i;

	e->loop = loop;
	e->opts = *opts;
	e->cb = cb;
	e->ctx = ctx;
	e->model = model_new();
	for (i = 0; i < opts->nalloc_fns; i++)
		model_add_alloc_fn(e->model, opts->alloc_fns[i]);
	e->session = session_new(loop, &opts->session, on_session_state, e);
	return e;
}

static void
free_urls(struct engine *e)
{
	size_t i;

	for (i = 0; e->urls && i < e->spec.nurls; i++)
		free(e->urls[i]);
	free(e->urls);
	e->urls = NULL;
}

/* A stop no longer waits for the check in flight (see engine_stop). */
static void
cancel_stop_wait(struct engine *e)
{
	e->stop_after_check = false;
	if (e->stop_wait_timer) {
		evloop_timer_cancel(e->loop, e->stop_wait_timer);
		e->stop_wait_timer = 0;
	}
}

void
engine_free(struct engine *e)
{
	if (!e)
		return;
	cancel_stop_wait(e);
	load_free(e->load);
	vgdb_free(e->vgdb);
	xfollow_free(e->follow);
	xstream_free(e->xml);
	journal_close(e->journal, NULL);
	session_free(e->session);
	model_free(e->model);
	free_urls(e);
	free(e);
}

static void
on_xml_error(void *ctx, bool is_new)
{
	(void)is_new;
	emit(ctx, ENGINE_EV_MEMERROR);
}

/* valgrind's counts of the errors, from its exit: the same errors, counted. */
static void
on_xml_counts(void *ctx)
{
	emit(ctx, ENGINE_EV_MEMERROR);
}

static void
on_xml_bytes(void *ctx, const char *buf, size_t len)
{
	struct engine *e = ctx;

	xstream_feed(e->xml, buf, len);
}

/* Every request in flight is a socket here and one in nginx: a low
 * `ulimit -n` fails requests by the hundred with nothing said. */
static void
check_nofile(struct engine *e)
{
	unsigned long have = util_raise_nofile(), need = e->opts.load.concurrency + 64UL;

	if (have && have < need)
		report(e, ENGINE_EV_WARNING, "the open files limit is %lu (ulimit -n): concurrency "
			"%u needs about %lu, requests will fail; raise it or lower -C", have,
			e->opts.load.concurrency, need);
}

bool
engine_start(struct engine *e, char *err, size_t errlen)
{
	static const struct xstream_cb xcb = { .error = on_xml_error, .counts = on_xml_counts };

	if (e->opts.journal) {
		struct journal_meta jm = { .nginx = e->opts.session.nginx,
			.nginx_version = e->opts.nginx_version, .debug_palloc = e->opts.debug_palloc };

		e->journal = journal_open(e->opts.journal, &jm, err, errlen);
		if (!e->journal)
			return false;
	}
	check_nofile(e);	/* before nginx starts: it inherits the limit */
	if (!session_start(e->session, err, errlen))
		return false;
	e->xml = xstream_new(e->model, false, &xcb, e);
	/* Errors are shown as they happen: follow the file valgrind writes. */
	e->follow = xfollow_new(e->loop, session_xml_path(e->session), on_xml_bytes, e);
	if (!e->follow)
		report(e, ENGINE_EV_WARNING, "cannot follow valgrind's XML (%s): memcheck errors "
			"will show when nginx exits", strerror(errno));
	set_phase(e, ENGINE_STARTING);
	return true;
}

/* nginx is gone: read the rest of the XML, close the exit report. */
static void
finish_xml(struct engine *e)
{
	if (e->follow)
		xfollow_drain(e->follow);
	else {
		char err[256];

		xstream_load_file(e->xml, session_xml_path(e->session), err, sizeof err);
	}
	xstream_finish(e->xml);
	if (xstream_exit_model(e->xml))
		emit(e, ENGINE_EV_EXIT_REPORT);
}

/* "/path" -> base + "/path"; full URLs stay as they are. On success the
 * resolved list replaces e->urls and e->spec's URLs. */
static bool
resolve_urls(struct engine *e, char **in, size_t nin)
{
	const char *base = session_base_url(e->session);
	size_t i, n = nin ? nin : 1;
	char **urls = xcalloc(n, sizeof *urls);

	for (i = 0; i < n; i++) {
		const char *u = nin ? in[i] : "/";

		if (strstr(u, "://")) {
			urls[i] = xstrdup(u);
			continue;
		}
		if (!base) {
			report(e, ENGINE_EV_ERROR, "cannot tell nginx's address from the config for "
				"URL %s: give a full URL, e.g. -u http://127.0.0.1:8080%s", u, u);
			while (i--)
				free(urls[i]);
			free(urls);
			return false;
		}
		urls[i] = xasprintf("%s%s%s", base, u[0] == '/' ? "" : "/", u);
	}
	for (i = 0; i < n; i++) {
		if (!load_url_is_loopback(urls[i])) {
			report(e, ENGINE_EV_ERROR, "URL %.200s: load goes to loopback only "
				"(127.0.0.1, localhost, [::1])", urls[i]);
			for (i = 0; i < n; i++)
				free(urls[i]);
			free(urls);
			return false;
		}
	}
	free_urls(e);
	e->urls = urls;
	e->spec.urls = urls;
	e->spec.nurls = n;
	return true;
}

bool
engine_set_urls(struct engine *e, char **urls, size_t nurls)
{
	struct load *fresh;

	if (e->phase == ENGINE_BURST || !e->load)
		return false;
	if (!resolve_urls(e, urls, nurls))
		return false;
	/* load copies its spec: a new one takes the new URLs. */
	fresh = load_new(e->loop, &e->spec);
	load_free(e->load);
	e->load = fresh;
	return true;
}

static void start_check(struct engine *e);

static void
on_ready(struct engine *e)
{
	e->vgdb = vgdb_new(e->loop, e->opts.vgdb, session_vgdb_prefix(e->session),
		session_pid(e->session));
	e->spec = e->opts.load;
	if (!resolve_urls(e, e->opts.load.urls, e->opts.load.nurls)) {
		engine_stop(e);
		return;
	}
	e->load = load_new(e->loop, &e->spec);
	/* Round 0: the heap before any request, the baseline of every verdict. */
	e->burst_requests = e->burst_failed = 0;
	start_check(e);
}

static void
on_session_state(struct session *s, enum session_state st, void *ctx)
{
	struct engine *e = ctx;

	(void)s;
	switch (st) {
	case SESSION_READY:
		on_ready(e);
		break;
	case SESSION_STOPPING:
		set_phase(e, ENGINE_STOPPING);
		break;
	case SESSION_EXITED:
		e->auto_mode = false;
		cancel_stop_wait(e);
		if (e->load)
			load_abort(e->load);
		if (e->vgdb)
			vgdb_cancel_all(e->vgdb);
		finish_xml(e);
		if (!session_stopped_by_us(e->session))
			report(e, ENGINE_EV_ERROR, "%s%s%s", session_reason(e->session),
				*xstream_fatal(e->xml) ? ": " : "", xstream_fatal(e->xml));
		journal_close(e->journal, session_stopped_by_us(e->session) ? "stopped" : e->message);
		e->journal = NULL;
		set_phase(e, ENGINE_DEAD);
		break;
	default:
		break;
	}
}

static void
on_burst_done(struct load *load, const struct load_stats *st, void *ctx)
{
	struct engine *e = ctx;
	unsigned long failed = load_failed(st);

	(void)load;
	e->burst_requests += st->done;
	e->burst_failed += failed;
	e->total_requests += st->done;
	e->total_failed += failed;
	if (st->transport_errors && st->transport_errors == st->done)
		report(e, ENGINE_EV_WARNING, "every request of the burst failed: %s", st->last_error);
	if (e->phase != ENGINE_BURST)
		return;	/* nginx died meanwhile */
	if (e->check_after_burst) {
		start_check(e);
		return;
	}
	set_phase(e, ENGINE_IDLE);
}

static bool
start_burst(struct engine *e, bool then_check)
{
	if (e->phase != ENGINE_IDLE || !e->load)
		return false;
	e->check_after_burst = then_check;
	e->have_stats = true;
	set_phase(e, ENGINE_BURST);
	if (!load_start(e->load, on_burst_done, e)) {
		set_phase(e, ENGINE_IDLE);
		return false;
	}
	return true;
}

static void stop_now(struct engine *e);

static void
check_failed(struct engine *e, const char *what)
{
	model_round_abort(e->model);
	e->auto_mode = false;
	report(e, ENGINE_EV_ERROR, "leak check failed: %s", what);
	if (e->stop_after_check)
		stop_now(e);
	else if (e->phase == ENGINE_CHECK)
		set_phase(e, ENGINE_IDLE);
}

/* Every completed check reaches the disk before anything else happens. */
static void
save_round(struct engine *e)
{
	char err[512];

	if (!e->journal || e->journal_failed)
		return;
	if (!journal_round(e->journal, e->model, err, sizeof err)) {
		e->journal_failed = true;
		report(e, ENGINE_EV_WARNING, "%s: later checks are not saved", err);
	}
}

static void
on_check_done(struct vgdb *v, const struct vgdb_result *res, void *ctx)
{
	struct engine *e = ctx;
	struct leak_summary sum;
	struct lparse_error perr;
	enum lparse_status st;
	int64_t t0;

	(void)v;
	if (res->status == VGDB_CANCELLED)
		return;
	if (res->status != VGDB_OK) {
		check_failed(e, res->message);
		return;
	}
	t0 = util_now_ns();
	model_round_begin(e->model, e->burst_requests, e->burst_failed);
	st = lparse_text(res->out, res->outlen, model_lparse_cb, e->model, &sum, &perr);
	if (st != LPARSE_OK) {
		char why[256];

		if (st == LPARSE_INCOMPLETE)
			snprintf(why, sizeof why, "the answer has no LEAK SUMMARY (%s)",
				session_state(e->session) == SESSION_READY ? "valgrind cut it short" :
				"nginx died during the check");
		else
			snprintf(why, sizeof why, "line %u: %s", perr.line, perr.msg);
		check_failed(e, why);
		return;
	}
	model_round_end(e->model, &sum, res->elapsed_ns);
	e->last_check_ns = res->elapsed_ns;
	e->last_update_ns = util_now_ns() - t0;
	save_round(e);
	e->burst_requests = e->burst_failed = 0;
	if (e->stop_after_check) {
		emit(e, ENGINE_EV_ROUND);
		stop_now(e);
		return;
	}
	set_phase(e, ENGINE_IDLE);
	emit(e, ENGINE_EV_ROUND);
	if (e->auto_mode && e->phase == ENGINE_IDLE)
		start_burst(e, true);
}

static void
start_check(struct engine *e)
{
	set_phase(e, ENGINE_CHECK);
	vgdb_command(e->vgdb, e->opts.check_command ? e->opts.check_command : DEFAULT_CHECK,
		e->opts.check_timeout_ms, on_check_done, e);
}

bool
engine_burst(struct engine *e)
{
	return start_burst(e, false);
}

bool
engine_burst_check(struct engine *e)
{
	return start_burst(e, true);
}

bool
engine_check(struct engine *e)
{
	if (e->phase != ENGINE_IDLE)
		return false;
	start_check(e);
	return true;
}

void
engine_set_auto(struct engine *e, bool on)
{
	e->auto_mode = on;
	if (on && e->phase == ENGINE_IDLE)
		start_burst(e, true);
}

bool
engine_auto(const struct engine *e)
{
	return e->auto_mode;
}

static void
stop_now(struct engine *e)
{
	cancel_stop_wait(e);
	if (e->vgdb)
		vgdb_cancel_all(e->vgdb);
	if (session_state(e->session) == SESSION_NEW) {
		set_phase(e, ENGINE_DEAD);
		return;
	}
	session_stop(e->session);
}

static void
on_stop_wait(struct evloop *loop, void *ctx)
{
	struct engine *e = ctx;

	(void)loop;
	e->stop_wait_timer = 0;
	report(e, ENGINE_EV_WARNING, "the leak check did not end within %d ms of the stop: "
		"cut short, valgrind's exit report may be missing", STOP_CHECK_WAIT_MS);
	stop_now(e);
}

void
engine_stop(struct engine *e)
{
	e->auto_mode = false;
	if (e->load)
		load_abort(e->load);
	/* valgrind answering a monitor command is inside its gdbserver: a vgdb
	 * killed there and a QUIT make valgrind exit (status 1) before its exit
	 * leak report. A check takes a fraction of a second: let it end (and
	 * keep its round); a second stop, or the wait running out, cuts it. */
	if (e->phase == ENGINE_CHECK && !e->stop_after_check &&
		session_state(e->session) == SESSION_READY) {
		e->stop_after_check = true;
		e->stop_wait_timer = evloop_timer_add(e->loop, STOP_CHECK_WAIT_MS, on_stop_wait, e);
		return;
	}
	stop_now(e);
}

void
engine_set_shape(struct engine *e, unsigned long requests, unsigned concurrency)
{
	e->opts.load.requests = e->spec.requests = requests;
	e->opts.load.concurrency = e->spec.concurrency = concurrency;
	if (e->load)
		load_set_shape(e->load, requests, concurrency);
}

enum engine_phase
engine_phase(const struct engine *e)
{
	return e->phase;
}

struct model *
engine_model(const struct engine *e)
{
	return e->model;
}

const struct session *
engine_session(const struct engine *e)
{
	return e->session;
}

const struct load_stats *
engine_load_stats(const struct engine *e)
{
	return e->load && e->have_stats ? load_stats(e->load) : NULL;
}

const struct load_spec *
engine_load_spec(const struct engine *e)
{
	return e->urls ? &e->spec : &e->opts.load;
}

const char *
engine_message(const struct engine *e)
{
	return e->message;
}

int64_t
engine_check_running_ms(const struct engine *e)
{
	return e->phase == ENGINE_CHECK && e->vgdb ? vgdb_running_ms(e->vgdb) : -1;
}

int64_t
engine_last_check_ns(const struct engine *e)
{
	return e->last_check_ns;
}

int64_t
engine_last_update_ns(const struct engine *e)
{
	return e->last_update_ns;
}

const char *
engine_journal_path(const struct engine *e)
{
	return e->journal ? journal_path(e->journal) : NULL;
}

struct merrors *
engine_errors(const struct engine *e)
{
	return e->xml ? xstream_errors(e->xml) : NULL;
}

struct model *
engine_exit_model(const struct engine *e)
{
	return e->xml ? xstream_exit_model(e->xml) : NULL;
}

uint64_t
engine_total_requests(const struct engine *e)
{
	return e->total_requests;
}

uint64_t
engine_total_failed(const struct engine *e)
{
	return e->total_failed;
}
