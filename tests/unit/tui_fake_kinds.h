/* tui_fake_kinds.h - the kinds of request as the fake host of the TUI
 * tests plays them: a plain GET of -u, a POST of a request file over TLS,
 * an HTTP/2 one, a TCP exchange, and one whose name, target and file are
 * hostile bytes; set_kinds records the entries it got, refuses once with
 * the error a test sets, and makes the kinds anew from the entries (an
 * entry it knew keeps its kind; another becomes a GET of editor). Included
 * by tui_fixture.h; the host's fields are there. */
#ifndef LT_TEST_TUI_FAKE_KINDS_H
#define LT_TEST_TUI_FAKE_KINDS_H

static const struct tui_kind fake_kinds[] = {
	{ "GET /leak/alloc", "http", "GET", "http://127.0.0.1:8080/leak/alloc", 1, "-u",
		"/leak/alloc" },
	{ "Create user", "https", "POST", "https://127.0.0.1:8443/leak/pool", 3, "api.http:12",
		"@api.http#Create user" },
	{ "stream cycle", "h2", "GET", "https://127.0.0.1:8443/leak/cycle", 1, "api.http:20",
		"@api.http#stream cycle" },
	{ "tcp hello.bin", "tcp", NULL, "127.0.0.1:9000", 2, "--send hello.bin",
		"tcp 127.0.0.1:9000 < hello.bin" },
	{ "evil\x1b[2J\x07name", "h2c", "GET", "http://127.0.0.1:8080/\x1b]0;pwned\x07x", 1,
		"ev\x9bil.http:1", "@ev\x1bil.http#evil\x1b[2J\x07name" },
};

/* The first n kinds, as the session's. */
static inline void
fake_kinds_open(struct fake_host *h, size_t n)
{
	h->live.kinds = fake_kinds;
	h->live.nkinds = n < LT_ARRAY_SIZE(fake_kinds) ? n : LT_ARRAY_SIZE(fake_kinds);
}

static inline void
fake_kinds_close(struct fake_host *h)
{
	size_t i;

	for (i = 0; i < FAKE_KINDS_MAX; i++) {
		free(h->kind_text[i]);
		h->kind_text[i] = NULL;
	}
}

/* The kind entry e makes: the one it made before, else a GET of it. */
static inline struct tui_kind
fake_kind_of(const struct fake_host *h, const char *e)
{
	size_t i;

	for (i = 0; i < h->live.nkinds; i++)
		if (h->live.kinds[i].entry && !strcmp(h->live.kinds[i].entry, e))
			return h->live.kinds[i];
	return (struct tui_kind){ e, "http", "GET", e, 1, "editor", e };
}

static inline bool
fake_set_kinds(void *ctx, char **entries, size_t n, char *err, size_t errlen)
{
	struct fake_host *h = ctx;
	struct tui_kind made[FAKE_KINDS_MAX];
	char *text[FAKE_KINDS_MAX] = { 0 };
	size_t i;

	sbuf_adds(&h->calls, "kinds");
	for (i = 0; i < n; i++)
		sbuf_printf(&h->calls, "%s%s", i ? " | " : " ", entries[i]);
	sbuf_addc(&h->calls, '\n');
	if (h->kinds_err) {
		snprintf(err, errlen, "%s", h->kinds_err);
		h->kinds_err = NULL;	/* once */
		return false;
	}
	if (n > FAKE_KINDS_MAX) {
		snprintf(err, errlen, "too many kinds for the fake");
		return false;
	}
	/* made from the old kinds and strings first, then the old ones go */
	for (i = 0; i < n; i++) {
		text[i] = xstrdup(entries[i]);
		made[i] = fake_kind_of(h, entries[i]);
		/* a kind made here before points into the strings freed below */
		if (made[i].entry == entries[i] || !strcmp(made[i].source, "editor"))
			made[i] = (struct tui_kind){ text[i], "http", "GET", text[i], 1, "editor",
				text[i] };
	}
	for (i = 0; i < n; i++)
		h->kinds_now[i] = made[i];
	fake_kinds_close(h);
	memcpy(h->kind_text, text, sizeof text);
	h->live.kinds = h->kinds_now;
	h->live.nkinds = n;
	return true;
}

#endif
