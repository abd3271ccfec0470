/* tui_marks.c - marked rows (space, as htop's tags) and what W does with
 * them: valgrind suppressions written to a file the user confirms, then
 * hidden live through the supp_add op (the engine's set, or a recorded
 * run's), the header counting them. */
#include "tui_sites.h"
#include "model.h"
#include "report.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SUPP_DEFAULT_FILE "ngx-leaktop.supp"

uint64_t
tui_marks_key(const struct tui_row *row)
{
	return ((uint64_t)row->g.kind << 32) | row->g.at;
}

static size_t
marks_find(const struct tui_marks *mk, uint64_t key)
{
	size_t i;

	for (i = 0; i < mk->n && mk->keys[i] != key; i++)
		;
	return i;
}

bool
tui_marks_has(const struct tui_marks *mk, uint64_t key)
{
	return marks_find(mk, key) < mk->n;
}

void
tui_marks_free(struct tui_marks *mk)
{
	free(mk->keys);
	memset(mk, 0, sizeof *mk);
}

unsigned
tui_marks_toggle(struct tui *t, struct sites *s)
{
	const struct tui_row *row = tui_sites_sel(s);
	uint64_t key;
	size_t i;

	if (!row)
		return tui_message(t, true, "no row to mark");
	if (row->old_only)
		return tui_message(t, true, "a fixed row is the baseline run's: nothing to suppress here");
	key = tui_marks_key(row);
	i = marks_find(&s->marks, key);
	if (i < s->marks.n) {
		s->marks.keys[i] = s->marks.keys[--s->marks.n];
	} else {
		xgrow((void **)&s->marks.keys, &s->marks.cap, s->marks.n + 1, sizeof *s->marks.keys);
		s->marks.keys[s->marks.n++] = key;
	}
	/* as htop: the cursor goes on, so space space space marks a run of rows */
	tui_list_move(&s->list, TUI_ACT_DOWN, s->height);
	if (s->list.cur < s->rows.nrows && !s->rows.rows[s->list.cur].old_only) {
		s->sel_site = s->rows.members[s->rows.rows[s->list.cur].first];
		s->have_sel = true;
	}
	return tui_message(t, false, "%zu marked (W: write suppressions for them, U: unmark all)",
		s->marks.n) | TUI_DRAW_BODY;
}

unsigned
tui_marks_clear(struct tui *t, struct sites *s)
{
	size_t n = s->marks.n;

	s->marks.n = 0;
	if (!n)
		return tui_message(t, false, "no row was marked");
	return tui_message(t, false, "%zu mark%s cleared", n, n == 1 ? "" : "s") | TUI_DRAW_BODY;
}

/* Append text to path in one write of O_APPEND (whole or an error: no
 * half suppression is left for valgrind to refuse). existed: the file
 * was there. */
static bool
append_text(const char *path, const char *text, bool *existed, char *err, size_t errlen)
{
	size_t len = strlen(text), off = 0;
	struct stat st;
	int fd;

	*existed = stat(path, &st) == 0;
	if (*existed && !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s is not a regular file: give a file name", path);
		return false;
	}
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return false;
	}
	while (off < len) {
		ssize_t n = write(fd, text + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			snprintf(err, errlen, "cannot write %s: %s", path, n < 0 ? strerror(errno) :
				"nothing written");
			close(fd);
			return false;
		}
		off += (size_t)n;
	}
	if (fsync(fd) < 0 || close(fd) < 0) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		return false;
	}
	return true;
}

/* The report rows (report.h: every site of the line, in the gate's
 * terms) of the lines in keys. */
static struct report_row *
rows_of(const struct model *m, const struct report_gate *g, const uint64_t *keys, size_t nkeys,
	size_t *n, size_t *nall)
{
	struct report_row *all = report_rows(m, g, true, nall);
	size_t i, k, kept = 0;

	for (i = 0; i < *nall; i++) {
		uint64_t key = ((uint64_t)all[i].g.kind << 32) | all[i].g.at;

		for (k = 0; k < nkeys && keys[k] != key; k++)
			;
		if (k == nkeys)
			continue;
		/* kept rows first; the others stay after them to be freed */
		if (i != kept) {
			struct report_row tmp = all[kept];

			all[kept] = all[i];
			all[i] = tmp;
		}
		kept++;
	}
	*n = kept;
	return all;
}

