/* test_vgxml.c - the streaming memcheck XML parser on real valgrind output.
 *
 * tests/data/memcheck_*.xml are nginx captures (tests/data/CAPTURED.md);
 * the files in tests/data/xml/ come from the programs in tests/data/xml/gen/ by
 * tests/data/xml/gen/capture.sh (line numbers: grep -n 'ERR:' there). Data
 * files are found under $LT_TEST_DATA, by default "tests/data" (run from
 * the repository root).
 *
 * Every event the parser delivers is also written to a canonical text log;
 * the cut tests compare logs: a parse of any prefix of a file must deliver
 * exactly a prefix of the full parse's events, and every element complete
 * in the prefix. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "leak.h"
#include "sbuf.h"
#include "util.h"
#include "vgxml.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define GEN_DIR "/work/main/tests/data/xml/gen"
#define BUILD_DIR "/tmp/ngx-leaktop-xml-capture"
#define VGPRELOAD "/usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so"

/* ---- a recorder: deep copies of everything delivered ---- */

struct t_frame {
	uint64_t ip;
	char *obj, *fn, *dir, *file;
	unsigned line;
};

struct t_stack {
	size_t n;
	struct t_frame *f;
};

struct t_aux {
	char *text, *dir, *file;
	unsigned line;
	bool x;
	size_t before;
};

struct t_error {
	char *unique, *threadname, *kind_name, *what, *supp_name, *supp_kind, *supp_text;
	uint64_t unique_id;
	unsigned tid;
	enum vgxml_kind kind;
	bool has_leak;
	struct vgxml_leak leak;
	size_t nstacks, naux;
	struct t_stack *stacks;
	struct t_aux *aux;
	size_t status_before;	/* statuses seen before it */
};

struct t_run {
	bool light;		/* only the log and the counts */
	int stop_at;		/* error callback returns 1 at this error (1-based) */
	struct sbuf log;
	size_t *ev_end;		/* end offset in log of each event */
	size_t nev, capev;
	struct t_error *errs;
	size_t nerrs, caperrs;
	size_t kinds[VGXML_K_COUNT];
	int ninfo;
	long pid, ppid;
	char *exe, *vexe, *last_arg, *first_varg, *preamble3;
	size_t nargs, nvargs, npreamble;
	enum vgxml_state states[8];
	uint64_t state_ms[8];
	size_t nstatus;
	int nfatal;
	struct vgxml_fatal fatal;	/* strings copied below */
	char *fsigname, *fevent, *fthread, *ffn0;
	unsigned fline0;
	size_t ncounts, nsuppcounts;
	uint64_t count_sum;
	enum vgxml_rc rc;
	char msg[256];
};

static char *
dup_str(struct vgxml_str s)
{
	assert_non_null(s.s);
	assert_int_equal(strlen(s.s), s.len);	/* NUL-terminated at len, no NUL inside */
	assert_true(s.len <= VGXML_MAX_TEXT);
	return xstrndup(s.s, s.len);
}

/* " tag=N" without printf: the cut tests log a million events */
static void
log_num(struct t_run *r, const char *tag, uint64_t v)
{
	char d[24];
	int i = (int)sizeof(d);

	do
		d[--i] = (char)('0' + v % 10);
	while ((v /= 10) > 0);
	sbuf_addc(&r->log, ' ');
	sbuf_adds(&r->log, tag);
	sbuf_addc(&r->log, '=');
	sbuf_add(&r->log, d + i, sizeof(d) - (size_t)i);
}

static void
log_str(struct t_run *r, const char *tag, struct vgxml_str s)
{
	if (s.s[s.len] != '\0' || memchr(s.s, '\0', s.len))
		fail_msg("%s: not a NUL-terminated string of %zu bytes", tag, s.len);
	log_num(r, tag, s.len);
	sbuf_addc(&r->log, ':');
	sbuf_add(&r->log, s.s, s.len);
}

static void
log_end(struct t_run *r)
{
	sbuf_addc(&r->log, '\n');
	xgrow((void **)&r->ev_end, &r->capev, r->nev + 1, sizeof(*r->ev_end));
	r->ev_end[r->nev++] = r->log.len;
}

static void
log_stack(struct t_run *r, const struct vgxml_stack *st)
{
	size_t i;

	log_num(r, "stack", st->nframes);
	for (i = 0; i < st->nframes; i++) {
		const struct vgxml_frame *f = &st->frames[i];

		log_num(r, "ip", f->ip);
		log_num(r, "line", f->line);
		log_str(r, "obj", f->obj);
		log_str(r, "fn", f->fn);
		log_str(r, "dir", f->dir);
		log_str(r, "file", f->file);
	}
}

static void
copy_stack(struct t_stack *d, const struct vgxml_stack *s)
{
	size_t i;

	d->n = s->nframes;
	d->f = xcalloc(s->nframes + 1, sizeof(*d->f));
	for (i = 0; i < s->nframes; i++) {
		d->f[i].ip = s->frames[i].ip;
		d->f[i].obj = dup_str(s->frames[i].obj);
		d->f[i].fn = dup_str(s->frames[i].fn);
		d->f[i].dir = dup_str(s->frames[i].dir);
		d->f[i].file = dup_str(s->frames[i].file);
		d->f[i].line = s->frames[i].line;
	}
}

static void
copy_error(struct t_run *r, const struct vgxml_error *e)
{
	struct t_error *d;
	size_t i;

	xgrow((void **)&r->errs, &r->caperrs, r->nerrs + 1, sizeof(*r->errs));
	d = &r->errs[r->nerrs++];
	memset(d, 0, sizeof(*d));
	d->unique = dup_str(e->unique);
	d->unique_id = e->unique_id;
	d->tid = e->tid;
	d->threadname = dup_str(e->threadname);
	d->kind = e->kind;
	d->kind_name = dup_str(e->kind_name);
	d->what = dup_str(e->what);
	d->has_leak = e->has_leak;
	d->leak = e->leak;
	d->nstacks = e->nstacks;
	d->stacks = xcalloc(e->nstacks + 1, sizeof(*d->stacks));
	for (i = 0; i < e->nstacks; i++)
		copy_stack(&d->stacks[i], &e->stacks[i]);
	d->naux = e->naux;
	d->aux = xcalloc(e->naux + 1, sizeof(*d->aux));
	for (i = 0; i < e->naux; i++) {
		d->aux[i].text = dup_str(e->aux[i].text);
		d->aux[i].dir = dup_str(e->aux[i].dir);
		d->aux[i].file = dup_str(e->aux[i].file);
		d->aux[i].line = e->aux[i].line;
		d->aux[i].x = e->aux[i].x;
		d->aux[i].before = e->aux[i].before;
	}
	d->supp_name = dup_str(e->supp_name);
	d->supp_kind = dup_str(e->supp_kind);
	d->supp_text = dup_str(e->supp_text);
	d->status_before = r->nstatus;
}

static int
on_error(void *ctx, const struct vgxml_error *e)
{
	struct t_run *r = ctx;
	size_t i;

	assert_true(e->kind >= VGXML_K_OTHER && e->kind < VGXML_K_COUNT);
	assert_true(e->nstacks <= VGXML_MAX_STACKS);
	r->kinds[e->kind]++;
	sbuf_adds(&r->log, "error");
	log_num(r, "id", e->unique_id);
	log_num(r, "tid", e->tid);
	log_num(r, "kind", (uint64_t)e->kind);
	log_num(r, "leak", e->has_leak);
	log_num(r, "bytes", e->leak.bytes);
	log_num(r, "blocks", e->leak.blocks);
	log_num(r, "direct", e->leak.direct);
	log_num(r, "indirect", e->leak.indirect);
	log_num(r, "hasdelta", e->leak.has_delta);
	log_num(r, "dbytes", (uint64_t)e->leak.bytes_delta);
	log_num(r, "dblocks", (uint64_t)e->leak.blocks_delta);
	log_num(r, "recno", e->leak.recno);
	log_num(r, "nrecs", e->leak.nrecs);
	log_str(r, "unique", e->unique);
	log_str(r, "thread", e->threadname);
	log_str(r, "kind", e->kind_name);
	log_str(r, "what", e->what);
	for (i = 0; i < e->nstacks; i++)
		log_stack(r, &e->stacks[i]);
	for (i = 0; i < e->naux; i++) {
		log_num(r, "auxx", e->aux[i].x);
		log_num(r, "before", e->aux[i].before);
		log_num(r, "line", e->aux[i].line);
		log_str(r, "text", e->aux[i].text);
		log_str(r, "dir", e->aux[i].dir);
		log_str(r, "file", e->aux[i].file);
	}
	log_str(r, "sname", e->supp_name);
	log_str(r, "skind", e->supp_kind);
	log_str(r, "stext", e->supp_text);
	log_end(r);
	if (!r->light)
		copy_error(r, e);
	else
		r->nerrs++;
	return r->stop_at && (int)r->nerrs == r->stop_at;
}

