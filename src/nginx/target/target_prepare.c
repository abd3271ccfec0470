/* target_prepare.c - what nginx under valgrind runs in: the private
 * directory (and the stale ones of killed runs), the config, valgrind's
 * command line. */
#include "target_int.h"
#include "escape.h"
#include "ngxconf.h"
#include "procwatch.h"
#include "sbuf.h"
#include "tlscert.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *
resolve(const char *prefix, const char *path)
{
	if (path[0] == '/')
		return xstrdup(path);
	return xasprintf("%s/%s", prefix, path);
}

/* Workers of a run whose owner died by SIGKILL outlive it (the master
 * died with it, they are orphans): those with a gdbserver FIFO in its dir
 * whose command line names that dir (not a recycled pid) are killed. */
static void
kill_orphans(const char *dir)
{
	char *prefix = xasprintf("%s/vgdb", dir), path[64], buf[4096];
	pid_t *pids;
	size_t n = procwatch_scan(prefix, &pids), i;

	for (i = 0; i < n; i++) {
		int fd;
		ssize_t len;

		snprintf(path, sizeof path, "/proc/%ld/cmdline", (long)pids[i]);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		len = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
		if (fd >= 0)
			close(fd);
		if (len > 0 && memmem(buf, (size_t)len, prefix, strlen(prefix)))
			kill(pids[i], SIGKILL);
	}
	free(pids);
	free(prefix);
}

/* A private dir whose owner died by SIGKILL could not be removed by it:
 * the next run removes it (ours only: same uid, owner pid gone). */
static void
reap_stale_dirs(const char *tmp)
{
	DIR *d = opendir(tmp);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		char *dir, *owner, buf[32] = "";
		struct stat st;
		long pid;
		int fd;

		if (strncmp(de->d_name, "ngx-leaktop.", 12))
			continue;
		dir = xasprintf("%s/%s", tmp, de->d_name);
		owner = xasprintf("%s/owner", dir);
		fd = open(owner, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (fd >= 0 && fstat(fd, &st) == 0 && st.st_uid == getuid() &&
			read(fd, buf, sizeof buf - 1) > 0 && util_parse_long(strtok(buf, "\n"), 1,
			LONG_MAX, &pid) && kill((pid_t)pid, 0) < 0 && errno == ESRCH) {
			kill_orphans(dir);
			util_rm_rf(dir);
		}
		if (fd >= 0)
			close(fd);
		free(owner);
		free(dir);
	}
	closedir(d);
}

/* A new file of the private directory, 0600. */
static bool
write_private(struct target *s, const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", s->dir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	bool ok;

	free(path);
	ok = fd >= 0 && util_write_all(fd, text, strlen(text));
	if (fd >= 0)
		close(fd);
	return ok;
}

static bool
write_owner(struct target *s)
{
	char pid[32];

	snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
	return write_private(s, "owner", pid);
}

bool
target_make_dir(struct target *s, char *err, size_t errlen)
{
	const char *tmp = getenv("TMPDIR");
	char *tmpl = xasprintf("%s/ngx-leaktop.XXXXXX", tmp && *tmp ? tmp : "/tmp");

	reap_stale_dirs(tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(tmpl)) {
		snprintf(err, errlen, "cannot create a private directory in %s: %s (set TMPDIR)",
			tmp && *tmp ? tmp : "/tmp", strerror(errno));
		free(tmpl);
		return false;
	}
	s->dir = tmpl;
	s->vgdb_prefix = xasprintf("%s/vgdb", s->dir);
	if (!write_owner(s) ||
		(s->opts.supp_text && !write_private(s, TARGET_SUPP_FILE, s->opts.supp_text))) {
		snprintf(err, errlen, "cannot write in %s: %s", s->dir, strerror(errno));
		return false;
	}
	return true;
}

/* A loopback port for the stream server that is not the http one (two
 * calls of ngxconf_free_port may well give the same). */
static unsigned
second_port(unsigned taken)
{
	unsigned i, p = 0;

	for (i = 0; i < 16 && (!p || p == taken); i++)
		p = ngxconf_free_port();
	return p == taken ? 0 : p;
}

/* --tls (a key and certificate in the private dir), --http2 and
 * --stream-directives into the generated config; *crt and *key are the
 * caller's to free. */
