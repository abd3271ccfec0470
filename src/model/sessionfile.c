/* sessionfile.c - the session file: JSON lines, appended and fsync'd. */
#include "sessionfile.h"
#include "escape.h"
#include "leakcheck.h"
#include "model.h"
#include "sbuf.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define SESSIONFILE_MAX_LINE (256u << 20)

struct sessionfile {
	int fd;
	char *path;
	size_t frames_written;
	size_t sites_written;
	size_t rounds_written;
	size_t urls_written;
};

/* One line, written whole and synced: a reader sees all of it or a torn
 * tail it can skip, never a line half of one round and half another. */
static bool
append(struct sessionfile *j, json_t *obj, char *err, size_t errlen)
{
	char *text = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
	bool ok;

	json_decref(obj);
	if (!text) {
		snprintf(err, errlen, "cannot encode a session line");
		return false;
	}
	ok = util_write_all(j->fd, text, strlen(text)) && util_write_all(j->fd, "\n", 1) &&
		fsync(j->fd) == 0;
	free(text);
	if (!ok)
		snprintf(err, errlen, "cannot write the session file %s: %s", j->path, strerror(errno));
	return ok;
}

static json_t *
jstr(const char *s)
{
	/* jansson rejects invalid UTF-8: escape, as in the reports. */
	char *e = escape_dup(s, strlen(s), 0);
	json_t *v = json_string(e);

	free(e);
	return v ? v : json_string("");
}

struct sessionfile *
sessionfile_open(const char *path, const struct sessionfile_meta *meta, char *err, size_t errlen)
{
	struct sessionfile *j;
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0600);

	if (fd < 0) {
		snprintf(err, errlen, "cannot create the session file %.300s: %s%s", path,
			strerror(errno), errno == EEXIST ? " (a session file is never overwritten: "
			"name a new one)" : "");
		return NULL;
	}
	j = xcalloc(1, sizeof *j);
	j->fd = fd;
	j->path = xstrdup(path);
	if (!append(j, json_pack("{s:s,s:s,s:o,s:o,s:b,s:I}", "type", "session",
		"ngx_leaktop", LT_VERSION, "nginx", jstr(meta->nginx ? meta->nginx : ""),
		"version", jstr(meta->nginx_version ? meta->nginx_version : ""),
		"debug_palloc", meta->debug_palloc, "started_ms", (json_int_t)util_wall_ms()), err, errlen)) {
		sessionfile_close(j, NULL);
		unlink(path);
		return NULL;
	}
	return j;
}

static json_t *
new_frames(struct sessionfile *j, const struct model *m)
{
	json_t *a = json_array();
	size_t i, n = model_nframes(m);
	char ip[32];

	for (i = j->frames_written; i < n; i++) {
		const struct model_frame *f = model_frame(m, (uint32_t)i);

		snprintf(ip, sizeof ip, "0x%" PRIx64, f->ip);
		json_array_append_new(a, json_pack("[s,o,o,i,o]", ip, jstr(f->fn), jstr(f->file),
			(int)f->line, jstr(f->obj)));
	}
	return a;
}

static json_t *
new_sites(struct sessionfile *j, const struct model *m)
{
	json_t *a = json_array();
	size_t i, k, n = model_nsites(m);

	for (i = j->sites_written; i < n; i++) {
		const struct model_site *s = model_site(m, i);
		json_t *frames = json_array();

		for (k = 0; k < s->nframes; k++)
			json_array_append_new(frames, json_integer(s->frames[k]));
		json_array_append_new(a, json_pack("[s,o]", leak_kind_json(s->kind), frames));
	}
	return a;
}

static json_t *
round_values(const struct model *m, size_t r)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < model_nsites(m); i++) {
		uint64_t bytes = model_site_bytes(m, i, r), blocks = model_site_blocks(m, i, r);
		const struct model_site *s = model_site(m, i);

		if (!bytes && !blocks)
			continue;
		/* direct/indirect are kept for the latest round only. */
		json_array_append_new(a, json_pack("[I,I,I,I,I]", (json_int_t)i, (json_int_t)bytes,
			(json_int_t)blocks, (json_int_t)(s->indirect ? s->direct : bytes),
			(json_int_t)s->indirect));
	}
	return a;
}

/* The URLs first seen since the last line (ids follow on from the
 * previous ones), and the round's requests per URL as [id, n] pairs. */
static json_t *
new_urls(struct sessionfile *j, const struct model *m)
{
	json_t *a = json_array();
	size_t i;

	for (i = j->urls_written; i < model_nurls(m); i++)
		json_array_append_new(a, jstr(model_url(m, (uint32_t)i)));
	return a;
}

static json_t *
url_requests(const struct model *m, size_t r)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < model_nurls(m); i++) {
		uint64_t n = model_round_url(m, r, (uint32_t)i);

		if (n)
			json_array_append_new(a, json_pack("[I,I]", (json_int_t)i, (json_int_t)n));
	}
	return a;
}

static json_t *
summary_json(const struct leak_summary *sum)
{
	json_t *o = json_object();
	int k;

	for (k = 0; k < LEAK_KIND_COUNT; k++)
		json_object_set_new(o, leak_kind_json((enum leak_kind)k), json_pack("[I,I]",
			(json_int_t)sum->kind[k].bytes, (json_int_t)sum->kind[k].blocks));
	return o;
}