static int
on_info(void *ctx, const struct vgxml_info *in)
{
	struct t_run *r = ctx;
	size_t i;

	r->ninfo++;
	sbuf_printf(&r->log, "info %u pid=%ld ppid=%ld", in->protocol, in->pid, in->ppid);
	log_str(r, "tool", in->tool);
	log_str(r, "vexe", in->vexe);
	log_str(r, "exe", in->exe);
	for (i = 0; i < in->npreamble; i++)
		log_str(r, "pre", in->preamble[i]);
	for (i = 0; i < in->nvargs; i++)
		log_str(r, "varg", in->vargs[i]);
	for (i = 0; i < in->nargs; i++)
		log_str(r, "arg", in->args[i]);
	log_end(r);
	if (r->light)
		return 0;
	r->pid = in->pid;
	r->ppid = in->ppid;
	r->exe = dup_str(in->exe);
	r->vexe = dup_str(in->vexe);
	r->nargs = in->nargs;
	r->nvargs = in->nvargs;
	r->npreamble = in->npreamble;
	r->last_arg = in->nargs ? dup_str(in->args[in->nargs - 1]) : NULL;
	r->first_varg = in->nvargs ? dup_str(in->vargs[0]) : NULL;
	r->preamble3 = in->npreamble > 3 ? dup_str(in->preamble[3]) : NULL;
	return 0;
}

static int
on_status(void *ctx, const struct vgxml_status *st)
{
	struct t_run *r = ctx;

	sbuf_printf(&r->log, "status %d %" PRIu64, st->state, st->time_ms);
	log_str(r, "state", st->state_name);
	log_str(r, "time", st->time);
	log_end(r);
	if (r->nstatus < LT_ARRAY_SIZE(r->states)) {
		r->states[r->nstatus] = st->state;
		r->state_ms[r->nstatus] = st->time_ms;
	}
	r->nstatus++;
	return 0;
}

static int
on_fatal(void *ctx, const struct vgxml_fatal *f)
{
	struct t_run *r = ctx;

	sbuf_printf(&r->log, "fatal tid=%u signo=%d code=%d addr=%d/%" PRIx64, f->tid, f->signo,
		f->sicode, f->has_siaddr, f->siaddr);
	log_str(r, "thread", f->threadname);
	log_str(r, "signame", f->signame);
	log_str(r, "event", f->event);
	log_stack(r, &f->stack);
	log_end(r);
	r->nfatal++;
	if (r->light)
		return 0;
	r->fatal = *f;
	r->fsigname = dup_str(f->signame);
	r->fevent = dup_str(f->event);
	r->fthread = dup_str(f->threadname);
	r->ffn0 = f->stack.nframes ? dup_str(f->stack.frames[0].fn) : NULL;
	r->fline0 = f->stack.nframes ? f->stack.frames[0].line : 0;
	return 0;
}

static int
on_count(void *ctx, const struct vgxml_count *c)
{
	struct t_run *r = ctx;

	sbuf_printf(&r->log, "count supp=%d %" PRIu64 " %" PRIx64, c->supp, c->count, c->unique_id);
	log_str(r, "unique", c->unique);
	log_str(r, "name", c->name);
	log_end(r);
	*(c->supp ? &r->nsuppcounts : &r->ncounts) += 1;
	r->count_sum += c->count;
	return 0;
}

static const struct vgxml_cb t_cb = { on_info, on_status, on_error, on_fatal, on_count };

static void
run_free(struct t_run *r)
{
	size_t i, j, k;

	for (i = 0; i < r->nerrs && !r->light; i++) {
		struct t_error *e = &r->errs[i];

		for (j = 0; j < e->nstacks; j++) {
			for (k = 0; k < e->stacks[j].n; k++) {
				free(e->stacks[j].f[k].obj);
				free(e->stacks[j].f[k].fn);
				free(e->stacks[j].f[k].dir);
				free(e->stacks[j].f[k].file);
			}
			free(e->stacks[j].f);
		}
		for (j = 0; j < e->naux; j++) {
			free(e->aux[j].text);
			free(e->aux[j].dir);
			free(e->aux[j].file);
		}
		free(e->stacks);
		free(e->aux);
		free(e->unique);
		free(e->threadname);
		free(e->kind_name);
		free(e->what);
		free(e->supp_name);
		free(e->supp_kind);
		free(e->supp_text);
	}
	free(r->errs);
	free(r->ev_end);
	sbuf_free(&r->log);
	free(r->exe);
	free(r->vexe);
	free(r->last_arg);
	free(r->first_varg);
	free(r->preamble3);
	free(r->fsigname);
	free(r->fevent);
	free(r->fthread);
	free(r->ffn0);
	memset(r, 0, sizeof(*r));
}

/* Parse buf[0..len) fed in chunks of `chunk` bytes (0: sizes from seed). */
static enum vgxml_rc
parse_buf(struct t_run *r, const char *buf, size_t len, size_t chunk, unsigned seed)
{
	struct vgxml *x = vgxml_new(&t_cb, r);
	size_t off = 0, n;

	while (off < len) {
		if (chunk)
			n = chunk;
		else {
			seed = seed * 1103515245u + 12345u;
			n = 1 + (seed >> 8) % 3000;
		}
		if (n > len - off)
			n = len - off;
		if (vgxml_feed(x, buf + off, n) != VGXML_OK)
			break;
		off += n;
	}
	r->rc = vgxml_finish(x);
	snprintf(r->msg, sizeof(r->msg), "%s", vgxml_error(x));
	assert_int_equal(vgxml_finish(x), r->rc);	/* sticky */
	if (r->rc == VGXML_OK)
		assert_string_equal(r->msg, "");
	else
		assert_true(strlen(r->msg) > 0 && !strchr(r->msg, '\n'));
	vgxml_free(x);
	return r->rc;
}

static char *
read_data(const char *name, size_t *len)
{
	const char *dir = getenv("LT_TEST_DATA");
	char *path = xasprintf("%s/%s", dir && *dir ? dir : "tests/data", name);
	FILE *f = fopen(path, "rb");
	struct sbuf b = SBUF_INIT;
	char tmp[65536];
	size_t n;

	if (!f)
		fail_msg("cannot open %s (run from the repository root or set LT_TEST_DATA)", path);
	while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
		sbuf_add(&b, tmp, n);
	fclose(f);
	free(path);
	*len = b.len;
	return sbuf_detach(&b);
}

static enum vgxml_rc
parse_file(struct t_run *r, const char *name)
{
	size_t len;
	char *buf = read_data(name, &len);

	parse_buf(r, buf, len, 4096, 0);
	free(buf);
	return r->rc;
}

static enum vgxml_rc
parse_str(struct t_run *r, const char *s)
{
	return parse_buf(r, s, strlen(s), 0, 7);
}

static void
assert_frame(const struct t_frame *f, uint64_t ip, const char *fn, const char *dir,
	const char *file, unsigned line, const char *obj)
{
	assert_int_equal(f->ip, ip);
	assert_string_equal(f->fn, fn);
	assert_string_equal(f->dir, dir);
	assert_string_equal(f->file, file);
	assert_int_equal(f->line, line);
	assert_string_equal(f->obj, obj);
}

static const struct t_error *
find_error(const struct t_run *r, const char *unique)
{
	size_t i;

	for (i = 0; i < r->nerrs; i++)
		if (!strcmp(r->errs[i].unique, unique))
			return &r->errs[i];
	fail_msg("no error %s", unique);
	return NULL;
}

/* ---- the nginx captures ---- */

