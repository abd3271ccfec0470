/* bench_roundtrip.c - one leak check through ngx-leaktop (command to model
 * updated) against a raw `vgdb leak_check full reachable any` on the same
 * nginx process, alternated, in one run.
 *
 * usage: bench_roundtrip NGINX_BINARY CONF RUNS
 * Prints median and spread of both and the ratio. */
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

/* The baseline: what a user types, output to /dev/null. */
/* ms */
static double
raw_vgdb(const char *vgdb, const struct engine *e)
{
	char *prefix = xasprintf("--vgdb-prefix=%s", engine_vgdb_prefix(e));
	char *pid = xasprintf("--pid=%ld", engine_pid(e));
	char *argv[] = { (char *)vgdb, prefix, pid, "leak_check", "full", "reachable", "any", NULL };
	struct proc_spec spec = { .argv = argv, .stdin_fd = -1, .stdout_fd = -1, .stderr_fd = -1 };
	int64_t t0 = util_now_ns();
	pid_t child = proc_spawn(&spec);

	while (child > 0 && waitpid(child, NULL, 0) < 0 && errno == EINTR)
		;
	free(prefix);
	free(pid);
	return (double)(util_now_ns() - t0) / 1e6;
}

int
main(int argc, char **argv)
{
	struct bench b = { 0 };
	char *urls[] = { "/leak/alloc", "/leak/cycle", "/cache/a", "/" };
	struct burst_spec spec = { .urls = urls, .nurls = 4, .requests = 400, .concurrency = 4,
		.keepalive = true, .timeout_ms = 30000 };
	int runs, i;
	double *ours, *raw, m_ours, m_raw;

	if (argc != 4 || (runs = atoi(argv[3])) < 1) {
		fprintf(stderr, "usage: bench_roundtrip NGINX_BINARY CONF RUNS\n");
		return 2;
	}
	if (!bench_start(&b, argv[1], argv[2], &spec))
		return 2;
	bench_wait_round(&b);	/* baseline */
	engine_burst_check(b.engine);	/* a heap with the fixture's leaks in it */
	bench_wait_round(&b);
	ours = xcalloc((size_t)runs, sizeof *ours);
	raw = xcalloc((size_t)runs, sizeof *raw);
	for (i = 0; i < runs && !b.dead; i++) {
		int64_t t0;

		raw[i] = raw_vgdb(b.pf.vgdb, b.engine);
		t0 = util_now_ns();
		engine_check(b.engine);
		bench_wait_round(&b);
		ours[i] = (double)(util_now_ns() - t0) / 1e6;
	}
	printf("heap: %zu loss records per check\n", model_nsites(engine_model(b.engine)));
	m_raw = bench_stats("raw vgdb leak_check (baseline)", "ms", raw, runs);
	m_ours = bench_stats("ngx-leaktop check -> model updated", "ms", ours, runs);
	printf("RATIO roundtrip %.3f (target <= 1.05)\n", m_ours / m_raw);
	bench_finish(&b);
	free(ours);
	free(raw);
	return 0;
}
