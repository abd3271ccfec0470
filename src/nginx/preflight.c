/* preflight.c - nginx -V, ELF debug info, tools on PATH. */
#include "preflight.h"
#include "escape.h"
#include "proc.h"
#include "sbuf.h"
#include "util.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define CAPTURE_TIMEOUT_MS 10000
#define CAPTURE_MAX_OUTPUT (256 * 1024)

static bool
read_at(int fd, void *buf, size_t len, off_t off)
{
	return pread(fd, buf, len, off) == (ssize_t)len;
}

bool
preflight_has_debug_info(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	Elf64_Ehdr eh;
	Elf64_Shdr sh, strsh;
	bool found = false;
	unsigned i;

	if (fd < 0)
		return false;
	if (!read_at(fd, &eh, sizeof eh, 0) || memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
		eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_shentsize != sizeof sh ||
		eh.e_shstrndx >= eh.e_shnum ||
		!read_at(fd, &strsh, sizeof strsh, (off_t)(eh.e_shoff + eh.e_shstrndx * sizeof sh)))
		goto out;
	for (i = 0; i < eh.e_shnum && !found; i++) {
		char name[16] = "";

		if (!read_at(fd, &sh, sizeof sh, (off_t)(eh.e_shoff + i * sizeof sh)))
			break;
		if (sh.sh_name >= strsh.sh_size)
			continue;
		if (pread(fd, name, sizeof name - 1, (off_t)(strsh.sh_offset + sh.sh_name)) > 0)
			found = !strcmp(name, ".debug_info");
	}
out:
	close(fd);
	return found;
}

/* Run `PROG ARG` with a deadline, its stdout and stderr (nginx -V prints
 * on stderr) into out. Runs before the event loop exists, so a local
 * poll() with a deadline is the loop. */
static bool
run_capture(const char *prog, const char *arg, struct sbuf *out, char *err, size_t errlen)
{
	char *argv[] = { (char *)prog, (char *)arg, NULL };
	struct proc_spec spec = { .argv = argv, .stdin_fd = -1, .die_with_parent = true };
	int64_t deadline = util_now_ms() + CAPTURE_TIMEOUT_MS;
	int fds[2], status = 0;
	pid_t pid;

	if (!proc_pipe(fds)) {
		snprintf(err, errlen, "cannot create a pipe: %s", strerror(errno));
		return false;
	}
	spec.stdout_fd = spec.stderr_fd = fds[1];
	pid = proc_spawn(&spec);
	close(fds[1]);
	if (pid < 0) {
		snprintf(err, errlen, "cannot run %s: %s", prog, strerror(errno));
		close(fds[0]);
		return false;
	}
	for (;;) {
		struct pollfd p = { fds[0], POLLIN, 0 };
		int64_t left = deadline - util_now_ms();
		char buf[4096];
		ssize_t n;

		if (left <= 0 || out->len > CAPTURE_MAX_OUTPUT) {
			kill(pid, SIGKILL);
			break;
		}
		if (poll(&p, 1, (int)left) < 0 && errno != EINTR)
			break;
		n = read(fds[0], buf, sizeof buf);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
			break;
		if (n > 0)
			sbuf_add(out, buf, (size_t)n);
	}
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return true;
}

static char *
line_after(const char *text, const char *key)
{
	const char *p = strstr(text, key), *e;

	if (!p)
		return NULL;
	p += strlen(key);
	e = strchr(p, '\n');
	return xstrndup(p, e ? (size_t)(e - p) : strlen(p));
}

static bool
check_nginx_binary(const char *nginx, char *err, size_t errlen)
{
	struct stat st;

	if (stat(nginx, &st) < 0) {
		snprintf(err, errlen, "nginx binary %.300s: %s (give the path to objs/nginx of your build)",
			nginx, strerror(errno));
		return false;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "nginx binary %.300s is not a regular file", nginx);
		return false;
	}
	if (access(nginx, X_OK) < 0) {
		snprintf(err, errlen, "nginx binary %.300s is not executable (chmod +x it)", nginx);
		return false;
	}
	return true;
}

static bool
find_tool(const char *name, const char *option, char **out, char *err, size_t errlen)
{
	*out = proc_which(name);
	if (!*out)
		snprintf(err, errlen, "%s not found: install valgrind (apt-get install valgrind) "
			"or pass --%s PATH", name, option);
	return *out != NULL;
}

bool
preflight_run(const char *nginx, const char *valgrind, const char *vgdb,
	struct preflight *p, char *err, size_t errlen)
{
	struct sbuf v = SBUF_INIT;
	char *abs;

	memset(p, 0, sizeof *p);
	if (!check_nginx_binary(nginx, err, errlen))
		return false;
	abs = realpath(nginx, NULL);
	p->nginx = abs ? abs : xstrdup(nginx);
	if (!find_tool(valgrind, "valgrind", &p->valgrind, err, errlen) ||
		!find_tool(vgdb, "vgdb", &p->vgdb, err, errlen))
		return false;
	if (!run_capture(p->nginx, "-V", &v, err, errlen))
		return false;
	p->version = line_after(v.data ? v.data : "", "nginx version: ");
	if (!p->version) {
		snprintf(err, errlen, "%s is not nginx: `%s -V` does not print \"nginx version:\"",
			nginx, nginx);
		sbuf_free(&v);
		return false;
	}
	p->configure_args = line_after(v.data, "configure arguments:");
	if (!p->configure_args)
		p->configure_args = xstrdup("");
	p->debug_palloc = strstr(p->configure_args, "NGX_DEBUG_PALLOC=1") != NULL ||
		(strstr(p->configure_args, "NGX_DEBUG_PALLOC") &&
		 !strstr(p->configure_args, "NGX_DEBUG_PALLOC=0"));
	p->debug_info = preflight_has_debug_info(p->nginx);
	sbuf_free(&v);
	return true;
}

void
preflight_free(struct preflight *p)
{
	free(p->nginx);
	free(p->version);
	free(p->configure_args);
	free(p->valgrind);
	free(p->vgdb);
	memset(p, 0, sizeof *p);
}

char *
preflight_warnings(const struct preflight *p)
{
	struct sbuf b = SBUF_INIT;

	if (!p->debug_palloc)
		sbuf_adds(&b, "warning: nginx was built without -DNGX_DEBUG_PALLOC=1: pool allocations are "
			"carved from a few big blocks, so each pool shows up as one opaque block, not the "
			"line that allocated.\n");
	if (!p->debug_info)
		sbuf_adds(&b, "warning: nginx has no debug info (-g): frames will have no file:line.\n");
	if (b.len)
		sbuf_adds(&b, "  rebuild: ./configure --with-debug --with-cc-opt='-O0 -g "
			"-DNGX_DEBUG_PALLOC=1' --add-module=/path/to/your/module && make\n");
	return sbuf_detach(&b);
}

char *
preflight_tool_version(const char *path)
{
	struct sbuf out = SBUF_INIT;
	char err[256];
	const char *text, *nl;
	char *line = NULL;

	if (!run_capture(path, "--version", &out, err, sizeof err))
		return NULL;
	text = out.data ? out.data : "";
	text += strspn(text, " \t\r\n");
	nl = strchr(text, '\n');
	if (*text)
		line = escape_dup(text, nl ? (size_t)(nl - text) : strlen(text), 0);
	sbuf_free(&out);
	return line;
}