static void
test_fixture(void **state)
{
	struct t_run r = { 0 };
	const struct t_error *e;
	size_t i, definite = 0;

	(void)state;
	assert_int_equal(parse_file(&r, "memcheck_fixture.xml"), VGXML_OK);
	assert_int_equal(r.ninfo, 1);
	assert_int_equal(r.pid, 482);
	assert_int_equal(r.ppid, 29713);
	assert_string_equal(r.exe, "/work/main/build/nginx/objs/nginx");
	assert_int_equal(r.nargs, 6);
	assert_string_equal(r.last_arg, "daemon off; master_process off;");
	assert_string_equal(r.vexe, "/usr/bin/valgrind.bin");
	assert_int_equal(r.nvargs, 9);
	assert_string_equal(r.first_varg, "--tool=memcheck");
	assert_int_equal(r.npreamble, 4);
	assert_true(!strncmp(r.preamble3, "Command: /work/main/build/nginx/objs/nginx -p ", 46));
	assert_int_equal(r.nstatus, 2);
	assert_int_equal(r.states[0], VGXML_RUNNING);
	assert_int_equal(r.state_ms[0], 31);
	assert_int_equal(r.states[1], VGXML_FINISHED);
	assert_int_equal(r.state_ms[1], 709);
	assert_int_equal(r.nerrs, 16);
	assert_int_equal(r.kinds[VGXML_K_INVALID_READ], 1);
	assert_int_equal(r.kinds[VGXML_K_UNINIT_CONDITION], 1);
	assert_int_equal(r.kinds[VGXML_K_LEAK_DEFINITE], 6);
	assert_int_equal(r.kinds[VGXML_K_LEAK_INDIRECT], 4);
	assert_int_equal(r.kinds[VGXML_K_LEAK_REACHABLE], 4);
	assert_int_equal(r.kinds[VGXML_K_OTHER], 0);
	assert_int_equal(r.ncounts, 2);
	assert_int_equal(r.nsuppcounts, 0);
	assert_int_equal(r.nfatal, 0);

	e = find_error(&r, "0x0");
	assert_int_equal(e->kind, VGXML_K_INVALID_READ);
	assert_string_equal(e->what, "Invalid read of size 1");
	assert_int_equal(e->tid, 1);
	assert_string_equal(e->threadname, "");
	assert_false(e->has_leak);
	assert_int_equal(e->nstacks, 2);
	assert_int_equal(e->stacks[0].n, 13);
	assert_frame(&e->stacks[0].f[0], 0x1F7B3E, "ngx_http_leaky_bug_invalid_read",
		"/work/main/tests/fixture/ngx_http_leaky_module", "ngx_http_leaky_module.c", 383,
		"/work/main/build/nginx/objs/nginx");
	assert_frame(&e->stacks[0].f[2], 0x172E79, "ngx_http_core_content_phase",
		"/work/main/build/nginx/src/http", "ngx_http_core_module.c", 1259,
		"/work/main/build/nginx/objs/nginx");
	assert_int_equal(e->naux, 1);
	assert_string_equal(e->aux[0].text, "Address 0x4bded60 is 0 bytes after a block of size 16 alloc'd");
	assert_int_equal(e->aux[0].before, 1);
	assert_false(e->aux[0].x);
	assert_string_equal(e->stacks[1].f[0].fn, "malloc");
	assert_string_equal(e->stacks[1].f[0].dir, "");
	assert_string_equal(e->stacks[1].f[0].obj, VGPRELOAD);
	assert_int_equal(e->stacks[1].f[0].line, 0);
	assert_int_equal(e->status_before, 1);

	e = find_error(&r, "0xf");
	assert_int_equal(e->kind, VGXML_K_LEAK_DEFINITE);
	assert_true(e->has_leak);
	assert_int_equal(e->leak.bytes, 26624);
	assert_int_equal(e->leak.blocks, 1);
	assert_int_equal(e->leak.direct, 14336);
	assert_int_equal(e->leak.indirect, 12288);
	assert_int_equal(e->leak.recno, 14);
	assert_int_equal(e->leak.nrecs, 14);
	assert_false(e->leak.has_delta);
	assert_int_equal(e->status_before, 2);
	assert_int_equal(e->unique_id, 15);

	e = find_error(&r, "0xa");
	assert_int_equal(e->leak.bytes, 1560);
	assert_int_equal(e->leak.direct, 1560);
	assert_int_equal(e->leak.indirect, 0);
	assert_string_equal(e->what, "1,560 bytes in 1 blocks are still reachable in loss record 9 of 14");
	for (i = 0; i < r.nerrs; i++)
		definite += r.errs[i].kind == VGXML_K_LEAK_DEFINITE ? r.errs[i].leak.bytes : 0;
	assert_int_equal(definite, 8 + 100 + 100 + 496 + 2176 + 26624);
	run_free(&r);
}

static void
test_crash(void **state)
{
	struct t_run r = { 0 };
	const struct t_error *e;

	(void)state;
	assert_int_equal(parse_file(&r, "memcheck_crash.xml"), VGXML_OK);
	assert_int_equal(r.nerrs, 1);
	e = find_error(&r, "0x0");
	assert_int_equal(e->kind, VGXML_K_INVALID_WRITE);
	assert_string_equal(e->what, "Invalid write of size 8");
	assert_int_equal(e->nstacks, 1);
	assert_int_equal(e->naux, 1);
	assert_int_equal(e->aux[0].before, 1);	/* after the only stack: a remark */
	assert_string_equal(e->aux[0].text, "Address 0x0 is not stack'd, malloc'd or (recently) free'd");
	assert_frame(&e->stacks[0].f[0], 0x1F7C16, "ngx_http_leaky_crash",
		"/work/main/tests/fixture/ngx_http_leaky_module", "ngx_http_leaky_module.c", 416,
		"/work/main/build/nginx/objs/nginx");
	assert_int_equal(r.nfatal, 1);
	assert_int_equal(r.fatal.tid, 1);
	assert_int_equal(r.fatal.signo, 11);
	assert_string_equal(r.fsigname, "SIGSEGV");
	assert_int_equal(r.fatal.sicode, 1);
	assert_string_equal(r.fevent, "Access not within mapped region");
	assert_true(r.fatal.has_siaddr);
	assert_int_equal(r.fatal.siaddr, 0);
	assert_int_equal(r.fatal.stack.nframes, 13);
	assert_string_equal(r.ffn0, "ngx_http_leaky_crash");
	assert_int_equal(r.fline0, 416);
	assert_string_equal(r.fthread, "");
	assert_int_equal(r.nstatus, 2);
	run_free(&r);
}

/* ---- tests/data/xml captures ---- */

