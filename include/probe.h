/* probe.h - has nginx reached its event loop?
 *
 * nginx writes its pid file once its sockets listen, but before its event
 * module's per-process init (ngx_event_process_init allocates the
 * connections and events). A leak check taken in between would make that
 * init look like growth in the first round. Only the event loop answers a
 * connection, so: connect, send a request line nginx's parser refuses
 * (a 400 from the core, before any module handler), and wait for any byte
 * or the close. No curses. */
#ifndef LT_PROBE_H
#define LT_PROBE_H

#include <stdbool.h>

struct evloop;
struct probe;

/* answered: nginx answered (or closed) the connection; false: it could
 * not be reached (connect failed). */
typedef void (*probe_cb)(void *ctx, bool answered);

/* base_url "http://127.0.0.1:8080" or "http://[::1]:8080", or https://
 * (the same bytes: see probe.c). NULL when the address is not one of
 * those (nothing to probe: the caller goes on). */
struct probe *probe_start(struct evloop *loop, const char *base_url, probe_cb cb, void *ctx);
void probe_free(struct probe *p);

#endif
