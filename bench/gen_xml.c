/* gen_xml.c - a big memcheck XML file made of real <error>s, for
 * bench/xml_load.sh.
 *
 *   gen_xml [SIZE [OUT [CAPTURE.xml...]]]
 *
 * SIZE in bytes, with an optional K, M or G suffix (default 1G); OUT a file
 * or "-" (default). The <error>s of the captures (default: the nginx
 * fixture and the --gen-suppressions capture, so stacks of 13 to 30 frames,
 * auxwhat, leak records, <suppression>s with CDATA and their top-level
 * duplicates) are written again and again with fresh <unique> numbers
 * between the first capture's preamble and a FINISHED status, until the
 * file has SIZE bytes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct unit {
	const char *p;			/* an <error> and its top-level <suppression>, if any */
	size_t n;
	size_t uoff, ulen;		/* where the value of <unique> is, in p */
};

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		perror(path);
		exit(1);
	}
	buf = malloc((size_t)n + 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		perror(path);
		exit(1);
	}
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* The <error>s of buf, each with the top-level <suppression> after it. */
static size_t
units(const char *buf, struct unit **u, size_t n)
{
	const char *p = buf, *e, *s, *q;

	while ((p = strstr(p, "<error>"))) {
		if (!(e = strstr(p, "</error>")))
			break;
		e += strlen("</error>");
		for (s = e; *s == '\n' || *s == ' '; s++)
			;
		if (!strncmp(s, "<suppression>", 13) && (q = strstr(s, "</suppression>")))
			e = q + strlen("</suppression>");
		*u = realloc(*u, (n + 1) * sizeof(**u));
		(*u)[n].p = p;
		(*u)[n].n = (size_t)(e - p) + 1;	/* and the newline after */
		q = strstr(p, "<unique>") + strlen("<unique>");
		(*u)[n].uoff = (size_t)(q - p);
		(*u)[n].ulen = (size_t)(strstr(q, "</unique>") - q);
		n++;
		p = e;
	}
	return n;
}

static unsigned long long
parse_size(const char *s)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);

	switch (*end) {
	case 'G': case 'g': v <<= 30; break;
	case 'M': case 'm': v <<= 20; break;
	case 'K': case 'k': v <<= 10; break;
	case '\0': break;
	default:
		fprintf(stderr, "gen_xml: bad size %s\n", s);
		exit(2);
	}
	return v;
}

int
main(int argc, char **argv)
{
	static const char *defaults[] = { "tests/data/memcheck_fixture.xml", "tests/data/xml/errors_supp.xml" };
	static const char tail[] = "\n<status>\n  <state>FINISHED</state>\n  <time>00:01:02:03.456 </time>\n"
		"</status>\n\n<errorcounts>\n</errorcounts>\n\n<suppcounts>\n</suppcounts>\n\n</valgrindoutput>\n\n";
	unsigned long long size = argc > 1 ? parse_size(argv[1]) : 1ull << 30, written = 0, id = 0;
	const char *out = argc > 2 ? argv[2] : "-";
	const char **in = argc > 3 ? (const char **)argv + 3 : defaults;
	int nin = argc > 3 ? argc - 3 : 2, i;
	struct unit *u = NULL;
	size_t nu = 0, len, k;
	char *first = NULL, *buf;
	const char *hend;
	FILE *f = strcmp(out, "-") ? fopen(out, "wb") : stdout;

	if (!f) {
		perror(out);
		return 1;
	}
	setvbuf(f, NULL, _IOFBF, 1 << 20);
	for (i = 0; i < nin; i++) {
		buf = slurp(in[i], &len);
		nu = units(buf, &u, nu);
		if (!first)
			first = buf;
	}
	hend = strstr(first, "<error>");
	if (!nu || !hend) {
		fprintf(stderr, "gen_xml: no <error> in the captures\n");
		return 1;
	}
	/* the preamble and RUNNING status of the first capture */
	written += fwrite(first, 1, (size_t)(hend - first), f);
	for (k = 0; written + sizeof(tail) < size; k = (k + 1) % nu) {
		char hex[32];
		int n = snprintf(hex, sizeof(hex), "0x%llx", id++);

		written += fwrite(u[k].p, 1, u[k].uoff, f);
		written += fwrite(hex, 1, (size_t)n, f);
		written += fwrite(u[k].p + u[k].uoff + u[k].ulen, 1, u[k].n - u[k].uoff - u[k].ulen, f);
	}
	written += fwrite(tail, 1, sizeof(tail) - 1, f);
	if (fflush(f) || (f != stdout && fclose(f))) {
		perror(out);
		return 1;
	}
	fprintf(stderr, "gen_xml: %llu bytes, %llu errors from %zu real ones\n", written, id, nu);
	return 0;
}
