/* tui_source.c - source files behind frames: search, read once, index lines. */
#include "tui_source.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct tui_source_file {
	char *key;		/* the path as the frame names it */
	char *path;		/* where it was read from; NULL: not found */
	char *err;		/* why not, when path is NULL */
	char *text;
	size_t len;
	size_t *starts;		/* offset of each line */
	size_t nlines;
	unsigned long used;	/* cache clock at the last lookup */
};

struct tui_source_cache {
	char **dirs;
	size_t ndirs;
	struct tui_source_file files[TUI_SOURCE_CACHE_FILES];
	size_t nfiles;
	unsigned long clock;
};

struct tui_source_cache *
tui_source_cache_new(char *const *dirs, size_t ndirs)
{
	struct tui_source_cache *c = xcalloc(1, sizeof *c);
	size_t i;

	c->dirs = xcalloc(ndirs ? ndirs : 1, sizeof *c->dirs);
	for (i = 0; i < ndirs; i++)
		c->dirs[i] = xstrdup(dirs[i]);
	c->ndirs = ndirs;
	return c;
}

static void
file_clear(struct tui_source_file *f)
{
	free(f->key);
	free(f->path);
	free(f->err);
	free(f->text);
	free(f->starts);
	memset(f, 0, sizeof *f);
}

void
tui_source_cache_free(struct tui_source_cache *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->nfiles; i++)
		file_clear(&c->files[i]);
	for (i = 0; i < c->ndirs; i++)
		free(c->dirs[i]);
	free(c->dirs);
	free(c);
}

static bool
is_regular(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

char *
tui_source_resolve(const char *path, char *const *dirs, size_t ndirs)
{
	size_t i;

	if (!path || !*path)
		return NULL;
	if (is_regular(path))
		return xstrdup(path);
	/* /old/checkout/src/x.c with dir D: D/old/checkout/src/x.c,
	 * D/checkout/src/x.c, D/src/x.c, D/x.c - the longest match wins, so a
	 * moved tree is found even when two files share a basename. */
	for (i = 0; i < ndirs; i++) {
		const char *suffix = path;

		while (*suffix) {
			char *cand;

			while (*suffix == '/')
				suffix++;
			if (!*suffix)
				break;
			cand = xasprintf("%s/%s", dirs[i], suffix);
			if (is_regular(cand))
				return cand;
			free(cand);
			suffix = strchr(suffix, '/');
			if (!suffix)
				break;
		}
	}
	return NULL;
}

/* Read a whole regular file; O_NONBLOCK so that opening a FIFO that
 * replaced a source file never blocks (fstat then refuses it). */
static bool
read_file(const char *path, char **text, size_t *len, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	size_t got = 0;
	char *buf;

	if (fd < 0) {
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return false;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s is not a regular file", path);
		close(fd);
		return false;
	}
	if ((unsigned long long)st.st_size > TUI_SOURCE_MAX_BYTES) {
		snprintf(err, errlen, "%s is too big to show (%lld bytes)", path,
			(long long)st.st_size);
		close(fd);
		return false;
	}
	buf = xmalloc((size_t)st.st_size + 1);
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;	/* shrank meanwhile: show what is there */
		got += (size_t)n;
	}
	close(fd);
	buf[got] = '\0';
	*text = buf;
	*len = got;
	return true;
}

static void
index_lines(struct tui_source_file *f)
{
	size_t cap = 0, i;

	f->nlines = 0;
	for (i = 0; i < f->len || (i == f->len && !f->nlines); ) {
		const char *nl = memchr(f->text + i, '\n', f->len - i);

		xgrow((void **)&f->starts, &cap, f->nlines + 1, sizeof *f->starts);
		f->starts[f->nlines++] = i;
		if (!nl)
			break;
		i = (size_t)(nl - f->text) + 1;
	}
}

static struct tui_source_file *
cache_slot(struct tui_source_cache *c)
{
	size_t i, oldest = 0;

	if (c->nfiles < TUI_SOURCE_CACHE_FILES)
		return &c->files[c->nfiles++];
	for (i = 1; i < c->nfiles; i++)
		if (c->files[i].used < c->files[oldest].used)
			oldest = i;
	file_clear(&c->files[oldest]);
	return &c->files[oldest];
}

static void
cache_file(struct tui_source_cache *c, struct tui_source_file *f)
{
	char err[512];

	f->path = tui_source_resolve(f->key, c->dirs, c->ndirs);
	if (!f->path) {
		snprintf(err, sizeof err, "source not found: %s%s", f->key,
			c->ndirs ? " (nor under --source-dir)" : " (try --source-dir)");
		f->err = xstrdup(err);
		return;
	}
	if (!read_file(f->path, &f->text, &f->len, err, sizeof err)) {
		free(f->path);
		f->path = NULL;
		f->err = xstrdup(err);
		return;
	}
	index_lines(f);
}

const struct tui_source_file *
tui_source_get(struct tui_source_cache *c, const char *path, char *err, size_t errlen)
{
	struct tui_source_file *f = NULL;
	size_t i;

	for (i = 0; i < c->nfiles && !f; i++)
		if (!strcmp(c->files[i].key, path))
			f = &c->files[i];
	if (!f) {
		/* Misses are cached too: a redraw must not search the disk again. */
		f = cache_slot(c);
		f->key = xstrdup(path);
		cache_file(c, f);
	}
	f->used = ++c->clock;
	if (!f->path) {
		snprintf(err, errlen, "%s", f->err);
		return NULL;
	}
	return f;
}

const char *
tui_source_path(const struct tui_source_file *f)
{
	return f->path;
}

size_t
tui_source_nlines(const struct tui_source_file *f)
{
	return f->nlines;
}

const char *
tui_source_line(const struct tui_source_file *f, size_t n, size_t *len)
{
	size_t start, end;

	if (n < 1 || n > f->nlines)
		return NULL;
	start = f->starts[n - 1];
	end = n < f->nlines ? f->starts[n] - 1 : f->len;
	if (end > start && f->text[end - 1] == '\n')
		end--;	/* the last line of a file that ends in a newline */
	if (end > start && f->text[end - 1] == '\r')
		end--;	/* CRLF files */
	*len = end - start;
	return f->text + start;
}
