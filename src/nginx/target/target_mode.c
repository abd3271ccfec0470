/* target_mode.c - a master and workers, or one process: what the options
 * and the user's config ask for, what they forbid, and the -g argument
 * that says the rest (never a directive the config sets: nginx refuses
 * one given twice). */
#include "target_int.h"
#include "ngxconf.h"
#include "sbuf.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* worker_processes N | auto (nginx: the CPUs online); 0 if unreadable. */
static unsigned
config_workers(const char *arg)
{
	long n;

	if (!arg)
		return 1;	/* nginx's default */
	if (!strcmp(arg, "auto")) {
		n = sysconf(_SC_NPROCESSORS_ONLN);
		return n > 0 ? (unsigned)n : 1;
	}
	return util_parse_long(arg, 1, 1024, &n) ? (unsigned)n : 0;
}

static bool
check_user(const struct ngxconf_scan *scan, const char *conf, char *err, size_t errlen)
{
	if (!scan->user_line || !scan->user || !strcmp(scan->user, "root"))
		return true;
	snprintf(err, errlen, "%s:%u sets 'user %.64s', but run as root nginx's workers would "
		"switch to %.64s after valgrind made their vgdb FIFOs as root, and valgrind in each "
		"worker dies (it cannot open them): remove the line or write 'user root;' "
		"(or run ngx-leaktop as that user)", conf, scan->user_line, scan->user, scan->user);
	return false;
}

static bool
decide_user_conf(const struct ngxconf_scan *scan, const char *conf, unsigned workers,
	bool root, struct target_mode *m, char *err, size_t errlen)
{
	bool master_off = scan->master && !strcmp(scan->master, "off");

	if (scan->daemon_line && !(scan->daemon && !strcmp(scan->daemon, "off"))) {
		snprintf(err, errlen, "%s:%u sets 'daemon %.16s': remove it, ngx-leaktop runs nginx in "
			"the foreground (-g 'daemon off;')", conf, scan->daemon_line,
			scan->daemon ? scan->daemon : "");
		return false;
	}
	if (scan->master_line && !master_off && !(scan->master && !strcmp(scan->master, "on"))) {
		snprintf(err, errlen, "%s:%u: master_process must be on or off", conf,
			scan->master_line);
		return false;
	}
	if (workers && (scan->workers_line || master_off)) {
		snprintf(err, errlen, "--workers %u conflicts with %s:%u ('%s'): remove the line, "
			"or leave out --workers", workers, conf,
			scan->workers_line ? scan->workers_line : scan->master_line,
			scan->workers_line ? "worker_processes" : "master_process off");
		return false;
	}
	m->g_daemon = !scan->daemon_line;
	m->g_master = !scan->master_line;
	m->master = workers || (scan->master_line && !master_off);
	if (!m->master)
		return true;
	m->workers = workers ? workers : config_workers(scan->workers);
	if (!m->workers) {
		snprintf(err, errlen, "%s:%u: worker_processes must be a number or auto", conf,
			scan->workers_line);
		return false;
	}
	m->g_workers = workers > 0;
	if (root && !check_user(scan, conf, err, errlen))
		return false;
	m->g_user_root = root && !scan->user_line;
	return true;
}

bool
target_mode_decide(const struct ngxconf_scan *scan, const char *conf, unsigned workers,
	bool root, struct target_mode *m, char *err, size_t errlen)
{
	memset(m, 0, sizeof *m);
	if (scan)
		return decide_user_conf(scan, conf, workers, root, m, err, errlen);
	/* The embedded config says worker_processes and user itself. */
	m->g_daemon = m->g_master = true;
	m->master = workers > 0;
	m->workers = workers;
	return true;
}

char *
target_mode_g(const struct target_mode *m, const char *pid_path)
{
	struct sbuf b = SBUF_INIT;
	char n[32];

	if (m->g_daemon)
		sbuf_adds(&b, "daemon off; ");
	if (m->g_master)
		sbuf_adds(&b, m->master ? "master_process on; " : "master_process off; ");
	if (m->g_workers) {
		snprintf(n, sizeof n, "worker_processes %u; ", m->workers);
		sbuf_adds(&b, n);
	}
	if (m->g_user_root)
		sbuf_adds(&b, "user root; ");
	if (pid_path) {
		char *q = ngxconf_quote(pid_path, "");

		sbuf_adds(&b, "pid ");
		sbuf_adds(&b, q);
		sbuf_adds(&b, "; ");
		free(q);
	}
	if (b.len)
		b.data[--b.len] = '\0';	/* the last space */
	return sbuf_detach(&b);
}
