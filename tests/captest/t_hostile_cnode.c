/*
 * Hostile CNode invocations: bad depths (0, 63, 65, one level short and
 * one past the last), guards, roots that are not CNodes, empty sources,
 * occupied destinations, types that may not be copied, badges and guards
 * that may not be applied. Each refusal leaves the source holding what it
 * held and the destination as it was.
 */
#include "t_hostile.h"

#define ALL SEPTA_RIGHTS_ALL

/* Copy's raw message: dst, dst_depth, src, src_depth, rights (+ badge). */
static long copy_raw(uint64_t label, uint64_t node, uint64_t dst, uint64_t dst_depth,
		     uint64_t src_root, uint64_t src, uint64_t src_depth, uint64_t badge)
{
	uint64_t mr[5] = {dst, dst_depth, src, src_depth, ALL};

	if (label == SEPTA_CNODE_MOVE || label == SEPTA_CNODE_MUTATE) {
		mr[4] = badge;
		return raw_invoke(node, label, 1, &src_root,
				  label == SEPTA_CNODE_MOVE ? 4 : 5, mr);
	}
	uint64_t mint[6] = {dst, dst_depth, src, src_depth, ALL, badge};

	return raw_invoke(node, label, 1, &src_root, label == SEPTA_CNODE_MINT ? 6 : 5,
			  mint);
}

/* An endpoint in a fresh slot, and a fresh empty slot. */
static uint64_t ep_and(uint64_t *empty)
{
	*empty = slot();
	return mk(SEPTA_OBJ_ENDPOINT, 0);
}

/* Both slots as they were: the endpoint answers, the other is empty. */
#define CHECK_PAIR(ep, empty)                                                            \
	do {                                                                             \
		CHECK_EQ(probe(ep), SEPTA_E_WOULD_BLOCK);                                \
		CHECK_EQ(probe(empty), SEPTA_E_MISSING_CAP);                             \
	} while (0)

/* Depth 0, 63, 65 and one with high bits, for destination then source. */
static void bad_depths(uint64_t label)
{
	uint64_t e, ep = ep_and(&e);
	const uint64_t depths[] = {0, 63, 65, 1ULL << 32 | DEPTH};

	CHECK(ep);
	for (unsigned i = 0; i < sizeof(depths) / sizeof(depths[0]); i++) {
		CHECK_EQ(copy_raw(label, CNODE, e, depths[i], CNODE, ep, DEPTH, 0),
			 SEPTA_E_DEPTH);
		CHECK_EQ(copy_raw(label, CNODE, e, DEPTH, CNODE, ep, depths[i], 0),
			 SEPTA_E_DEPTH);
	}
	CHECK_PAIR(ep, e);
}

static void bad_guards(uint64_t label)
{
	uint64_t e, ep = ep_and(&e);

	CHECK(ep);
	CHECK_EQ(copy_raw(label, CNODE, BAD_GUARD_CPTR | e, DEPTH, CNODE, ep, DEPTH, 0),
		 SEPTA_E_GUARD);
	CHECK_EQ(copy_raw(label, CNODE, e, DEPTH, CNODE, (1ULL << 63) | ep, DEPTH, 0),
		 SEPTA_E_GUARD);
	CHECK_PAIR(ep, e);
}

static void bad_root(uint64_t label)
{
	uint64_t e, ep = ep_and(&e), f = mk(SEPTA_OBJ_FRAME_4K, 0);

	CHECK(ep && f);
	CHECK_EQ(copy_raw(label, CNODE, e, DEPTH, ep, 0, DEPTH, 0), SEPTA_E_INVALID_ROOT);
	CHECK_EQ(copy_raw(label, CNODE, e, DEPTH, f, ep, DEPTH, 0), SEPTA_E_INVALID_ROOT);
	CHECK_PAIR(ep, e);
}