static bool
prepare_protocols(struct target *s, struct ngxconf_embedded *cf, char **crt, char **key,
	char *err, size_t errlen)
{
	*crt = *key = NULL;
	if (s->opts.tls && !tlscert_write(s->dir, crt, key, err, errlen))
		return false;
	cf->tls_crt = *crt;
	cf->tls_key = *key;
	cf->http2 = s->http2 = s->opts.http2;
	if (!s->opts.stream_directives)
		return true;
	cf->stream_port = second_port(cf->port);
	if (!cf->stream_port) {
		snprintf(err, errlen, "cannot find a second free port on 127.0.0.1 for the stream "
			"server");
		return false;
	}
	cf->stream_directives = s->opts.stream_directives;
	cf->stream_block = s->opts.stream_block;
	s->stream_addr = xasprintf("127.0.0.1:%u", cf->stream_port);
	return true;
}

/* --tls, --http2 and --stream-directives shape the generated config; a
 * user's config (or an attached nginx) says all that itself. */
bool
target_refuse_protocols(const struct target_opts *o, char *err, size_t errlen)
{
	const char *opt = o->tls ? "--tls" : o->http2 ? "--http2" :
		o->stream_directives ? "--stream-directives" : o->http_block ? "--http-block" :
		o->stream_block ? "--stream-block" : NULL;
	const char *why = o->tls ? "your config's listen says ssl itself" :
		o->http2 ? "your config's listen says http2 itself" :
		o->http_block ? "edit your config's http {} block" :
		"your config's stream {} has its own servers";

	if (!opt)
		return false;
	if (o->attach_pid > 0)
		snprintf(err, errlen, "%s is for the generated config: an attached nginx has its own",
			opt);
	else
		snprintf(err, errlen, "%s is for the generated config: %s", opt, why);
	return true;
}

bool
target_prepare_embedded(struct target *s, char *err, size_t errlen)
{
	char *crt, *key;
	bool ok;

	unsigned port = ngxconf_free_port();
	struct ngxconf_embedded cf = { .port = 0 };

	target_mode_decide(NULL, NULL, s->opts.workers, geteuid() == 0, &s->mode, err, errlen);
	if (!port) {
		snprintf(err, errlen, "cannot find a free port on 127.0.0.1: %s", strerror(errno));
		return false;
	}
	s->nginx_prefix = xasprintf("%s/nginx", s->dir);
	if (mkdir(s->nginx_prefix, 0700) < 0) {
		snprintf(err, errlen, "cannot create %s: %s", s->nginx_prefix, strerror(errno));
		return false;
	}
	cf.port = port;
	cf.extra_server = s->opts.extra_server;
	cf.http_block = s->opts.http_block;
	cf.workers = s->mode.workers;
	cf.user_root = s->mode.master && geteuid() == 0;
	ok = prepare_protocols(s, &cf, &crt, &key, err, errlen) &&
		ngxconf_write_embedded(s->nginx_prefix, &cf, err, errlen);
	free(crt);
	free(key);
	if (!ok)
		return false;
	s->conf = xasprintf("%s/conf/nginx.conf", s->nginx_prefix);
	s->pid_path = xasprintf("%s/nginx.pid", s->nginx_prefix);
	s->error_log = xasprintf("%s/logs/error.log", s->nginx_prefix);
	s->base_url = xasprintf("%s://127.0.0.1:%u", s->opts.tls ? "https" : "http", port);
	return true;
}

