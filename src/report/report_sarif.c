/* report_sarif.c - SARIF 2.1.0 for code scanning (GitHub shows each
 * result on the pull request's diff at the allocation site).
 *
 * One run: a rule per leak kind and per memcheck error kind that occurs;
 * a result per row that fails the gate (a diff: per NEW or WORSE row
 * that fails) and per memcheck error context (level "error" under
 * --fail-on error, else "warning": they are always shown, they fail the
 * run only then). Locations: the allocation site, relative to the source
 * root (uriBaseId SRCROOT) when under it; codeFlows: the stacks, root
 * first (SARIF's execution order); partialFingerprints: a hash of the
 * row key (kind, functions of the module's frames: no address, no line),
 * so a result keeps its identity across runs and rebuilds. Every string
 * from valgrind is escaped; paths go out percent-encoded. */
#include "report.h"
#include "report_ci.h"
#include "escape.h"
#include "memerrors.h"
#include "model.h"
#include "sbuf.h"
#include "util.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define SARIF_SCHEMA "https://json.schemastore.org/sarif-2.1.0.json"
#define SARIF_MAX_FLOWS 5	/* code flows (call paths) of one row */
#define SARIF_FP_KEY "ngxLeaktopSite/v1"

#define jstr report_json_str

static json_t *
jtext(const char *text)
{
	return json_pack("{s:o}", "text", jstr(text));
}

/* ---- rules ---- */

static const struct sarif_leak_rule {
	const char *name, *brief, *full, *help;
} leak_rules[LEAK_KIND_COUNT] = {
	[LEAK_DEFINITE] = { "DefinitelyLost", "Memory definitely lost",
		"Blocks no pointer points to any more: allocated and never freed (memcheck: "
		"definitely lost). Under NGX_DEBUG_PALLOC every pool allocation is a block of its "
		"own, so this is a raw allocation (ngx_alloc, malloc) never freed, or a pool never "
		"destroyed.",
		"Free the block (ngx_free) on every path, or allocate it from the request's pool "
		"(r->pool) so nginx frees it with the request; a pool made with ngx_create_pool "
		"needs ngx_destroy_pool (or a cleanup handler on a pool that is destroyed)." },
	[LEAK_INDIRECT] = { "IndirectlyLost", "Memory lost through a lost block",
		"Blocks only a lost block points to (memcheck: indirectly lost): the members of a "
		"structure, or the allocations of a pool, that leaked with it.",
		"Fix the definitely lost block that holds them (the result of the same stack's "
		"definite kind); free the members before the structure, or destroy the pool." },
	[LEAK_POSSIBLE] = { "PossiblyLost", "Memory possibly lost",
		"Blocks only a pointer into their middle points to (memcheck: possibly lost).",
		"Check whether the code keeps a pointer into the middle of the block only; free the "
		"block where it is no longer needed." },
	[LEAK_REACHABLE] = { "StillReachableGrowing", "Memory still reachable, growing",
		"Blocks still pointed to that grow with the requests (memcheck: still reachable): "
		"the classic nginx leak, a per-request allocation from a long-lived pool "
		"(ngx_cycle->pool, a keepalive connection's pool) or a list never trimmed.",
		"Allocate per-request data from r->pool, not from ngx_cycle->pool or c->pool; bound "
		"what a cache keeps. The result says which pool holds the blocks when it is known." },
};

