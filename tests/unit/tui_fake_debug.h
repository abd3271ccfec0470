/* tui_fake_debug.h - the debugger as the fake host of the TUI tests plays
 * it: a realistic stop at leak_alloc's ngx_alloc (the fixture module's
 * frames as gdb names them), with hostile and very long values, in the
 * state a test asks for; every op recorded in the host's calls. Included
 * by tui_fixture.h. */
#ifndef LT_TEST_TUI_FAKE_DEBUG_H
#define LT_TEST_TUI_FAKE_DEBUG_H

#include "gdbmi.h"

#define FAKE_MODULE_FULL FIXTURE_MOVED_ROOT "tests/fixture/ngx_http_leaky_module/ngx_http_leaky_module.c"
#define FAKE_MODULE "../tests/fixture/ngx_http_leaky_module/ngx_http_leaky_module.c"

static struct gdbmi_frame fake_frames[] = {
	{ 0, "ngx_http_leaky_leak_alloc", FAKE_MODULE, FAKE_MODULE_FULL, 188, "0x0000000000123456" },
	{ 1, "ngx_http_leaky_handler", FAKE_MODULE, FAKE_MODULE_FULL, 480, "0x0000000000123999" },
	{ 2, "ngx_http_core_content_phase", "src/http/ngx_http_core_module.c", NULL, 1259,
		"0x00000000000a1111" },
	{ 3, "ngx_http_core_run_phases", "src/http/ngx_http_core_module.c", NULL, 875,
		"0x00000000000a2222" },
	{ 4, "ngx_http_handler", "src/http/ngx_http_core_module.c", NULL, 858, "0x00000000000a3333" },
	{ 5, "ngx_http_process_request", "src/http/ngx_http_request.c", NULL, 2120,
		"0x00000000000a4444" },
	{ 6, "ngx_epoll_process_events", "src/event/modules/ngx_epoll_module.c", NULL, 901,
		"0x00000000000a5555" },
	{ 7, "??", NULL, NULL, 0, "0x0000000004abcdef" },
};

static char fake_long_value[700];

static struct gdbmi_var fake_vars[] = {
	{ "r", "ngx_http_request_t *", "0x4b7e0b0", true },
	{ "msg", "ngx_str_t *", "0x1ffefff8a0", true },
	{ "p", "u_char *", "0x0", false },
	/* gdb's values are the program's bytes: a terminal must never get them raw */
	{ "evil", "char [16]", "\"\x1b[2J\x1b]0;pwned\x07\r\n\"", false },
	{ "big", "char [4096]", fake_long_value, false },
	{ "hdr", "ngx_table_elt_t", NULL, false },
};

static const struct tui_debug_bp fake_bps[] = {
	{ FAKE_MODULE, 188, 1 },
	{ "ngx_http_leaky_module.c", 192, 0 },
};

/* The debugger's state a screen test starts in: off, loading, waiting,
 * stopped, error (stopped, with gdb's error as the note). */
static inline void
fake_debug_preset(struct tui_debug *d, const char *state)
{
	memset(fake_long_value, 0, sizeof fake_long_value);
	fake_long_value[0] = '"';
	memset(fake_long_value + 1, 'a', sizeof fake_long_value - 3);
	fake_long_value[sizeof fake_long_value - 2] = '"';
	*d = (struct tui_debug){ .state = TUI_DEBUG_STOPPED, .url = fake_url_a, .why = "",
		.note = "", .stop_ms = -1, .step_ms = -1 };
	if (!strcmp(state, "loading")) {
		d->state = TUI_DEBUG_LOADING;
		d->load_ms = 1234;
		d->note = "gdb reads /usr/local/nginx/sbin/nginx";
		return;
	}
	if (!strcmp(state, "waiting")) {
		d->state = TUI_DEBUG_WAITING;
		d->requests = 3;
		d->answered = 2;
		d->last_status = 200;
		d->load_ms = 2100;
		d->bps = fake_bps;
		d->nbps = 1;
		return;
	}
	d->why = "breakpoint 1 hit";
	d->frames = fake_frames;
	d->nframes = LT_ARRAY_SIZE(fake_frames);
	d->vars = fake_vars;
	d->nvars = LT_ARRAY_SIZE(fake_vars);
	d->bps = fake_bps;
	d->nbps = LT_ARRAY_SIZE(fake_bps);
	d->requests = 1;
	d->stop_ms = 2480;
	d->step_ms = 35;
	if (!strcmp(state, "error")) {
		d->note = "No symbol \"q\x1b[31m\" in current context.";
		d->note_error = true;
	} else {
		assert_string_equal(state, "stopped");
		d->note = "p = (u_char *) 0x4b80d80";
	}
}

#endif
