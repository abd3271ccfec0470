/* burst_nginx.h - a real nginx for the burst unit tests that need one
 * (test_burst_tls.c, test_burst_kinds.c, test_burst_tcp.c): the fixture
 * nginx (build/nginx/objs/nginx, or $NGINX) without valgrind, single
 * process, with a generated config of its own in a temporary prefix:
 *
 *   http   plain HTTP/1.1, TLS (HTTP/1.1), TLS with h2, h2c (prior
 *          knowledge) and h2c with a 300 ms keepalive_timeout, whose /read/ reads the request body (proxied to
 *          the plain server: libcurl < 8 takes the RST_STREAM nginx sends
 *          after answering a body it did not read for a stream error,
 *          sometimes before the answer); every request logged in access.log as
 *          "method|X-Kind|Content-Length|status|bytes|protocol|connection"
 *   stream "ret": return "hello world\n" (nginx closes after it);
 *          "silent": proxy_pass to a socket the test listens on and never
 *          accepts from (nginx connects, nothing ever comes back);
 *          sessions logged in stream.log when they end
 *
 * The key and certificate are made with the openssl command line (a
 * throwaway EC key). Ports are random ones below the ephemeral range that
 * bind() finds free. Header-only: the Makefile builds each test alone. */
#ifndef LT_TEST_BURST_NGINX_H
#define LT_TEST_BURST_NGINX_H

#include "burst_fixture.h"
#include "proc.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

enum { NGX_HTTP, NGX_TLS, NGX_H2TLS, NGX_H2C, NGX_RET, NGX_SILENT, NGX_H2C_SHORT, NGX_NPORTS };

struct ngx {
	char dir[64];
	pid_t pid;
	int port[NGX_NPORTS];
	int silent_fd;		/* the proxy target nobody accepts on */
	char *url[NGX_NPORTS];	/* http://, https://, https://, http://, tcp://, tcp://, http:// */
};

/* A port below the ephemeral range that nothing listens on right now. */
static inline int
ngx_free_port(void)
{
	int i;

	for (i = 0; i < 200; i++) {
		int port = 10000 + rand() % 20000, fd;
		struct sockaddr_in sa = { .sin_family = AF_INET,
			.sin_port = htons((uint16_t)port),
			.sin_addr.s_addr = htonl(INADDR_LOOPBACK) };

		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0) {
			close(fd);
			return port;
		}
		if (fd >= 0)
			close(fd);
	}
	fail_msg("no free port");
	return -1;
}

static inline int
ngx_run(char *const *argv)
{
	struct proc_spec ps = { .argv = argv, .stdin_fd = -1, .stdout_fd = -1, .stderr_fd = -1 };
	pid_t pid = proc_spawn(&ps);
	int status = -1;

	assert_true(pid > 0);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return status;
}

static inline void
ngx_make_cert(const char *dir)
{
	char *key = xasprintf("%s/key.pem", dir), *crt = xasprintf("%s/cert.pem", dir);
	char *argv[] = { "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
		"ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", crt,
		"-days", "2", "-subj", "/CN=localhost", NULL };

	assert_int_equal(ngx_run(argv), 0);
	free(key);
	free(crt);
}

