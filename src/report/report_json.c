/* report_json.c - the JSON report (jansson), written atomically. */
#include "report.h"
#include "report_ci.h"
#include "gdbmi.h"
#include "escape.h"
#include "memerrors.h"
#include "model.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Every string from valgrind is untrusted: escaped before it enters the
 * report (jansson would also reject invalid UTF-8 outright). */
json_t *
report_json_str(const char *s)
{
	char *e = escape_dup(s ? s : "", s ? strlen(s) : 0, 0);
	json_t *j = json_string(e);

	free(e);
	return j ? j : json_string("");
}

#define jstr report_json_str

static json_t *
jtotal(const struct leak_total *t)
{
	return json_pack("{s:I,s:I}", "bytes", (json_int_t)t->bytes, "blocks", (json_int_t)t->blocks);
}

static json_t *
json_summary(const struct leak_summary *s)
{
	json_t *sum = json_object();
	int k;

	for (k = 0; k < LEAK_KIND_COUNT; k++)
		json_object_set_new(sum, leak_kind_json((enum leak_kind)k), jtotal(&s->kind[k]));
	json_object_set_new(sum, "suppressed", jtotal(&s->suppressed));
	return sum;
}

/* A round's requests of each URL that reached nginx: what urls[] is
 * fitted to, so a reader can check it. */
static json_t *
json_url_requests(const struct model *m, size_t r)
{
	json_t *o = json_object();
	uint32_t u;

	for (u = 0; u < model_nurls(m); u++) {
		const char *url = model_url(m, u);
		char *key = escape_dup(url, strlen(url), 0);	/* as jstr: a key is a string too */

		json_object_set_new(o, key, json_integer((json_int_t)model_round_url(m, r, u)));
		free(key);
	}
	return o;
}

static json_t *
json_rounds(const struct model *m)
{
	json_t *rounds = json_array();
	size_t r;

	for (r = 0; r < model_nrounds(m); r++) {
		const struct model_round *rd = model_round(m, r);
		json_t *sum = json_summary(&rd->summary);

		json_t *j = json_pack("{s:I,s:I,s:I,s:f,s:I,s:o}",
			"requests", (json_int_t)rd->requests, "failed", (json_int_t)rd->failed,
			"total_requests", (json_int_t)rd->total_requests,
			"check_ms", (double)rd->check_ns / 1e6, "time_ms", (json_int_t)rd->wall_ms,
			"summary", sum);

		/* nginx reloads (SIGHUP) before this check; 0 for a burst round */
		json_object_set_new(j, "reloads", json_integer((json_int_t)rd->reloads));
		/* what the check asked for: every record, or what changed */
		json_object_set_new(j, "check", json_string(rd->delta ? "changed" : "any"));
		json_object_set_new(j, "total_reloads", json_integer((json_int_t)rd->total_reloads));
		if (model_nurls(m))
			json_object_set_new(j, "url_requests", json_url_requests(m, r));
		json_array_append_new(rounds, j);
	}
	return rounds;
}

static json_t *
json_frame(const struct model_frame *f)
{
	char ip[32];
	json_t *j;

	snprintf(ip, sizeof ip, "0x%" PRIx64, f->ip);
	j = json_pack("{s:s,s:o}", "ip", ip, "function", jstr(f->fn));
	json_object_set_new(j, "file", *f->file ? jstr(f->file) : json_null());
	json_object_set_new(j, "line", f->line ? json_integer(f->line) : json_null());
	json_object_set_new(j, "object", *f->obj ? jstr(f->obj) : json_null());
	json_object_set_new(j, "allocator", json_boolean(f->alloc));
	return j;
}

/* The URLs that drive a site, biggest bytes per request first. */
static json_t *
json_urls(const struct model *m, const struct model_site *s)
{
	json_t *urls = json_array();
	uint32_t i;

	for (i = 0; i < s->nurls; i++)
		json_array_append_new(urls, json_pack("{s:o,s:f}",
			"url", jstr(model_url(m, s->urls[i].url)),
			"bytes_per_request", s->urls[i].bytes_per_request));
	return urls;
}

static json_t *
json_pids(const struct model_site *s)
{
	json_t *a = json_array();
	uint32_t k;

	for (k = 0; k < s->nsources; k++)
		json_array_append_new(a, json_integer((json_int_t)s->sources[k]));
	return a;
}

