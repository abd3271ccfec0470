/* offline.c - --load FILE.xml --batch: convert without running nginx. */
#include "offline.h"
#include "cli.h"
#include "emit.h"
#include "recorded.h"
#include "memerrors.h"
#include "model.h"
#include "report.h"
#include "live.h"
#include "util.h"
#include "xmlstream.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int xml_batch(const struct cli_opts *o);

/* An empty file, or one cut before <valgrindoutput>: nothing to show, and
 * "no leaks" from it would be a lie. */
static bool
xml_holds_nothing(const struct cli_opts *o, struct xmlstream *xs)
{
	if (!xmlstream_truncated(xs) || *xmlstream_program(xs) || memerrors_count(xmlstream_errors(xs)))
		return false;
	fprintf(stderr, "ngx-leaktop: %s holds no valgrind output (%s): --load takes a session "
		"file or the XML valgrind wrote (--xml=yes --xml-file=FILE)\n", o->load,
		xmlstream_message(xs));
	return true;
}

/* A session file and a JSON report start with '{', valgrind's XML with
 * '<'. Only a regular file is peeked at: from a pipe (--load <(zcat
 * run.xml.gz)) the bytes read here would be lost to the parser, and such
 * a stream is XML. */
static bool
is_recorded_run(const char *path)
{
	char c = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	struct stat st;

	if (fd < 0)
		return false;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return false;
	}
	while (read(fd, &c, 1) == 1 && (c == ' ' || c == '\n' || c == '\r' || c == '\t'))
		;
	close(fd);
	return c == '{';
}

/* A session file or a JSON report: the live rounds again, verdicts and all. */
static int
replay_run(const struct cli_opts *o)
{
	struct report_meta meta;
	char err[512], *nginx = NULL;
	FILE *out = emit_table_stream(o);
	struct model *m;
	struct report_gate gate;
	int rc;

	if (o->gate.fail_on == FAIL_ON_ERROR) {
		/* no answer is better than "no errors" from a file that keeps none */
		fprintf(stderr, "ngx-leaktop: --fail-on error: %s is a recorded run, which keeps its "
			"leaks but not its memcheck errors; gate on the run itself, or --load the XML "
			"valgrind wrote\n", o->load);
		return 2;
	}
	if (!(m = recorded_load(o, o->load, NULL, &nginx)))
		return 2;
	/* a report of valgrind's exit report (one round) is judged as that was */
	gate = report_gate_rounds(&o->gate, model_nrounds(m));
	memset(&meta, 0, sizeof meta);
	meta.nginx = nginx;
	meta.nginx_version = "";
	fprintf(out, "%s: %s, %zu rounds\n", o->load, nginx, model_nrounds(m));
	report_table_print(out, m, 40);
	fflush(out);
	if (!emit_reports(o, m, &meta, &gate, err, sizeof err)) {
		fprintf(stderr, "ngx-leaktop: %s\n", err);
		rc = 2;
	} else {
		rc = emit_status(o, m, &meta, &gate);
	}
	free(nginx);
	model_free(m);
	return rc;
}

int
offline_batch(const struct cli_opts *o)
{
	return is_recorded_run(o->load) ? replay_run(o) : xml_batch(o);
}

static int
xml_batch(const struct cli_opts *o)
{
	struct model *m = model_new();
	/* The exit report is the model's one round; errors share its frames. */
	struct xmlstream *xs;
	struct report_meta meta;
	struct report_gate gate;
	char err[512];
	FILE *out = emit_table_stream(o);
	int rc;

	model_set_suppressions(m, o->supp);
	xs = xmlstream_new(m, true, NULL, NULL);

	if (!xmlstream_load_file(xs, o->load, err, sizeof err)) {
		fprintf(stderr, "ngx-leaktop: %s\n", err);
		xmlstream_free(xs);
		model_free(m);
		return 2;
	}
	if (xml_holds_nothing(o, xs)) {
		xmlstream_free(xs);
		model_free(m);
		return 2;
	}
	if (xmlstream_truncated(xs))
		fprintf(stderr, "ngx-leaktop: warning: %s is cut off (%s): showing what it holds\n",
			o->load, xmlstream_message(xs));
	memset(&meta, 0, sizeof meta);
	meta.nginx = xmlstream_program(xs);
	meta.nginx_version = "";
	meta.errors = xmlstream_errors(xs);
	meta.end_reason = *xmlstream_fatal(xs) ? xmlstream_fatal(xs) : NULL;
	fprintf(out, "%s: %s, %zu memcheck errors, exit leak report with %zu records\n", o->load,
		*meta.nginx ? meta.nginx : "?", memerrors_count(meta.errors), model_nsites(m));
	report_table_print(out, m, 40);
	report_table_print_errors(out, m, meta.errors);
	fflush(out);
	gate = report_gate_rounds(&o->gate, 1);	/* the exit report is one round */
	if (!emit_reports(o, m, &meta, &gate, err, sizeof err)) {
		fprintf(stderr, "ngx-leaktop: %s\n", err);
		rc = 2;
	} else {
		rc = emit_status(o, m, &meta, &gate);
	}
	xmlstream_free(xs);
	model_free(m);
	return rc;
}

/* The live screen over a recorded model: a session file's rounds, or an
 * XML file's exit report (the errors are in the JSON it saves). */
int
offline_browse(const struct cli_opts *o)
{
	struct model *m = NULL;
	struct xmlstream *xs = NULL;
	struct report_meta meta;
	char err[512] = "", *nginx = NULL;
	int rc;

	memset(&meta, 0, sizeof meta);
	meta.nginx_version = "";
	if (is_recorded_run(o->load)) {
		if (!(m = recorded_load(o, o->load, NULL, &nginx)))
			return 2;
		meta.nginx = nginx;
	} else {
		m = model_new();
		model_set_suppressions(m, o->supp);
		xs = xmlstream_new(m, true, NULL, NULL);
		if (!xmlstream_load_file(xs, o->load, err, sizeof err) || xml_holds_nothing(o, xs)) {
			if (*err)
				fprintf(stderr, "ngx-leaktop: %s\n", err);
			xmlstream_free(xs);
			model_free(m);
			return 2;
		}
		meta.nginx = xmlstream_program(xs);
		meta.errors = xmlstream_errors(xs);
	}
	rc = live_browse(m, o, &meta);
	xmlstream_free(xs);
	free(nginx);
	model_free(m);
	return rc;
}
