/* report_file.c - put a report in place: all of it or none of it.
 *
 * Every report (JSON, SARIF, JUnit, folded stacks, suppressions) goes
 * through here, so a CI reader never sees half a file and every failure
 * names the file and the option that asked for it. */
#include "report.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool
write_fd_all(int fd, const char *text, const char *what, const char *path, char *err,
	size_t errlen)
{
	size_t len = strlen(text);

	if (!util_write_all(fd, text, len) ||
		(len && text[len - 1] != '\n' && !util_write_all(fd, "\n", 1))) {
		snprintf(err, errlen, "cannot write the %s to %s: %s", what, path, strerror(errno));
		return false;
	}
	return true;
}

/* Devices and pipes (/dev/stdout, /dev/full, a FIFO) get written in place;
 * regular files go through a temp file in the same directory + rename. */
static bool
write_in_place(const char *path, const char *what, const char *text, char *err, size_t errlen)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	bool ok;

	if (fd < 0) {
		snprintf(err, errlen, "cannot open %s for the %s: %s", path, what, strerror(errno));
		return false;
	}
	ok = write_fd_all(fd, text, what, path, err, errlen);
	if (close(fd) < 0 && ok) {
		snprintf(err, errlen, "cannot write the %s to %s: %s", what, path, strerror(errno));
		ok = false;
	}
	return ok;
}

static bool
write_atomic(const char *path, const char *what, const char *text, char *err, size_t errlen)
{
	char *tmp = xasprintf("%s.XXXXXX", path);
	int fd = mkstemp(tmp);
	bool ok;

	if (fd < 0) {
		snprintf(err, errlen, "cannot create the %s next to %s: %s", what, path,
			strerror(errno));
		free(tmp);
		return false;
	}
	ok = write_fd_all(fd, text, what, path, err, errlen);
	if (ok && (fsync(fd) < 0 || fchmod(fd, 0644) < 0)) {
		snprintf(err, errlen, "cannot write the %s to %s: %s", what, path, strerror(errno));
		ok = false;
	}
	if (close(fd) < 0 && ok) {
		snprintf(err, errlen, "cannot write the %s to %s: %s", what, path, strerror(errno));
		ok = false;
	}
	if (ok && rename(tmp, path) < 0) {
		snprintf(err, errlen, "cannot put the %s at %s: %s", what, path, strerror(errno));
		ok = false;
	}
	if (!ok)
		unlink(tmp);
	free(tmp);
	return ok;
}

bool
report_file_write(const char *path, const char *what, const char *text, char *err,
	size_t errlen)
{
	struct stat st;

	if (!strcmp(path, "-"))
		return write_fd_all(STDOUT_FILENO, text, what, "standard output", err, errlen);
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
		return write_in_place(path, what, text, err, errlen);
	return write_atomic(path, what, text, err, errlen);
}

/* A file name to suggest for an option's report. */
static const char *
report_file_example(const char *option)
{
	static const char *const names[][2] = {
		{ "--json", "report.json" }, { "--sarif", "leaks.sarif" },
		{ "--junit", "leaks.xml" }, { "--folded", "leaks.folded" },
		{ "--gen-suppressions", "known.supp" },
	};
	size_t i;

	for (i = 0; i < LT_ARRAY_SIZE(names); i++)
		if (!strcmp(option, names[i][0]))
			return names[i][1];
	return "out";
}

bool
report_file_check_path(const char *path, const char *option, const char *what, char *err,
	size_t errlen)
{
	struct stat st;
	char *copy, *dir, *tmp;
	bool ok = true;
	int fd;

	if (!strcmp(path, "-"))
		return true;
	if (stat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode)) {
			snprintf(err, errlen, "%s %s is a directory: name a file in it, e.g. %s/%s",
				option, path, path, report_file_example(option));
			return false;
		}
		if (!S_ISREG(st.st_mode))
			return true;	/* /dev/stdout, a FIFO: written in place */
	}
	/* the report is a temp file renamed into place: its directory must take
	 * one. Made and removed, not asked (access(2) says yes to root in
	 * /proc or on a read-only mount). */
	tmp = xasprintf("%s.XXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0) {
		copy = xstrdup(path);
		dir = dirname(copy);
		snprintf(err, errlen, "cannot write the %s %s: directory %s: %s: "
			"pass a %s path in a directory you can write", what, path, dir, strerror(errno),
			option);
		free(copy);
		ok = false;
	} else {
		close(fd);
		unlink(tmp);
	}
	free(tmp);
	return ok;
}
