/* sessionfile_load.c - reading a session file back: every round replayed
 * into a model (frames, sites, values, per-URL requests), the holders the
 * owner search found, a torn last line skipped. */
#include "sessionfile.h"
#include "sessionfile_int.h"
#include "leakcheck.h"
#include "model.h"
#include "util.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct jl_frame {
	uint64_t ip;
	char *fn, *file, *obj;
	unsigned line;
};

struct jl_site {
	int kind;
	size_t n;
	uint32_t *frames;	/* sessionfile frame ids */
};

struct jl_state {
	struct model *m;
	struct jl_frame *frames;
	size_t nframes, capframes;
	struct jl_site *sites;
	size_t nsites, capsites;
	struct leakcheck_frame *scratch;
	size_t capscratch;
	uint32_t *urls;		/* session file URL id -> model URL id */
	size_t nurls, capurls;
	uint32_t *pids;		/* scratch for one value's pids */
	size_t cappids;
	char **nginx;
};

static void
jl_free(struct jl_state *st)
{
	size_t i;

	for (i = 0; i < st->nframes; i++) {
		free(st->frames[i].fn);
		free(st->frames[i].file);
		free(st->frames[i].obj);
	}
	for (i = 0; i < st->nsites; i++)
		free(st->sites[i].frames);
	free(st->frames);
	free(st->sites);
	free(st->scratch);
	free(st->urls);
	free(st->pids);
}

/* A round's new URLs (before model_round_begin); absent in older files. */
static bool
jl_urls(struct jl_state *st, json_t *arr)
{
	size_t i;
	json_t *u;

	if (!arr)
		return true;
	if (!json_is_array(arr))
		return false;
	json_array_foreach(arr, i, u) {
		if (!json_is_string(u))
			return false;
		xgrow((void **)&st->urls, &st->capurls, st->nurls + 1, sizeof *st->urls);
		st->urls[st->nurls++] = model_url_intern(st->m, json_string_value(u));
	}
	return true;
}

/* A round's [id, n] pairs, inside the round. */
static bool
jl_url_requests(struct jl_state *st, json_t *arr)
{
	size_t i;
	json_t *p;

	if (!arr)
		return true;
	if (!json_is_array(arr))
		return false;
	json_array_foreach(arr, i, p) {
		json_int_t id = json_integer_value(json_array_get(p, 0));
		json_int_t n = json_integer_value(json_array_get(p, 1));

		if (!json_is_array(p) || !json_is_integer(json_array_get(p, 0)) ||
			!json_is_integer(json_array_get(p, 1)) || id < 0 || (size_t)id >= st->nurls || n < 0)
			return false;
		model_round_url_requests(st->m, st->urls[id], (uint64_t)n);
	}
	return true;
}

static char *
jl_string(json_t *v)
{
	return xstrdup(json_is_string(v) ? json_string_value(v) : "");
}

static bool
jl_frames(struct jl_state *st, json_t *arr)
{
	size_t i;
	json_t *f;

	json_array_foreach(arr, i, f) {
		struct jl_frame *jf;

		if (!json_is_array(f) || json_array_size(f) != 5)
			return false;
		xgrow((void **)&st->frames, &st->capframes, st->nframes + 1, sizeof *st->frames);
		jf = &st->frames[st->nframes++];
		jf->ip = strtoull(json_string_value(json_array_get(f, 0)) ?
			json_string_value(json_array_get(f, 0)) : "0", NULL, 16);
		jf->fn = jl_string(json_array_get(f, 1));
		jf->file = jl_string(json_array_get(f, 2));
		jf->line = (unsigned)json_integer_value(json_array_get(f, 3));
		jf->obj = jl_string(json_array_get(f, 4));
	}
	return true;
}

static bool
jl_sites(struct jl_state *st, json_t *arr)
{
	size_t i, k;
	json_t *s, *id;

	json_array_foreach(arr, i, s) {
		struct jl_site *js;
		json_t *frames = json_array_get(s, 1);

		if (!json_is_array(frames) || leak_kind_from_name(json_string_value(json_array_get(s, 0)) ?
			json_string_value(json_array_get(s, 0)) : "") < 0)
			return false;
		xgrow((void **)&st->sites, &st->capsites, st->nsites + 1, sizeof *st->sites);
		js = &st->sites[st->nsites++];
		js->kind = leak_kind_from_name(json_string_value(json_array_get(s, 0)));
		js->n = json_array_size(frames);
		js->frames = xmalloc((js->n ? js->n : 1) * sizeof *js->frames);
		json_array_foreach(frames, k, id) {
			json_int_t v = json_integer_value(id);

			if (v < 0 || (size_t)v >= st->nframes)
				return false;
			js->frames[k] = (uint32_t)v;
		}
	}
	return true;
}

static struct leakcheck_frame
jl_leakframe(const struct jl_frame *f)
{
	return (struct leakcheck_frame){ .ip = f->ip, .line = f->line,
		.fn = { f->fn, strlen(f->fn) }, .file = { f->file, strlen(f->file) },
		.obj = { f->obj, strlen(f->obj) } };
}