static void
test_every_kind(void **state)
{
	struct t_run r = { 0 };
	const struct t_error *e;

	(void)state;
	assert_int_equal(parse_file(&r, "xml/errors.xml"), VGXML_OK);
	assert_int_equal(r.nerrs, 21);
	assert_int_equal(r.kinds[VGXML_K_INVALID_READ], 2);
	assert_int_equal(r.kinds[VGXML_K_INVALID_WRITE], 1);
	assert_int_equal(r.kinds[VGXML_K_INVALID_FREE], 1);
	assert_int_equal(r.kinds[VGXML_K_MISMATCHED_FREE], 2);
	assert_int_equal(r.kinds[VGXML_K_UNINIT_VALUE], 1);
	assert_int_equal(r.kinds[VGXML_K_UNINIT_CONDITION], 1);
	assert_int_equal(r.kinds[VGXML_K_SYSCALL_PARAM], 2);
	assert_int_equal(r.kinds[VGXML_K_OVERLAP], 1);
	assert_int_equal(r.kinds[VGXML_K_FISHY_VALUE], 1);
	assert_int_equal(r.kinds[VGXML_K_CLIENT_CHECK], 2);
	assert_int_equal(r.kinds[VGXML_K_INVALID_JUMP], 1);
	assert_int_equal(r.kinds[VGXML_K_INVALID_MEMPOOL], 1);
	assert_int_equal(r.kinds[VGXML_K_LEAK_DEFINITE], 2);
	assert_int_equal(r.kinds[VGXML_K_LEAK_INDIRECT], 1);
	assert_int_equal(r.kinds[VGXML_K_LEAK_POSSIBLE], 1);
	assert_int_equal(r.kinds[VGXML_K_LEAK_REACHABLE], 1);
	assert_int_equal(r.kinds[VGXML_K_OTHER], 0);
	assert_int_equal(r.kinds[VGXML_K_CORE_MEM_ERROR], 0);	/* not provokable on amd64 */
	assert_string_equal(r.exe, "./errors");
	assert_int_equal(r.nargs, 0);

	e = find_error(&r, "0x0");
	assert_int_equal(e->kind, VGXML_K_INVALID_READ);
	assert_frame(&e->stacks[0].f[0], 0x109443, "invalid_read", GEN_DIR, "errors.c", 33,
		BUILD_DIR "/errors");
	assert_frame(&e->stacks[1].f[0], 0x48417B4, "malloc", "", "", 0, VGPRELOAD);
	assert_frame(&e->stacks[1].f[1], 0x10943A, "invalid_read", GEN_DIR, "errors.c", 30,
		BUILD_DIR "/errors");

	/* use after free: the note on the address heads the free stack, the
	 * second note heads the alloc stack */
	e = find_error(&r, "0x2");
	assert_string_equal(e->what, "Invalid read of size 4");
	assert_int_equal(e->nstacks, 3);
	assert_int_equal(e->naux, 2);
	assert_string_equal(e->aux[0].text, "Address 0x4d6fd24 is 4 bytes inside a block of size 16 free'd");
	assert_int_equal(e->aux[0].before, 1);
	assert_string_equal(e->aux[1].text, "Block was alloc'd at");
	assert_int_equal(e->aux[1].before, 2);
	assert_string_equal(e->stacks[1].f[0].fn, "free");
	assert_string_equal(e->stacks[1].f[1].fn, "use_after_free");
	assert_int_equal(e->stacks[1].f[1].line, 53);
	assert_string_equal(e->stacks[2].f[0].fn, "malloc");

	e = find_error(&r, "0x3");
	assert_int_equal(e->kind, VGXML_K_INVALID_FREE);
	assert_string_equal(e->what, "Invalid free() / delete / delete[] / realloc()");
	assert_string_equal(e->stacks[0].f[1].fn, "invalid_free");
	assert_int_equal(e->stacks[0].f[1].line, 64);

	e = find_error(&r, "0x4");
	assert_int_equal(e->kind, VGXML_K_UNINIT_VALUE);
	assert_string_equal(e->what, "Use of uninitialised value of size 8");
	assert_string_equal(e->aux[0].text, "Uninitialised value was created by a heap allocation");
	assert_int_equal(e->stacks[0].f[0].line, 74);

	/* a stack variable: auxwhat + xauxwhat (--read-var-info) + origin */
	e = find_error(&r, "0x7");
	assert_int_equal(e->kind, VGXML_K_SYSCALL_PARAM);
	assert_string_equal(e->what, "Syscall param write(buf) points to uninitialised byte(s)");
	assert_int_equal(e->nstacks, 2);
	assert_int_equal(e->naux, 3);
	assert_string_equal(e->aux[0].text, "Location 0x1fff000571 is 0 bytes inside buf[1],");
	assert_true(e->aux[1].x);
	assert_string_equal(e->aux[1].text, "declared at errors.c:104, in frame #1 of thread 1");
	assert_string_equal(e->aux[1].file, "errors.c");
	assert_string_equal(e->aux[1].dir, "");
	assert_int_equal(e->aux[1].line, 104);
	assert_string_equal(e->aux[2].text, "Uninitialised value was created by a stack allocation");
	assert_int_equal(e->aux[2].before, 1);
	assert_frame(&e->stacks[0].f[0], 0x4B6F350, "write", "./io/../sysdeps/unix/sysv/linux",
		"write.c", 26, "/usr/lib/x86_64-linux-gnu/libc.so.6");
	assert_string_equal(e->stacks[0].f[1].fn, "syscall_stack");
	assert_int_equal(e->stacks[0].f[1].line, 107);

	e = find_error(&r, "0x8");
	assert_int_equal(e->kind, VGXML_K_OVERLAP);
	assert_string_equal(e->what, "Source and destination overlap in strcpy(0x1fff000570, 0x1fff000571)");
	assert_int_equal(e->stacks[0].f[1].line, 117);

	e = find_error(&r, "0x9");
	assert_int_equal(e->kind, VGXML_K_FISHY_VALUE);
	/* valgrind writes a newline before </what>: trimmed */
	assert_string_equal(e->what,
		"Argument 'size' of function malloc has a fishy (possibly negative) value: -1");
	assert_int_equal(e->stacks[0].f[1].line, 124);

	e = find_error(&r, "0xa");
	assert_int_equal(e->kind, VGXML_K_CLIENT_CHECK);
	assert_string_equal(e->what, "Uninitialised byte(s) found during client check request");
	assert_int_equal(e->stacks[0].f[0].line, 135);
	e = find_error(&r, "0xb");
	assert_string_equal(e->what, "Unaddressable byte(s) found during client check request");
	assert_int_equal(e->stacks[0].f[0].line, 136);

	e = find_error(&r, "0xc");
	assert_int_equal(e->kind, VGXML_K_INVALID_JUMP);
	assert_frame(&e->stacks[0].f[0], 0x10, "", "", "", 0, "");	/* only <ip> */
	/* the jump left no frame for invalid_jump(): main, where it was called */
	assert_frame(&e->stacks[0].f[1], 0x109959, "main", GEN_DIR, "errors.c", 215, BUILD_DIR "/errors");
	assert_int_equal(e->aux[0].before, 1);

	e = find_error(&r, "0xd");
	assert_int_equal(e->kind, VGXML_K_INVALID_MEMPOOL);
	assert_string_equal(e->aux[0].text, "Address 0x10c1a0 is 0 bytes inside data symbol \"pool.0\"");

	e = find_error(&r, "0xe");
	assert_int_equal(e->kind, VGXML_K_MISMATCHED_FREE);
	assert_string_equal(e->what, "Mismatched free() / delete / delete []");
	assert_string_equal(e->stacks[0].f[1].fn, "new_free()");
	assert_string_equal(e->stacks[0].f[1].file, "mismatch.cc");
	assert_int_equal(e->stacks[0].f[1].line, 12);
	assert_string_equal(e->stacks[1].f[0].fn, "operator new[](unsigned long)");
	e = find_error(&r, "0xf");
	assert_string_equal(e->stacks[0].f[0].fn, "operator delete[](void*)");
	assert_int_equal(e->stacks[0].f[1].line, 20);

	e = find_error(&r, "0x12");
	assert_int_equal(e->kind, VGXML_K_LEAK_DEFINITE);
	assert_int_equal(e->leak.bytes, 216);
	assert_int_equal(e->leak.direct, 16);
	assert_int_equal(e->leak.indirect, 200);
	assert_int_equal(e->leak.recno, 3);
	assert_int_equal(e->leak.nrecs, 5);
	assert_string_equal(e->stacks[0].f[1].fn, "leak_indirect");
	assert_int_equal(e->stacks[0].f[1].line, 180);
	e = find_error(&r, "0x11");
	assert_int_equal(e->kind, VGXML_K_LEAK_INDIRECT);
	assert_int_equal(e->leak.bytes, 200);
	assert_int_equal(e->stacks[0].f[1].line, 182);
	e = find_error(&r, "0x13");
	assert_int_equal(e->kind, VGXML_K_LEAK_POSSIBLE);
	assert_int_equal(e->leak.bytes, 300);
	assert_int_equal(e->stacks[0].f[1].line, 189);
	e = find_error(&r, "0x14");
	assert_int_equal(e->kind, VGXML_K_LEAK_REACHABLE);
	assert_int_equal(e->leak.bytes, 400);
	assert_int_equal(e->leak.blocks, 1);
	assert_int_equal(e->stacks[0].f[1].line, 197);
	assert_int_equal(e->status_before, 2);
	run_free(&r);
}

static void
test_suppressions(void **state)
{
	struct t_run r = { 0 };
	const struct t_error *e;
	size_t i;

	(void)state;
	assert_int_equal(parse_file(&r, "xml/errors_supp.xml"), VGXML_OK);
	/* 19 <error>s, each followed by a top-level <suppression> duplicate */
	assert_int_equal(r.nerrs, 19);
	for (i = 0; i < r.nerrs; i++) {
		assert_string_equal(r.errs[i].supp_name, "insert_a_suppression_name_here");
		assert_true(r.errs[i].supp_text[0] == '{');
		assert_true(r.errs[i].supp_text[strlen(r.errs[i].supp_text) - 1] == '}');
	}
	e = find_error(&r, "0x0");
	assert_string_equal(e->supp_kind, "Memcheck:Addr1");
	assert_string_equal(e->supp_text, "{\n   <insert_a_suppression_name_here>\n   Memcheck:Addr1\n"
		"   fun:invalid_read\n   fun:main\n}");
	assert_int_equal(e->stacks[0].n, 2);	/* --num-callers=6 */
	assert_int_equal(r.ncounts, 16);
	run_free(&r);
}

static void
test_threads(void **state)
{
	struct t_run r = { 0 };
	const struct t_error *e;

	(void)state;
	assert_int_equal(parse_file(&r, "xml/threads.xml"), VGXML_OK);
	assert_int_equal(r.nerrs, 3);
	e = find_error(&r, "0x0");
	assert_int_equal(e->tid, 2);
	assert_string_equal(e->threadname, "worker-1");
	assert_int_equal(e->kind, VGXML_K_INVALID_READ);
	assert_frame(&e->stacks[0].f[0], 0x1091CC, "worker_bug", GEN_DIR, "threads.c", 20,
		BUILD_DIR "/threads");
	e = find_error(&r, "0x1");
	assert_string_equal(e->threadname, "worker-2");
	assert_int_equal(e->kind, VGXML_K_INVALID_WRITE);
	assert_int_equal(e->stacks[0].f[0].line, 23);
	e = find_error(&r, "0x2");
	assert_string_equal(e->threadname, "");
	assert_int_equal(e->leak.bytes, 67);	/* 33 + 34 */
	assert_int_equal(e->leak.blocks, 2);
	assert_int_equal(e->stacks[0].f[1].line, 40);
	assert_int_equal(r.count_sum, 2);	/* errorcounts: 0x0 counted twice */
	run_free(&r);
}

static void
test_killed(void **state)
{
	struct t_run r = { 0 };
	const struct t_error *e;

	(void)state;
	assert_int_equal(parse_file(&r, "xml/killed.xml"), VGXML_TRUNCATED);
	assert_non_null(strstr(r.msg, "truncated"));
	assert_int_equal(r.nerrs, 1);
	e = find_error(&r, "0x0");
	assert_int_equal(e->kind, VGXML_K_UNINIT_CONDITION);
	assert_frame(&e->stacks[0].f[0], 0x10918E, "bug", GEN_DIR, "killed.c", 14, BUILD_DIR "/killed");
	assert_int_equal(r.nstatus, 1);
	assert_int_equal(r.ninfo, 1);
	run_free(&r);
}

static void
test_client_leak_check(void **state)
{
	struct t_run r = { 0 };
	const struct t_error *e;

	(void)state;
	assert_int_equal(parse_file(&r, "xml/clientleak.xml"), VGXML_OK);
	assert_int_equal(r.nerrs, 6);
	assert_int_equal(r.kinds[VGXML_K_LEAK_DEFINITE], 6);
	/* VALGRIND_DO_LEAK_CHECK and VALGRIND_DO_ADDED_LEAK_CHECK: while RUNNING */
	e = find_error(&r, "0x1");
	assert_int_equal(e->status_before, 1);
	assert_false(e->leak.has_delta);
	assert_int_equal(e->leak.bytes, 64);
	assert_int_equal(e->stacks[0].f[1].line, 12);
	e = find_error(&r, "0x5");
	assert_int_equal(e->status_before, 1);
	assert_true(e->leak.has_delta);
	assert_int_equal(e->leak.bytes, 128);
	assert_int_equal(e->leak.bytes_delta, 128);
	assert_int_equal(e->leak.blocks_delta, 1);
	assert_int_equal(e->leak.recno, 4);
	/* the exit check */
	e = find_error(&r, "0x9");
	assert_int_equal(e->status_before, 2);
	assert_int_equal(e->leak.bytes, 128);
	run_free(&r);
}

