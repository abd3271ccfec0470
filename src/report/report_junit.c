/* report_junit.c - JUnit XML for CI test reports (GitLab, Jenkins).
 *
 * One <testsuite name="ngx-leaktop"> in <testsuites>: a test case per
 * row (a diff: per NEW and WORSE row) and per memcheck error context.
 * Names are stable across runs: "file.c:LINE function (kind)", classname
 * the module's file (the allocation site's basename; "nginx" for a row
 * all of whose frames are nginx's). A row that fails the gate carries a
 * <failure> with its stacks in the body; an under-budget or passing row
 * says so in <system-out>. Errors fail only under --fail-on error. Only
 * the elements and attributes GitLab and Jenkins both read
 * (tests/data/junit/junit.xsd). XML 1.0 holds no control character: every
 * string from valgrind is escaped first (escape_dup), then XML-escaped
 * by libxml2's writer. */
#include "report.h"
#include "report_ci.h"
#include "escape.h"
#include "memerrors.h"
#include "model.h"
#include "sbuf.h"
#include "util.h"

#include <libxml/xmlwriter.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define JUNIT_MAX_STACKS 5	/* call paths of one row in a failure's body */

/* Escaped, and without U+FFFE/U+FFFF (valid UTF-8, not XML 1.0 chars). */
static char *
xml_clean(const char *s)
{
	char *e = escape_dup(s ? s : "", s ? strlen(s) : 0, 0);
	struct sbuf b = SBUF_INIT;
	const char *p;

	for (p = e; *p; p++) {
		if ((unsigned char)p[0] == 0xef && (unsigned char)p[1] == 0xbf &&
			((unsigned char)p[2] == 0xbe || (unsigned char)p[2] == 0xbf)) {
			sbuf_printf(&b, "\\xef\\xbf\\x%02x", (unsigned char)p[2]);
			p += 2;
		} else {
			sbuf_addc(&b, *p);
		}
	}
	free(e);
	return sbuf_detach(&b);
}

static void
attr(xmlTextWriterPtr w, const char *name, const char *value)
{
	char *v = xml_clean(value);

	xmlTextWriterWriteAttribute(w, BAD_CAST name, BAD_CAST v);
	free(v);
}

static void
attrf(xmlTextWriterPtr w, const char *name, unsigned long long v)
{
	xmlTextWriterWriteFormatAttribute(w, BAD_CAST name, "%llu", v);
}

/* <tag message= type=>body</tag>: body's lines each cleaned, its
 * newlines kept (a name's own bytes never make one). */
static void
element(xmlTextWriterPtr w, const char *tag, const char *message, const char *type,
	const char *body)
{
	const char *line, *nl;

	xmlTextWriterStartElement(w, BAD_CAST tag);
	if (message)
		attr(w, "message", message);
	if (type)
		attr(w, "type", type);
	for (line = body; line; line = nl ? nl + 1 : NULL) {
		char *piece, *clean;

		nl = strchr(line, '\n');
		piece = xstrndup(line, nl ? (size_t)(nl - line) : strlen(line));
		clean = xml_clean(piece);
		xmlTextWriterWriteString(w, BAD_CAST clean);
		if (nl)
			xmlTextWriterWriteString(w, BAD_CAST "\n");
		free(piece);
		free(clean);
	}
	xmlTextWriterEndElement(w);
}

static const char *
base_name(const char *path)
{
	const char *b = strrchr(path, '/');

	return b ? b + 1 : path;
}

static void
start_case(xmlTextWriterPtr w, const struct report_set *s, const struct model_frame *at,
	const char *name, bool core)
{
	xmlTextWriterStartElement(w, BAD_CAST "testcase");
	attr(w, "name", name);
	attr(w, "classname", core || !at || !*at->file ? "nginx" : base_name(at->file));
	if (at && *at->file) {
		bool under;
		char *path = report_ci_path(s, at->file, &under);

		attr(w, "file", path);
		free(path);
	}
	attr(w, "time", "0");
}