static const struct sarif_err_rule {
	const char *kind, *brief, *help;
} err_rules[] = {
	{ "InvalidRead", "Invalid read", "A read outside any block or of freed memory: check the "
		"bounds and the lifetime of the buffer (a pool freed before its last use)." },
	{ "InvalidWrite", "Invalid write", "A write outside any block or into freed memory: check "
		"the size allocated and the lifetime of the buffer." },
	{ "InvalidFree", "Invalid free", "A free of memory that is not a block's start, or a "
		"double free: free each block once, with the allocator that made it." },
	{ "MismatchedFree", "Mismatched free", "A block freed by another family than the one "
		"that allocated it (malloc/free, new/delete)." },
	{ "UninitCondition", "Conditional jump on uninitialised value", "A branch depends on "
		"memory never written: initialise it (ngx_pcalloc, ngx_memzero)." },
	{ "UninitValue", "Use of uninitialised value", "A value never written is used: "
		"initialise it (ngx_pcalloc, ngx_memzero)." },
	{ "SyscallParam", "Bad system call parameter", "A system call reads memory that is "
		"unaddressable or never written: check the buffer passed." },
	{ "Overlap", "Overlapping source and destination", "memcpy and friends on overlapping "
		"blocks: use memmove (ngx_memmove)." },
	{ "InvalidJump", "Jump to an invalid address", "A call through a bad function pointer "
		"(a handler in freed memory, a corrupted table)." },
	{ "ClientCheck", "Client check failed", "A VALGRIND_CHECK_MEM_* request in the program "
		"failed." },
	{ "InvalidMemPool", "Invalid memory pool", "A mempool client request named no pool." },
	{ "FishyValue", "Fishy argument value", "An allocation size that looks negative: check "
		"the arithmetic of the size." },
	{ "CoreMemError", "Core memory error", "Memory valgrind's core found bad." },
};

static const struct sarif_err_rule *
err_rule(const char *kind)
{
	size_t i;

	for (i = 0; i < LT_ARRAY_SIZE(err_rules); i++)
		if (!strcmp(err_rules[i].kind, kind))
			return &err_rules[i];
	return NULL;
}

static json_t *
rule(const char *id, const char *name, const char *brief, const char *full, const char *help,
	const char *level, const char *tag)
{
	return json_pack("{s:o,s:o,s:o,s:o,s:o,s:{s:s},s:{s:[s,s]}}",
		"id", jstr(id), "name", jstr(name), "shortDescription", jtext(brief),
		"fullDescription", jtext(full), "help", jtext(help),
		"defaultConfiguration", "level", level, "properties", "tags", "memory", tag);
}

/* The rules: the four leak kinds, then each memcheck kind in the order
 * first seen; *err_ids gets the memcheck kinds' rule ids. */
static json_t *
rules(const struct report_set *s, char ***err_ids, size_t *nerr)
{
	json_t *all = json_array();
	size_t i, k, n = s->errs ? memerrors_count(s->errs) : 0;

	for (i = 0; i < LEAK_KIND_COUNT; i++) {
		char *id = xasprintf("leak/%s", leak_kind_short((enum leak_kind)i));

		json_array_append_new(all, rule(id, leak_rules[i].name, leak_rules[i].brief,
			leak_rules[i].full, leak_rules[i].help, "error", "leak"));
		free(id);
	}
	*err_ids = xcalloc(n + 1, sizeof **err_ids);
	*nerr = 0;
	for (i = 0; i < n; i++) {
		const char *kind = memerrors_get(s->errs, i)->kind_name;
		char *ek = escape_dup(kind, strlen(kind), 0), *id = xasprintf("memcheck/%s", ek);
		const struct sarif_err_rule *r = err_rule(kind);
		char *full;

		free(ek);
		for (k = 0; k < *nerr && strcmp((*err_ids)[k], id); k++)
			;
		if (k < *nerr) {
			free(id);
			continue;
		}
		(*err_ids)[(*nerr)++] = id;
		full = xasprintf("memcheck reported %s: %s.", id + 9, r ? r->brief : "an error");
		json_array_append_new(all, rule(id, id + 9, r ? r->brief : id, full,
			r ? r->help : "See the memcheck manual for this kind of error.",
			s->gate->fail_on == FAIL_ON_ERROR ? "error" : "warning", "memcheck"));
		free(full);
	}
	return all;
}

/* ---- locations ---- */

/* A frame as a SARIF location: its file (relative to SRCROOT when under
 * it, else file://) and line, and the function as a logical location. */