static void bad_empty_source(uint64_t label)
{
	uint64_t e, ep = ep_and(&e), e2 = slot();

	CHECK(ep);
	CHECK_EQ(copy_raw(label, CNODE, e, DEPTH, CNODE, e2, DEPTH, 0),
		 SEPTA_E_MISSING_CAP);
	/* An empty slot onto itself. */
	CHECK_EQ(copy_raw(label, CNODE, e, DEPTH, CNODE, e, DEPTH, 0),
		 SEPTA_E_MISSING_CAP);
	CHECK_PAIR(ep, e);
	CHECK_EQ(probe(e2), SEPTA_E_MISSING_CAP);
}

static void bad_occupied(uint64_t label)
{
	uint64_t e, ep = ep_and(&e), n = mk(SEPTA_OBJ_NOTIFICATION, 0);

	CHECK(ep && n);
	CHECK_EQ(copy_raw(label, CNODE, n, DEPTH, CNODE, ep, DEPTH, 0),
		 SEPTA_E_DELETE_FIRST);
	/* A capability onto its own slot. */
	CHECK_EQ(copy_raw(label, CNODE, ep, DEPTH, CNODE, ep, DEPTH, 0),
		 SEPTA_E_DELETE_FIRST);
	CHECK_PAIR(ep, e);
	CHECK_EQ(probe(n), SEPTA_OK); /* still the notification */
}

#define SLOT_TESTS(name, LABEL)                                                          \
	void test_bad_##name##_depth(void)                                               \
	{                                                                                \
		bad_depths(LABEL);                                                       \
	}                                                                                \
	void test_bad_##name##_guard(void)                                               \
	{                                                                                \
		bad_guards(LABEL);                                                       \
	}                                                                                \
	void test_bad_##name##_invalid_root(void)                                        \
	{                                                                                \
		bad_root(LABEL);                                                         \
	}                                                                                \
	void test_bad_##name##_missing_cap(void)                                         \
	{                                                                                \
		bad_empty_source(LABEL);                                                 \
	}                                                                                \
	void test_bad_##name##_delete_first(void)                                        \
	{                                                                                \
		bad_occupied(LABEL);                                                     \
	}
SLOT_TESTS(cnode_copy, SEPTA_CNODE_COPY)
SLOT_TESTS(cnode_mint, SEPTA_CNODE_MINT)
SLOT_TESTS(cnode_move, SEPTA_CNODE_MOVE)
SLOT_TESTS(cnode_mutate, SEPTA_CNODE_MUTATE)

/*
 * CNode A (4 slots, guard 0) holds CNode B in slot 1, B an endpoint in its
 * last slot: (1 << 2 | 3, 4) under A names it at B, the last level.
 */
static uint64_t two_level(void)
{
	uint64_t a = mk(SEPTA_OBJ_CNODE, 2), b = mk(SEPTA_OBJ_CNODE, 2),
		 ep = mk(SEPTA_OBJ_ENDPOINT, 0);

	if (!a || !b || !ep || septa_cnode_copy(b, 3, 2, CNODE, ep, DEPTH, ALL) ||
	    septa_cnode_move(a, 1, 2, CNODE, b, DEPTH))
		return 0;
	return a;
}

void test_bad_cnode_copy_depth_levels(void)
{
	uint64_t a = two_level(), s = slot();

	CHECK(a);
	/* One bit short of B's slots: B cannot be entered. */
	CHECK_EQ(septa_cnode_copy(CNODE, s, DEPTH, a, 1 << 1 | 1, 3, ALL), SEPTA_E_DEPTH);
	/* One bit past the last level, at the endpoint: not a CNode. */
	CHECK_EQ(septa_cnode_copy(CNODE, s, DEPTH, a, (1 << 2 | 3) << 1, 5, ALL),
		 SEPTA_E_DEPTH);
	CHECK_EQ(probe(s), SEPTA_E_MISSING_CAP);
	/* Exactly at the last level. */
	CHECK_EQ(septa_cnode_copy(CNODE, s, DEPTH, a, 1 << 2 | 3, 4, ALL), 0);
	CHECK_EQ(probe(s), SEPTA_E_WOULD_BLOCK);
}