/* sites[].held_by: the pool (or static) holding the site, when known. */
static json_t *
json_held_by(const struct model *m, const struct model_holder *h)
{
	const struct model_frame *f = h->created_at != UINT32_MAX ? model_frame(m, h->created_at) : NULL;
	json_t *j = json_pack("{s:s}", "pool", model_pool_name(h->pool));

	if (f)
		json_object_set_new(j, "created_at", json_pack("{s:o,s:o,s:o}", "function", jstr(f->fn),
			"file", *f->file ? jstr(f->file) : json_null(),
			"line", f->line ? json_integer(f->line) : json_null()));
	if (h->pool == MODEL_POOL_STATIC)
		json_object_set_new(j, "symbol", h->symbol ? jstr(h->symbol) : json_null());
	return j;
}

static json_t *
json_site(const struct model *m, size_t id)
{
	const struct model_site *s = model_site(m, id);
	const struct model_frame *at = model_site_frame(m, s, s->alloc_at);
	json_t *bytes = json_array(), *blocks = json_array(), *stack = json_array(), *j;
	size_t r, i;

	for (r = 0; r < model_nrounds(m); r++) {
		json_array_append_new(bytes, json_integer((json_int_t)model_site_bytes(m, id, r)));
		json_array_append_new(blocks, json_integer((json_int_t)model_site_blocks(m, id, r)));
	}
	for (i = 0; i < s->nframes; i++)
		json_array_append_new(stack, json_frame(model_site_frame(m, s, i)));
	j = json_pack("{s:s,s:o,s:o,s:o,s:o,s:o,s:f,s:s,s:I,s:I,s:b,s:o}",
		"kind", leak_kind_json(s->kind),
		"function", jstr(at ? at->fn : ""),
		"file", at && *at->file ? jstr(at->file) : json_null(),
		"line", at && at->line ? json_integer(at->line) : json_null(),
		"bytes", bytes, "blocks", blocks,
		"bytes_per_request", s->bytes_per_request,
		"growth", model_growth_name(s->growth),
		"direct_bytes", (json_int_t)s->direct, "indirect_bytes", (json_int_t)s->indirect,
		"core_only", s->core_only, "stack", stack);
	/* what each reload adds per process (0: it does not grow on reloads),
	 * and the processes (pids) that had it */
	json_object_set_new(j, "bytes_per_reload", json_real(s->bytes_per_reload));
	json_object_set_new(j, "pids", json_pids(s));
	json_object_set_new(j, "urls", json_urls(m, s));
	if (s->attrib == MODEL_ATTRIB_FEW_ROUNDS) {
		char note[160];

		if (model_attrib_note(m, note, sizeof note))
			json_object_set_new(j, "urls_note", jstr(note));
	}
	if (s->holder.searched && s->holder.pool != MODEL_POOL_UNKNOWN)
		json_object_set_new(j, "held_by", json_held_by(m, &s->holder));
	return j;
}

static json_t *
json_stack(const struct model *m, const uint32_t *ids, size_t n)
{
	json_t *stack = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(stack, json_frame(model_frame(m, ids[i])));
	return stack;
}

static json_t *
json_error(const struct model *m, const struct memerror *r)
{
	const struct model_frame *at = r->stacks[0].nframes ?
		model_frame(m, r->stacks[0].frames[r->at]) : NULL;
	json_t *aux = json_array(), *j;
	uint32_t k;

	for (k = 1; k < r->nstacks; k++)
		json_array_append_new(aux, json_pack("{s:o,s:o}", "note", jstr(r->stacks[k].note),
			"stack", json_stack(m, r->stacks[k].frames, r->stacks[k].nframes)));
	j = json_pack("{s:s,s:o,s:I,s:o,s:o,s:o,s:o,s:o,s:o}",
		"kind", r->kind_name, "what", jstr(r->what), "count", (json_int_t)r->count,
		"function", jstr(at ? at->fn : ""),
		"file", at && *at->file ? jstr(at->file) : json_null(),
		"line", at && at->line ? json_integer(at->line) : json_null(),
		"stack", json_stack(m, r->stacks[0].frames, r->stacks[0].nframes),
		"aux", aux, "remarks", jstr(r->remarks));
	json_object_set_new(j, "first_round", json_integer((json_int_t)r->first_round));
	return j;
}

/* Each site with its row's verdict by the gate (none given: --fail-on
 * growing): a budget is for the line, as the table shows it. */
