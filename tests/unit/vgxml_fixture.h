/* vgxml_fixture.h - shared by the unit tests of the streaming memcheck XML
 * parser (test_vgxml_*.c): a recorder that keeps deep copies of everything
 * the parser delivers, the feeds that drive it, and the data files.
 *
 * tests/data/memcheck_*.xml are nginx captures (tests/data/CAPTURED.md);
 * the files in tests/data/xml/ come from the programs in tests/data/xml/gen/ by
 * tests/data/xml/gen/capture.sh (line numbers: grep -n 'ERR:' there). Data
 * files are found under $LT_TEST_DATA, by default "tests/data" (run from
 * the repository root).
 *
 * Every event the parser delivers is also written to a canonical text log
 * (struct t_run's log, one line per event, ev_end[] where each ends), so
 * two parses compare byte for byte. A run with light set keeps only the
 * log and the counts. Header-only because the Makefile builds each
 * tests/unit/test_*.c on its own. */
#ifndef LT_TEST_VGXML_FIXTURE_H
#define LT_TEST_VGXML_FIXTURE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "leak.h"
#include "sbuf.h"
#include "util.h"
#include "vgxml.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Hand-written inputs: a memcheck protocol 4 header, and the start of an
 * <error>. */
#define HEAD "<?xml version=\"1.0\"?>\n<valgrindoutput>\n<protocolversion>4</protocolversion>\n" \
	"<protocoltool>memcheck</protocoltool>\n"
#define ERR0 "<error><unique>0x0</unique><tid>1</tid><kind>InvalidRead</kind>"

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

static inline char *
dup_str(struct vgxml_str s)
{
	assert_non_null(s.s);
	assert_int_equal(strlen(s.s), s.len);	/* NUL-terminated at len, no NUL inside */
	assert_true(s.len <= VGXML_MAX_TEXT);
	return xstrndup(s.s, s.len);
}

/* " tag=N" without printf: the cut tests log a million events */
static inline void
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

static inline void
log_str(struct t_run *r, const char *tag, struct vgxml_str s)
{
	if (s.s[s.len] != '\0' || memchr(s.s, '\0', s.len))
		fail_msg("%s: not a NUL-terminated string of %zu bytes", tag, s.len);
	log_num(r, tag, s.len);
	sbuf_addc(&r->log, ':');
	sbuf_add(&r->log, s.s, s.len);
}

static inline void
log_end(struct t_run *r)
{
	sbuf_addc(&r->log, '\n');
	xgrow((void **)&r->ev_end, &r->capev, r->nev + 1, sizeof(*r->ev_end));
	r->ev_end[r->nev++] = r->log.len;
}

static inline void
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

static inline void
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

static inline void
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

static inline int
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

static inline int
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

static inline int
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

static inline int
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

static inline int
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

static inline void
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
static inline enum vgxml_rc
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

static inline char *
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

static inline enum vgxml_rc
parse_file(struct t_run *r, const char *name)
{
	size_t len;
	char *buf = read_data(name, &len);

	parse_buf(r, buf, len, 4096, 0);
	free(buf);
	return r->rc;
}

static inline enum vgxml_rc
parse_str(struct t_run *r, const char *s)
{
	return parse_buf(r, s, strlen(s), 0, 7);
}

static inline void
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

static inline const struct t_error *
find_error(const struct t_run *r, const char *unique)
{
	size_t i;

	for (i = 0; i < r->nerrs; i++)
		if (!strcmp(r->errs[i].unique, unique))
			return &r->errs[i];
	fail_msg("no error %s", unique);
	return NULL;
}

#endif