static json_t *
location(const struct report_set *s, const struct model_frame *f)
{
	json_t *loc = json_object();

	if (*f->file) {
		bool under;
		char *path = report_ci_path(s, f->file, &under), *uri = report_ci_uri_path(path);
		char *abs = under ? NULL : xasprintf("file://%s", uri);
		json_t *art = json_pack("{s:s}", "uri", abs ? abs : uri);
		json_t *phys = json_object();

		if (under)
			json_object_set_new(art, "uriBaseId", json_string("SRCROOT"));
		json_object_set_new(phys, "artifactLocation", art);
		if (f->line)
			json_object_set_new(phys, "region", json_pack("{s:i}", "startLine", (int)f->line));
		json_object_set_new(loc, "physicalLocation", phys);
		free(path);
		free(uri);
		free(abs);
	}
	if (*f->fn)
		json_object_set_new(loc, "logicalLocations", json_pack("[{s:o,s:s}]",
			"name", jstr(f->fn), "kind", "function"));
	return loc;
}

/* One code flow: the frames root first, each with its function. */
static json_t *
code_flow(const struct report_set *s, const uint32_t *frames, size_t n, const char *what)
{
	json_t *locs = json_array();
	size_t i;

	for (i = n; i-- > 0;) {
		const struct model_frame *f = model_frame(s->m, frames[i]);
		json_t *loc = location(s, f);

		json_object_set_new(loc, "message", jtext(*f->fn ? f->fn : "???"));
		json_array_append_new(locs, json_pack("{s:o,s:i}", "location", loc,
			"nestingLevel", (int)(n - 1 - i)));
	}
	return json_pack("{s:o,s:[{s:o}]}", "message", jtext(what), "threadFlows",
		"locations", locs);
}

/* ---- results ---- */

/* codeFlows when there is one (the schema wants at least one). */
static void
set_flows(json_t *res, json_t *flows)
{
	if (json_array_size(flows))
		json_object_set_new(res, "codeFlows", flows);
	else
		json_decref(flows);
}

static json_t *
leak_result(const struct report_set *s, const struct report_ci_item *it)
{
	const struct report_row *r = it->row;
	const struct model_site *site = model_site(s->m, r->site);
	char *text = report_ci_row_text(s, it), *id = xasprintf("leak/%s", leak_kind_short(r->g.kind));
	json_t *flows = json_array(), *props, *res;
	size_t i;

	for (i = 0; i < r->nsites && i < SARIF_MAX_FLOWS; i++) {
		const struct model_site *p = model_site(s->m, r->sites[i]);
		char *what = xasprintf("call path %zu of %zu (%llu bytes now)", i + 1, r->nsites,
			(unsigned long long)p->bytes);

		if (p->nframes)
			json_array_append_new(flows, code_flow(s, p->frames, p->nframes, what));
		free(what);
	}
	props = json_pack("{s:s,s:s,s:f,s:f,s:I,s:I,s:I}",
		"kind", leak_kind_json(r->g.kind), "growth", model_growth_name(r->g.growth),
		"bytes_per_request", r->g.bytes_per_request, "bytes_per_reload", r->g.bytes_per_reload,
		"bytes", (json_int_t)r->g.bytes, "blocks", (json_int_t)r->g.blocks,
		"call_paths", (json_int_t)r->nsites);
	if (it->d) {
		json_object_set_new(props, "change", json_string(report_change_name(it->d->change)));
		if (it->d->old)
			json_object_set_new(props, "old_bytes_per_request",
				json_real(it->d->old->g.bytes_per_request));
	}
	res = json_pack("{s:o,s:i,s:s,s:o,s:[o],s:{s:s},s:o}", "ruleId", jstr(id),
		"ruleIndex", (int)r->g.kind, "level", "error", "message", jtext(text),
		"locations", site->nframes ? location(s, model_site_frame(s->m, site, site->alloc_at)) :
		json_object(), "partialFingerprints", SARIF_FP_KEY, it->fingerprint,
		"properties", props);
	set_flows(res, flows);
	free(text);
	free(id);
	return res;
}

/* An error's identity: its kind and the functions of its first 8 frames
 * from where it happened (no address, no line). */
