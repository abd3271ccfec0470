/* diff.c - --diff OLD NEW: what a change added, fixed, worsened. */
#include "diff.h"
#include "cli.h"
#include "emit.h"
#include "recorded.h"
#include "model.h"
#include "report.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
diff_run(const struct cli_opts *o)
{
	char *old_nginx = NULL, *new_nginx = NULL;
	struct model *old = recorded_load(o, o->diff_old, NULL, &old_nginx);
	struct model *new = old ? recorded_load(o, o->diff_new, NULL, &new_nginx) : NULL;
	FILE *out = emit_table_stream(o);
	struct report_diff *d;
	struct report_gate gate;
	char err[512];
	int rc;

	if (!old || !new) {
		model_free(old);
		model_free(new);
		free(old_nginx);
		free(new_nginx);
		return 2;
	}
	/* two exit reports (valgrind's XML): one round each, nothing grows;
	 * judged as --load judges them, a definite loss fails */
	gate = report_gate_rounds(&o->gate, model_nrounds(old) > model_nrounds(new) ?
		model_nrounds(old) : model_nrounds(new));
	d = report_diff_new(old, new, &gate);
	report_diff_set_names(d, o->diff_old, old_nginx, o->diff_new, new_nginx);
	free(old_nginx);
	free(new_nginx);
	fprintf(out, "%s -> %s\n", o->diff_old, o->diff_new);
	report_diff_print(out, d);
	fflush(out);
	rc = report_diff_fails(d) ? 1 : 0;
	if (o->json) {
		char *text = report_diff_json(d);

		if (!report_file_write(o->json, "JSON diff", text, err, sizeof err)) {
			fprintf(stderr, "ngx-leaktop: %s\n", err);
			rc = 2;
		}
		free(text);
	}
	if (!emit_diff_reports(o, new, d, err, sizeof err)) {
		fprintf(stderr, "ngx-leaktop: %s\n", err);
		rc = 2;
	}
	if (rc == 1)
		fprintf(stderr, "ngx-leaktop: %s has leaks new or worse than %s (--fail-on)\n",
			o->diff_new, o->diff_old);
	report_diff_free(d);
	model_free(old);
	model_free(new);
	return rc;
}