void test_bad_cnode_copy_missing_cap_levels(void)
{
	uint64_t a = two_level(), s = slot();

	CHECK(a);
	/* Past B's empty slot 2; and B's empty slot 2 itself. */
	CHECK_EQ(septa_cnode_copy(CNODE, s, DEPTH, a, (1 << 2 | 2) << 1, 5, ALL),
		 SEPTA_E_MISSING_CAP);
	CHECK_EQ(septa_cnode_copy(CNODE, s, DEPTH, a, 1 << 2 | 2, 4, ALL),
		 SEPTA_E_MISSING_CAP);
	/* Through A's empty slot 2. */
	CHECK_EQ(septa_cnode_copy(CNODE, s, DEPTH, a, 2 << 2 | 3, 4, ALL),
		 SEPTA_E_MISSING_CAP);
	CHECK_EQ(probe(s), SEPTA_E_MISSING_CAP);
	CHECK_EQ(septa_cnode_copy(CNODE, s, DEPTH, a, 1 << 2 | 3, 4, ALL), 0);
}

/* Types with one capability each: never copied or minted. */
static void bad_copy_type(uint64_t label, uint64_t src)
{
	uint64_t e = slot();

	CHECK(src);
	CHECK_EQ(copy_raw(label, CNODE, e, DEPTH, CNODE, src, DEPTH, 0),
		 SEPTA_E_CAP_TYPE);
	CHECK_EQ(probe(e), SEPTA_E_MISSING_CAP);
	CHECK_EQ(probe(src), SEPTA_E_LABEL); /* still there */
}

void test_bad_cnode_copy_cap_type_untyped(void)
{
	uint64_t ut = sub_ut(12);

	bad_copy_type(SEPTA_CNODE_COPY, ut);
	CHECK_EQ(ut_whole(ut, 12), SEPTA_OK);
}

void test_bad_cnode_copy_cap_type_irq_control(void)
{
	bad_copy_type(SEPTA_CNODE_COPY, SEPTA_CAP_IRQ_CONTROL);
	CHECK_EQ(septa_irq_control_get(SEPTA_CAP_IRQ_CONTROL, 54, CNODE, slot(), DEPTH),
		 0);
}

void test_bad_cnode_copy_cap_type_page_table(void)
{
	uint64_t pt = mk(SEPTA_OBJ_PAGE_TABLE, 0), vs = mk(SEPTA_OBJ_VSPACE, 32);

	CHECK(vs);
	bad_copy_type(SEPTA_CNODE_COPY, pt);
	CHECK_EQ(septa_page_table_map(pt, vs, 0, 3, NULL), 0);
}

void test_bad_cnode_mint_cap_type_page_table(void)
{
	bad_copy_type(SEPTA_CNODE_MINT, mk(SEPTA_OBJ_PAGE_TABLE, 0));
}

void test_bad_cnode_mint_cap_type_untyped(void)
{
	bad_copy_type(SEPTA_CNODE_MINT, sub_ut(12));
}

static long mint(uint64_t dst, uint64_t src, uint64_t badge)
{
	return septa_cnode_mint(CNODE, dst, DEPTH, CNODE, src, DEPTH, ALL, badge);
}

/* The badge a signal on notification capability n delivers (0, and the
 * test failed, if the signal or the poll does not work). */
static uint64_t badge_of(uint64_t n)
{
	uint64_t b = 0;
	long err = septa_signal(n);

	if (!err)
		err = septa_poll(n, &b);
	if (err)
		harness_fail(__FILE__, __LINE__, "signal and poll of n", err, 0);
	return err ? 0 : b;
}