static void
error_fingerprint(const struct report_set *s, const struct memerror *e, char out[24])
{
	const struct memerror_stack *st = &e->stacks[0];
	struct sbuf b = SBUF_INIT;
	char *key;
	size_t i;

	sbuf_printf(&b, "%s|", e->kind_name);
	for (i = e->at; i < st->nframes && i < e->at + 8u; i++)
		sbuf_printf(&b, "%s%s", i > e->at ? "<" : "", model_frame(s->m, st->frames[i])->fn);
	key = sbuf_detach(&b);
	report_ci_hash(key, out);
	free(key);
}

static json_t *
error_result(const struct report_set *s, const struct memerror *e, char **err_ids, size_t nerr)
{
	const struct memerror_stack *st = e->nstacks ? &e->stacks[0] : NULL;
	char *ek = escape_dup(e->kind_name, strlen(e->kind_name), 0);
	char *id = xasprintf("memcheck/%s", ek), *what = escape_dup(e->what, strlen(e->what), 0);
	char *text = xasprintf("%s (%llu times)%s%s", what, (unsigned long long)e->count,
		*e->remarks ? "; " : "", e->remarks), fp[24];
	json_t *flows = json_array(), *res;
	size_t k;
	uint32_t i;

	for (k = 0; k < nerr && strcmp(err_ids[k], id); k++)
		;
	for (i = 0; i < e->nstacks && i < SARIF_MAX_FLOWS; i++)
		if (e->stacks[i].nframes)
			json_array_append_new(flows, code_flow(s, e->stacks[i].frames, e->stacks[i].nframes,
				*e->stacks[i].note ? e->stacks[i].note : "where it happened"));
	if (st && st->nframes)
		error_fingerprint(s, e, fp);
	else
		report_ci_hash(id, fp);
	res = json_pack("{s:s,s:i,s:s,s:o,s:[o],s:{s:s},s:{s:s,s:I}}", "ruleId", id,
		"ruleIndex", (int)(LEAK_KIND_COUNT + k),
		"level", s->gate->fail_on == FAIL_ON_ERROR ? "error" : "warning",
		"message", jtext(text), "locations", st && e->at < st->nframes ?
		location(s, model_frame(s->m, st->frames[e->at])) : json_object(),
		"partialFingerprints", SARIF_FP_KEY, fp,
		"properties", "kind", id + 9, "count", (json_int_t)e->count);
	set_flows(res, flows);
	free(ek);
	free(id);
	free(what);
	free(text);
	return res;
}

char *
report_sarif_render(const struct report_set *s)
{
	char **err_ids, *root = report_ci_root(s), *root_uri = report_ci_uri_path(root), *text;
	size_t i, n, nerr;
	struct report_ci_item *items = report_ci_items(s, true, &n);
	json_t *results = json_array(), *run, *doc;
	json_t *rl = rules(s, &err_ids, &nerr);

	for (i = 0; i < n; i++)
		json_array_append_new(results, leak_result(s, &items[i]));
	for (i = 0; !s->diff && s->errs && i < memerrors_count(s->errs); i++)
		json_array_append_new(results, error_result(s, memerrors_get(s->errs, i), err_ids, nerr));
	run = json_pack("{s:{s:{s:s,s:s,s:o}},s:{s:{s:s+}},s:o,s:s}",
		"tool", "driver", "name", "ngx-leaktop", "version", LT_VERSION,
		"rules", rl,
		"originalUriBaseIds", "SRCROOT", "uri", "file://", root_uri,
		"results", results, "columnKind", "unicodeCodePoints");
	doc = json_pack("{s:s,s:s,s:[o]}", "$schema", SARIF_SCHEMA, "version", "2.1.0", "runs", run);
	text = json_dumps(doc, JSON_INDENT(1) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(9));
	json_decref(doc);
	for (i = 0; i < nerr; i++)
		free(err_ids[i]);
	free(err_ids);
	free(items);
	free(root);
	free(root_uri);
	return text ? text : xstrdup("{}");
}
