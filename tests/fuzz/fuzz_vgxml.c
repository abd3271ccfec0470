/* fuzz_vgxml.c - libFuzzer target for the streaming XML parser.
 *
 * Input: 3 control bytes, then the XML. The first byte picks how the XML is
 * fed (1 to 3 chunks, split where bytes 2 and 3 say) and whether the error
 * callback asks to stop; every field of everything delivered is read, and
 * the invariants of vgxml.h are checked: strings NUL-terminated at their
 * length, within the caps, result codes and messages consistent. The seeds
 * (tests/fuzz/seeds/vgxml) are real captures behind "\002\200\200":
 * three chunks split around the middle, no stop. */
#include "vgxml.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile size_t sink;
static int stop_at;
static int nerrors;

static void
touch(struct vgxml_str s)
{
	if (!s.s || s.s[s.len] != '\0' || strlen(s.s) != s.len || s.len > VGXML_MAX_TEXT)
		abort();
	sink += s.len + (s.len ? (unsigned char)s.s[0] + (unsigned char)s.s[s.len - 1] : 0);
}

static void
touch_stack(const struct vgxml_stack *st)
{
	size_t i;

	if (st->nframes > VGXML_MAX_FRAMES || (st->nframes && !st->frames))
		abort();
	for (i = 0; i < st->nframes; i++) {
		const struct vgxml_frame *f = &st->frames[i];

		sink += f->ip + f->line;
		touch(f->obj);
		touch(f->fn);
		touch(f->dir);
		touch(f->file);
	}
}

static int
on_error(void *ctx, const struct vgxml_error *e)
{
	size_t i;

	(void)ctx;
	if (e->kind < VGXML_K_OTHER || e->kind >= VGXML_K_COUNT || e->nstacks > VGXML_MAX_STACKS ||
		e->naux > VGXML_MAX_AUX)
		abort();
	touch(e->unique);
	touch(e->threadname);
	touch(e->kind_name);
	touch(e->what);
	touch(e->supp_name);
	touch(e->supp_kind);
	touch(e->supp_text);
	sink += e->unique_id + e->tid + (size_t)e->kind + e->has_leak + e->leak.bytes + e->leak.blocks +
		e->leak.direct + e->leak.indirect + (size_t)e->leak.bytes_delta +
		(size_t)e->leak.blocks_delta + e->leak.recno + e->leak.nrecs + e->leak.has_delta;
	sink += (size_t)vgxml_kind_leak(e->kind) + strlen(vgxml_kind_name(e->kind));
	for (i = 0; i < e->nstacks; i++)
		touch_stack(&e->stacks[i]);
	for (i = 0; i < e->naux; i++) {
		if (e->aux[i].before > e->nstacks)
			abort();
		touch(e->aux[i].text);
		touch(e->aux[i].dir);
		touch(e->aux[i].file);
		sink += e->aux[i].line + e->aux[i].x;
	}
	return ++nerrors == stop_at;
}

static int
on_info(void *ctx, const struct vgxml_info *in)
{
	size_t i;

	(void)ctx;
	touch(in->tool);
	touch(in->vexe);
	touch(in->exe);
	for (i = 0; i < in->npreamble; i++)
		touch(in->preamble[i]);
	for (i = 0; i < in->nvargs; i++)
		touch(in->vargs[i]);
	for (i = 0; i < in->nargs; i++)
		touch(in->args[i]);
	sink += (size_t)in->pid + (size_t)in->ppid + in->protocol;
	return 0;
}

static int
on_status(void *ctx, const struct vgxml_status *st)
{
	(void)ctx;
	touch(st->state_name);
	touch(st->time);
	sink += st->state + st->time_ms;
	return 0;
}

static int
on_fatal(void *ctx, const struct vgxml_fatal *f)
{
	(void)ctx;
	touch(f->threadname);
	touch(f->signame);
	touch(f->event);
	touch_stack(&f->stack);
	sink += f->tid + (size_t)f->signo + (size_t)f->sicode + f->has_siaddr + f->siaddr;
	return 0;
}

static int
on_count(void *ctx, const struct vgxml_count *c)
{
	(void)ctx;
	touch(c->unique);
	touch(c->name);
	sink += c->supp + c->count + c->unique_id;
	return 0;
}

static const struct vgxml_cb cb = { on_info, on_status, on_error, on_fatal, on_count };

static void
check_rc(struct vgxml *x, enum vgxml_rc rc)
{
	const char *msg = vgxml_error(x);

	if (rc > VGXML_ERROR || !msg || (rc == VGXML_OK) != (*msg == '\0') || strchr(msg, '\n') ||
		strlen(msg) > 255)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vgxml *x;
	size_t cut[2] = { 0, 0 }, off = 0, i;
	int nchunks = 1;
	enum vgxml_rc rc = VGXML_OK;
	const struct vgxml_info *in;

	if (size >= 3) {
		nchunks = 1 + data[0] % 3;
		stop_at = data[0] / 3 % 4;	/* 0: never stop */
		cut[0] = data[1] * (size - 3) / 255;
		cut[1] = cut[0] + data[2] * (size - 3 - cut[0]) / 255;
		data += 3;
		size -= 3;
	} else {
		stop_at = 0;
	}
	nerrors = 0;
	x = vgxml_new(&cb, NULL);
	for (i = 0; i < (size_t)nchunks && rc == VGXML_OK; i++) {
		size_t end = i + 1 == (size_t)nchunks ? size : cut[i];

		rc = vgxml_feed(x, (const char *)data + off, end - off);
		check_rc(x, rc);
		off = end;
	}
	rc = vgxml_finish(x);
	check_rc(x, rc);
	if (vgxml_finish(x) != rc || vgxml_offset(x) > size)
		abort();
	/* more input after the end is a misuse: an error, unless one came first */
	if (vgxml_feed(x, "<", 1) != (rc == VGXML_OK ? VGXML_ERROR : rc))
		abort();
	in = vgxml_info(x);
	if (in)
		on_info(NULL, in);
	vgxml_free(x);
	return 0;
}
