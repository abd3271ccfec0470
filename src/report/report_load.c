/* report_load.c - a recorded run into a model: a session file (.jsonl)
 * or a JSON report (--json), told apart by their content.
 *
 * A JSON report holds every round (requests, per-URL requests, reloads,
 * summary) and every site's bytes and blocks per round, so replaying it
 * round by round through the model's API gives the verdicts of the run:
 * the same growth, bytes per request and per reload. What it does not
 * hold: a site's direct/indirect split before the latest round (taken as
 * all direct) and which process held it in which round (every pid listed
 * for each round the site is present in). Reports without some fields
 * (older versions; converted from valgrind's XML: one round, no
 * url_requests) load with what they have. */
#include "report.h"
#include "escape.h"
#include "leakcheck.h"
#include "model.h"
#include "sbuf.h"
#include "sessionfile.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define NEITHER "not a session file or an ngx-leaktop JSON report"

/* One site of the report, checked, with its frames ready for records. */
struct rl_site {
	enum leak_kind kind;
	json_t *bytes, *blocks, *pids;
	uint64_t direct, indirect;	/* latest round */
	struct leakcheck_frame *frames;
	size_t nframes;
};

static const char *
rl_str(json_t *v)
{
	return json_is_string(v) ? json_string_value(v) : "";
}

static struct lt_slice
rl_span(const char *s)
{
	return (struct lt_slice){ s, strlen(s) };
}

/* A count: a non-negative integer (a real from another writer is taken
 * when whole). */
static bool
rl_count(json_t *v, uint64_t *out)
{
	if (json_is_integer(v) && json_integer_value(v) >= 0) {
		*out = (uint64_t)json_integer_value(v);
		return true;
	}
	if (json_is_real(v) && json_real_value(v) >= 0 && json_real_value(v) < 1.8e19) {
		*out = (uint64_t)json_real_value(v);
		return true;
	}
	return false;
}

static bool
rl_site(json_t *js, size_t nrounds, struct rl_site *s, char *why, size_t whylen)
{
	json_t *stack = json_object_get(js, "stack"), *f;
	int kind = leak_kind_from_name(rl_str(json_object_get(js, "kind")));
	size_t i;

	s->bytes = json_object_get(js, "bytes");
	s->blocks = json_object_get(js, "blocks");
	s->pids = json_object_get(js, "pids");
	if (kind < 0 || !json_is_array(stack) || !json_is_array(s->bytes) ||
		json_array_size(s->bytes) != nrounds ||
		(s->blocks && (!json_is_array(s->blocks) || json_array_size(s->blocks) != nrounds)) ||
		(s->pids && !json_is_array(s->pids))) {
		snprintf(why, whylen, "needs kind, stack and bytes (and blocks) for each of the %zu rounds",
			nrounds);
		return false;
	}
	s->kind = (enum leak_kind)kind;
	s->nframes = json_array_size(stack);
	if (!s->nframes || s->nframes > LEAKCHECK_MAX_FRAMES) {
		snprintf(why, whylen, "has %s frames (valgrind gives 1 to %d)",
			s->nframes ? "too many" : "no", LEAKCHECK_MAX_FRAMES);
		return false;
	}
	s->frames = xcalloc(s->nframes + 1, sizeof *s->frames);
	json_array_foreach(stack, i, f) {
		json_t *line = json_object_get(f, "line");

		if (!json_is_object(f) || (line && !json_is_null(line) && !json_is_integer(line))) {
			snprintf(why, whylen, "frame %zu is not {function, file, line, object, ip}", i);
			return false;
		}
		s->frames[i].ip = strtoull(rl_str(json_object_get(f, "ip")), NULL, 16);
		s->frames[i].fn = rl_span(rl_str(json_object_get(f, "function")));
		s->frames[i].file = rl_span(rl_str(json_object_get(f, "file")));
		s->frames[i].obj = rl_span(rl_str(json_object_get(f, "object")));
		s->frames[i].line = json_is_integer(line) && json_integer_value(line) > 0 &&
			json_integer_value(line) <= UINT32_MAX ? (unsigned)json_integer_value(line) : 0;
	}
	for (i = 0; i < nrounds; i++) {
		uint64_t v;

		if (!rl_count(json_array_get(s->bytes, i), &v) ||
			(s->blocks && !rl_count(json_array_get(s->blocks, i), &v))) {
			snprintf(why, whylen, "round %zu: bytes and blocks must be counts", i);
			return false;
		}
	}
	if (!rl_count(json_object_get(js, "direct_bytes"), &s->direct))
		s->direct = UINT64_MAX;		/* not given: all direct */
	if (!rl_count(json_object_get(js, "indirect_bytes"), &s->indirect))
		s->indirect = 0;
	return true;
}

