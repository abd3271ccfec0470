/* emit.c - the reports and the exit status of a finished run. */
#include "emit.h"
#include "cli.h"
#include "memerrors.h"
#include "model.h"
#include "report.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

FILE *
emit_table_stream(const struct cli_opts *o)
{
	return cli_output_dash(o) ? stderr : stdout;
}

/* Write each CI format asked for; the first failure in err. */
static bool
write_formats(const struct cli_opts *o, const struct report_set *set, char *err, size_t errlen)
{
	char one[512];
	bool ok = true;
	size_t i;

	for (i = 0; i < cli_noutputs; i++) {
		const struct cli_output *out = &cli_outputs[i];
		const char *path = cli_output_path(o, out);
		char *text;

		if (!path || !out->render)
			continue;	/* not asked for; the suppressions: write_supp */
		text = out->render(set);
		if (!report_file_write(path, out->what, text, one, sizeof one) && ok) {
			snprintf(err, errlen, "%s", one);
			ok = false;
		}
		free(text);
	}
	return ok;
}

/* --gen-suppressions: rows[0..n) of model m (copies; their sites are m's). */
static bool
put_supp(const struct cli_opts *o, const struct model *m, const struct report_row *rows,
	size_t n, char *err, size_t errlen)
{
	char *text = report_supp_text(m, rows, n);
	bool ok = report_file_write(o->gen_supp, "suppressions", text, err, errlen);

	free(text);
	return ok;
}

/* The rows that fail the run; nothing fails with --fail-on none or error:
 * then the rows growing fails. */
static bool
write_supp(const struct cli_opts *o, const struct model *m, const struct report_gate *gate,
	char *err, size_t errlen)
{
	struct report_gate g = *gate;
	struct report_row *grows, *fail;
	size_t i, n = 0, ngrows;
	bool ok;

	if (g.fail_on == FAIL_ON_NONE || g.fail_on == FAIL_ON_ERROR)
		g.fail_on = FAIL_ON_GROWING;
	grows = report_rows(m, &g, false, &ngrows);
	fail = xcalloc(ngrows + 1, sizeof *fail);
	for (i = 0; i < ngrows; i++)
		if (grows[i].verdict == REPORT_FAIL)
			fail[n++] = grows[i];
	ok = put_supp(o, m, fail, n, err, errlen);
	free(fail);
	report_rows_free(grows, ngrows);
	return ok;
}

bool
emit_reports(const struct cli_opts *o, const struct model *m, const struct report_meta *meta,
	const struct report_gate *gate, char *err, size_t errlen)
{
	struct report_set set = { .m = m, .errs = meta->errors, .gate = gate,
		.source_root = o->source_root, .nginx = meta->nginx };
	struct report_row *rows = report_rows(m, gate, false, &set.nrows);
	char one[512];
	bool ok = true;

	struct report_meta jmeta = *meta;

	set.rows = rows;
	jmeta.gate = gate;
	jmeta.supp_files = o->supp_files.v;
	jmeta.nsupp_files = o->supp_files.n;
	jmeta.default_supp = !o->no_default_supp;
	if (o->json && !report_json_write(m, &jmeta, o->json, one, sizeof one)) {
		snprintf(err, errlen, "%s", one);
		ok = false;
	}
	if (!write_formats(o, &set, one, sizeof one) && ok) {
		snprintf(err, errlen, "%s", one);
		ok = false;
	}
	if (o->gen_supp && !write_supp(o, m, gate, one, sizeof one) && ok) {
		snprintf(err, errlen, "%s", one);
		ok = false;
	}
	report_rows_free(rows, set.nrows);
	return ok;
}

bool
emit_diff_reports(const struct cli_opts *o, const struct model *new, const struct report_diff *d,
	char *err, size_t errlen)
{
	struct report_set set = { .m = new, .diff = d, .gate = &o->gate,
		.source_root = o->source_root };
	size_t i, n = 0, nrows = report_diff_nrows(d);
	struct report_row *rows;
	char one[512];
	bool ok = write_formats(o, &set, err, errlen);

	if (!o->gen_supp)
		return ok;
	/* the new and worse rows that fail: what this change brought */
	rows = xcalloc(nrows + 1, sizeof *rows);
	for (i = 0; i < nrows; i++) {
		const struct report_diff_row *r = report_diff_row(d, i);

		if ((r->change == REPORT_NEW || r->change == REPORT_WORSE) && r->new &&
			r->new->verdict == REPORT_FAIL)
			rows[n++] = *r->new;
	}
	if (!put_supp(o, new, rows, n, one, sizeof one) && ok) {
		snprintf(err, errlen, "%s", one);
		ok = false;
	}
	free(rows);
	return ok;
}

/* Growing sites a budget excused, one line each. */
static void
say_budgets(const struct report_row *rows, size_t n, const struct model *m,
	const struct report_gate *g)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const struct model_group *gr = &rows[i].g;
		char *loc;

		if (rows[i].verdict != REPORT_UNDER_BUDGET)
			continue;
		loc = report_site_location(m, model_site(m, rows[i].site));
		fprintf(stderr, "ngx-leaktop: %s grows", loc);
		if (gr->bytes_per_request > 0)
			fprintf(stderr, " %.1f B per request (budget %.1f)", gr->bytes_per_request,
				g->max_per_request);
		if (gr->bytes_per_reload > 0)
			fprintf(stderr, " %.0f B per reload (budget %.0f)", gr->bytes_per_reload,
				g->max_per_reload);
		fprintf(stderr, ": under budget, it does not fail the run\n");
		free(loc);
	}
}

int
emit_status(const struct cli_opts *o, const struct model *m, const struct report_meta *meta,
	const struct report_gate *gate)
{
	size_t n;
	struct report_row *rows = report_rows(m, gate, false, &n);
	char sup[256];
	bool fails = report_gate_fails(rows, n, meta->errors, gate);

	(void)o;
	say_budgets(rows, n, m, gate);
	if (report_supp_line(m, sup, sizeof sup))
		fprintf(stderr, "ngx-leaktop: %s\n", sup);
	if (fails)
		fprintf(stderr, "ngx-leaktop: %s found (--fail-on %s)\n",
			gate->fail_on == FAIL_ON_ERROR ? "memcheck errors" : "leaks",
			gate->fail_on == FAIL_ON_GROWING ? "growing" :
			gate->fail_on == FAIL_ON_ERROR ? "error" : "definite");
	report_rows_free(rows, n);
	return fails ? 1 : 0;
}