bool
sessionfile_round(struct sessionfile *j, const struct model *m, char *err, size_t errlen)
{
	size_t r = model_nrounds(m);
	const struct model_round *rd;
	json_t *line;

	if (!j || !r || r == j->rounds_written)
		return true;
	rd = model_round(m, r - 1);
	line = json_pack("{s:s,s:I,s:I,s:I,s:I,s:I,s:o,s:o,s:o,s:o}", "type", "round",
		"n", (json_int_t)(r - 1), "requests", (json_int_t)rd->requests,
		"failed", (json_int_t)rd->failed, "check_ns", (json_int_t)rd->check_ns,
		"time_ms", (json_int_t)rd->wall_ms, "summary", summary_json(&rd->summary),
		"frames", new_frames(j, m), "sites", new_sites(j, m), "values", round_values(m, r - 1));
	if (line) {
		json_object_set_new(line, "urls", new_urls(j, m));
		json_object_set_new(line, "url_requests", url_requests(m, r - 1));
	}
	if (!append(j, line, err, errlen))
		return false;
	j->urls_written = model_nurls(m);
	j->frames_written = model_nframes(m);
	j->sites_written = model_nsites(m);
	j->rounds_written = r;
	return true;
}

void
sessionfile_close(struct sessionfile *j, const char *reason)
{
	char err[256];

	if (!j)
		return;
	if (reason)
		append(j, json_pack("{s:s,s:o,s:I}", "type", "end", "reason", jstr(reason),
			"time_ms", (json_int_t)util_wall_ms()), err, sizeof err);
	close(j->fd);
	free(j->path);
	free(j);
}

const char *
sessionfile_path(const struct sessionfile *j)
{
	return j->path;
}

static bool
mkdir_p(char *path)
{
	char *p;

	for (p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0700) < 0 && errno != EEXIST) {
			*p = '/';
			return false;
		}
		*p = '/';
	}
	return mkdir(path, 0700) == 0 || errno == EEXIST;
}

char *
sessionfile_default_path(char *err, size_t errlen)
{
	const char *state = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	char *dir, stamp[32];
	time_t now = time(NULL);
	struct tm tm;

	if (state && *state == '/')
		dir = xasprintf("%s/ngx-leaktop/sessions", state);
	else if (home && *home == '/')
		dir = xasprintf("%s/.local/state/ngx-leaktop/sessions", home);
	else {
		snprintf(err, errlen, "no place for the session file: set HOME or XDG_STATE_HOME, "
			"or pass --session FILE or --no-session");
		return NULL;
	}
	if (!mkdir_p(dir)) {
		snprintf(err, errlen, "cannot create %s for the session file: %s (pass --session FILE "
			"or --no-session)",
			dir, strerror(errno));
		free(dir);
		return NULL;
	}
	localtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
	{
		char *path = xasprintf("%s/%s-%ld.jsonl", dir, stamp, (long)getpid());

		free(dir);
		return path;
	}
}

/* ---- reading a session file back ---- */

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

static bool
jl_value(struct jl_state *st, json_t *v)
{
	json_int_t id = json_integer_value(json_array_get(v, 0));
	struct leakcheck_record rec;
	const struct jl_site *js;
	size_t k;

	if (!json_is_array(v) || id < 0 || (size_t)id >= st->nsites)
		return false;
	js = &st->sites[id];
	xgrow((void **)&st->scratch, &st->capscratch, js->n + 1, sizeof *st->scratch);
	for (k = 0; k < js->n; k++) {
		const struct jl_frame *f = &st->frames[js->frames[k]];

		st->scratch[k] = (struct leakcheck_frame){ .ip = f->ip, .line = f->line,
			.fn = { f->fn, strlen(f->fn) }, .file = { f->file, strlen(f->file) },
			.obj = { f->obj, strlen(f->obj) } };
	}
	memset(&rec, 0, sizeof rec);
	rec.kind = (enum leak_kind)js->kind;
	rec.bytes = (uint64_t)json_integer_value(json_array_get(v, 1));
	rec.blocks = (uint64_t)json_integer_value(json_array_get(v, 2));
	rec.direct = (uint64_t)json_integer_value(json_array_get(v, 3));
	rec.indirect = (uint64_t)json_integer_value(json_array_get(v, 4));
	rec.nframes = js->n;
	rec.frames = st->scratch;
	model_round_add(st->m, &rec);
	return true;
}

static bool
jl_round(struct jl_state *st, json_t *line)
{
	struct leak_summary sum;
	json_t *values = json_object_get(line, "values"), *v, *t;
	size_t i;
	int k;

	if (!jl_frames(st, json_object_get(line, "frames")) ||
		!jl_sites(st, json_object_get(line, "sites")) || !json_is_array(values) ||
		!jl_urls(st, json_object_get(line, "urls")))
		return false;
	model_round_begin(st->m, (uint64_t)json_integer_value(json_object_get(line, "requests")),
		(uint64_t)json_integer_value(json_object_get(line, "failed")));
	if (!jl_url_requests(st, json_object_get(line, "url_requests"))) {
		model_round_abort(st->m);
		return false;
	}
	json_array_foreach(values, i, v) {
		if (!jl_value(st, v)) {
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
