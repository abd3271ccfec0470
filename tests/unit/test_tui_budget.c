/* test_tui_budget.c - budgets on the live screen: a growing row under the
 * budgets says "under budget" and sorts after every row over them, even
 * one that grows less per request but fails on its reloads (the gate's
 * one rule, report_gate_site). */
#include "tui_fixture.h"
#include "tui_int.h"

#include <locale.h>

/* The screen's rows top down: the SITE cell's line number, in order. */
static size_t
row_lines(unsigned *lines, size_t max)
{
	char *screen = fixture_dump(), *p = screen;
	size_t n = 0;

	while (n < max && (p = strstr(p, "module.c:"))) {
		lines[n++] = (unsigned)strtoul(p + 9, &p, 10);
	}
	free(screen);
	return n;
}

static bool
line_says(unsigned line, const char *what)
{
	char *screen = fixture_dump(), key[32], *at, *end;
	bool yes = false;

	snprintf(key, sizeof key, "module.c:%u ", line);
	at = strstr(screen, key);
	if (at) {
		end = strchr(at, '\n');
		if (end)
			*end = '\0';
		yes = strstr(at, what) != NULL;
	}
	free(screen);
	return yes;
}

static void
test_under_budget_after_failing(void **state)
{
	struct report_gate gate = { FAIL_ON_GROWING, 20, 10 };
	struct model *m = fixture_model(3);
	struct fake_host h;
	struct tui *t;
	unsigned lines[16];
	size_t i, n, cycle = SIZE_MAX, alloc = SIZE_MAX;

	(void)state;
	/* the cycle's line (1.6 B a request) loses 50 B a reload too: over
	 * --max-bytes-per-reload 10, it fails */
	for (i = 0; i < model_nsites(m); i++) {
		struct model_site *s = (struct model_site *)model_site(m, i);
		const struct model_frame *f = model_site_frame(m, s, s->alloc_at);

		if (f && !strcmp(f->fn, "ngx_http_leaky_leak_cycle"))
			s->bytes_per_reload = 50;
	}
	fake_host_init(&h, m);
	h.gate = &gate;
	t = fixture_tui(m, &h, true, 24, 120);
	n = row_lines(lines, 16);
	for (i = 0; i < n; i++) {
		if (lines[i] == 255)
			cycle = i;
		if (lines[i] == 188)
			alloc = i;
	}
	assert_true(cycle < n && alloc < n);
	assert_true(line_says(255, "growing"));
	assert_true(line_says(188, "under budget"));
	assert_true(line_says(237, "under budget"));
	assert_true(line_says(232, "growing"));
	/* 1.6 B a request but failing: before 14.7 B a request under budget */
	assert_true(cycle < alloc);
	fixture_teardown(t, m, &h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_under_budget_after_failing),
	};

	setlocale(LC_ALL, "C.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
