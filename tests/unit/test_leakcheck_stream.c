/* test_leakcheck_stream.c - leakcheck_stream_* against leakcheck_text: every
 * capture under tests/data (real answers), whole and cut short, broken on
 * purpose and stopped by the callback, fed in pieces of 1 byte, 7 bytes,
 * 4 KB and random sizes, must give the same records (every field, every
 * frame's text and text_id), summary, status, error line and message.
 *
 * Each piece is an exact-size copy freed right after its feed, so a slice
 * the stream left pointing into an old piece is a use-after-free under
 * ASan when the callback reads it, and a read past a piece is caught too. */
#include "leakcheck_fixture.h"

/* A parse's whole outcome as text: what must be equal. */
struct outcome {
	struct sbuf out;
	unsigned nrecs;
	bool stop;		/* the callback stops at the third record */
};

/* Byte by byte in this (instrumented) code: ASan checks every read, and
 * printf's "%.*s" would not. */
static void
add_slice(struct sbuf *b, struct lt_slice s)
{
	size_t i;

	for (i = 0; i < s.n; i++)
		sbuf_add(b, &s.p[i], 1);
}

static int
dump_cb(void *ctx, const struct leakcheck_record *r)
{
	struct outcome *o = ctx;
	struct sbuf *b = &o->out;
	const struct leakcheck_frame *f;
	size_t i;

	sbuf_printf(b, "rec %d %llu %llu %llu %llu %d %lld %lld %lld %lld %u/%u %zu\n", (int)r->kind,
		(unsigned long long)r->bytes, (unsigned long long)r->blocks,
		(unsigned long long)r->direct, (unsigned long long)r->indirect, r->has_delta,
		(long long)r->bytes_delta, (long long)r->blocks_delta, (long long)r->direct_delta,
		(long long)r->indirect_delta, r->recno, r->nrecs, r->nframes);
	assert_true(r->parse_id != 0);
	for (i = 0; i < r->nframes; i++) {
		f = &r->frames[i];
		sbuf_printf(b, " %llx [", (unsigned long long)f->ip);
		add_slice(b, f->fn);
		sbuf_printf(b, "] [");
		add_slice(b, f->file);
		sbuf_printf(b, "]:%u [", f->line);
		add_slice(b, f->obj);
		sbuf_printf(b, "] #%u\n", f->text_id);
	}
	return o->stop && ++o->nrecs == 3;
}

static void
outcome_end(struct outcome *o, enum leakcheck_status st, const struct leak_summary *sum,
	const struct leakcheck_error *err)
{
	int k;

	sbuf_printf(&o->out, "status %d line %u msg [%s]\nsum %d %d %llu/%llu", (int)st, err->line,
		err->msg, sum->seen, sum->heap_empty, (unsigned long long)sum->suppressed.bytes,
		(unsigned long long)sum->suppressed.blocks);
	for (k = 0; k < LEAK_KIND_COUNT; k++)
		sbuf_printf(&o->out, " %llu/%llu", (unsigned long long)sum->kind[k].bytes,
			(unsigned long long)sum->kind[k].blocks);
}

/* stop: the callback asks to stop at the third record. */
static enum leakcheck_status
whole(struct outcome *o, const char *text, size_t len, bool stop)
{
	struct leak_summary sum;
	struct leakcheck_error err;
	char *copy = xmalloc(len + 1);
	enum leakcheck_status st;

	memcpy(copy, text, len);
	o->stop = stop;
	st = leakcheck_text(copy, len, dump_cb, o, &sum, &err);
	outcome_end(o, st, &sum, &err);
	free(copy);
	return st;
}

static uint32_t rng = 12345;

static size_t
next_size(size_t piece)
{
	rng = rng * 1103515245u + 12345u;
	return piece ? piece : 1 + (rng >> 8) % 9000;
}

/* piece 0: random sizes */
static void
streamed(struct outcome *o, const char *text, size_t len, size_t piece, bool stop)
{
	struct leakcheck_stream *s;
	struct leak_summary sum;
	struct leakcheck_error err;
	enum leakcheck_status st = LEAKCHECK_OK;
	size_t at = 0, n;
	char *p;

	o->stop = stop;
	s = leakcheck_stream_new(dump_cb, o);
	while (at < len) {
		n = next_size(piece);
		n = n < len - at ? n : len - at;
		p = xmalloc(n);
		memcpy(p, text + at, n);
		st = leakcheck_stream_feed(s, p, n, &err);
		free(p);
		at += n;
		if (st != LEAKCHECK_OK)
			break;
	}
	/* after a failed feed, end says the same again */
	if (st != LEAKCHECK_OK)
		assert_int_equal(leakcheck_stream_end(s, &sum, &err), st);
	outcome_end(o, leakcheck_stream_end(s, &sum, &err), &sum, &err);
	leakcheck_stream_free(s);
}

