/* offline.c - --load FILE.xml --batch: convert without running nginx. */
#include "offline.h"
#include "cli.h"
#include "merrors.h"
#include "model.h"
#include "report.h"
#include "util.h"
#include "xstream.h"

#include <stdio.h>
#include <string.h>

static bool
exit_report_leaks(const struct model *m)
{
	size_t i;

	for (i = 0; m && i < model_nsites(m); i++) {
		const struct model_site *s = model_site(m, i);

		if (s->kind == LEAK_DEFINITE || s->kind == LEAK_INDIRECT)
			return true;
	}
	return false;
}

static int
verdict(const struct cli_opts *o, const struct model *m, const struct merrors *errs)
{
	switch (o->fail_on) {
	case FAIL_ON_ERROR:
		return merrors_count(errs) ? 1 : 0;
	case FAIL_ON_NONE:
		return 0;
	default:
		/* One round has no growth to judge: a real loss is what counts. */
		return exit_report_leaks(m) ? 1 : 0;
	}
}

int
offline_batch(const struct cli_opts *o)
{
	struct model *m = model_new();
	/* The exit report is the model's one round; errors share its frames. */
	struct xstream *xs = xstream_new(m, true, NULL, NULL);
	struct report_meta meta;
	char err[512];
	FILE *out = o->json && !strcmp(o->json, "-") ? stderr : stdout;
	int rc;

	if (!xstream_load_file(xs, o->load, err, sizeof err)) {
		fprintf(stderr, "ngx-leaktop: %s\n", err);
		xstream_free(xs);
		model_free(m);
		return 2;
	}
	if (xstream_truncated(xs))
		fprintf(stderr, "ngx-leaktop: warning: %s is cut off (%s): showing what it holds\n",
			o->load, xstream_message(xs));
	memset(&meta, 0, sizeof meta);
	meta.nginx = xstream_program(xs);
	meta.nginx_version = "";
	meta.errors = xstream_errors(xs);
	meta.end_reason = *xstream_fatal(xs) ? xstream_fatal(xs) : NULL;
	fprintf(out, "%s: %s, %zu memcheck errors, exit leak report with %zu records\n", o->load,
		*meta.nginx ? meta.nginx : "?", merrors_count(meta.errors), model_nsites(m));
	rtable_print(out, m, 40);
	rtable_print_errors(out, m, meta.errors);
	rc = verdict(o, m, meta.errors);
	if (o->json && !rjson_write(m, &meta, o->json, err, sizeof err)) {
		fprintf(stderr, "ngx-leaktop: %s\n", err);
		rc = 2;
	}
	xstream_free(xs);
	model_free(m);
	return rc;
}