/* A value's pids (its 6th member, absent in older files and for a site
 * no process was named for): integers a pid can be. */
static bool
jl_pids_ok(json_t *pids)
{
	size_t k;
	json_t *p;

	if (!pids)
		return true;
	if (!json_is_array(pids))
		return false;
	json_array_foreach(pids, k, p)
		if (!json_is_integer(p) || json_integer_value(p) < 0 ||
			json_integer_value(p) >= (json_int_t)MODEL_NO_SOURCE)
			return false;
	return true;
}

/* The record once per pid that had it: the first with its numbers, the
 * others with none (the model sums a key; each adds its pid). */
static void
jl_add_sourced(struct jl_state *st, struct leakcheck_record *rec, json_t *pids)
{
	size_t k, n = pids ? json_array_size(pids) : 0;

	if (!n) {
		model_round_source(st->m, MODEL_NO_SOURCE);
		model_round_add(st->m, rec);
		return;
	}
	for (k = 0; k < n; k++) {
		model_round_source(st->m, (uint32_t)json_integer_value(json_array_get(pids, k)));
		model_round_add(st->m, rec);
		rec->bytes = rec->blocks = rec->direct = rec->indirect = 0;
	}
}

/* A carried round's value: the site has these numbers now, held by
 * these pids (model_round_put), whatever it had before. */
static void
jl_put(struct jl_state *st, const struct leakcheck_record *rec, json_t *pids)
{
	size_t k, n = pids ? json_array_size(pids) : 0;

	xgrow((void **)&st->pids, &st->cappids, n + 1, sizeof *st->pids);
	for (k = 0; k < n; k++)
		st->pids[k] = (uint32_t)json_integer_value(json_array_get(pids, k));
	model_round_put(st->m, rec, st->pids, n);
}

static bool
jl_value(struct jl_state *st, json_t *v, bool carry)
{
	json_int_t id = json_integer_value(json_array_get(v, 0));
	struct leakcheck_record rec;
	const struct jl_site *js;
	size_t k;

	if (!json_is_array(v) || !json_is_integer(json_array_get(v, 0)) || id < 0 ||
		(size_t)id >= st->nsites || !jl_pids_ok(json_array_get(v, 5)))
		return false;
	js = &st->sites[id];
	xgrow((void **)&st->scratch, &st->capscratch, js->n + 1, sizeof *st->scratch);
	for (k = 0; k < js->n; k++)
		st->scratch[k] = jl_leakframe(&st->frames[js->frames[k]]);
	memset(&rec, 0, sizeof rec);
	rec.kind = (enum leak_kind)js->kind;
	rec.bytes = (uint64_t)json_integer_value(json_array_get(v, 1));
	rec.blocks = (uint64_t)json_integer_value(json_array_get(v, 2));
	rec.direct = (uint64_t)json_integer_value(json_array_get(v, 3));
	rec.indirect = (uint64_t)json_integer_value(json_array_get(v, 4));
	rec.nframes = js->n;
	rec.frames = st->scratch;
	if (carry)
		jl_put(st, &rec, json_array_get(v, 5));
	else
		jl_add_sourced(st, &rec, json_array_get(v, 5));
	return true;
}

/* A round's reloads (inside the round); absent in older files. */
static bool
jl_reloads(struct jl_state *st, json_t *n)
{
	if (!n)
		return true;
	if (!json_is_integer(n) || json_integer_value(n) < 0 || json_integer_value(n) > UINT32_MAX)
		return false;
	model_round_reloads(st->m, (unsigned)json_integer_value(n));
	return true;
}

static bool
jl_round(struct jl_state *st, json_t *line)
{
	struct leak_summary sum;
	json_t *values = json_object_get(line, "values"), *v, *t;
	json_t *carry = json_object_get(line, "carry");
	size_t i;
	int k;

	if (!jl_frames(st, json_object_get(line, "frames")) ||
		!jl_sites(st, json_object_get(line, "sites")) || !json_is_array(values) ||
		!jl_urls(st, json_object_get(line, "urls")) || (carry && !json_is_boolean(carry)))
		return false;
	model_round_begin(st->m, (uint64_t)json_integer_value(json_object_get(line, "requests")),
		(uint64_t)json_integer_value(json_object_get(line, "failed")));
	if (!jl_url_requests(st, json_object_get(line, "url_requests")) ||
		!jl_reloads(st, json_object_get(line, "reloads"))) {
		model_round_abort(st->m);
		return false;
	}
	/* A carrying round lists what changed; older files list every site
	 * present each round, so a round without the flag is whole. With no
	 * site yet there is nothing to carry. */
	if (json_is_true(carry) && model_nsites(st->m))
		model_round_carry(st->m);
	if (json_is_string(json_object_get(line, "check")) &&
		!strcmp(json_string_value(json_object_get(line, "check")), "changed"))
		model_round_mark_delta(st->m);
	json_array_foreach(values, i, v) {
		if (!jl_value(st, v, json_is_true(carry))) {
			model_round_abort(st->m);
			return false;
		}
	}
	memset(&sum, 0, sizeof sum);
	sum.seen = 1;
	for (k = 0; k < LEAK_KIND_COUNT; k++) {
		t = json_object_get(json_object_get(line, "summary"), leak_kind_json((enum leak_kind)k));
		sum.kind[k].bytes = (uint64_t)json_integer_value(json_array_get(t, 0));
		sum.kind[k].blocks = (uint64_t)json_integer_value(json_array_get(t, 1));
	}
	model_round_end(st->m, &sum, json_integer_value(json_object_get(line, "check_ns")));
	return true;
}

