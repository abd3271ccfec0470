/* bench_workers.c - a leak check round over a master and W workers (every
 * process asked at once, the round built when all have answered) against
 * the same number of raw `vgdb leak_check full reachable any` calls on the
 * same processes, one after the other and all at once, alternated, in one
 * run.
 *
 * usage: bench_workers NGINX_BINARY WORKERS RUNS
 * Prints median and spread of each and the ratios. */
#include "bench_engine.h"
#include "model.h"
#include "proc.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAXP 64

static pid_t
spawn_vgdb(const char *vgdb, const struct engine *e, long pid)
{
	char *prefix = xasprintf("--vgdb-prefix=%s", engine_vgdb_prefix(e));
	char *p = xasprintf("--pid=%ld", pid);
	char *argv[] = { (char *)vgdb, prefix, p, "leak_check", "full", "reachable", "any", NULL };
	struct proc_spec spec = { .argv = argv, .stdin_fd = -1, .stdout_fd = -1, .stderr_fd = -1 };
	pid_t child = proc_spawn(&spec);

	free(prefix);
	free(p);
	return child;
}

static void
reap(pid_t child)
{
	while (child > 0 && waitpid(child, NULL, 0) < 0 && errno == EINTR)
		;
}

/* ms: every live process, one vgdb after the other (parallel: all at once) */
static double
raw_round(const char *vgdb, const struct engine *e, bool parallel)
{
	pid_t kids[MAXP];
	size_t i, n = 0;
	int64_t t0 = util_now_ns();

	for (i = 0; i < engine_nprocs(e) && n < MAXP; i++) {
		const struct engine_proc *p = engine_proc(e, i);

		if (!p->alive)
			continue;
		kids[n] = spawn_vgdb(vgdb, e, p->pid);
		if (!parallel)
			reap(kids[n]);
		n++;
	}
	for (i = 0; parallel && i < n; i++)
		reap(kids[i]);
	return (double)(util_now_ns() - t0) / 1e6;
}

int
main(int argc, char **argv)
{
	struct bench b = { 0 };
	char *urls[] = { "/leak/alloc", "/clean" };
	struct burst_spec spec = { .urls = urls, .nurls = 2, .requests = 200, .concurrency = 8,
		.keepalive = true, .timeout_ms = 30000 };
	int runs, i, w;
	double *ours, *seq, *par, m_ours, m_seq, m_par;

	if (argc != 4 || (w = atoi(argv[2])) < 1 || (runs = atoi(argv[3])) < 1) {
		fprintf(stderr, "usage: bench_workers NGINX_BINARY WORKERS RUNS\n");
		return 2;
	}
	b.workers = (unsigned)w;
	b.extra_server = "location = /leak/alloc { leaky leak_alloc; } "
		"location = /clean { leaky clean; }";
	if (!bench_start(&b, argv[1], NULL, &spec))
		return 2;
	bench_wait_round(&b);	/* baseline */
	engine_burst_check(b.engine);
	bench_wait_round(&b);
	ours = xcalloc((size_t)runs, sizeof *ours);
	seq = xcalloc((size_t)runs, sizeof *seq);
	par = xcalloc((size_t)runs, sizeof *par);
	/* the order turns each run: whoever comes first after a pause pays
	 * vgdb's wake-up of an nginx asleep in epoll_wait */
	for (i = 0; i < runs && !b.dead; i++) {
		int64_t t0;

		if (i % 2)
			seq[i] = raw_round(b.pf.vgdb, b.engine, false);
		t0 = util_now_ns();
		engine_check(b.engine);
		bench_wait_round(&b);
		ours[i] = (double)(util_now_ns() - t0) / 1e6;
		par[i] = raw_round(b.pf.vgdb, b.engine, true);
		if (!(i % 2))
			seq[i] = raw_round(b.pf.vgdb, b.engine, false);
	}
	printf("%d workers: %zu processes, %zu loss records per check (all merged)\n", w,
		engine_nprocs(b.engine), model_nsites(engine_model(b.engine)));
	m_seq = bench_stats("raw vgdb, one after the other", "ms", seq, runs);
	m_par = bench_stats("raw vgdb, all at once", "ms", par, runs);
	m_ours = bench_stats("ngx-leaktop round -> models updated", "ms", ours, runs);
	printf("RATIO workers%d_vs_sequential %.3f (target <= 1.0)\n", w, m_ours / m_seq);
	printf("RATIO workers%d_vs_parallel %.3f (target <= 1.3)\n", w, m_ours / m_par);
	bench_finish(&b);
	free(ours);
	free(seq);
	free(par);
	return 0;
}
