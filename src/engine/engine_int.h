/* engine_int.h - inside the engine: engine.c runs the rounds (start,
 * bursts, leak checks, stop), engine_query.c answers what the front ends
 * read. Private to src/engine/. */
#ifndef LT_ENGINE_INT_H
#define LT_ENGINE_INT_H

#include <stdbool.h>
#include <stdint.h>
#include "engine.h"

#define DEFAULT_CHECK "leak_check full reachable any"
/* How long a stop waits for the leak check in flight (see engine_stop). */
#define STOP_CHECK_WAIT_MS 5000

struct engine {
	struct evloop *loop;
	struct engine_opts opts;
	engine_cb cb;
	void *ctx;
	enum engine_phase phase;
	struct target *target;
	struct vgdb *vgdb;
	struct burst *burst;
	struct burst_spec spec;	/* with resolved URLs */
	char **urls;
	struct model *model;
	struct xmlstream *xml;	/* valgrind's XML: memcheck errors, exit report */
	struct follow *follow;
	struct sessionfile *sessionfile;
	bool sessionfile_failed;	/* warned once; later rounds are not written */
	bool auto_mode;
	bool check_after_burst;
	bool stop_after_check;	/* a stop waits for the check in flight */
	uint64_t stop_wait_timer;
	bool have_stats;
	uint64_t burst_requests, burst_failed;	/* of the burst before the next check */
	uint64_t total_requests, total_failed;
	int64_t last_check_ns, last_update_ns;
	char message[640];
	/* engine_urls.c: the model id of each burst URL, and per model id the
	 * requests that reached nginx since the last check */
	uint32_t *url_ids;
	uint64_t *url_acc;
	size_t cap_url_acc;
	bool warned_conn_closed;
};

/* engine_urls.c: intern the burst's URLs (after they were resolved); add a
 * finished burst's per-URL counts (true once: warn that nginx closed held
 * connections); hand the counts to the round begun; clear them once the
 * round is in; free. */
void engine_urls_intern(struct engine *e);
bool engine_urls_burst_done(struct engine *e, const struct burst *burst,
	const struct burst_stats *st);
void engine_urls_round(struct engine *e);
void engine_urls_clear(struct engine *e);
void engine_urls_free(struct engine *e);

#endif