static const size_t pieces[] = { 1, 7, 4096, 0, 0, 0 };

/* text parsed whole and streamed in every piece size: one outcome (the
 * whole parse's status is returned). */
static enum leakcheck_status
assert_stream_same(const char *text, size_t len, bool stop)
{
	struct outcome w = { 0 }, s;
	enum leakcheck_status st;
	size_t i;

	st = whole(&w, text, len, stop);
	for (i = 0; i < LT_ARRAY_SIZE(pieces); i++) {
		memset(&s, 0, sizeof s);
		streamed(&s, text, len, pieces[i], stop);
		if (strcmp(w.out.data, s.out.data)) {
			print_error("pieces of %zu (0: random) differ from the whole parse, %zu bytes\n",
				pieces[i], len);
			assert_string_equal(w.out.data, s.out.data);
		}
		sbuf_free(&s.out);
	}
	sbuf_free(&w.out);
	return st;
}

static const char *const captures[] = {
	"leak_check_full_any_1.txt", "leak_check_full_any_2.txt", "leak_check_full_any_3.txt",
	"leak_check_full_reachable_changed.txt", "leak_check_full_reachable_increased.txt",
	"leak_check_summary.txt", "leakcheck/bad_command.txt", "leakcheck/empty_heap.txt",
	"leakcheck/empty_heap_summary.txt", "leakcheck/full_any.txt", "leakcheck/full_changed.txt",
	"leakcheck/full_changed_nothing.txt", "leakcheck/full_default.txt",
	"leakcheck/full_heuristics.txt", "leakcheck/full_increased.txt", "leakcheck/summary.txt",
};

/* The captures whole, and stopped by the callback. */
static void
test_captures(void **state)
{
	size_t i, len, ok = 0, stopped = 0;
	char *text;

	(void)state;
	for (i = 0; i < LT_ARRAY_SIZE(captures); i++) {
		text = read_data(captures[i], &len);
		ok += assert_stream_same(text, len, false) == LEAKCHECK_OK;
		stopped += assert_stream_same(text, len, true) == LEAKCHECK_CALLBACK;
		free(text);
	}
	/* the inputs are what they claim: answers, some stopped early */
	assert_int_equal(ok, LT_ARRAY_SIZE(captures) - 1);
	assert_true(stopped >= 8);
}

/* Cut short: mid-line, mid-record, in the summary, one byte short. */
static void
test_truncated(void **state)
{
	size_t i, k, len, cut, incomplete = 0;
	char *text;

	(void)state;
	for (i = 0; i < LT_ARRAY_SIZE(captures); i++) {
		text = read_data(captures[i], &len);
		for (k = 1; k <= 9; k++) {
			cut = len * k / 10 + k;
			incomplete += assert_stream_same(text, cut < len ? cut : len - 1, false) ==
				LEAKCHECK_INCOMPLETE;
		}
		assert_stream_same(text, len - 1, false);
		assert_stream_same(text, len > 200 ? len - 200 : len / 2, false);
		free(text);
	}
	assert_true(incomplete >= 100);
}

/* One byte broken on purpose at many places: errors with their lines. */
static void
test_broken(void **state)
{
	static const char bytes[] = { 'x', '\0', '\n', ' ', '(', '9' };
	size_t len, k, errors = 0;
	char *text = read_data("leakcheck/full_any.txt", &len);

	(void)state;
	for (k = 0; k < 60; k++) {
		size_t at = (k * 7919) % len;
		char was = text[at];

		text[at] = bytes[k % sizeof bytes];
		errors += assert_stream_same(text, len, false) == LEAKCHECK_ERROR;
		text[at] = was;
	}
	free(text);
	assert_true(errors >= 30);
}

/* A line longer than any may be, cut or whole; lines of two processes. */
static void
test_hostile_lines(void **state)
{
	size_t n = LEAKCHECK_MAX_LINE + 100, len;
	char *text = xmalloc(n + 64), *cap;

	(void)state;
	memcpy(text, "==1== ", 6);
	memset(text + 6, 'a', n - 6);
	assert_int_equal(assert_stream_same(text, n, false), LEAKCHECK_ERROR);
	text[n] = '\n';
	assert_int_equal(assert_stream_same(text, n + 1, false), LEAKCHECK_ERROR);
	free(text);
	cap = read_data("leakcheck/full_any.txt", &len);
	memcpy(cap + len / 2 - (len / 2) % 7, "\n==22== ", 8);
	assert_int_equal(assert_stream_same(cap, len, false), LEAKCHECK_ERROR);
	free(cap);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_captures),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_broken),
		cmocka_unit_test(test_hostile_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