static void
test_abort_in_thread(void **state)
{
	struct t_run r = { 0 };

	(void)state;
	assert_int_equal(parse_file(&r, "xml/abort.xml"), VGXML_OK);
	assert_int_equal(r.nfatal, 1);
	assert_int_equal(r.fatal.tid, 2);
	assert_string_equal(r.fthread, "doomed");
	assert_int_equal(r.fatal.signo, 6);
	assert_string_equal(r.fsigname, "SIGABRT");
	assert_int_equal(r.fatal.sicode, -6);
	assert_false(r.fatal.has_siaddr);
	assert_string_equal(r.fevent, "");
	assert_int_equal(r.fatal.stack.nframes, 7);
	assert_int_equal(r.nerrs, 1);
	assert_int_equal(r.kinds[VGXML_K_LEAK_POSSIBLE], 1);
	run_free(&r);
}

static void
test_bad_bytes(void **state)
{
	struct t_run r = { 0 };
	const struct t_error *e;

	(void)state;
	/* valgrind wrote a file name with 0xE9 and 0x01 raw: invalid XML */
	assert_int_equal(parse_file(&r, "xml/badbytes.xml"), VGXML_OK);
	assert_int_equal(r.nerrs, 2);
	e = find_error(&r, "0x0");
	assert_string_equal(e->stacks[0].f[0].file, "caf\xef\xbf\xbd\xef\xbf\xbd.c");
	assert_string_equal(e->stacks[0].f[0].fn, "main");
	assert_int_equal(e->stacks[0].f[0].line, 11);
	assert_string_equal(e->stacks[0].f[0].dir, BUILD_DIR);
	run_free(&r);
}

/* ---- not memcheck protocol 4 ---- */

static void
test_other_tool(void **state)
{
	struct t_run r = { 0 };

	(void)state;
	assert_int_equal(parse_file(&r, "xml/helgrind.xml"), VGXML_ERROR);
	assert_string_equal(r.msg, "valgrind XML from helgrind, not memcheck (run valgrind with --tool=memcheck)");
	assert_int_equal(r.nerrs, 0);
	assert_int_equal(r.ninfo, 0);
	run_free(&r);
}

/* The fixture with its header edited. */
static enum vgxml_rc
parse_edited(struct t_run *r, const char *from, const char *to)
{
	size_t len;
	char *buf = read_data("memcheck_fixture.xml", &len), *p = strstr(buf, from);
	struct sbuf b = SBUF_INIT;

	assert_non_null(p);
	sbuf_add(&b, buf, (size_t)(p - buf));
	sbuf_adds(&b, to);
	sbuf_adds(&b, p + strlen(from));
	parse_buf(r, b.data, b.len, 0, 3);
	sbuf_free(&b);
	free(buf);
	return r->rc;
}

static void
test_protocol(void **state)
{
	struct t_run r = { 0 };

	(void)state;
	assert_int_equal(parse_edited(&r, "<protocolversion>4<", "<protocolversion>3<"), VGXML_ERROR);
	assert_string_equal(r.msg, "unsupported valgrind XML protocol version \"3\" (need 4)");
	assert_int_equal(r.nerrs, 0);
	run_free(&r);
	assert_int_equal(parse_edited(&r, "<protocolversion>4<", "<protocolversion>5<"), VGXML_ERROR);
	assert_string_equal(r.msg, "unsupported valgrind XML protocol version \"5\" (need 4)");
	run_free(&r);
	assert_int_equal(parse_edited(&r, "<protocolversion>4</protocolversion>", ""), VGXML_ERROR);
	assert_string_equal(r.msg, "not valgrind XML protocol 4: no <protocolversion> first");
	run_free(&r);
	assert_int_equal(parse_edited(&r, "<protocoltool>memcheck</protocoltool>", ""), VGXML_ERROR);
	assert_non_null(strstr(r.msg, "no <protocoltool>"));
	run_free(&r);
	assert_int_equal(parse_edited(&r, ">memcheck</protocoltool>", ">\x1b[31mdrd</protocoltool>"),
		VGXML_ERROR);
	/* the tool name is untrusted: the ESC never reaches the message */
	assert_string_equal(r.msg, "valgrind XML from \xef\xbf\xbd[31mdrd, not memcheck (run valgrind with --tool=memcheck)");
	run_free(&r);
	assert_int_equal(parse_edited(&r, "<valgrindoutput>", "<valgrind>"), VGXML_ERROR);
	assert_string_equal(r.msg, "not valgrind XML: the root element is <valgrind>, not <valgrindoutput>");
	run_free(&r);
}

static void
test_not_valgrind(void **state)
{
	static const struct {
		const char *doc, *msg;
		enum vgxml_rc rc;
	} cases[] = {
		{ "", "truncated: empty input", VGXML_TRUNCATED },
		{ "  \n", "truncated: input ends before <valgrindoutput>", VGXML_TRUNCATED },
		{ "<?xml version=\"1.0\"?>\n<valgr", "truncated: input ends before <valgrindoutput>", VGXML_TRUNCATED },
		{ "hello world", "not XML: ", VGXML_ERROR },
		{ "h", "not XML: ", VGXML_ERROR },
		{ "{\"json\": true}", "not XML: ", VGXML_ERROR },
		{ "==123== Memcheck, a memory error detector\n", "not XML: ", VGXML_ERROR },
		{ "<html><body>hi</body></html>", "not valgrind XML: the root element is <html>, not <valgrindoutput>", VGXML_ERROR },
		{ "<?xml version=\"1.0\"?><a:valgrindoutput xmlns:a=\"urn:x\"/>", "not valgrind XML: the root element is <a:valgrindoutput>, not <valgrindoutput>", VGXML_ERROR },
		{ "<valgrindoutput><protocolversion>4</protocolversion><protocoltool>memcheck</protocoltool></valgrindoutput>", "", VGXML_OK },
		{ "<valgrindoutput><protocolversion>4</protocolversion><protocoltool>memcheck</protocoltool></valgrindoutput><x/>", "malformed XML at line 1: Extra content at the end of the document", VGXML_ERROR },
		{ "<valgrindoutput><protocolversion>4</protocolversion><protocoltool>memcheck</protocoltool></valgrindoutput>\n<?xml", "malformed XML", VGXML_ERROR },
		{ "<valgrindoutput><protocolversion>four</protocolversion>", "unsupported valgrind XML protocol version \"four\" (need 4)", VGXML_ERROR },
		{ "<valgrindoutput><protocolversion>4</protocolversion><protocoltool></protocoltool>", "valgrind XML from an unnamed tool, not memcheck (run valgrind with --tool=memcheck)", VGXML_ERROR },
		{ "<valgrindoutput><protocolversion>4</protocolversion><protocoltool>memcheck</protocoltool><error></error>", "<error> without <kind> at line 1", VGXML_ERROR },
		{ "<valgrindoutput><protocolversion>4</protocolversion><protocoltool>memcheck</protocoltool><error><kind>X</kind></error>", "<error> without <unique> at line 1", VGXML_ERROR },
		{ "<valgrindoutput><protocolversion>4</protocolversion><protocoltool>memcheck</protocoltool>\n<status><state>RUNNING</state><time>1</time></status>", "truncated: no </valgrindoutput> after line 2", VGXML_TRUNCATED },
		{ "<valgrindoutput><protocolversion>4</protocolversion><protocoltool>memcheck</protocoltool>\n<error><unique>0x1</unique><tid>1", "truncated: input ends inside <error> at line 2", VGXML_TRUNCATED },
	};
	size_t i;

	(void)state;
	for (i = 0; i < LT_ARRAY_SIZE(cases); i++) {
		struct t_run r = { 0 };

		parse_str(&r, cases[i].doc);
		if (r.rc != cases[i].rc || strncmp(r.msg, cases[i].msg, strlen(cases[i].msg)))
			fail_msg("case %zu: rc %d \"%s\", want %d \"%s\"", i, r.rc, r.msg, cases[i].rc,
				cases[i].msg);
		assert_int_equal(r.nerrs, 0);
		run_free(&r);
	}
}

#define HEAD "<?xml version=\"1.0\"?>\n<valgrindoutput>\n<protocolversion>4</protocolversion>\n" \
	"<protocoltool>memcheck</protocoltool>\n"
#define ERR0 "<error><unique>0x0</unique><tid>1</tid><kind>InvalidRead</kind>"

