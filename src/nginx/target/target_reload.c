/* target_reload.c - SIGHUP to the master, and when the new cycle serves:
 * the expected number of new workers have their gdbservers and one HTTP
 * request is answered; or the master logged an [emerg] (a config error
 * on disk: the old cycle serves on); or the start timeout. */
#include "target.h"
#include "target_int.h"
#include "escape.h"
#include "evloop.h"
#include "follow.h"
#include "probe.h"
#include "sbuf.h"
#include "util.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool
target_reloading(const struct target *s)
{
	return s->reloading;
}

unsigned
target_reloads(const struct target *s)
{
	return s->reloads;
}

/* Ends the reload in flight: the callback last, it may start another. */
static void
finish(struct target *s, bool ok, const char *msg)
{
	target_reload_cb cb = s->reload_cb;
	void *ctx = s->reload_ctx;

	if (!s->reloading)
		return;
	s->reloading = false;
	if (s->reload_timer)
		evloop_timer_cancel(s->loop, s->reload_timer);
	s->reload_timer = 0;
	probe_free(s->reload_probe);
	s->reload_probe = NULL;
	if (ok)
		s->reloads++;
	s->reload_cb = NULL;
	if (cb)
		cb(s, ok, msg, ctx);
}

void
target_reload_abort(struct target *s, const char *why)
{
	finish(s, false, why);
}

static void
on_reload_probe(void *ctx, bool answered)
{
	struct target *s = ctx;

	/* As at start-up: no answer at the address we think of is no proof
	 * of a failure; the next burst will tell. */
	(void)answered;
	probe_free(s->reload_probe);
	s->reload_probe = NULL;
	finish(s, true, "");
}

void
target_reload_on_new(struct target *s)
{
	if (!s->reloading || s->reload_probe)
		return;
	if (target_procs_alive_workers(s, true) < s->mode.workers)
		return;
	s->reload_probe = probe_start(s->loop, s->base_url, on_reload_probe, s);
	if (!s->reload_probe)
		finish(s, true, "");
}

void
target_reload_on_line(struct target *s, const char *line, size_t len)
{
	char *msg;

	if (!memmem(line, len, "[emerg]", 7))
		return;
	msg = escape_dup(line, len, 0);	/* nginx's own words, made printable */
	finish(s, false, msg);
	free(msg);
}

static void
on_reload_timeout(struct evloop *loop, void *ctx)
{
	struct target *s = ctx;
	char msg[96];

	(void)loop;
	s->reload_timer = 0;
	snprintf(msg, sizeof msg, "the reload did not finish in %lld s",
		(long long)(s->opts.start_timeout_ms / 1000));
	finish(s, false, msg);
}

static bool
refuse(struct target *s, char *err, size_t errlen)
{
	if (s->attached)
		snprintf(err, errlen, "ngx-leaktop reloads only an nginx it started (this one is "
			"attached)");
	else if (s->state != TARGET_READY)
		snprintf(err, errlen, "nginx is not ready (%s)", target_state_name(s->state));
	else if (!s->mode.master)
		snprintf(err, errlen, "reloads need nginx's master process: with master_process off "
			"nginx 1.22 answers empty replies after two reloads and then crashes "
			"(ngx_clean_old_cycles); run with --workers N or a config with "
			"'master_process on'");
	else if (s->reloading)
		snprintf(err, errlen, "a reload is in flight");
	else
		return false;
	return true;
}

bool
target_reload(struct target *s, target_reload_cb cb, void *ctx, char *err, size_t errlen)
{
	if (refuse(s, err, errlen))
		return false;
	/* Lines logged before the signal are not this reload's. */
	if (s->log)
		follow_drain(s->log);
	if (kill(s->pid, SIGHUP) < 0) {
		snprintf(err, errlen, "cannot signal nginx (pid %ld): %s", (long)s->pid,
			strerror(errno));
		return false;
	}
	s->reloading = true;
	s->reload_cb = cb;
	s->reload_ctx = ctx;
	s->reload_new = 0;
	s->reload_timer = evloop_timer_add(s->loop, s->opts.start_timeout_ms, on_reload_timeout, s);
	return true;
}