/* Functions the run counted as allocators (--alloc-fn included), so the
 * replay puts each site's allocation frame where the run did. Before
 * any record. */
static void
rl_alloc_fns(struct model *m, const struct rl_site *sites, json_t *jsites)
{
	size_t i, k;

	for (i = 0; i < json_array_size(jsites); i++) {
		json_t *stack = json_object_get(json_array_get(jsites, i), "stack");

		for (k = 0; k < sites[i].nframes; k++) {
			const char *fn = rl_str(json_object_get(json_array_get(stack, k), "function"));

			if (json_is_true(json_object_get(json_array_get(stack, k), "allocator")) && *fn &&
				fn[strlen(fn) - 1] != '*')
				model_add_alloc_fn(m, fn);
		}
	}
}

/* One site's record in round r, from every pid that had it. */
static void
rl_put(struct model *m, const struct rl_site *s, size_t r, bool last)
{
	struct leakcheck_record rec;
	size_t k, npids = s->pids ? json_array_size(s->pids) : 0;

	memset(&rec, 0, sizeof rec);
	rec.kind = s->kind;
	rl_count(json_array_get(s->bytes, r), &rec.bytes);
	if (s->blocks)
		rl_count(json_array_get(s->blocks, r), &rec.blocks);
	if (!rec.bytes && !rec.blocks)
		return;
	rec.direct = rec.bytes;
	if (last && s->direct != UINT64_MAX && s->direct + s->indirect == rec.bytes) {
		rec.direct = s->direct;
		rec.indirect = s->indirect;
	}
	rec.nframes = s->nframes;
	rec.frames = s->frames;
	if (!npids) {
		model_round_source(m, MODEL_NO_SOURCE);
		model_round_add(m, &rec);
		return;
	}
	/* the first pid with the numbers, the others with none (the model
	 * sums a site's records and keeps who had it) */
	for (k = 0; k < npids; k++) {
		json_t *p = json_array_get(s->pids, k);

		model_round_source(m, json_is_integer(p) && json_integer_value(p) >= 0 &&
			json_integer_value(p) < (json_int_t)MODEL_NO_SOURCE ?
			(uint32_t)json_integer_value(p) : MODEL_NO_SOURCE);
		model_round_add(m, &rec);
		rec.bytes = rec.blocks = rec.direct = rec.indirect = 0;
	}
}

static void
rl_summary(json_t *js, struct leak_summary *sum)
{
	int k;

	memset(sum, 0, sizeof *sum);
	sum->seen = 1;
	for (k = 0; k < LEAK_KIND_COUNT; k++) {
		json_t *t = json_object_get(js, leak_kind_json((enum leak_kind)k));

		rl_count(json_object_get(t, "bytes"), &sum->kind[k].bytes);
		rl_count(json_object_get(t, "blocks"), &sum->kind[k].blocks);
	}
	rl_count(json_object_get(json_object_get(js, "suppressed"), "bytes"), &sum->suppressed.bytes);
	rl_count(json_object_get(json_object_get(js, "suppressed"), "blocks"),
		&sum->suppressed.blocks);
}

static void
rl_round(struct model *m, json_t *jr, const struct rl_site *sites, size_t nsites, size_t r,
	bool last)
{
	uint64_t requests = 0, failed = 0, reloads = 0, n;
	json_t *urls = json_object_get(jr, "url_requests"), *v;
	struct leak_summary sum;
	const char *url;
	size_t i;

	rl_count(json_object_get(jr, "requests"), &requests);
	rl_count(json_object_get(jr, "failed"), &failed);
	model_round_begin(m, requests, failed);
	json_object_foreach(urls, url, v) {
		uint32_t id = model_url_intern(m, url);

		if (rl_count(v, &n) && n)
			model_round_url_requests(m, id, n);
	}
	if (rl_count(json_object_get(jr, "reloads"), &reloads) && reloads && reloads < UINT32_MAX)
		model_round_reloads(m, (unsigned)reloads);
	if (!strcmp(rl_str(json_object_get(jr, "check")), "changed"))
		model_round_mark_delta(m);
	for (i = 0; i < nsites; i++)
		rl_put(m, &sites[i], r, last);
	rl_summary(json_object_get(jr, "summary"), &sum);
	v = json_object_get(jr, "check_ms");
	model_round_end(m, &sum, json_is_number(v) ? (int64_t)(json_number_value(v) * 1e6) : 0);
}

