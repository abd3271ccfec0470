/* sessionfile.c - the session file: JSON lines, appended and fsync'd. */
#include "sessionfile.h"
#include "sessionfile_int.h"
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

struct sessionfile {
	int fd;
	char *path;
	size_t frames_written;
	size_t sites_written;
	size_t rounds_written;
	size_t urls_written;
	bool *holder_written;	/* per site */
	size_t cap_holder_written;
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

/* The sources (pids) that had site i in the latest round, in the order
 * the model first saw them; NULL for none. */
static json_t *
pids_now(const struct model *m, size_t i)
{
	const struct model_site *s = model_site(m, i);
	json_t *a = NULL;
	uint32_t k;

	for (k = 0; k < s->nsources; k++) {
		if (!model_site_source_now(m, i, k))
			continue;
		if (!a)
			a = json_array();
		json_array_append_new(a, json_integer((json_int_t)s->sources[k]));
	}
	return a;
}

/* [site, bytes, blocks, direct, indirect] and, when processes were named,
 * the pids that had it: --load gives the same sources. */
static json_t *
site_value(const struct model *m, size_t i, size_t r)
{
	json_t *v = json_pack("[I,I,I,I,I]", (json_int_t)i, (json_int_t)model_site_bytes(m, i, r),
		(json_int_t)model_site_blocks(m, i, r), (json_int_t)model_site_direct(m, i, r),
		(json_int_t)model_site_indirect(m, i, r)), *pids;

	if ((pids = pids_now(m, i)))
		json_array_append_new(v, pids);
	return v;
}

/* A full round: every site present in round r. */
static json_t *
round_values(const struct model *m, size_t r)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < model_nsites(m); i++)
		if (model_site_bytes(m, i, r) || model_site_blocks(m, i, r))
			json_array_append_new(a, site_value(m, i, r));
	return a;
}

/* A carrying round: the sites whose values or sources changed since the
 * round before (one that fell to 0 at 0), and every site new since the
 * last line even if it did not (a reader numbers sites in the order their
 * values come: a new site left out would shift the ids of later ones).
 * Both lists ascend; merged, each site once. */
static json_t *
changed_values(const struct sessionfile *j, const struct model *m, size_t r)
{
	json_t *a = json_array();
	const uint32_t *ids;
	size_t n = model_changed(m, &ids), k = 0, fresh = j->sites_written, i;

	while (k < n || fresh < model_nsites(m)) {
		if (fresh < model_nsites(m) && (k == n || fresh <= ids[k])) {
			i = fresh++;
			k += k < n && ids[k] == i;
		} else
			i = ids[k++];
		json_array_append_new(a, site_value(m, i, r));
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
	bool carry;

	if (!j || !r || r == j->rounds_written)
		return true;
	rd = model_round(m, r - 1);
	/* Only what changed when the line before holds the round before; a
	 * round lost to a failed write leaves a gap that only a full line
	 * closes. */
	carry = j->rounds_written + 1 == r;
	line = json_pack("{s:s,s:I,s:I,s:I,s:I,s:I,s:o,s:o,s:o,s:o}", "type", "round",
		"n", (json_int_t)(r - 1), "requests", (json_int_t)rd->requests,
		"failed", (json_int_t)rd->failed, "check_ns", (json_int_t)rd->check_ns,
		"time_ms", (json_int_t)rd->wall_ms, "summary", summary_json(&rd->summary),
		"frames", new_frames(j, m), "sites", new_sites(j, m),
		"values", carry ? changed_values(j, m, r - 1) : round_values(m, r - 1));
	if (line) {
		if (carry)
			json_object_set_new(line, "carry", json_true());
		/* what the check asked for: every record, or what changed */
		json_object_set_new(line, "check", json_string(rd->delta ? "changed" : "any"));
		json_object_set_new(line, "reloads", json_integer((json_int_t)rd->reloads));
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

static json_t *
holder_json(const struct model_site *s, size_t id)
{
	const struct model_holder *h = &s->holder;

	return json_pack("[I,s,I,o]", (json_int_t)id, model_pool_name(h->pool),
		h->created_at == UINT32_MAX ? (json_int_t)-1 : (json_int_t)h->created_at,
		h->symbol ? jstr(h->symbol) : json_null());
}

bool
sessionfile_holders(struct sessionfile *j, const struct model *m, char *err, size_t errlen)
{
	json_t *a;
	size_t i, old;

	if (!j)
		return true;
	old = j->cap_holder_written;
	xgrow((void **)&j->holder_written, &j->cap_holder_written, j->sites_written + 1, sizeof(bool));
	memset(j->holder_written + old, 0, (j->cap_holder_written - old) * sizeof(bool));
	a = json_array();
	for (i = 0; i < j->sites_written; i++) {
		const struct model_site *s = model_site(m, i);

		if (!s->holder.searched || j->holder_written[i])
			continue;
		json_array_append_new(a, holder_json(s, i));
		j->holder_written[i] = true;
	}
	if (!json_array_size(a)) {
		json_decref(a);
		return true;
	}
	if (!append(j, json_pack("{s:s,s:o,s:o}", "type", "holders", "frames", new_frames(j, m),
		"holders", a), err, errlen))
		return false;
	j->frames_written = model_nframes(m);
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
	free(j->holder_written);
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