static json_t *
json_sites(const struct model *m, const struct report_gate *gate)
{
	static const struct report_gate dflt = REPORT_GATE_INIT;
	json_t *sites = json_array();
	size_t n, nrows, i, k, *idx = report_order(m, true, &n);
	struct report_row *rows = report_rows(m, gate ? gate : &dflt, true, &nrows);
	enum report_verdict *v = xcalloc(model_nsites(m) + 1, sizeof *v);

	for (i = 0; i < nrows; i++)
		for (k = 0; k < rows[i].nsites; k++)
			v[rows[i].sites[k]] = rows[i].verdict;
	for (i = 0; i < n; i++) {
		json_t *j = json_site(m, idx[i]);

		json_object_set_new(j, "verdict", json_string(report_verdict_name(v[idx[i]])));
		json_array_append_new(sites, j);
	}
	report_rows_free(rows, nrows);
	free(v);
	free(idx);
	return sites;
}

static json_t *
json_budget(double v)
{
	return v < 0 ? json_null() : json_real(v);
}

/* What fails the run: --fail-on and the budgets (null: none). */
static json_t *
json_gate(const struct report_gate *g)
{
	static const char *const names[] = { "growing", "definite", "none", "error" };

	return json_pack("{s:s,s:o,s:o}", "fail_on", names[g->fail_on],
		"max_bytes_per_request", json_budget(g->max_per_request),
		"max_bytes_per_reload", json_budget(g->max_per_reload));
}

static json_t *
jcstr(const char *s)
{
	return s ? jstr(s) : json_null();
}

/* --break: each point, and the backtrace and locals of its first hit. */
static json_t *
json_breaks(const struct report_break *b, size_t n)
{
	json_t *all = json_array();
	size_t i, k;

	for (i = 0; i < n; i++) {
		json_t *bt = json_array(), *vars = json_array(), *j;

		for (k = 0; k < b[i].nframes; k++) {
			const struct gdbmi_frame *f = &b[i].frames[k];

			json_array_append_new(bt, json_pack("{s:I,s:o,s:o,s:o}", "level",
				(json_int_t)f->level, "function", jcstr(f->func), "file", jcstr(f->file),
				"line", f->line ? json_integer(f->line) : json_null()));
		}
		for (k = 0; k < b[i].nvars; k++) {
			const struct gdbmi_var *v = &b[i].vars[k];

			json_array_append_new(vars, json_pack("{s:o,s:o,s:o,s:b}", "name", jcstr(v->name),
				"type", jcstr(v->type), "value", jcstr(v->value), "argument", v->arg));
		}
		j = json_pack("{s:o,s:b}", "at", jcstr(b[i].at), "hit", b[i].hit);
		if (b[i].hit) {
			json_object_set_new(j, "round", json_integer(b[i].round));
			json_object_set_new(j, "why", jcstr(b[i].why));
			json_object_set_new(j, "backtrace", bt);
			json_object_set_new(j, "locals", vars);
		} else {
			json_decref(bt);
			json_decref(vars);
		}
		json_array_append_new(all, j);
	}
	return all;
}

/* nginx's processes: which rounds checked each (its own baseline first). */
static json_t *
json_processes(const struct report_process *p, size_t n)
{
	json_t *all = json_array();
	size_t i;

	for (i = 0; i < n; i++) {
		json_t *j = json_pack("{s:I,s:s,s:o,s:o,s:I}", "pid", (json_int_t)p[i].pid,
			"role", p[i].role,
			"first_round", p[i].first_round < 0 ? json_null() : json_integer(p[i].first_round),
			"last_round", p[i].last_round < 0 ? json_null() : json_integer(p[i].last_round),
			"generation", (json_int_t)p[i].generation);

		if (p[i].requests_known)
			json_object_set_new(j, "requests", json_integer((json_int_t)p[i].requests));
		if (p[i].end && *p[i].end)
			json_object_set_new(j, "end", jstr(p[i].end));
		json_array_append_new(all, j);
	}
	return all;
}

static json_t *
json_kinds(const struct report_kind *k, size_t n)
{
	json_t *all = json_array();
	size_t i;

	for (i = 0; i < n; i++) {
		json_t *j = json_pack("{s:o,s:o,s:o,s:I,s:o}", "name", jstr(k[i].name),
			"protocol", jstr(k[i].protocol), "target", jstr(k[i].target),
			"weight", (json_int_t)k[i].weight, "from", jstr(k[i].source));

		if (k[i].method)
			json_object_set_new(j, "method", jstr(k[i].method));
		json_array_append_new(all, j);
	}
	return all;
}

/* What the suppressions hid: the present sites our matching hid (and
 * their bytes), what valgrind's latest check counted as suppressed, and
 * the files. */
