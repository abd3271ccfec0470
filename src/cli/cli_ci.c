/* cli_ci.c - the options a CI job gives: reports in its formats, budgets,
 * suppressions, and --diff of two runs. */
#include "cli.h"
#include "cli_int.h"
#include "engine.h"
#include "report.h"
#include "supp.h"
#include "util.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* A budget in bytes: a number >= 0, fractions allowed (bytes per request
 * are averages). */
static bool
budget_arg(const char *name, const char *arg, double *out, char *err, size_t errlen)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (end == arg || *end || errno || !isfinite(v) || v < 0) {
		snprintf(err, errlen, "--%s '%.40s': expected bytes, a number >= 0 (e.g. 64 or 0.5)",
			name, arg);
		return false;
	}
	*out = v;
	return true;
}

static void
strv_push(struct cli_strv *s, const char *v)
{
	s->v = xrealloc(s->v, (s->n + 1) * sizeof *s->v);
	s->v[s->n++] = (char *)v;
}

bool
cli_ci_apply(struct cli_opts *o, int c, const char *arg, bool *handled, char *err,
	size_t errlen)
{
	*handled = true;
	switch (c) {
	case OPT_SARIF: o->sarif = arg; break;
	case OPT_JUNIT: o->junit = arg; break;
	case OPT_FOLDED: o->folded = arg; break;
	case OPT_GEN_SUPP: o->gen_supp = arg; break;
	case OPT_SUPP: strv_push(&o->supp_files, arg); break;
	case OPT_NO_DEFAULT_SUPP: o->no_default_supp = true; break;
	case OPT_MAX_PER_REQUEST:
		return budget_arg("max-bytes-per-request", arg, &o->gate.max_per_request, err, errlen);
	case OPT_MAX_PER_RELOAD:
		return budget_arg("max-bytes-per-reload", arg, &o->gate.max_per_reload, err, errlen);
	case OPT_DIFF: o->diff = true; break;
	case OPT_BASELINE: o->baseline = arg; break;
	case OPT_SOURCE_ROOT: o->source_root = arg; break;
	default:
		*handled = false;
		snprintf(err, errlen, "internal: option %d has no handler", c);
		return false;
	}
	return true;
}

const struct cli_output cli_outputs[] = {
	{ "--sarif", "SARIF report", offsetof(struct cli_opts, sarif), report_sarif_render },
	{ "--junit", "JUnit report", offsetof(struct cli_opts, junit), report_junit_render },
	{ "--folded", "folded stacks", offsetof(struct cli_opts, folded), report_folded_render },
	{ "--gen-suppressions", "suppressions", offsetof(struct cli_opts, gen_supp), NULL },
};
const size_t cli_noutputs = LT_ARRAY_SIZE(cli_outputs);

const char *
cli_output_path(const struct cli_opts *o, const struct cli_output *out)
{
	return *(const char *const *)((const char *)o + out->off);
}

bool
cli_output_dash(const struct cli_opts *o)
{
	size_t i;

	for (i = 0; i < cli_noutputs; i++) {
		const char *path = cli_output_path(o, &cli_outputs[i]);

		if (path && !strcmp(path, "-"))
			return true;
	}
	return o->json && !strcmp(o->json, "-");
}

/* The report options: where they go with, and whether their files can be
 * written, before any round runs. */
static bool
check_outputs(const struct cli_opts *o, char *err, size_t errlen)
{
	const char *dash = o->json && !strcmp(o->json, "-") ? "--json" : NULL;
	size_t i;

	for (i = 0; i < cli_noutputs; i++) {
		const struct cli_output *out = &cli_outputs[i];
		const char *path = cli_output_path(o, out);

		if (!path)
			continue;
		if (!strcmp(path, "-")) {
			/* two reports in one stream could be read by no tool */
			if (dash) {
				snprintf(err, errlen, "%s - and %s -: only one report can go to standard "
					"output; give the other a file", dash, out->option);
				return false;
			}
			dash = out->option;
		}
		if (!o->batch) {
			snprintf(err, errlen, "%s goes with --batch or --diff%s", out->option,
				out->render ? "" :
				" (on the live screen: W writes the marked rows' suppressions)");
			return false;
		}
		if (!report_file_check_path(path, out->option, out->what, err, errlen))
			return false;
	}
	return true;
}

static bool
read_suppressions(struct cli_opts *o, char *err, size_t errlen)
{
	size_t i;

	o->supp = supp_new();
	if (!o->no_default_supp &&
		!supp_add_text(o->supp, SUPP_DEFAULT_NAME, supp_default_text(), err, errlen))
		return false;
	for (i = 0; i < o->supp_files.n; i++)
		if (!supp_add_file(o->supp, o->supp_files.v[i], err, errlen))
			return false;
	return true;
}

bool
cli_ci_finish(struct cli_opts *o, char *err, size_t errlen)
{
	if (o->diff && (o->load || o->attach || o->baseline)) {
		snprintf(err, errlen, "--diff OLD NEW compares two recorded runs: drop %s",
			o->load ? "--load" : o->attach ? "--attach" : "--baseline");
		return false;
	}
	if (o->diff && o->gate.fail_on == FAIL_ON_ERROR) {
		snprintf(err, errlen, "--diff compares leaks; recorded runs keep no memcheck errors: "
			"--fail-on growing, definite or none");
		return false;
	}
	if (o->baseline && (!o->load || o->batch)) {
		snprintf(err, errlen, "--baseline OLD goes with --load NEW on the live screen; "
			"without a screen: ngx-leaktop --diff OLD NEW");
		return false;
	}
	if (o->source_root) {
		struct stat st;

		if (stat(o->source_root, &st) < 0 || !S_ISDIR(st.st_mode)) {
			snprintf(err, errlen, "--source-root %.200s: not a directory", o->source_root);
			return false;
		}
	}
	return check_outputs(o, err, errlen) && read_suppressions(o, err, errlen);
}

enum cli_result
cli_ci_diff_args(int argc, char **argv, int i, struct cli_opts *o, char *err, size_t errlen)
{
	if (argc - i != 2) {
		snprintf(err, errlen, "--diff takes two runs: ngx-leaktop --diff OLD NEW (session "
			"files or --json reports)%s", argc - i > 2 ? ", and nothing after them" : "");
		return CLI_ERROR;
	}
	o->diff_old = argv[i];
	o->diff_new = argv[i + 1];
	return CLI_RUN;
}

void
cli_ci_free(struct cli_opts *o)
{
	free(o->supp_files.v);
	supp_free(o->supp);
}

void
cli_ci_engine_opts(const struct cli_opts *o, struct engine_opts *eo)
{
	eo->supp = o->supp;
	eo->supp_files = o->supp_files.v;
	eo->nsupp_files = o->supp_files.n;
	eo->default_supp = !o->no_default_supp;
}