static void
row_case(xmlTextWriterPtr w, const struct report_set *s, const struct report_ci_item *it)
{
	const struct report_row *r = it->row;
	const struct model_site *site = model_site(s->m, r->site);
	const struct model_frame *at = site->nframes ?
		model_site_frame(s->m, site, site->alloc_at) : NULL;
	char *name = xasprintf("%s:%u %s (%s)", at && *at->file ? base_name(at->file) : "?",
		at ? at->line : 0, at && *at->fn ? at->fn : "???", leak_kind_short(r->g.kind));
	char *text = report_ci_row_text(s, it), *type = xasprintf("leak/%s",
		leak_kind_short(r->g.kind));

	start_case(w, s, at, name, r->g.core_only);
	if (r->verdict == REPORT_FAIL) {
		struct sbuf b = SBUF_INIT;
		size_t i;

		sbuf_printf(&b, "%s\n", text);
		for (i = 0; i < r->nsites && i < JUNIT_MAX_STACKS; i++) {
			const struct model_site *p = model_site(s->m, r->sites[i]);
			char *st = report_ci_stack_text(s, p->frames, p->nframes);

			sbuf_printf(&b, "\ncall path %zu of %zu (%llu bytes now):\n%s", i + 1, r->nsites,
				(unsigned long long)p->bytes, st);
			free(st);
		}
		free(text);
		text = sbuf_detach(&b);
		/* the message is the first line, the body the whole story */
		*strchr(text, '\n') = '\0';
		element(w, "failure", text, type, text + strlen(text) + 1);
	} else {
		char *why = r->verdict == REPORT_UNDER_BUDGET ? report_ci_budget_text(s, r) :
			xstrdup("does not fail the run (--fail-on)");
		char *out = xasprintf("%s\n%s", text, why);

		element(w, "system-out", NULL, NULL, out);
		free(why);
		free(out);
	}
	xmlTextWriterEndElement(w);
	free(name);
	free(text);
	free(type);
}

static void
error_case(xmlTextWriterPtr w, const struct report_set *s, const struct memerror *e)
{
	const struct memerror_stack *st = e->nstacks ? &e->stacks[0] : NULL;
	const struct model_frame *at = st && e->at < st->nframes ?
		model_frame(s->m, st->frames[e->at]) : NULL;
	char *name = xasprintf("%s at %s:%u %s", e->kind_name,
		at && *at->file ? base_name(at->file) : "?", at ? at->line : 0,
		at && *at->fn ? at->fn : "???");
	char *msg = xasprintf("%s (%llu times)%s%s", e->what, (unsigned long long)e->count,
		*e->remarks ? "; " : "", e->remarks);
	char *type = xasprintf("memcheck/%s", e->kind_name);
	struct sbuf b = SBUF_INIT;
	char *body;
	uint32_t i;

	for (i = 0; i < e->nstacks; i++) {
		char *text = report_ci_stack_text(s, e->stacks[i].frames, e->stacks[i].nframes);
		char *note = xml_clean(*e->stacks[i].note ? e->stacks[i].note : "where it happened");

		sbuf_printf(&b, "%s%s:\n%s", i ? "\n" : "", note, text);
		free(text);
		free(note);
	}
	body = sbuf_detach(&b);
	start_case(w, s, at, name, false);
	if (s->gate->fail_on == FAIL_ON_ERROR) {
		element(w, "failure", msg, type, body);
	} else {
		char *out = xasprintf("%s\nreported, not failing the run (--fail-on error fails it)\n%s",
			msg, body);

		element(w, "system-out", NULL, NULL, out);
		free(out);
	}
	xmlTextWriterEndElement(w);
	free(name);
	free(msg);
	free(type);
	free(body);
}

