/* report_diff.c - two runs side by side: which leaks a change added,
 * fixed, worsened or bettered.
 *
 * Rows (report_rows, the gate given) are matched by report_row_key: kind,
 * allocation function and file, the module's function names up to its
 * entry point, no line numbers, so an edit above the leak keeps the match.
 * Rows of equal key (two leaks in one function) pair the k-th with the
 * k-th, by line. A row leaks when it grows or fails the gate. Then:
 *   new        leaks in NEW; in OLD absent or not leaking
 *   fixed      leaks in OLD; in NEW absent or not leaking
 *   worse      leaks in both, grows more per request or per reload in NEW
 *   better     leaks in both, grows less
 *   unchanged  leaks in both within the tolerance, or in neither
 * "More" is beyond the tolerance: 10% of OLD's figure and at least 1 byte.
 * A row in one run only that does not leak there (a cache, a lazy init)
 * is no row of the diff: nothing appeared or went away that leaks. */
#include "report.h"
#include "escape.h"
#include "model.h"
#include "util.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define DIFF_TOLERANCE 0.10	/* of OLD's bytes per request (or reload) */
#define DIFF_MIN_BYTES 1.0

struct diff_side {
	const struct model *m;
	struct report_row *rows;
	size_t n;
	char **keys;
	size_t *rank;		/* among the rows of its key, by line */
	bool *used;
	char *path, *nginx;
};

struct report_diff {
	struct diff_side old, new;
	struct report_diff_row *rows;
	size_t n;
	size_t counts[REPORT_SAME + 1];
};

static unsigned
row_line(const struct model *m, const struct report_row *r)
{
	const struct model_frame *f = model_frame(m, r->g.at);

	return f ? f->line : 0;
}

static bool
row_leaks(const struct report_row *r)
{
	return r && (r->g.growth == GROWTH_GROWING || r->verdict == REPORT_FAIL);
}

/* -1 less, 0 within the tolerance, 1 more */
static int
rate_cmp(double old, double new)
{
	double tol = (old < 0 ? -old : old) * DIFF_TOLERANCE;

	if (tol < DIFF_MIN_BYTES)
		tol = DIFF_MIN_BYTES;

	return new > old + tol ? 1 : new < old - tol ? -1 : 0;
}

static enum report_change
judge(const struct report_row *o, const struct report_row *n)
{
	int req, rel;

	if (row_leaks(n) && !row_leaks(o))
		return REPORT_NEW;
	if (row_leaks(o) && !row_leaks(n))
		return REPORT_FIXED;
	if (!row_leaks(o))
		return REPORT_SAME;
	req = rate_cmp(o->g.bytes_per_request, n->g.bytes_per_request);
	rel = rate_cmp(o->g.bytes_per_reload, n->g.bytes_per_reload);
	if (req > 0 || rel > 0)
		return REPORT_WORSE;
	return req < 0 || rel < 0 ? REPORT_BETTER : REPORT_SAME;
}

/* The rank of row i among the rows of its key, by line (then order). */
static size_t
key_rank(const struct diff_side *s, size_t i)
{
	size_t k, rank = 0;
	unsigned li = row_line(s->m, &s->rows[i]);

	for (k = 0; k < s->n; k++) {
		unsigned lk;

		if (k == i || strcmp(s->keys[k], s->keys[i]))
			continue;
		lk = row_line(s->m, &s->rows[k]);
		if (lk < li || (lk == li && k < i))
			rank++;
	}
	return rank;
}

static void
side_init(struct diff_side *s, const struct model *m, const struct report_gate *g)
{
	size_t i;

	s->m = m;
	s->rows = report_rows(m, g, false, &s->n);
	s->keys = xcalloc(s->n + 1, sizeof *s->keys);
	s->used = xcalloc(s->n + 1, sizeof *s->used);
	s->rank = xcalloc(s->n + 1, sizeof *s->rank);
	for (i = 0; i < s->n; i++)
		s->keys[i] = report_row_key(m, &s->rows[i]);
	for (i = 0; i < s->n; i++)
		s->rank[i] = key_rank(s, i);
}

static void
side_free(struct diff_side *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->keys[i]);
	free(s->keys);
	free(s->rank);
	free(s->used);
	free(s->path);
	free(s->nginx);
	report_rows_free(s->rows, s->n);
}

/* The row of s with key and rank, not yet matched; SIZE_MAX if none. */
static size_t
find_match(const struct diff_side *s, const char *key, size_t rank)
{
	size_t k;

	for (k = 0; k < s->n; k++)
		if (!s->used[k] && s->rank[k] == rank && !strcmp(s->keys[k], key))
			return k;
	return SIZE_MAX;
}

