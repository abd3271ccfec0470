/* fuzz_reqfile.c - libFuzzer target for the request-file parser
 * (reqfile.h). Whatever the bytes, the parse ends with one line of error
 * text free of control characters, or with requests whose every field is
 * set and whose bodies are as long as they say (ASan reads them all). The
 * file is anchored in a directory that does not exist, so "< file" bodies
 * read nothing of the tree the fuzzer runs in (absolute paths aside:
 * regular files only, at most 16 MB). */
#include "reqfile.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile size_t sink;

static void
check_error(const char *err, size_t errlen)
{
	const char *nul = memchr(err, '\0', errlen);
	size_t i;

	if (!nul || nul == err)
		abort();
	for (i = 0; err + i < nul; i++)
		if ((unsigned char)err[i] < 0x20 || err[i] == 0x7f)
			abort();
}

static void
check_req(const struct reqfile_req *r)
{
	char *name = reqfile_kind_name(r);
	size_t i;

	if (!r->method || !r->url || !r->file || !r->line || !name[0])
		abort();
	if (r->count < 1 || r->count > 1000000 || (r->nheaders && !r->headers))
		abort();
	if (!r->body && r->body_len)
		abort();
	for (i = 0; i < r->nheaders; i++)
		if (!strchr(r->headers[i], ':'))
			abort();
	for (i = 0; i < r->body_len; i++)
		sink += (unsigned char)r->body[i];
	if (r->body && r->body[r->body_len] != '\0')
		abort();
	sink += strlen(r->url) + strlen(r->method) + strlen(name) + (size_t)r->http_version;
	free(name);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reqfile rf;
	char err[512];
	size_t i;

	memset(err, 'x', sizeof err);
	if (!reqfile_parse("/nonexistent-lt-fuzz/t.http", (const char *)data, size, &rf, err,
		sizeof err)) {
		check_error(err, sizeof err);
		if (rf.n || rf.reqs)
			abort();
		return 0;
	}
	if (!rf.n)
		abort();
	for (i = 0; i < rf.n; i++)
		check_req(&rf.reqs[i]);
	reqfile_free(&rf);
	return 0;
}