void test_bad_cnode_mint_arg_badged_again(void)
{
	uint64_t n = mk(SEPTA_OBJ_NOTIFICATION, 0), b1 = slot(), b2 = slot();

	CHECK(n);
	CHECK_EQ(mint(b1, n, 0x55), 0);
	CHECK_EQ(mint(b2, b1, 0x66), SEPTA_E_ARG);
	CHECK_EQ(mint(b2, b1, 1), SEPTA_E_ARG);
	CHECK_EQ(probe(b2), SEPTA_E_MISSING_CAP);
	CHECK_EQ(badge_of(b1), 0x55);
}

void test_bad_cnode_mint_arg_badge_max(void)
{
	uint64_t n = mk(SEPTA_OBJ_NOTIFICATION, 0), b1 = slot(), b2 = slot();

	CHECK(n);
	/* The largest badge is a badge; after it, none more. */
	CHECK_EQ(mint(b1, n, ~0ULL), 0);
	CHECK_EQ(badge_of(b1), ~0ULL);
	CHECK_EQ(mint(b2, b1, ~0ULL), SEPTA_E_ARG);
	CHECK_EQ(probe(b2), SEPTA_E_MISSING_CAP);
}

/* A badge on a type without badges; badge 0 is no badge and fine. */
static void bad_badge_on(uint64_t src)
{
	uint64_t d = slot();

	CHECK(src);
	CHECK_EQ(mint(d, src, 1), SEPTA_E_ARG);
	CHECK_EQ(mint(d, src, 1ULL << 63), SEPTA_E_ARG);
	CHECK_EQ(probe(d), SEPTA_E_MISSING_CAP);
	CHECK_EQ(mint(d, src, 0), 0);
	CHECK_EQ(probe(d), SEPTA_E_LABEL);
}

void test_bad_cnode_mint_arg_badge_tcb(void)
{
	bad_badge_on(mk(SEPTA_OBJ_TCB, 0));
}

void test_bad_cnode_mint_arg_badge_frame(void)
{
	bad_badge_on(mk(SEPTA_OBJ_FRAME_4K, 0));
}

void test_bad_cnode_mint_arg_badge_vcpu(void)
{
	bad_badge_on(mk(SEPTA_OBJ_VCPU, 0));
}

void test_bad_cnode_mint_arg_badge_vspace(void)
{
	bad_badge_on(mk(SEPTA_OBJ_VSPACE, 32));
}

void test_bad_cnode_mint_arg_guard_bits_max(void)
{
	uint64_t c = small_cnode(), d = slot(), s = slot();

	CHECK(c);
	/* 62 guard bits + 2 radix bits resolve exactly 64; 63 would be 65. */
	CHECK_EQ(mint(d, c, 63), SEPTA_E_ARG);
	CHECK_EQ(probe(d), SEPTA_E_MISSING_CAP);
	CHECK_EQ(mint(d, c, 62), 0);
	CHECK_EQ(septa_cnode_copy(CNODE, s, DEPTH, d, 0, DEPTH, ALL), 0);
	CHECK_EQ(probe(s), SEPTA_E_WOULD_BLOCK);
	CHECK_EQ(septa_cnode_copy(CNODE, slot(), DEPTH, d, 1ULL << 62, DEPTH, ALL),
		 SEPTA_E_GUARD);
}

void test_bad_cnode_mint_arg_guard_value(void)
{
	uint64_t c = small_cnode(), d = slot(), s = slot();

	CHECK(c);
	/* A 4-bit guard holds 15, not 16. */
	CHECK_EQ(mint(d, c, 4 | 16 << 6), SEPTA_E_ARG);
	CHECK_EQ(mint(d, c, 4 | (~0ULL << 6)), SEPTA_E_ARG);
	CHECK_EQ(probe(d), SEPTA_E_MISSING_CAP);
	CHECK_EQ(mint(d, c, 4 | 15 << 6), 0);
	CHECK_EQ(septa_cnode_copy(CNODE, s, DEPTH, d, 15 << 2, 6, ALL), 0);
	CHECK_EQ(probe(s), SEPTA_E_WOULD_BLOCK);
	CHECK_EQ(small_cnode_intact(c), SEPTA_OK);
}