static void
add_row(struct report_diff *d, const struct report_row *o, const struct report_row *n)
{
	enum report_change c = judge(o, n);

	/* present in one run only and leaking in neither: not a change */
	if ((!o || !n) && c == REPORT_SAME)
		return;
	d->rows = xrealloc(d->rows, (d->n + 1) * sizeof *d->rows);
	d->rows[d->n++] = (struct report_diff_row){ .change = c, .old = o, .new = n };
	d->counts[c]++;
}

static int
change_rank(enum report_change c)
{
	static const int rank[] = { [REPORT_NEW] = 0, [REPORT_WORSE] = 1, [REPORT_FIXED] = 2,
		[REPORT_BETTER] = 3, [REPORT_SAME] = 4 };

	return rank[c];
}

struct report_diff *
report_diff_new(const struct model *old, const struct model *new, const struct report_gate *g)
{
	struct report_diff *d = xcalloc(1, sizeof *d);
	size_t i, j, k;

	side_init(&d->old, old, g);
	side_init(&d->new, new, g);
	for (i = 0; i < d->new.n; i++) {
		k = find_match(&d->old, d->new.keys[i], d->new.rank[i]);
		if (k != SIZE_MAX)
			d->old.used[k] = true;
		add_row(d, k != SIZE_MAX ? &d->old.rows[k] : NULL, &d->new.rows[i]);
	}
	for (k = 0; k < d->old.n; k++)
		if (!d->old.used[k])
			add_row(d, &d->old.rows[k], NULL);
	/* new, worse, fixed, better, unchanged; each in its run's display
	 * order (insertion sort: stable, and diffs are small) */
	for (i = 1; i < d->n; i++) {
		struct report_diff_row r = d->rows[i];

		for (j = i; j > 0 && change_rank(d->rows[j - 1].change) > change_rank(r.change); j--)
			d->rows[j] = d->rows[j - 1];
		d->rows[j] = r;
	}
	return d;
}

void
report_diff_set_names(struct report_diff *d, const char *old_path, const char *old_nginx,
	const char *new_path, const char *new_nginx)
{
	free(d->old.path);
	free(d->old.nginx);
	free(d->new.path);
	free(d->new.nginx);
	d->old.path = old_path ? xstrdup(old_path) : NULL;
	d->old.nginx = old_nginx ? xstrdup(old_nginx) : NULL;
	d->new.path = new_path ? xstrdup(new_path) : NULL;
	d->new.nginx = new_nginx ? xstrdup(new_nginx) : NULL;
}

void
report_diff_free(struct report_diff *d)
{
	if (!d)
		return;
	side_free(&d->old);
	side_free(&d->new);
	free(d->rows);
	free(d);
}

size_t
report_diff_nrows(const struct report_diff *d)
{
	return d->n;
}

const struct report_diff_row *
report_diff_row(const struct report_diff *d, size_t i)
{
	return i < d->n ? &d->rows[i] : NULL;
}

const struct report_diff_row *
report_diff_find(const struct report_diff *d, enum leak_kind kind, uint32_t at)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		if (d->rows[i].new && d->rows[i].new->g.kind == kind && d->rows[i].new->g.at == at)
			return &d->rows[i];
	return NULL;
}

const struct model *
report_diff_model(const struct report_diff *d, bool new)
{
	return new ? d->new.m : d->old.m;
}

size_t
report_diff_count(const struct report_diff *d, enum report_change c)
{
	return (size_t)c <= REPORT_SAME ? d->counts[c] : 0;
}

bool
report_diff_fails(const struct report_diff *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		if ((d->rows[i].change == REPORT_NEW || d->rows[i].change == REPORT_WORSE) &&
			d->rows[i].new && d->rows[i].new->verdict == REPORT_FAIL)
			return true;
	return false;
}

/* The side a row is shown by: NEW's, OLD's for a row gone. */
static const struct report_row *
shown_row(const struct report_diff *d, const struct report_diff_row *r, const struct model **m)
{
	*m = r->new ? d->new.m : d->old.m;
	return r->new ? r->new : r->old;
}

/* "9.5 -> 41.7", "- -> 34.9" */
static void
print_rates(FILE *out, const struct report_diff_row *r, bool reload)
{
	char o[32] = "-", n[32] = "-", both[80];

	if (r->old)
		snprintf(o, sizeof o, "%.1f", reload ? r->old->g.bytes_per_reload :
			r->old->g.bytes_per_request);
	if (r->new)
		snprintf(n, sizeof n, "%.1f", reload ? r->new->g.bytes_per_reload :
			r->new->g.bytes_per_request);
	snprintf(both, sizeof both, "%s -> %s", o, n);
	fprintf(out, "%19s ", both);
}

