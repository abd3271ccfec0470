/* test_owner_classify.c - one step of the owner search
 * (engine_owner_classify) on real who_points_at answers of the fixture
 * nginx (tests/data/owner/): each pool chain is followed back to the block
 * ngx_create_pool made, and its caller names the pool. */
#include "leakcheck_fixture.h"
#include "blocks.h"
#include "engine_int.h"
#include "model.h"

struct step {
	char *text;
	struct blocks_result r;
	struct engine_owner_step st;
	enum engine_owner_next next;
};

/* Classify the one answer of FILE about [its address, + len). */
static void
step(struct step *s, struct model *m, const char *name, uint64_t len, bool may_hop)
{
	struct blocks_error err;
	size_t n;

	s->text = read_data(name, &n);
	assert_true(blocks_parse(s->text, n, &s->r, &err));
	assert_int_equal(s->r.nanswers, 1);
	s->next = engine_owner_classify(m, &s->r.answers[0], s->r.answers[0].addr, len, may_hop, &s->st);
}

static void
done(struct step *s)
{
	free(s->st.symbol);
	blocks_result_free(&s->r);
	free(s->text);
}

static const struct model_frame *
created_at(struct model *m, const struct step *s)
{
	assert_int_not_equal(s->st.holder.created_at, UINT32_MAX);
	return model_frame(m, s->st.holder.created_at);
}

static void
test_cycle(void **state)
{
	struct model *m = model_new();
	struct step s;

	(void)state;
	step(&s, m, "owner/who_points_at_cycle.txt", 11, true);
	assert_int_equal(s.next, ENGINE_OWNER_FOUND);
	assert_int_equal(s.st.holder.pool, MODEL_POOL_CYCLE);
	assert_string_equal(created_at(m, &s)->fn, "ngx_init_cycle");
	assert_int_equal(created_at(m, &s)->line, 69);
	done(&s);
	/* the cycle struct: ngx_cycle (a static) points at it too, but its
	 * link in the cycle pool wins; its own interior pointers and stale
	 * stack slots name nothing */
	step(&s, m, "owner/who_points_at_data_symbol.txt", 648, true);
	assert_int_equal(s.next, ENGINE_OWNER_FOUND);
	assert_int_equal(s.st.holder.pool, MODEL_POOL_CYCLE);
	done(&s);
	/* a later block of the cycle pool: back to its start, then to the block before */
	step(&s, m, "owner/who_points_at_later_pool_block.txt", 11, false);
	assert_int_equal(s.next, ENGINE_OWNER_FOLLOW);
	assert_true(s.st.pool_block);
	assert_int_equal(s.st.addr, 0x57d41e0);
	assert_int_equal(s.st.len, 1);
	done(&s);
	model_free(m);
}

static void
test_connection_chain(void **state)
{
	struct model *m = model_new();
	struct step s;

	(void)state;
	/* leak_conn -> a 512 B later block -> the block before -> ngx_event_accept's */
	step(&s, m, "owner/who_points_at_leak_conn.txt", 256, true);
	assert_int_equal(s.next, ENGINE_OWNER_FOLLOW);
	assert_int_equal(s.st.addr, 0x4c26ab0);	/* what holder1 asked */
	done(&s);
	step(&s, m, "owner/who_points_at_leak_conn_holder1.txt", 1, true);
	assert_int_equal(s.next, ENGINE_OWNER_FOLLOW);
	assert_int_equal(s.st.addr, 0x4be2f60);	/* what holder2 asked */
	done(&s);
	step(&s, m, "owner/who_points_at_leak_conn_holder2.txt", 1, true);
	assert_int_equal(s.next, ENGINE_OWNER_FOUND);
	assert_int_equal(s.st.holder.pool, MODEL_POOL_CONNECTION);
	assert_string_equal(created_at(m, &s)->fn, "ngx_event_accept");
	done(&s);
	model_free(m);
}

static void
test_module_static_lost(void **state)
{
	struct model *m = model_new();
	struct step s;

	(void)state;
	step(&s, m, "owner/who_points_at_leak_modpool_holder1.txt", 1, true);
	assert_int_equal(s.next, ENGINE_OWNER_FOUND);
	assert_int_equal(s.st.holder.pool, MODEL_POOL_MODULE);
	assert_string_equal(created_at(m, &s)->fn, "ngx_http_leaky_leak_modpool");
	assert_int_equal(created_at(m, &s)->line, 207);
	assert_false(created_at(m, &s)->core);
	done(&s);
	/* the module pool's first block: the static that keeps it, not the
	 * pool's own `current` inside that block (the searched memory itself) */
	step(&s, m, "owner/who_points_at_leak_modpool_holder2.txt", 4096, true);
	assert_int_equal(s.next, ENGINE_OWNER_FOUND);
	assert_int_equal(s.st.holder.pool, MODEL_POOL_STATIC);
	assert_string_equal(s.st.holder.symbol, "ngx_http_leaky_modpool");
	done(&s);
	step(&s, m, "owner/who_points_at_leak_static_len.txt", 64, true);
	assert_int_equal(s.next, ENGINE_OWNER_FOUND);
	assert_int_equal(s.st.holder.pool, MODEL_POOL_STATIC);
	assert_string_equal(s.st.holder.symbol, "ngx_http_leaky_static_blocks");
	assert_int_equal(s.st.holder.created_at, UINT32_MAX);
	done(&s);
	step(&s, m, "owner/who_points_at_leak_alloc_len.txt", 100, true);
	assert_int_equal(s.next, ENGINE_OWNER_NONE);
	done(&s);
	model_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cycle),
		cmocka_unit_test(test_connection_chain),
		cmocka_unit_test(test_module_static_lost),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