void test_bad_cnode_mutate_revoke_first(void)
{
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0), cp = slot(), d = slot();

	CHECK(ep);
	CHECK_EQ(septa_cnode_copy(CNODE, cp, DEPTH, CNODE, ep, DEPTH, ALL), 0);
	CHECK_EQ(septa_cnode_mutate(CNODE, d, DEPTH, CNODE, ep, DEPTH, 7),
		 SEPTA_E_REVOKE_FIRST);
	CHECK_EQ(septa_cnode_mutate(CNODE, d, DEPTH, CNODE, ep, DEPTH, 0),
		 SEPTA_E_REVOKE_FIRST);
	CHECK_EQ(probe(ep), SEPTA_E_WOULD_BLOCK);
	CHECK_EQ(probe(cp), SEPTA_E_WOULD_BLOCK);
	CHECK_EQ(probe(d), SEPTA_E_MISSING_CAP);
	/* Without the child it goes. */
	CHECK_EQ(septa_cnode_delete(CNODE, cp, DEPTH), 0);
	CHECK_EQ(septa_cnode_mutate(CNODE, d, DEPTH, CNODE, ep, DEPTH, 7), 0);
	CHECK_EQ(probe(ep), SEPTA_E_MISSING_CAP);
}

void test_bad_cnode_mutate_arg_badged(void)
{
	uint64_t n = mk(SEPTA_OBJ_NOTIFICATION, 0), b = slot(), d = slot();

	CHECK(n);
	CHECK_EQ(mint(b, n, 3), 0);
	CHECK_EQ(septa_cnode_mutate(CNODE, d, DEPTH, CNODE, b, DEPTH, 4), SEPTA_E_ARG);
	CHECK_EQ(probe(d), SEPTA_E_MISSING_CAP);
	CHECK_EQ(badge_of(b), 3);
}

void test_bad_cnode_mutate_arg_frame_badge(void)
{
	uint64_t f = mk(SEPTA_OBJ_FRAME_4K, 0), d = slot(), pa = 0, pb = 0;

	CHECK(f);
	CHECK_EQ(septa_frame_get_address(f, &pa), 0);
	CHECK_EQ(septa_cnode_mutate(CNODE, d, DEPTH, CNODE, f, DEPTH, 1), SEPTA_E_ARG);
	CHECK_EQ(probe(d), SEPTA_E_MISSING_CAP);
	CHECK_EQ(septa_frame_get_address(f, &pb), 0);
	CHECK_EQ(pa, pb);
}

void test_bad_cnode_mutate_arg_guard_wide(void)
{
	uint64_t c = small_cnode(), d = slot();

	CHECK(c);
	CHECK_EQ(septa_cnode_mutate(CNODE, d, DEPTH, CNODE, c, DEPTH, 63), SEPTA_E_ARG);
	CHECK_EQ(septa_cnode_mutate(CNODE, d, DEPTH, CNODE, c, DEPTH, 1 | 2 << 6),
		 SEPTA_E_ARG);
	CHECK_EQ(probe(d), SEPTA_E_MISSING_CAP);
	CHECK_EQ(small_cnode_intact(c), SEPTA_OK);
}

/* Delete and revoke: (index, depth) under the invoked CNode. */
static void bad_one_slot(long (*op)(uint64_t, uint64_t, uint64_t))
{
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0), cp = slot();

	CHECK(ep);
	CHECK_EQ(septa_cnode_copy(CNODE, cp, DEPTH, CNODE, ep, DEPTH, ALL), 0);
	CHECK_EQ(op(CNODE, ep, 0), SEPTA_E_DEPTH);
	CHECK_EQ(op(CNODE, ep, 63), SEPTA_E_DEPTH);
	CHECK_EQ(op(CNODE, ep, 65), SEPTA_E_DEPTH);
	CHECK_EQ(op(CNODE, ep, ~0u), SEPTA_E_DEPTH);
	CHECK_EQ(op(CNODE, BAD_GUARD_CPTR | ep, DEPTH), SEPTA_E_GUARD);
	/* Both still there: revoke took no child, delete no copy. */
	CHECK_EQ(probe(ep), SEPTA_E_WOULD_BLOCK);
	CHECK_EQ(probe(cp), SEPTA_E_WOULD_BLOCK);
}