/* The holders the owner search found (sites[].held_by). */
static void
rl_holders(struct model *m, json_t *jsites, const struct rl_site *sites, size_t nsites)
{
	size_t i;

	for (i = 0; i < nsites; i++) {
		json_t *h = json_object_get(json_array_get(jsites, i), "held_by"), *at;
		struct model_holder mh = { .created_at = UINT32_MAX, .searched = true };
		const char *pool = rl_str(json_object_get(h, "pool"));
		size_t id;
		int p;

		if (!json_is_object(h))
			continue;
		for (p = MODEL_POOL_UNKNOWN; p <= MODEL_POOL_OTHER; p++)
			if (!strcmp(model_pool_name((enum model_pool)p), pool))
				break;
		if (p > MODEL_POOL_OTHER)
			continue;
		mh.pool = (enum model_pool)p;
		at = json_object_get(h, "created_at");
		if (json_is_object(at)) {
			struct leakcheck_frame lf = { .fn = rl_span(rl_str(json_object_get(at, "function"))),
				.file = rl_span(rl_str(json_object_get(at, "file"))), .obj = rl_span("") };

			lf.line = json_is_integer(json_object_get(at, "line")) ?
				(unsigned)json_integer_value(json_object_get(at, "line")) : 0;
			mh.created_at = model_frame_intern(m, &lf);
		}
		if (json_is_string(json_object_get(h, "symbol")))
			mh.symbol = json_string_value(json_object_get(h, "symbol"));
		/* the site the replay made of it: same kind and stack */
		for (id = 0; id < model_nsites(m); id++) {
			const struct model_site *s = model_site(m, id);
			size_t k;

			if (s->kind != sites[i].kind || s->nframes != sites[i].nframes)
				continue;
			for (k = 0; k < s->nframes; k++) {
				const struct model_frame *f = model_site_frame(m, s, k);

				const struct lt_slice *fn = &sites[i].frames[k].fn;

				if (f->ip != sites[i].frames[k].ip || strlen(f->fn) != fn->n ||
					memcmp(f->fn, fn->p, fn->n))
					break;
			}
			if (k == s->nframes) {
				model_site_set_holder(m, id, &mh);
				break;
			}
		}
	}
}

/* The master outlives reloads: what the engine told the model. */
static void
rl_lasting(struct model *m, json_t *procs)
{
	size_t i;
	json_t *p;

	json_array_foreach(procs, i, p)
		if (!strcmp(rl_str(json_object_get(p, "role")), "master") &&
			json_is_integer(json_object_get(p, "pid")) && json_integer_value(json_object_get(p, "pid")) >= 0)
			model_set_lasting_source(m, (uint32_t)json_integer_value(json_object_get(p, "pid")));
}

static bool
rl_replay(json_t *root, struct model *m, const char *path, char *err, size_t errlen)
{
	json_t *rounds = json_object_get(root, "rounds"), *jsites = json_object_get(root, "sites");
	size_t nrounds, nsites, i;
	struct rl_site *sites;
	char why[200];
	bool ok = true;
	uint64_t base;

	if (!json_is_array(rounds) || !json_is_array(jsites) || !json_array_size(rounds)) {
		snprintf(err, errlen, "%s: an ngx-leaktop JSON report without rounds and sites: "
			"write it again with --load SESSION --batch --json", path);
		return false;
	}
	nrounds = json_array_size(rounds);
	nsites = json_array_size(jsites);
	sites = xcalloc(nsites + 1, sizeof *sites);
	for (i = 0; ok && i < nsites; i++) {
		ok = rl_site(json_array_get(jsites, i), nrounds, &sites[i], why, sizeof why);
		if (!ok)
			snprintf(err, errlen, "%s: sites[%zu] %s", path, i, why);
	}
	for (i = 0; ok && i < nrounds; i++)
		if (!json_is_object(json_array_get(rounds, i))) {
			snprintf(err, errlen, "%s: rounds[%zu] is not an object", path, i);
			ok = false;
		}
	if (ok) {
		rl_alloc_fns(m, sites, jsites);
		rl_lasting(m, json_object_get(root, "processes"));
		for (i = 0; i < nrounds; i++)
			rl_round(m, json_array_get(rounds, i), sites, nsites, i, i + 1 == nrounds);
		rl_holders(m, jsites, sites, nsites);
		if (rl_count(json_object_get(root, "baseline_round"), &base) && base && base < nrounds)
			model_set_baseline(m, (size_t)base);
	}
	for (i = 0; i < nsites; i++)
		free(sites[i].frames);
	free(sites);
	return ok;
}