/* The run's length and start, from its rounds' clocks. */
static void
suite_times(const struct model *m, double *secs, char *stamp, size_t len)
{
	size_t n = model_nrounds(m);
	int64_t first = n ? model_round(m, 0)->wall_ms : 0, last = n ? model_round(m, n - 1)->wall_ms : 0;
	time_t t = (time_t)(first / 1000);
	struct tm tm;

	*secs = last > first ? (double)(last - first) / 1000 : 0;
	if (first > 0 && gmtime_r(&t, &tm))
		strftime(stamp, len, "%Y-%m-%dT%H:%M:%S", &tm);
	else
		*stamp = '\0';
}

static void
properties(xmlTextWriterPtr w, const struct report_set *s)
{
	static const char *const fail_on[] = { "growing", "definite", "none", "error" };
	char v[96];	/* two budgets of 32 and ", " */

	xmlTextWriterStartElement(w, BAD_CAST "properties");
	xmlTextWriterStartElement(w, BAD_CAST "property");
	attr(w, "name", "fail_on");
	attr(w, "value", fail_on[s->gate->fail_on]);
	xmlTextWriterEndElement(w);
	if (s->gate->max_per_request >= 0 || s->gate->max_per_reload >= 0) {
		/* a budget not given is none, not -1 */
		char req[32] = "", reload[32] = "";

		xmlTextWriterStartElement(w, BAD_CAST "property");
		attr(w, "name", "budgets");
		if (s->gate->max_per_request >= 0)
			snprintf(req, sizeof req, "%g B per request", s->gate->max_per_request);
		if (s->gate->max_per_reload >= 0)
			snprintf(reload, sizeof reload, "%g B per reload", s->gate->max_per_reload);
		snprintf(v, sizeof v, "%s%s%s", req, *req && *reload ? ", " : "", reload);
		attr(w, "value", v);
		xmlTextWriterEndElement(w);
	}
	if (s->nginx) {
		xmlTextWriterStartElement(w, BAD_CAST "property");
		attr(w, "name", "nginx");
		attr(w, "value", s->nginx);
		xmlTextWriterEndElement(w);
	}
	xmlTextWriterEndElement(w);
}

char *
report_junit_render(const struct report_set *s)
{
	size_t i, n, nerr = !s->diff && s->errs ? memerrors_count(s->errs) : 0, failures = 0;
	struct report_ci_item *items = report_ci_items(s, false, &n);
	xmlBufferPtr buf = xmlBufferCreate();
	xmlTextWriterPtr w = xmlNewTextWriterMemory(buf, 0);
	char stamp[32], *text;
	double secs;

	for (i = 0; i < n; i++)
		failures += items[i].row->verdict == REPORT_FAIL;
	if (s->gate->fail_on == FAIL_ON_ERROR)
		failures += nerr;
	suite_times(s->m, &secs, stamp, sizeof stamp);
	xmlTextWriterSetIndent(w, 1);
	xmlTextWriterSetIndentString(w, BAD_CAST " ");
	xmlTextWriterStartDocument(w, NULL, "UTF-8", NULL);
	xmlTextWriterStartElement(w, BAD_CAST "testsuites");
	attr(w, "name", "ngx-leaktop");
	attrf(w, "tests", n + nerr);
	attrf(w, "failures", failures);
	attr(w, "errors", "0");
	xmlTextWriterWriteFormatAttribute(w, BAD_CAST "time", "%.3f", secs);
	xmlTextWriterStartElement(w, BAD_CAST "testsuite");
	attr(w, "name", "ngx-leaktop");
	attrf(w, "tests", n + nerr);
	attrf(w, "failures", failures);
	attr(w, "errors", "0");
	attr(w, "skipped", "0");
	xmlTextWriterWriteFormatAttribute(w, BAD_CAST "time", "%.3f", secs);
	if (*stamp)
		attr(w, "timestamp", stamp);
	properties(w, s);
	for (i = 0; i < n; i++)
		row_case(w, s, &items[i]);
	for (i = 0; i < nerr; i++)
		error_case(w, s, memerrors_get(s->errs, i));
	xmlTextWriterEndDocument(w);
	xmlFreeTextWriter(w);
	text = xstrdup((const char *)xmlBufferContent(buf));
	xmlBufferFree(buf);
	free(items);
	return text;
}