/* Entities: never expanded beyond the predefined ones, no DTD at all. */
static void
test_entities(void **state)
{
	static const char *const bombs[] = {
		"<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n"
		" <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
		" <!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">\n"
		" <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
		" <!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">\n"
		" <!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">\n"
		" <!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">\n"
		" <!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">\n"
		" <!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">\n"
		" <!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">\n"
		"]>\n<valgrindoutput><protocolversion>4</protocolversion><protocoltool>memcheck</protocoltool>"
		ERR0 "<what>&lol9;</what></error></valgrindoutput>",
		"<?xml version=\"1.0\"?>\n<!DOCTYPE v [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n"
		"<valgrindoutput><protocolversion>4</protocolversion><protocoltool>memcheck</protocoltool>"
		ERR0 "<what>&x;</what></error></valgrindoutput>",
		"<?xml version=\"1.0\"?>\n<!DOCTYPE valgrindoutput SYSTEM \"http://127.0.0.1:1/x.dtd\">\n"
		"<valgrindoutput/>",
	};
	struct t_run r = { 0 };
	size_t i;

	(void)state;
	for (i = 0; i < LT_ARRAY_SIZE(bombs); i++) {
		assert_int_equal(parse_str(&r, bombs[i]), VGXML_ERROR);
		assert_string_equal(r.msg, "not valgrind XML: it has a DTD (<!DOCTYPE>), valgrind writes none");
		assert_int_equal(r.nerrs, 0);
		run_free(&r);
	}
	/* an undeclared entity */
	assert_int_equal(parse_str(&r, HEAD ERR0 "<what>&lol;</what></error></valgrindoutput>"), VGXML_ERROR);
	assert_string_equal(r.msg, "malformed XML at line 5: Entity 'lol' not defined");
	run_free(&r);
	/* predefined entities, character references and CDATA are text */
	r.light = false;
	assert_int_equal(parse_str(&r, HEAD ERR0 "<what>a&lt;b&amp;c&gt;&quot;&apos;&#x41;&#66;"
		"<![CDATA[<x>&amp;]]>\xc3\xa9</what></error></valgrindoutput>"), VGXML_OK);
	assert_int_equal(r.nerrs, 1);
	assert_string_equal(r.errs[0].what, "a<b&c>\"'AB<x>&amp;\xc3\xa9");
	run_free(&r);
}

/* Nothing reaches stderr (it is under the live screen), whatever the input
 * declares or holds; a declared encoding is ignored: the input is UTF-8. */
static void
test_quiet(void **state)
{
	static const char *const encs[] = {
		"UTF-16", "UTF-16LE", "UCS-4", "UTF-32", "EBCDIC-US", "SHIFT_JIS", "ISO-8859-1", "bogus",
	};
	static const char *const raw[] = {
		"\xff\xfe<\0v\0a\0l\0", "\xfe\xff\0<\0v", "\0\0\xfe\xff", "\x00<valgrindoutput>",
		"<?xml version=\"1.0\" encoding=\"UTF-16\"?>\xff\xfe\x01\x02",
		"<!DOCTYPE x SYSTEM \"/etc/passwd\"><x/>", "<?xml version=\"2.0\"?><valgrindoutput/>",
		"<valgrindoutput xmlns:a=\"rel\"><a:b xmlns:a=\"\"/></valgrindoutput>",
	};
	char path[] = "/tmp/test_vgxml.XXXXXX";
	int fd = mkstemp(path), saved = dup(2);
	struct t_run r = { 0 };
	size_t i;
	off_t size;

	(void)state;
	assert_true(fd >= 0 && saved >= 0);
	fflush(stderr);
	dup2(fd, 2);
	for (i = 0; i < LT_ARRAY_SIZE(encs); i++) {
		char *doc = xasprintf("<?xml version=\"1.0\" encoding=\"%s\"?>\n<valgrindoutput>"
			"<protocolversion>4</protocolversion><protocoltool>memcheck</protocoltool>"
			ERR0 "<what>\xc3\xa9\xff\x81</what></error></valgrindoutput>\n", encs[i]);

		parse_str(&r, doc);
		if (r.rc != VGXML_OK || r.nerrs != 1 || strcmp(r.errs[0].what, "\xc3\xa9\xef\xbf\xbd\xef\xbf\xbd"))
			fail_msg("encoding %s: rc %d (%s)", encs[i], r.rc, r.msg);
		free(doc);
		run_free(&r);
	}
	for (i = 0; i < LT_ARRAY_SIZE(raw); i++) {
		parse_buf(&r, raw[i], strlen(raw[i]) + (i < 4 ? 4 : 0), 0, 1);
		run_free(&r);
	}
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	size = lseek(fd, 0, SEEK_END);
	close(fd);
	unlink(path);
	assert_int_equal(size, 0);
}

/* Unknown elements (and namespaced ones) are skipped with their subtree. */
static void
test_unknown_elements(void **state)
{
	struct t_run r = { 0 };

	(void)state;
	assert_int_equal(parse_str(&r, HEAD "<clientmsg><tid>1</tid><text>hi</text></clientmsg>\n"
		"<suppression><sname>x</sname></suppression>\n"
		"<error><unique>0x5</unique><new><kind>Bogus</kind><error/></new><tid>3</tid>"
		"<kind>SomethingNew</kind><what>w<b>bold</b>!</what>"
		"<stack><frame><ip>0x1</ip><x:fn xmlns:x=\"urn:x\">no</x:fn><fn>f</fn><extra>1</extra></frame></stack>"
		"<stack/></error></valgrindoutput>"), VGXML_OK);
	assert_int_equal(r.nerrs, 1);
	assert_int_equal(r.errs[0].kind, VGXML_K_OTHER);
	assert_string_equal(r.errs[0].kind_name, "SomethingNew");
	assert_string_equal(r.errs[0].what, "w!");
	assert_int_equal(r.errs[0].tid, 3);
	assert_int_equal(r.errs[0].nstacks, 2);
	assert_int_equal(r.errs[0].stacks[0].n, 1);
	assert_string_equal(r.errs[0].stacks[0].f[0].fn, "f");
	assert_int_equal(r.errs[0].stacks[1].n, 0);
	run_free(&r);
}

static void
test_bad_numbers(void **state)
{
	static const char *const docs[] = {
		HEAD ERR0 "<stack><frame><ip>zz</ip></frame></stack></error>",
		HEAD ERR0 "<stack><frame><ip>0x</ip></frame></stack></error>",
		HEAD ERR0 "<stack><frame><ip>0x1ffffffffffffffff</ip></frame></stack></error>",
		HEAD ERR0 "<stack><frame><ip>0x1</ip><line>-1</line></frame></stack></error>",
		HEAD ERR0 "<stack><frame><ip>0x1</ip><line>4294967296</line></frame></stack></error>",
		HEAD "<error><unique>12</unique></error>",
		HEAD "<error><unique>0x0</unique><tid>1.5</tid></error>",
		HEAD "<error><unique>0x0</unique><xwhat><leakedbytes>18446744073709551616</leakedbytes></xwhat></error>",
		HEAD "<fatal_signal><sicode>--1</sicode></fatal_signal>",
		HEAD "<fatal_signal><signo>2147483648</signo></fatal_signal>",
		HEAD "<pid>x</pid>",
	};
	struct t_run r = { 0 };
	size_t i;

	(void)state;
	for (i = 0; i < LT_ARRAY_SIZE(docs); i++) {
		r.light = true;
		if (parse_str(&r, docs[i]) != VGXML_ERROR || strncmp(r.msg, "bad <", 5))
			fail_msg("doc %zu: rc %d \"%s\"", i, r.rc, r.msg);
		run_free(&r);
	}
	/* limits that still fit */
	assert_int_equal(parse_str(&r, HEAD "<fatal_signal><signo>2147483647</signo><sicode>-2147483648</sicode>"
		"<siaddr>0xFFFFFFFFFFFFFFFF</siaddr></fatal_signal></valgrindoutput>"), VGXML_OK);
	assert_int_equal(r.fatal.signo, 2147483647);
	assert_int_equal(r.fatal.sicode, INT32_MIN);
	assert_int_equal(r.fatal.siaddr, UINT64_MAX);
	run_free(&r);
}