void test_bad_cnode_delete_depth(void)
{
	bad_one_slot(septa_cnode_delete);
}

void test_bad_cnode_revoke_depth(void)
{
	bad_one_slot(septa_cnode_revoke);
}

static void bad_one_slot_levels(long (*op)(uint64_t, uint64_t, uint64_t))
{
	uint64_t a = two_level(), s = slot();

	CHECK(a);
	/* Past the endpoint at the last level; through an empty slot. */
	CHECK_EQ(op(a, (1 << 2 | 3) << 1, 5), SEPTA_E_DEPTH);
	CHECK_EQ(op(a, (2 << 2 | 3), 4), SEPTA_E_MISSING_CAP);
	CHECK_EQ(op(a, 1 << 1 | 1, 3), SEPTA_E_DEPTH);
	CHECK_EQ(septa_cnode_copy(CNODE, s, DEPTH, a, 1 << 2 | 3, 4, ALL), 0);
	CHECK_EQ(probe(s), SEPTA_E_WOULD_BLOCK);
}

void test_bad_cnode_delete_missing_cap_levels(void)
{
	bad_one_slot_levels(septa_cnode_delete);
}

void test_bad_cnode_revoke_missing_cap_levels(void)
{
	bad_one_slot_levels(septa_cnode_revoke);
}

void test_cnode_delete_empty_slot(void)
{
	uint64_t e = slot(), ep = mk(SEPTA_OBJ_ENDPOINT, 0);

	CHECK(ep);
	/* Deleting or revoking nothing is no error and touches nothing else. */
	CHECK_EQ(septa_cnode_delete(CNODE, e, DEPTH), 0);
	CHECK_EQ(septa_cnode_revoke(CNODE, e, DEPTH), 0);
	CHECK_EQ(probe(ep), SEPTA_E_WOULD_BLOCK);
}

/* Moving re-points every copy under the capability: up to
 * SEPTA_MOVE_MAX_CHILDREN it goes, one more and nothing moves. */
void test_bad_cnode_move_limit(void)
{
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0), node = mk(SEPTA_OBJ_CNODE, 7),
		 d = slot();

	CHECK(ep);
	CHECK(node);
	for (unsigned i = 0; i < SEPTA_MOVE_MAX_CHILDREN; i++)
		CHECK_EQ(septa_cnode_copy(node, i, 7, CNODE, ep, DEPTH, ALL), 0);
	CHECK_EQ(septa_cnode_move(CNODE, d, DEPTH, CNODE, ep, DEPTH), 0);
	CHECK_EQ(septa_cnode_move(CNODE, ep, DEPTH, CNODE, d, DEPTH), 0);
	CHECK_EQ(
	    septa_cnode_copy(node, SEPTA_MOVE_MAX_CHILDREN, 7, CNODE, ep, DEPTH, ALL), 0);
	CHECK_EQ(septa_cnode_move(CNODE, d, DEPTH, CNODE, ep, DEPTH), SEPTA_E_LIMIT);
	CHECK_PAIR(ep, d);
	/* The copies are still its children: revoking it empties the node
	 * (a copy into its first and last used slots finds them empty). */
	CHECK_EQ(septa_cnode_revoke(CNODE, ep, DEPTH), 0);
	CHECK_EQ(septa_cnode_copy(node, 0, 7, CNODE, ep, DEPTH, ALL), 0);
	CHECK_EQ(
	    septa_cnode_copy(node, SEPTA_MOVE_MAX_CHILDREN, 7, CNODE, ep, DEPTH, ALL), 0);
}