/* Suppressions in text: its "{" lines (a row of two call paths has two). */
static size_t
count_blocks(const char *text)
{
	size_t n = !strncmp(text, "{\n", 2);
	const char *p;

	for (p = text; (p = strstr(p, "\n{\n")); p++)
		n++;
	return n;
}

static unsigned
suppress_done(struct tui *t, const char *path)
{
	static const struct report_gate no_budgets = REPORT_GATE_INIT;
	struct sites *s = tui_sites_prompt_table(t);
	size_t n, nall, i;
	struct report_row *rows;
	char *text, err[512];
	bool existed;
	unsigned mask;

	if (!*path)
		return tui_message(t, true, "no file given: nothing written");
	rows = rows_of(s->m, t->cfg.gate ? t->cfg.gate : &no_budgets, s->supp_keys, s->nsupp_keys,
		&n, &nall);
	if (!n) {
		report_rows_free(rows, nall);
		return tui_message(t, true, "the rows are gone (a new session?): nothing written");
	}
	text = report_supp_text(s->m, rows, n);
	report_rows_free(rows, nall);
	n = count_blocks(text);
	if (!append_text(path, text, &existed, err, sizeof err)) {
		free(text);
		return tui_message(t, true, "%s", err);
	}
	if (!t->cfg.target || !t->cfg.target->supp_add) {
		mask = tui_message(t, true, "%s %zu suppression%s to %s; this screen cannot hide "
			"them (give it to --suppressions)", existed ? "appended" : "wrote", n,
			n == 1 ? "" : "s", path);
	} else if (!t->cfg.target->supp_add(t->cfg.target_ctx, path, text, err, sizeof err)) {
		mask = tui_message(t, true, "%s %s, but cannot hide them: %s",
			existed ? "appended to" : "wrote", path, err);
	} else {
		for (i = 0; i < s->nsupp_keys; i++) {
			size_t k = marks_find(&s->marks, s->supp_keys[i]);

			if (k < s->marks.n)
				s->marks.keys[k] = s->marks.keys[--s->marks.n];
		}
		mask = tui_message(t, false, "%s %zu suppression%s to %s%s; hidden, and counted in "
			"the header", existed ? "appended" : "wrote", n, n == 1 ? "" : "s", path,
			existed ? " (it existed)" : "") | TUI_DRAW_ALL | TUI_MODEL_CHANGED;
	}
	free(text);
	return mask;
}

unsigned
tui_marks_suppress(struct tui *t, struct sites *s)
{
	const struct tui_row *row = tui_sites_sel(s);
	char label[48];

	if (s->exit_report)
		return tui_message(t, true, "valgrind's exit report: suppress rows in the live table");
	free(s->supp_keys);
	s->supp_keys = NULL;
	s->nsupp_keys = 0;
	if (s->marks.n) {
		s->supp_keys = xmalloc(s->marks.n * sizeof *s->supp_keys);
		memcpy(s->supp_keys, s->marks.keys, s->marks.n * sizeof *s->supp_keys);
		s->nsupp_keys = s->marks.n;
	} else if (row && !row->old_only) {
		s->supp_keys = xmalloc(sizeof *s->supp_keys);
		s->supp_keys[0] = tui_marks_key(row);
		s->nsupp_keys = 1;
	} else {
		return tui_message(t, true, row ? "a fixed row is the baseline run's: nothing to "
			"suppress here" : "no row to suppress");
	}
	snprintf(label, sizeof label, "suppress %zu row%s: append to file: ", s->nsupp_keys,
		s->nsupp_keys == 1 ? "" : "s");
	tui_prompt_open(t, label, SUPP_DEFAULT_FILE, suppress_done);
	return TUI_DRAW_STATUS;
}