bool
target_prepare_user_conf(struct target *s, char *err, size_t errlen)
{
	struct ngxconf_scan scan;
	char *abs = realpath(s->opts.conf, NULL);

	if (!abs) {
		snprintf(err, errlen, "nginx config %.300s: %s", s->opts.conf, strerror(errno));
		return false;
	}
	s->conf = abs;
	if (!ngxconf_scan_file(s->conf, &scan, err, errlen))
		return false;
	if (!target_mode_decide(&scan, s->opts.conf, s->opts.workers, geteuid() == 0, &s->mode,
		err, errlen)) {
		ngxconf_scan_free(&scan);
		return false;
	}
	if (s->opts.prefix) {
		char *p = realpath(s->opts.prefix, NULL);

		s->nginx_prefix = p ? p : xstrdup(s->opts.prefix);
	} else {
		char *copy = xstrdup(s->conf);

		s->nginx_prefix = xstrdup(dirname(copy));
		free(copy);
	}
	s->pid_path = scan.pid_path ? resolve(s->nginx_prefix, scan.pid_path)
		: xasprintf("%s/nginx.pid", s->dir);
	s->add_pid = !scan.pid_path;
	if (scan.error_log && strcmp(scan.error_log, "stderr") && strncmp(scan.error_log, "syslog:", 7))
		s->error_log = resolve(s->nginx_prefix, scan.error_log);
	if (scan.listen)
		s->base_url = ngxconf_listen_url(scan.listen, scan.listen_ssl);
	s->http2 = s->base_url && scan.listen_http2;
	if (scan.stream_listen)
		s->stream_addr = ngxconf_listen_addr(scan.stream_listen);
	ngxconf_scan_free(&scan);
	return true;
}

/* valgrind expands %p, %q{VAR}, %n in --xml-file: a '%' of TMPDIR is
 * doubled to stay itself. */
static char *
xml_file_arg(const char *dir)
{
	struct sbuf b = SBUF_INIT;

	sbuf_adds(&b, "--xml-file=");
	for (; *dir; dir++) {
		if (*dir == '%')
			sbuf_addc(&b, '%');
		sbuf_addc(&b, *dir);
	}
	sbuf_adds(&b, "/vg.%p.xml");
	return sbuf_detach(&b);
}

char **
target_argv(struct target *s)
{
	size_t n = 0, cap = 25 + s->opts.nvalgrind_opts + s->opts.nsupp_files, i;
	char **argv = xcalloc(cap, sizeof *argv);

	argv[n++] = xstrdup(s->opts.valgrind);
	argv[n++] = xstrdup("--tool=memcheck");
	/* full: gdb's next over a call in code valgrind translated already
	 * stops where it should (with yes it may run on for good), at about
	 * a third of the bursts' speed (bench/vgdb_mode.sh) */
	argv[n++] = xstrdup(s->opts.vgdb_full ? "--vgdb=full" : "--vgdb=yes");
	argv[n++] = xasprintf("--vgdb-prefix=%s", s->vgdb_prefix);
	argv[n++] = xstrdup("--xml=yes");
	argv[n++] = xml_file_arg(s->dir);
	argv[n++] = xasprintf("--num-callers=%u", s->opts.num_callers);
	argv[n++] = xstrdup("--keep-stacktraces=alloc-and-free");
	argv[n++] = xstrdup("--fullpath-after=");
	argv[n++] = xstrdup("--error-limit=no");
	if (s->mode.master) {
		/* each forked worker gets its own gdbserver; the XML file name
		 * has %p, and children keep talking */
		argv[n++] = xstrdup("--trace-children=yes");
		argv[n++] = xstrdup("--child-silent-after-fork=no");
	}
	for (i = 0; i < s->opts.nsupp_files; i++) {
		char *abs = realpath(s->opts.supp_files[i], NULL);

		argv[n++] = xasprintf("--suppressions=%s", abs ? abs : s->opts.supp_files[i]);
		free(abs);
	}
	if (s->opts.supp_text)
		argv[n++] = xasprintf("--suppressions=%s/%s", s->dir, TARGET_SUPP_FILE);
	for (i = 0; i < s->opts.nvalgrind_opts; i++)
		argv[n++] = xstrdup(s->opts.valgrind_opts[i]);
	argv[n++] = xstrdup(s->opts.nginx);
	argv[n++] = xstrdup("-p");
	argv[n++] = xasprintf("%s/", s->nginx_prefix);
	argv[n++] = xstrdup("-c");
	argv[n++] = xstrdup(s->conf);
	/* A user config without `pid` gets ours, so readiness can be seen. */
	argv[n] = target_mode_g(&s->mode, s->add_pid ? s->pid_path : NULL);
	if (*argv[n]) {
		argv[n + 1] = argv[n];
		argv[n] = xstrdup("-g");
		n += 2;
	} else {
		free(argv[n]);
		argv[n] = NULL;
	}
	return argv;
}

void
target_argv_free(char **argv)
{
	size_t i;

	for (i = 0; argv[i]; i++)
		free(argv[i]);
	free(argv);
}