static json_t *
json_suppressed(const struct model *m, const struct report_meta *meta)
{
	struct model_suppressed ours;
	size_t n = model_nrounds(m), i;
	const struct leak_total *vg = n ? &model_round(m, n - 1)->summary.suppressed : NULL;
	json_t *files = json_array();

	model_suppressed(m, &ours);
	for (i = 0; i < meta->nsupp_files; i++)
		json_array_append_new(files, jstr(meta->supp_files[i]));
	return json_pack("{s:I,s:I,s:I,s:{s:I,s:I},s:o,s:b}", "sites", (json_int_t)ours.sites,
		"bytes", (json_int_t)ours.bytes, "blocks", (json_int_t)ours.blocks,
		"valgrind", "bytes", (json_int_t)(vg ? vg->bytes : 0),
		"blocks", (json_int_t)(vg ? vg->blocks : 0), "files", files,
		"default", meta->default_supp);
}

char *
report_json_render(const struct model *m, const struct report_meta *meta)
{
	json_t *root, *sites = json_sites(m, meta->gate);
	char *text;
	root = json_pack("{s:s,s:{s:o,s:o,s:b},s:I,s:o,s:o}",
		"ngx_leaktop", LT_VERSION,
		"nginx", "binary", jstr(meta->nginx), "version", jstr(meta->nginx_version),
		"debug_palloc", meta->debug_palloc,
		"baseline_round", (json_int_t)model_baseline(m),
		"rounds", json_rounds(m), "sites", sites);
	if (meta->end_reason)
		json_object_set_new(root, "end", jstr(meta->end_reason));
	if (meta->gate)
		json_object_set_new(root, "gate", json_gate(meta->gate));
	json_object_set_new(root, "suppressed", json_suppressed(m, meta));
	if (meta->owner_search) {
		json_t *per = json_array();
		size_t i;

		for (i = 0; meta->owner_per_round && i < meta->owner_rounds; i++)
			json_array_append_new(per, json_pack("{s:I,s:I,s:f}",
				"round", (json_int_t)meta->owner_per_round[i].round,
				"commands", (json_int_t)meta->owner_per_round[i].commands,
				"ms", meta->owner_per_round[i].ms));
		json_object_set_new(root, "owner_search", json_pack("{s:I,s:f,s:I,s:o}",
			"commands", (json_int_t)meta->owner_commands, "ms", meta->owner_ms,
			"rounds", (json_int_t)meta->owner_rounds, "per_round", per));
	}
	if (meta->nbreaks)
		json_object_set_new(root, "breaks", json_breaks(meta->breaks, meta->nbreaks));
	if (meta->protocol && *meta->protocol)
		json_object_set_new(root, "protocol", jstr(meta->protocol));
	if (meta->nkinds)
		json_object_set_new(root, "kinds", json_kinds(meta->kinds, meta->nkinds));
	if (meta->nprocesses)
		json_object_set_new(root, "processes", json_processes(meta->processes,
			meta->nprocesses));
	if (meta->errors) {
		json_t *errs = json_array();
		size_t i;

		for (i = 0; i < memerrors_count(meta->errors); i++)
			json_array_append_new(errs, json_error(m, memerrors_get(meta->errors, i)));
		json_object_set_new(root, "errors", errs);
	}
	if (meta->exit_model) {
		/* valgrind's own exit leak search: one round, apart from the live
		 * rounds (at exit nginx frees its pools, the picture changes). Its
		 * XML counts uses of each suppression, not the bytes: no
		 * "suppressed" rather than a false 0. */
		json_t *sum = json_summary(&model_round(meta->exit_model, 0)->summary);

		json_object_del(sum, "suppressed");
		json_object_set_new(root, "exit", json_pack("{s:o,s:o}", "summary", sum,
			"sites", json_sites(meta->exit_model, meta->gate)));
	}
	text = json_dumps(root, JSON_INDENT(1) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(9));
	json_decref(root);
	if (!text)
		text = xstrdup("{}");
	return text;
}

bool
report_json_write(const struct model *m, const struct report_meta *meta, const char *path,
	char *err, size_t errlen)
{
	char *text = report_json_render(m, meta);
	bool ok = report_file_write(path, "JSON report", text, err, errlen);

	free(text);
	return ok;
}

bool
report_json_check_path(const char *path, char *err, size_t errlen)
{
	return report_file_check_path(path, "--json", "JSON report", err, errlen);
}