/* The whole file (a pipe too: --diff old.json <(zcat new.json.gz)), in
 * b; *regular says whether it can be opened again by path. */
static bool
rl_read(const char *path, struct sbuf *b, bool *regular, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;

	if (fd < 0) {
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return false;
	}
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s is a directory: give a session file or a JSON report", path);
		close(fd);
		return false;
	}
	*regular = S_ISREG(st.st_mode);
	sbuf_read_fd(b, fd);	/* blocking: to the end, or an error in errno */
	if (errno) {
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		close(fd);
		return false;
	}
	close(fd);
	return true;
}

/* jansson quotes the bytes near an error and a path is anyone's: the
 * line goes to a terminal escaped. */
static bool
rl_failed(char *err, size_t errlen)
{
	char *e = escape_dup(err, strlen(err), 0);

	snprintf(err, errlen, "%s", e);
	free(e);
	return false;
}

static bool rl_load(const char *path, struct model *m, char **nginx, bool *torn, char *err,
	size_t errlen);

bool
report_load(const char *path, struct model *m, char **nginx, bool *torn, char *err,
	size_t errlen)
{
	bool dummy;

	return rl_load(path, m, nginx, torn ? torn : &dummy, err, errlen) ||
		rl_failed(err, errlen);
}

static bool
rl_load(const char *path, struct model *m, char **nginx, bool *torn, char *err, size_t errlen)
{
	struct sbuf b = SBUF_INIT;
	json_error_t jerr;
	json_t *first, *root = NULL;
	bool regular, ok = false;
	size_t skip = 0;

	*nginx = NULL;
	*torn = false;
	if (!rl_read(path, &b, &regular, err, errlen))
		goto out;
	while (skip < b.len && strchr(" \t\r\n", b.data[skip]))
		skip++;
	if (skip == b.len || b.data[skip] != '{') {
		snprintf(err, errlen, "%s: %s%s", path, NEITHER, skip == b.len ? " (it is empty)" : "");
		goto out;
	}
	/* the first JSON value: a session header, or a whole report */
	first = json_loadb(b.data, b.len, JSON_DISABLE_EOF_CHECK, &jerr);
	if (first && !strcmp(rl_str(json_object_get(first, "type")), "session")) {
		json_decref(first);
		if (!regular) {
			snprintf(err, errlen, "%s: a session file is read from its path, not a pipe", path);
			goto out;
		}
		ok = sessionfile_load(path, m, nginx, torn, err, errlen);
		if (!ok) {
			char msg[512];

			snprintf(msg, sizeof msg, "%s", err);
			snprintf(err, errlen, "%s: %s", path, msg);
		}
		goto out;
	}
	if (first && !json_is_string(json_object_get(first, "ngx_leaktop"))) {
		json_decref(first);
		snprintf(err, errlen, "%s: %s (a JSON file from another tool?)", path, NEITHER);
		goto out;
	}
	json_decref(first);
	/* a report is one value: anything after it is damage */
	root = first ? json_loadb(b.data, b.len, 0, &jerr) : NULL;
	if (!root) {
		snprintf(err, errlen, "%s: broken JSON at line %d, column %d: %s", path, jerr.line,
			jerr.column, jerr.text);
		goto out;
	}
	ok = rl_replay(root, m, path, err, errlen);
	*nginx = xstrdup(rl_str(json_object_get(json_object_get(root, "nginx"), "binary")));
	json_decref(root);
out:
	sbuf_free(&b);
	return ok;
}