/* One holder: [site, pool name, created_at frame or -1, symbol or null]. */
static bool
jl_holder(struct jl_state *st, json_t *h)
{
	json_t *site = json_array_get(h, 0), *at = json_array_get(h, 2), *sym = json_array_get(h, 3);
	const char *pool = json_string_value(json_array_get(h, 1));
	struct model_holder mh = { .created_at = UINT32_MAX };
	struct leakcheck_frame lf;
	int p;

	if (!json_is_array(h) || !json_is_integer(site) || json_integer_value(site) < 0 || !pool ||
		!json_is_integer(at) || json_integer_value(at) < -1 ||
		json_integer_value(at) >= (json_int_t)st->nframes)
		return false;
	for (p = MODEL_POOL_UNKNOWN; p <= MODEL_POOL_OTHER; p++)
		if (!strcmp(model_pool_name((enum model_pool)p), pool))
			break;
	if (p > MODEL_POOL_OTHER)
		return false;
	mh.pool = (enum model_pool)p;
	if (json_integer_value(at) >= 0) {
		lf = jl_leakframe(&st->frames[json_integer_value(at)]);
		mh.created_at = model_frame_intern(st->m, &lf);
	}
	mh.symbol = json_is_string(sym) ? json_string_value(sym) : NULL;
	/* a site id past the model's (a file edited by hand) is ignored */
	model_site_set_holder(st->m, (size_t)json_integer_value(site), &mh);
	return true;
}

static bool
jl_holders(struct jl_state *st, json_t *line)
{
	json_t *a = json_object_get(line, "holders"), *h;
	size_t i;

	if (!json_is_array(json_object_get(line, "frames")) ||
		!jl_frames(st, json_object_get(line, "frames")) || !json_is_array(a))
		return false;
	json_array_foreach(a, i, h)
		if (!jl_holder(st, h))
			return false;
	return true;
}

/* A JSON report (--json) is the file most often given instead. */
#define NOT_A_SESSION "not an ngx-leaktop session file: --load takes a session file " \
	"(sessions/DATE-PID.jsonl) or valgrind's XML, not a --json report"

static bool
jl_line(struct jl_state *st, json_t *line, unsigned lineno, char *err, size_t errlen)
{
	const char *type = json_string_value(json_object_get(line, "type"));

	if (lineno == 1 && (!type || strcmp(type, "session"))) {
		snprintf(err, errlen, NOT_A_SESSION " (the first line is not a session header)");
		return false;
	}
	if (!type) {
		snprintf(err, errlen, "line %u: not a session line (no \"type\")", lineno);
		return false;
	}
	if (!strcmp(type, "session")) {
		free(*st->nginx);
		*st->nginx = jl_string(json_object_get(line, "nginx"));
		return true;
	}
	if (!strcmp(type, "round") && !jl_round(st, line)) {
		snprintf(err, errlen, "line %u: malformed round", lineno);
		return false;
	}
	if (!strcmp(type, "holders") && !jl_holders(st, line)) {
		snprintf(err, errlen, "line %u: malformed holders", lineno);
		return false;
	}
	return true;	/* "end" and unknown future types */
}

bool
sessionfile_load(const char *path, struct model *m, char **nginx, bool *torn, char *err, size_t errlen)
{
	struct jl_state st = { .m = m, .nginx = nginx };
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t cap = 0;
	ssize_t n;
	unsigned lineno = 0;
	bool ok = true;

	*torn = false;
	*nginx = NULL;
	if (!f) {
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return false;
	}
	while (ok && (n = getline(&buf, &cap, f)) > 0) {
		json_error_t jerr;
		json_t *line;

		lineno++;
		if ((size_t)n > SESSIONFILE_MAX_LINE) {
			snprintf(err, errlen, "line %u: longer than %u bytes", lineno, SESSIONFILE_MAX_LINE);
			ok = false;
			break;
		}
		line = json_loadb(buf, (size_t)n, 0, &jerr);
		if (!line) {
			/* A torn last line is what a crash mid-write leaves: skip it. */
			if (buf[n - 1] != '\n' && lineno > 1) {
				*torn = true;
				break;
			}
			if (lineno == 1)
				snprintf(err, errlen, NOT_A_SESSION " (line 1: %s)", jerr.text);
			else
				snprintf(err, errlen, "line %u: %s", lineno, jerr.text);
			ok = false;
			break;
		}
		ok = jl_line(&st, line, lineno, err, errlen);
		json_decref(line);
	}
	if (ok && !lineno) {
		snprintf(err, errlen, "%s is empty", path);
		ok = false;
	}
	free(buf);
	fclose(f);
	jl_free(&st);
	return ok;
}
