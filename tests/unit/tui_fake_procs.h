/* tui_fake_procs.h - nginx's processes as the fake host of the TUI tests
 * plays them: a master and its workers (one killed, more after reloads),
 * the views an engine with a master offers (all, workers, the master, a
 * worker), each over a model of its own, and reload. Included by
 * tui_fixture.h; the host's fields are there. */
#ifndef LT_TEST_TUI_FAKE_PROCS_H
#define LT_TEST_TUI_FAKE_PROCS_H

/* As an engine lists them: in the order they appeared. */
static const struct tui_proc fake_procs[] = {
	{ 1201, "master", "ready", true, 0, false },
	{ 1205, "worker", "ready", true, 812, true },
	{ 1190, "worker", "killed by signal 11 (SIGSEGV)", false, 0, false },
	{ 1206, "worker", "ready", true, 790, true },
	{ 1211, "worker", "exited", false, 301, true },
	{ 1212, "worker", "exited", false, 0, false },
};

static const char *const fake_view_names[FAKE_VIEWS_MAX] = {
	"all", "workers", "master 1201", "worker 1205",
};

static inline struct model *
fake_view(void *ctx, size_t v, char *name, size_t len)
{
	struct fake_host *h = ctx;

	/* not in calls: the screen asks before every frame */
	h->view_asked = v > h->view_asked ? v : h->view_asked;
	if (v >= h->nviews || !h->views[v])
		return NULL;
	snprintf(name, len, "%s", h->view_names[v]);
	return h->views[v];
}

static inline bool
fake_reload(void *ctx, char *err, size_t errlen)
{
	struct fake_host *h = ctx;

	sbuf_adds(&h->calls, "reload\n");
	if (h->reload_err)
		snprintf(err, errlen, "%s", h->reload_err);
	return !h->reload_err;
}

/* n processes and the first nviews views: all (m itself), then models
 * of their own, each from other rounds of the captures so that every
 * view's table differs. */
static inline void
fake_procs_open(struct fake_host *h, struct model *m, size_t nprocs, size_t nviews)
{
	size_t v;

	h->live.procs = fake_procs;
	h->live.nprocs = nprocs < LT_ARRAY_SIZE(fake_procs) ? nprocs : LT_ARRAY_SIZE(fake_procs);
	h->nviews = nviews < FAKE_VIEWS_MAX ? nviews : FAKE_VIEWS_MAX;
	for (v = 0; v < h->nviews; v++) {
		h->views[v] = v == 0 ? m : v == 1 ? fixture_model_urls(3, 2) : fixture_model(4 - v);
		h->view_names[v] = fake_view_names[v];
	}
}

/* What the model fills in once it is fed by several processes (sources)
 * and reloads (bytes_per_reload), written into m's sites by hand: the
 * pool site (the first row) grows by 72 B on each reload in every
 * process, the other growing definite sites were seen in the workers,
 * the rest (the start-up heap) in every process. fake_procs_close puts
 * the model's own values back. */
static const uint32_t fake_src_all[] = { 1201, 1205, 1206 };
static const uint32_t fake_src_workers[] = { 1205, 1206 };

static inline void
fake_procs_feed(struct fake_host *h, struct model *m)
{
	size_t i;

	h->fed = m;
	h->saved = xcalloc(model_nsites(m) ? model_nsites(m) : 1, sizeof *h->saved);
	for (i = 0; i < model_nsites(m); i++) {
		struct model_site *s = (struct model_site *)model_site(m, i);
		const struct model_frame *f = model_site_frame(m, s, s->alloc_at);
		bool reload = f && f->line == 232 && s->kind == LEAK_DEFINITE;
		bool workers = s->growth == GROWTH_GROWING && s->kind == LEAK_DEFINITE && !reload;

		h->saved[i] = *s;
		s->sources = workers ? fake_src_workers : fake_src_all;
		s->nsources = workers ? 2 : 3;
		s->nsources_now = s->nsources;
		if (reload)
			s->bytes_per_reload = 72;
	}
}

static inline void
fake_procs_close(struct fake_host *h)
{
	size_t i;

	for (i = 0; h->fed && i < model_nsites(h->fed); i++) {
		struct model_site *s = (struct model_site *)model_site(h->fed, i);

		s->sources = h->saved[i].sources;
		s->nsources = h->saved[i].nsources;
		s->nsources_now = h->saved[i].nsources_now;
		s->bytes_per_reload = h->saved[i].bytes_per_reload;
	}
	free(h->saved);
	h->saved = NULL;
	h->fed = NULL;
	/* view 0 is the caller's model */
	for (i = 1; i < FAKE_VIEWS_MAX; i++) {
		model_free(h->views[i]);
		h->views[i] = NULL;
	}
	h->nviews = 0;
}

#endif