/* The leak text beyond <leakedbytes>: split, deltas (VALGRIND.md shapes). */
static void
test_leak_text(void **state)
{
	static const struct {
		const char *text;
		uint64_t direct, indirect;
		int has_delta;
		int64_t dbytes, dblocks;
		unsigned recno, nrecs;
	} cases[] = {
		{ "336 (+168) (48 (+24) direct, 288 (+144) indirect) bytes in 2 (+1) blocks are definitely lost in loss record 11 of 13",
			48, 288, 1, 168, 1, 11, 13 },
		{ "0 (-48) bytes in 0 (-1) blocks are possibly lost in loss record 1 of 2", 7, 0, 1, -48, -1, 1, 2 },
		{ "1,234,567 bytes in 1,000 blocks are still reachable in loss record 1,000 of 1,001",
			7, 0, 0, 0, 0, 1000, 1001 },
		{ "12 (3 direct, x indirect) bytes in 1 blocks are definitely lost in loss record 1 of 1",
			7, 0, 0, 0, 0, 0, 0 },
		{ "12 (+) bytes in 1 blocks are definitely lost in loss record 1 of 1", 7, 0, 0, 0, 0, 0, 0 },
		{ "12 bytes in 1 blocks are definitely lost in loss record 4294967296 of 1", 7, 0, 0, 0, 0, 0, 0 },
		{ "whatever", 7, 0, 0, 0, 0, 0, 0 },
		{ "", 7, 0, 0, 0, 0, 0, 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < LT_ARRAY_SIZE(cases); i++) {
		struct t_run r = { 0 };
		char *doc = xasprintf(HEAD "<error><unique>0x1</unique><tid>1</tid><kind>Leak_PossiblyLost</kind>"
			"<xwhat><text>%s</text><leakedbytes>7</leakedbytes><leakedblocks>1</leakedblocks></xwhat>"
			"</error></valgrindoutput>", cases[i].text);

		assert_int_equal(parse_str(&r, doc), VGXML_OK);
		assert_int_equal(r.nerrs, 1);
		assert_true(r.errs[0].has_leak);
		assert_int_equal(r.errs[0].leak.bytes, 7);
		assert_int_equal(r.errs[0].leak.blocks, 1);
		if (r.errs[0].leak.direct != cases[i].direct || r.errs[0].leak.indirect != cases[i].indirect ||
			r.errs[0].leak.has_delta != (cases[i].has_delta != 0) ||
			r.errs[0].leak.bytes_delta != cases[i].dbytes ||
			r.errs[0].leak.blocks_delta != cases[i].dblocks ||
			r.errs[0].leak.recno != cases[i].recno || r.errs[0].leak.nrecs != cases[i].nrecs)
			fail_msg("case %zu: %" PRIu64 "/%" PRIu64 " delta %d %" PRId64 "/%" PRId64 " rec %u/%u", i,
				r.errs[0].leak.direct, r.errs[0].leak.indirect, r.errs[0].leak.has_delta,
				r.errs[0].leak.bytes_delta, r.errs[0].leak.blocks_delta, r.errs[0].leak.recno,
				r.errs[0].leak.nrecs);
		free(doc);
		run_free(&r);
	}
}

/* ---- caps: an element too large is an error, memory stays bounded ---- */

static enum vgxml_rc
parse_big(struct t_run *r, const char *head, const char *unit, size_t count, const char *tail)
{
	struct vgxml *x = vgxml_new(&t_cb, r);
	struct sbuf b = SBUF_INIT;
	size_t i;

	r->light = true;
	vgxml_feed(x, head, strlen(head));
	for (i = 0; i < count; i++) {
		sbuf_adds(&b, unit);
		if (b.len > 65536 || i + 1 == count) {
			if (vgxml_feed(x, b.data, b.len) != VGXML_OK)
				break;
			sbuf_reset(&b);
		}
	}
	vgxml_feed(x, tail, strlen(tail));
	r->rc = vgxml_finish(x);
	snprintf(r->msg, sizeof(r->msg), "%s", vgxml_error(x));
	sbuf_free(&b);
	vgxml_free(x);
	return r->rc;
}

static void
test_caps(void **state)
{
	static char text[1 << 16];
	struct t_run r = { 0 };

	(void)state;
	memset(text, 'a', sizeof(text) - 1);
	/* a 50 MB text node */
	assert_int_equal(parse_big(&r, HEAD ERR0 "<what>", text, 800, "</what></error></valgrindoutput>"),
		VGXML_ERROR);
	assert_string_equal(r.msg, "element too large: <what> text over 1048576 bytes at line 5");
	run_free(&r);
	/* 1 MiB exactly fits */
	memset(text, 'b', 1024);
	text[1024] = '\0';
	assert_int_equal(parse_big(&r, HEAD ERR0 "<what>", text, 1024, "</what></error></valgrindoutput>"),
		VGXML_OK);
	assert_int_equal(r.nerrs, 1);
	run_free(&r);
	/* 17 texts of 1 MiB in one error */
	{
		struct sbuf u = SBUF_INIT;
		size_t i;

		sbuf_adds(&u, "<auxwhat>");
		for (i = 0; i < 1024 * 1024 - 16; i++)
			sbuf_addc(&u, 'c');
		sbuf_adds(&u, "</auxwhat>");
		assert_int_equal(parse_big(&r, HEAD ERR0, u.data, 17, "</error></valgrindoutput>"), VGXML_ERROR);
		assert_string_equal(r.msg, "element too large: <error> over 16777216 bytes at line 5");
		sbuf_free(&u);
		run_free(&r);
	}
	assert_int_equal(parse_big(&r, HEAD ERR0, "<stack></stack>", VGXML_MAX_STACKS,
		"</error></valgrindoutput>"), VGXML_OK);
	run_free(&r);
	assert_int_equal(parse_big(&r, HEAD ERR0, "<stack></stack>", VGXML_MAX_STACKS + 1,
		"</error></valgrindoutput>"), VGXML_ERROR);
	assert_string_equal(r.msg, "element too large: more than 64 stacks in <error> at line 5");
	run_free(&r);
	assert_int_equal(parse_big(&r, HEAD ERR0 "<stack>", "<frame><ip>0x1</ip></frame>", VGXML_MAX_FRAMES,
		"</stack></error></valgrindoutput>"), VGXML_OK);
	run_free(&r);
	assert_int_equal(parse_big(&r, HEAD ERR0 "<stack>", "<frame><ip>0x1</ip></frame>",
		VGXML_MAX_FRAMES + 1, "</stack></error></valgrindoutput>"), VGXML_ERROR);
	assert_string_equal(r.msg, "element too large: more than 1024 frames in a <stack> at line 5");
	run_free(&r);
	assert_int_equal(parse_big(&r, HEAD ERR0, "<auxwhat>x</auxwhat>", VGXML_MAX_AUX + 1,
		"</error></valgrindoutput>"), VGXML_ERROR);
	assert_string_equal(r.msg, "element too large: more than 256 auxwhat in <error> at line 5");
	run_free(&r);
	assert_int_equal(parse_big(&r, HEAD "<args><argv>", "<arg>x</arg>", VGXML_MAX_ARGS + 1,
		"</argv></args></valgrindoutput>"), VGXML_ERROR);
	assert_string_equal(r.msg, "element too large: more than 4096 lines or arguments at line 5");
	run_free(&r);
	assert_int_equal(parse_big(&r, HEAD ERR0 "<xauxwhat>", "<text>xxxxxxxxxxxxxxx</text>", 100000,
		"</xauxwhat></error></valgrindoutput>"), VGXML_ERROR);
	assert_string_equal(r.msg, "element too large: <xauxwhat> over 1048576 bytes at line 5");
	run_free(&r);
	/* a start tag, a comment, a CDATA section outside what we keep: they
	 * wait in libxml2's buffer, up to its lookup limit */
	assert_int_equal(parse_big(&r, HEAD "<error a=\"", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 1000000, ""),
		VGXML_ERROR);
	assert_string_equal(r.msg, "element too large: a tag, comment or CDATA section over 10000000 bytes at line 5");
	run_free(&r);
	assert_int_equal(parse_big(&r, HEAD "<!--", "--------------------------------", 1000000, "-->"),
		VGXML_ERROR);
	assert_string_equal(r.msg, "element too large: a tag, comment or CDATA section over 10000000 bytes at line 5");
	run_free(&r);
	assert_int_equal(parse_big(&r, HEAD "<x><![CDATA[", "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]", 1000000, "]]></x>"),
		VGXML_ERROR);
	assert_non_null(strstr(r.msg, "element too large: "));
	run_free(&r);
	/* many errors, each small: no limit at all */
	assert_int_equal(parse_big(&r, HEAD, ERR0 "<stack><frame><ip>0x1</ip></frame></stack></error>\n",
		200000, "</valgrindoutput>"), VGXML_OK);
	assert_int_equal(r.nerrs, 200000);
	run_free(&r);
	/* distinct names: libxml2 would keep them all in its dictionary */
	{
		struct vgxml *x = vgxml_new(&t_cb, &r);
		char name[32];
		int i, n;

		vgxml_feed(x, HEAD, strlen(HEAD));
		for (i = 0; i < 1000000 && r.rc == VGXML_OK; i++) {
			n = snprintf(name, sizeof(name), "<name%d a%d=\"\"/>", i, i);
			r.rc = vgxml_feed(x, name, (size_t)n);
		}
		assert_int_equal(r.rc, VGXML_ERROR);
		assert_true(i < 100000);
		assert_string_equal(vgxml_error(x), "element too large: too many distinct names at line 5");
		vgxml_free(x);
		run_free(&r);
	}
	/* deep nesting: libxml2 would keep a stack of names */
	assert_int_equal(parse_big(&r, HEAD, "<x>", 100000, ""), VGXML_ERROR);
	assert_string_equal(r.msg, "element too large: nested deeper than 64 at line 5");
	run_free(&r);
}

/* ---- chunking, UTF-8 across feeds, callbacks that stop ---- */

static void
test_chunks(void **state)
{
	static const size_t sizes[] = { 1, 2, 3, 5, 63, 4096, 65537, 1 << 20 };
	struct t_run full = { 0 }, r = { 0 };
	size_t len, i;
	char *buf = read_data("xml/errors_supp.xml", &len);

	(void)state;
	full.light = true;
	parse_buf(&full, buf, len, len, 0);
	assert_int_equal(full.rc, VGXML_OK);
	for (i = 0; i < LT_ARRAY_SIZE(sizes); i++) {
		r.light = true;
		assert_int_equal(parse_buf(&r, buf, len, sizes[i], 0), VGXML_OK);
		assert_int_equal(r.log.len, full.log.len);
		assert_memory_equal(r.log.data, full.log.data, full.log.len);
		run_free(&r);
	}
	free(buf);
	run_free(&full);
}

static void
test_utf8_split(void **state)
{
	/* é, €, 𝄞, then bad bytes: a stray continuation, a lone lead, an
	 * overlong '/', a surrogate, U+FFFE, a NUL and ESC */
	static const char doc[] = HEAD ERR0 "<what>\xc3\xa9\xe2\x82\xac\xf0\x9d\x84\x9e|\x80|\xc3|\xc0\xaf|"
		"\xed\xa0\x80|\xef\xbf\xbe|\0|\x1b|\xf4\x90\x80\x80</what></error></valgrindoutput>";
	static const char want[] = "\xc3\xa9\xe2\x82\xac\xf0\x9d\x84\x9e|\xef\xbf\xbd|\xef\xbf\xbd|"
		"\xef\xbf\xbd\xef\xbf\xbd|\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd|\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd|"
		"\xef\xbf\xbd|\xef\xbf\xbd|\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd";
	size_t chunk;

	(void)state;
	for (chunk = 1; chunk <= 9; chunk++) {
		struct t_run r = { 0 };

		assert_int_equal(parse_buf(&r, doc, sizeof(doc) - 1, chunk, 0), VGXML_OK);
		assert_int_equal(r.nerrs, 1);
		assert_string_equal(r.errs[0].what, want);
		run_free(&r);
	}
	/* the input ends inside a character */
	{
		struct t_run r = { 0 };
		struct vgxml *x = vgxml_new(&t_cb, &r);

		assert_int_equal(vgxml_feed(x, HEAD ERR0 "<what>\xe2\x82", sizeof(HEAD ERR0) + 7), VGXML_OK);
		assert_int_equal(vgxml_finish(x), VGXML_TRUNCATED);
		assert_int_equal(vgxml_feed(x, "x", 1), VGXML_TRUNCATED);
		vgxml_free(x);
		run_free(&r);
	}
}

static void
test_callback_stop(void **state)
{
	struct t_run r = { 0 };
	size_t len;
	char *buf = read_data("memcheck_fixture.xml", &len);
	struct vgxml *x;

	(void)state;
	r.stop_at = 3;
	assert_int_equal(parse_buf(&r, buf, len, 1000, 0), VGXML_CALLBACK);
	assert_int_equal(r.nerrs, 3);
	assert_string_equal(r.msg, "stopped by the caller");
	run_free(&r);
	/* the same with the whole file in one feed */
	r.stop_at = 1;
	x = vgxml_new(&t_cb, &r);
	assert_int_equal(vgxml_feed(x, buf, len), VGXML_CALLBACK);
	assert_int_equal(vgxml_feed(x, buf, len), VGXML_CALLBACK);
	assert_int_equal(vgxml_finish(x), VGXML_CALLBACK);
	assert_int_equal(r.nerrs, 1);
	assert_int_equal(vgxml_offset(x), len);
	assert_non_null(vgxml_info(x));
	assert_int_equal(vgxml_info(x)->pid, 482);
	vgxml_free(x);
	run_free(&r);
	/* no callbacks at all */
	x = vgxml_new(NULL, NULL);
	assert_null(vgxml_info(x));
	assert_int_equal(vgxml_feed(x, buf, len), VGXML_OK);
	assert_int_equal(vgxml_finish(x), VGXML_OK);
	assert_int_equal(vgxml_info(x)->nargs, 6);
	vgxml_free(x);
	free(buf);
}

static void
test_kinds(void **state)
{
	int k;

	(void)state;
	for (k = 1; k < VGXML_K_COUNT; k++) {
		const char *n = vgxml_kind_name((enum vgxml_kind)k);

		assert_true(strlen(n) > 0);
		assert_int_equal(vgxml_kind_from_name(n, strlen(n)), k);
	}
	assert_string_equal(vgxml_kind_name(VGXML_K_OTHER), "");
	assert_string_equal(vgxml_kind_name(VGXML_K_COUNT), "");
	assert_int_equal(vgxml_kind_from_name("InvalidRea", 10), VGXML_K_OTHER);
	assert_int_equal(vgxml_kind_from_name("Race", 4), VGXML_K_OTHER);
	assert_string_equal(vgxml_kind_name(VGXML_K_CORE_MEM_ERROR), "CoreMemError");
	assert_int_equal(vgxml_kind_leak(VGXML_K_LEAK_DEFINITE), LEAK_DEFINITE);
	assert_int_equal(vgxml_kind_leak(VGXML_K_LEAK_INDIRECT), LEAK_INDIRECT);
	assert_int_equal(vgxml_kind_leak(VGXML_K_LEAK_POSSIBLE), LEAK_POSSIBLE);
	assert_int_equal(vgxml_kind_leak(VGXML_K_LEAK_REACHABLE), LEAK_REACHABLE);
	assert_int_equal(vgxml_kind_leak(VGXML_K_INVALID_READ), -1);
	assert_int_equal(vgxml_kind_leak(VGXML_K_OTHER), -1);
}

/* ---- cut at every byte offset ---- */

/* Offsets just after each "</error>" and after "</valgrindoutput>". */
static size_t *
closes(const char *buf, size_t len, size_t *n, size_t *doc_end)
{
	size_t *v = NULL, cap = 0;
	const char *p = buf;

	*n = 0;
	while ((p = memmem(p, len - (size_t)(p - buf), "</error>", 8))) {
		p += 8;
		xgrow((void **)&v, &cap, *n + 1, sizeof(*v));
		v[(*n)++] = (size_t)(p - buf);
	}
	p = memmem(buf, len, "</valgrindoutput>", 17);
	assert_non_null(p);
	*doc_end = (size_t)(p - buf) + 17;
	return v;
}

/* Feed buf[0..k) in random chunks; before and after the end of input,
 * exactly the errors whose </error> is in the prefix are delivered, and
 * the events are the full parse's first ones, byte for byte. */
static void
cut_file(const char *name)
{
	struct t_run full = { 0 };
	size_t len, nclose, doc_end, k, c = 0, i;
	char *buf = read_data(name, &len);
	size_t *close = closes(buf, len, &nclose, &doc_end);
	unsigned seed = 12345;
	bool *boundary;

	full.light = true;
	parse_buf(&full, buf, len, 4096, 0);
	assert_int_equal(full.rc, VGXML_OK);
	assert_int_equal(full.nerrs, nclose);
	boundary = xcalloc(full.log.len + 1, 1);
	boundary[0] = true;
	for (i = 0; i < full.nev; i++)
		boundary[full.ev_end[i]] = true;
	for (k = 0; k <= len; k++) {
		struct t_run r = { 0 };
		struct vgxml *x = vgxml_new(&t_cb, &r);
		size_t off = 0, n;

		r.light = true;
		while (c < nclose && close[c] <= k)
			c++;
		while (off < k) {
			seed = seed * 1103515245u + 12345u;
			n = (seed >> 16) % 8 ? 1 + (seed >> 4) % 4000 : 1 + (seed >> 4) % 4;
			if (n > k - off)
				n = k - off;
			assert_int_equal(vgxml_feed(x, buf + off, n), VGXML_OK);
			off += n;
		}
		if (r.nerrs != c)
			fail_msg("%s: cut at %zu: %zu errors delivered before the end, want %zu", name, k, r.nerrs, c);
		r.rc = vgxml_finish(x);
		if (r.rc != (k >= doc_end ? VGXML_OK : VGXML_TRUNCATED))
			fail_msg("%s: cut at %zu: rc %d (%s)", name, k, r.rc, vgxml_error(x));
		if (r.nerrs != c)
			fail_msg("%s: cut at %zu: %zu errors, want %zu", name, k, r.nerrs, c);
		if (r.log.len > full.log.len || !boundary[r.log.len] ||
			memcmp(r.log.data ? r.log.data : "", full.log.data, r.log.len))
			fail_msg("%s: cut at %zu: events differ from the full parse's", name, k);
		vgxml_free(x);
		run_free(&r);
	}
	free(boundary);
	free(close);
	free(buf);
	run_free(&full);
}

static void
test_cut_fixture(void **state)
{
	(void)state;
	cut_file("memcheck_fixture.xml");
}

static void
test_cut_errors(void **state)
{
	(void)state;
	cut_file("xml/errors_supp.xml");
	cut_file("xml/abort.xml");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixture),
		cmocka_unit_test(test_crash),
		cmocka_unit_test(test_every_kind),
		cmocka_unit_test(test_suppressions),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_killed),
		cmocka_unit_test(test_client_leak_check),
		cmocka_unit_test(test_abort_in_thread),
		cmocka_unit_test(test_bad_bytes),
		cmocka_unit_test(test_other_tool),
		cmocka_unit_test(test_protocol),
		cmocka_unit_test(test_not_valgrind),
		cmocka_unit_test(test_entities),
		cmocka_unit_test(test_quiet),
		cmocka_unit_test(test_unknown_elements),
		cmocka_unit_test(test_bad_numbers),
		cmocka_unit_test(test_leak_text),
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_chunks),
		cmocka_unit_test(test_utf8_split),
		cmocka_unit_test(test_callback_stop),
		cmocka_unit_test(test_kinds),
		cmocka_unit_test(test_cut_fixture),
		cmocka_unit_test(test_cut_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