void
report_diff_print(FILE *out, const struct report_diff *d)
{
	bool reloads = false;
	size_t i;

	for (i = 0; i < d->n; i++) {
		const struct report_diff_row *r = &d->rows[i];

		reloads |= (r->old && r->old->g.bytes_per_reload > 0) ||
			(r->new && r->new->g.bytes_per_reload > 0);
	}
	fprintf(out, "%-9s %-9s %-28s %-28s %19s ", "CHANGE", "KIND", "SITE", "FUNCTION",
		"B/REQ OLD -> NEW");
	if (reloads)
		fprintf(out, "%19s ", "B/RELOAD OLD -> NEW");
	fprintf(out, "VERDICT\n");
	for (i = 0; i < d->n; i++) {
		const struct report_diff_row *r = &d->rows[i];
		const struct model *m;
		const struct report_row *row = shown_row(d, r, &m);
		const struct model_frame *at = model_frame(m, row->g.at);
		const char *fn = at && *at->fn ? at->fn : "???";
		char *loc = report_site_location(m, model_site(m, row->site));
		char *efn = escape_dup(fn, strlen(fn), 0);

		fprintf(out, "%-9s %-9s ", report_change_name(r->change), leak_kind_short(row->g.kind));
		report_put_clipped(out, loc, 28);
		fputc(' ', out);
		report_put_clipped(out, efn, 28);
		fputc(' ', out);
		print_rates(out, r, false);
		if (reloads)
			print_rates(out, r, true);
		fprintf(out, "%s\n", r->new ? report_verdict_name(r->new->verdict) : "gone");
		free(loc);
		free(efn);
	}
	fprintf(out, "%zu new, %zu fixed, %zu worse, %zu better, %zu unchanged\n",
		d->counts[REPORT_NEW], d->counts[REPORT_FIXED], d->counts[REPORT_WORSE],
		d->counts[REPORT_BETTER], d->counts[REPORT_SAME]);
}

#define jstr report_json_str

static json_t *
jside_run(const struct diff_side *s)
{
	return json_pack("{s:o,s:o}", "path", s->path ? jstr(s->path) : json_null(),
		"nginx", s->nginx ? jstr(s->nginx) : json_null());
}

/* One run's side of a row: its figures, its line (it may have moved). */
static json_t *
jside_row(const struct model *m, const struct report_row *r)
{
	const struct model_frame *at;

	if (!r)
		return json_null();
	at = model_frame(m, r->g.at);
	return json_pack("{s:f,s:f,s:s,s:I,s:o,s:s,s:I}",
		"bytes_per_request", r->g.bytes_per_request, "bytes_per_reload", r->g.bytes_per_reload,
		"growth", model_growth_name(r->g.growth), "bytes", (json_int_t)r->g.bytes,
		"line", at && at->line ? json_integer(at->line) : json_null(),
		"verdict", report_verdict_name(r->verdict), "sites", (json_int_t)r->nsites);
}

char *
report_diff_json(const struct report_diff *d)
{
	json_t *rows = json_array(), *counts = json_object(), *root;
	char *text;
	size_t i;
	int c;

	for (i = 0; i < d->n; i++) {
		const struct report_diff_row *r = &d->rows[i];
		const struct model *m;
		const struct report_row *row = shown_row(d, r, &m);
		const struct model_frame *at = model_frame(m, row->g.at);
		char *key = report_row_key(m, row);

		json_array_append_new(rows, json_pack("{s:s,s:s,s:o,s:o,s:o,s:o,s:o,s:o}",
			"change", report_change_name(r->change), "kind", leak_kind_json(row->g.kind),
			"file", at && *at->file ? jstr(at->file) : json_null(),
			"line", at && at->line ? json_integer(at->line) : json_null(),
			"function", jstr(at ? at->fn : ""), "key", jstr(key),
			"old", jside_row(d->old.m, r->old), "new", jside_row(d->new.m, r->new)));
		free(key);
	}
	for (c = REPORT_NEW; c <= REPORT_SAME; c++)
		json_object_set_new(counts, report_change_name((enum report_change)c),
			json_integer((json_int_t)d->counts[c]));
	root = json_pack("{s:s,s:o,s:o,s:{s:f,s:f},s:o,s:o,s:b}", "ngx_leaktop_diff", LT_VERSION,
		"old", jside_run(&d->old), "new", jside_run(&d->new),
		"tolerance", "ratio", DIFF_TOLERANCE, "min_bytes", DIFF_MIN_BYTES,
		"rows", rows, "counts", counts, "fails", report_diff_fails(d));
	text = json_dumps(root, JSON_INDENT(1) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(9));
	json_decref(root);
	return text ? text : xstrdup("{}");
}