static inline void
ngx_write_conf(struct ngx *n, int target)
{
	char *path = xasprintf("%s/nginx.conf", n->dir);
	FILE *f = fopen(path, "w");
	const char *d = n->dir;

	assert_non_null(f);
	fprintf(f, "daemon off;\nmaster_process off;\nworker_processes 1;\n"
		"error_log %s/error.log info;\npid %s/nginx.pid;\n"
		"events { worker_connections 1024; }\n", d, d);
	fprintf(f, "http {\n"
		"  log_format kinds '$request_method|$http_x_kind|$content_length|"
		"$status|$body_bytes_sent|$server_protocol|$connection';\n"
		"  access_log %s/access.log kinds;\n"
		"  keepalive_requests 100000;\n"
		"  ssl_certificate %s/cert.pem;\n  ssl_certificate_key %s/key.pem;\n"
		"  server {\n    listen 127.0.0.1:%d;\n    listen 127.0.0.1:%d ssl;\n"
		"    location / { return 200 \"$request_method $http_x_kind\\n\"; }\n  }\n"
		"  server {\n    listen 127.0.0.1:%d ssl http2;\n    listen 127.0.0.1:%d http2;\n"
		"    location / { return 200 \"$request_method $http_x_kind\\n\"; }\n"
		"    location /read/ { proxy_pass http://127.0.0.1:%d/; }\n  }\n"
		"  server {\n    listen 127.0.0.1:%d http2;\n    keepalive_timeout 300ms;\n"
		"    location / { return 200 \"$request_method $http_x_kind\\n\"; }\n  }\n}\n",
		d, d, d, n->port[NGX_HTTP], n->port[NGX_TLS], n->port[NGX_H2TLS], n->port[NGX_H2C],
		n->port[NGX_HTTP], n->port[NGX_H2C_SHORT]);
	fprintf(f, "stream {\n  log_format s '$remote_port|$bytes_received|$bytes_sent|$status';\n"
		"  access_log %s/stream.log s;\n"
		"  server { listen 127.0.0.1:%d; return \"hello world\\n\"; }\n"
		"  server { listen 127.0.0.1:%d; proxy_pass 127.0.0.1:%d; }\n}\n",
		d, n->port[NGX_RET], n->port[NGX_SILENT], target);
	fclose(f);
	free(path);
}

/* The proxy target: listens, never accepts (the kernel completes the
 * handshakes), never sends. */
static inline int
ngx_silent_target(int *port)
{
	int fd;

	*port = 0;
	fd = listen_socket(port);
	assert_int_equal(listen(fd, 64), 0);
	return fd;
}

static inline bool
ngx_port_up(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool ok = fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0;

	if (fd >= 0)
		close(fd);
	return ok;
}

static inline void
ngx_start(struct ngx *n)
{
	const char *bin = getenv("NGINX") ? getenv("NGINX") : "build/nginx/objs/nginx";
	char *conf, *err;
	char *argv[] = { (char *)bin, "-p", n->dir, "-c", NULL, "-e", NULL, NULL };
	struct proc_spec ps = { .argv = argv, .stdin_fd = -1, .stdout_fd = -1, .stderr_fd = -1,
		.die_with_parent = true };
	struct timespec ts = { 0, 20 * 1000000 };
	int i, silent_port;

	memset(n, 0, sizeof *n);
	srand((unsigned)getpid() ^ (unsigned)time(NULL));
	snprintf(n->dir, sizeof n->dir, "/tmp/lt-burst-ngx.XXXXXX");
	assert_non_null(mkdtemp(n->dir));
	ngx_make_cert(n->dir);
	for (i = 0; i < NGX_NPORTS; i++)
		n->port[i] = ngx_free_port();
	n->silent_fd = ngx_silent_target(&silent_port);
	ngx_write_conf(n, silent_port);
	conf = xasprintf("%s/nginx.conf", n->dir);
	err = xasprintf("%s/error.log", n->dir);
	argv[4] = conf;
	argv[6] = err;
	n->pid = proc_spawn(&ps);
	assert_true(n->pid > 0);
	/* nginx opens every listener before it accepts on any; the plain
	 * HTTP one, as a connection without a request is logged nowhere */
	for (i = 0; i < 250 && !ngx_port_up(n->port[NGX_HTTP]); i++)
		nanosleep(&ts, NULL);
	assert_true(ngx_port_up(n->port[NGX_HTTP]));
	n->url[NGX_HTTP] = xasprintf("http://127.0.0.1:%d/", n->port[NGX_HTTP]);
	n->url[NGX_TLS] = xasprintf("https://127.0.0.1:%d/", n->port[NGX_TLS]);
	n->url[NGX_H2TLS] = xasprintf("https://127.0.0.1:%d/", n->port[NGX_H2TLS]);
	n->url[NGX_H2C] = xasprintf("http://127.0.0.1:%d/", n->port[NGX_H2C]);
	n->url[NGX_RET] = xasprintf("tcp://127.0.0.1:%d", n->port[NGX_RET]);
	n->url[NGX_SILENT] = xasprintf("tcp://127.0.0.1:%d", n->port[NGX_SILENT]);
	n->url[NGX_H2C_SHORT] = xasprintf("http://127.0.0.1:%d/", n->port[NGX_H2C_SHORT]);
	free(conf);
	free(err);
}

static inline void
ngx_stop(struct ngx *n)
{
	char *argv[] = { "rm", "-rf", n->dir, NULL };
	int i;

	if (n->pid > 0) {
		kill(n->pid, SIGTERM);
		while (waitpid(n->pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	close(n->silent_fd);
	if (!getenv("LT_KEEP"))	/* LT_KEEP=1: the prefix stays, to read its logs */
		ngx_run(argv);
	for (i = 0; i < NGX_NPORTS; i++)
		free(n->url[i]);
}

/* Lines of a log in the prefix (0 when there is none yet). */
static inline unsigned long
ngx_log_lines(const struct ngx *n, const char *name)
{
	char *path = xasprintf("%s/%s", n->dir, name), buf[4096];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	unsigned long lines = 0;
	ssize_t r, i;

	free(path);
	if (fd < 0)
		return 0;
	while ((r = read(fd, buf, sizeof buf)) > 0)
		for (i = 0; i < r; i++)
			lines += buf[i] == '\n';
	close(fd);
	return lines;
}

/* Lines of a log in the prefix that contain needle. */
static inline unsigned long
ngx_log_count(const struct ngx *n, const char *name, const char *needle)
{
	char *path = xasprintf("%s/%s", n->dir, name), line[1024];
	FILE *f = fopen(path, "r");
	unsigned long c = 0;

	free(path);
	if (!f)
		return 0;
	while (fgets(line, sizeof line, f))
		c += strstr(line, needle) != NULL;
	fclose(f);
	return c;
}

/* The nginx of the test binary (started once, in the group setup), and
 * its logs' line counts when the last done callback ran: a burst is done
 * only when nginx has finished every request (logged at its end) and
 * every stream session (logged when it closes). */
static struct ngx ngx;
static unsigned long access_at_done, stream_at_done;

static inline void
ngx_done_cb(struct burst *burst, const struct burst_stats *st, void *ctx)
{
	access_at_done = ngx_log_lines(&ngx, "access.log");
	stream_at_done = ngx_log_lines(&ngx, "stream.log");
	done_cb(burst, st, ctx);
}

static inline void
ngx_run_burst(struct fix *f)
{
	uint64_t t = evloop_timer_add(f->loop, 20000, deadline_cb, f);

	assert_true(burst_start(f->burst, ngx_done_cb, f));
	evloop_run(f->loop);
	evloop_timer_cancel(f->loop, t);
	assert_false(f->timed_out);
}

static inline void
ngx_run_warm(struct fix *f)
{
	uint64_t t = evloop_timer_add(f->loop, 20000, deadline_cb, f);

	assert_true(burst_warm(f->burst, ngx_done_cb, f));
	evloop_run(f->loop);
	evloop_timer_cancel(f->loop, t);
	assert_false(f->timed_out);
}

static inline int
ngx_group_setup(void **state)
{
	(void)state;
	ngx_start(&ngx);
	return 0;
}

static inline int
ngx_group_teardown(void **state)
{
	(void)state;
	ngx_stop(&ngx);
	return 0;
}

/* A keepalive spec of the given URLs (and kinds); the test sets more. */
static inline struct burst_spec
ngx_spec(char **urls, const struct burst_req *reqs, size_t n, unsigned long requests,
	unsigned conc)
{
	struct burst_spec sp;

	memset(&sp, 0, sizeof sp);
	sp.urls = urls;
	sp.reqs = reqs;
	sp.nurls = n;
	sp.requests = requests;
	sp.concurrency = conc;
	sp.keepalive = true;
	return sp;
}

static inline struct burst *
ngx_burst(struct fix *f, const struct burst_spec *sp)
{
	f->burst = burst_new(f->loop, sp);
	assert_non_null(f->burst);
	return f->burst;
}

#endif
