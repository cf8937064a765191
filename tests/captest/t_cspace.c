/* CNode operations, lookup failures and generic invocation errors. */
#include "captest.h"

static long probe_send(uint64_t cptr)
{
	struct septa_msg m = {0};

	return septa_nbsend(cptr, &m);
}

void test_copy_endpoint(void)
{
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0), c = slot();

	CHECK(ep);
	CHECK_EQ(septa_cnode_copy(CNODE, c, DEPTH, CNODE, ep, DEPTH, SEPTA_RIGHTS_ALL),
		 0);
	CHECK_EQ(probe_send(c), SEPTA_E_WOULD_BLOCK);
}

void test_copy_to_occupied(void)
{
	uint64_t a = mk(SEPTA_OBJ_ENDPOINT, 0), b = mk(SEPTA_OBJ_NOTIFICATION, 0);

	CHECK_EQ(septa_cnode_copy(CNODE, b, DEPTH, CNODE, a, DEPTH, SEPTA_RIGHTS_ALL),
		 SEPTA_E_DELETE_FIRST);
	/* b is still the notification it was: a signal on it succeeds. */
	CHECK_EQ(septa_signal(b), 0);
}

void test_copy_from_empty(void)
{
	CHECK_EQ(septa_cnode_copy(CNODE, slot(), DEPTH, CNODE, slot(), DEPTH,
				  SEPTA_RIGHTS_ALL),
		 SEPTA_E_MISSING_CAP);
}

void test_invalid_root(void)
{
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0);

	CHECK_EQ(septa_cnode_copy(CNODE, slot(), DEPTH, ep, 1, DEPTH, SEPTA_RIGHTS_ALL),
		 SEPTA_E_INVALID_ROOT);
}

void test_depth_mismatch(void)
{
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0);

	CHECK_EQ(septa_cnode_copy(CNODE, slot(), DEPTH, CNODE, ep, 63, SEPTA_RIGHTS_ALL),
		 SEPTA_E_DEPTH);
	CHECK_EQ(septa_cnode_copy(CNODE, slot(), 0, CNODE, ep, DEPTH, SEPTA_RIGHTS_ALL),
		 SEPTA_E_DEPTH);
	CHECK_EQ(septa_cnode_delete(CNODE, ep, 65), SEPTA_E_DEPTH);
}

void test_guard_mismatch(void)
{
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0);

	CHECK_EQ(septa_cnode_copy(CNODE, slot(), DEPTH, CNODE, ep | (1ULL << 40), DEPTH,
				  SEPTA_RIGHTS_ALL),
		 SEPTA_E_GUARD);
	CHECK_EQ(probe_send(ep | (1ULL << 63)), SEPTA_E_GUARD);
}

void test_invoke_empty_slot(void)
{
	CHECK_EQ(probe_send(slot()), SEPTA_E_MISSING_CAP);
	CHECK_EQ(septa_tcb_resume(slot()), SEPTA_E_MISSING_CAP);
}

void test_mint_badge_delivered(void)
{
	uint64_t n = mk(SEPTA_OBJ_NOTIFICATION, 0), nb = slot(), badge = 0;

	CHECK_EQ(
	    septa_cnode_mint(CNODE, nb, DEPTH, CNODE, n, DEPTH, SEPTA_RIGHTS_ALL, 0x55),
	    0);
	CHECK_EQ(septa_signal(nb), 0);
	CHECK_EQ(septa_wait(n, &badge), 0);
	CHECK_EQ(badge, 0x55);
}

void test_mint_badged_again(void)
{
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0), b = slot(), b2 = slot();

	CHECK_EQ(septa_cnode_mint(CNODE, b, DEPTH, CNODE, ep, DEPTH, SEPTA_RIGHTS_ALL, 1),
		 0);
	CHECK_EQ(septa_cnode_mint(CNODE, b2, DEPTH, CNODE, b, DEPTH, SEPTA_RIGHTS_ALL, 2),
		 SEPTA_E_ARG);
	CHECK_EQ(probe_send(b2), SEPTA_E_MISSING_CAP);
}

void test_mint_badge_on_tcb(void)
{
	uint64_t t = mk(SEPTA_OBJ_TCB, 0);

	CHECK_EQ(
	    septa_cnode_mint(CNODE, slot(), DEPTH, CNODE, t, DEPTH, SEPTA_RIGHTS_ALL, 9),
	    SEPTA_E_ARG);
}

void test_rights_reduced(void)
{
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0), r = slot();
	struct septa_msg m = {0};

	CHECK_EQ(septa_cnode_copy(CNODE, r, DEPTH, CNODE, ep, DEPTH, SEPTA_RIGHT_READ),
		 0);
	CHECK_EQ(probe_send(r), SEPTA_E_RIGHTS);
	CHECK_EQ(septa_nbrecv(r, &m), SEPTA_E_WOULD_BLOCK);
}

void test_rights_never_raised(void)
{
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0), r = slot(), rw = slot();

	CHECK_EQ(septa_cnode_copy(CNODE, r, DEPTH, CNODE, ep, DEPTH, SEPTA_RIGHT_READ),
		 0);
	CHECK_EQ(septa_cnode_copy(CNODE, rw, DEPTH, CNODE, r, DEPTH, SEPTA_RIGHTS_ALL),
		 0);
	CHECK_EQ(probe_send(rw), SEPTA_E_RIGHTS);
}

void test_move(void)
{
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0), d = slot();

	CHECK_EQ(septa_cnode_move(CNODE, d, DEPTH, CNODE, ep, DEPTH), 0);
	CHECK_EQ(probe_send(ep), SEPTA_E_MISSING_CAP);
	CHECK_EQ(probe_send(d), SEPTA_E_WOULD_BLOCK);
}

void test_move_to_occupied(void)
{
	uint64_t a = mk(SEPTA_OBJ_ENDPOINT, 0), b = mk(SEPTA_OBJ_ENDPOINT, 0);

	CHECK_EQ(septa_cnode_move(CNODE, b, DEPTH, CNODE, a, DEPTH),
		 SEPTA_E_DELETE_FIRST);
	CHECK_EQ(probe_send(a), SEPTA_E_WOULD_BLOCK);
	CHECK_EQ(probe_send(b), SEPTA_E_WOULD_BLOCK);
}

void test_mutate_badge(void)
{
	uint64_t n = mk(SEPTA_OBJ_NOTIFICATION, 0), d = slot(), badge;

	CHECK_EQ(septa_cnode_mutate(CNODE, d, DEPTH, CNODE, n, DEPTH, 0x7), 0);
	CHECK_EQ(septa_signal(d), 0);
	CHECK_EQ(septa_wait(d, &badge), 0);
	CHECK_EQ(badge, 0x7);
}

void test_mutate_with_children(void)
{
	uint64_t n = mk(SEPTA_OBJ_NOTIFICATION, 0), c = slot();

	CHECK_EQ(septa_cnode_copy(CNODE, c, DEPTH, CNODE, n, DEPTH, SEPTA_RIGHTS_ALL), 0);
	CHECK_EQ(septa_cnode_mutate(CNODE, slot(), DEPTH, CNODE, n, DEPTH, 3),
		 SEPTA_E_REVOKE_FIRST);
}

void test_delete(void)
{
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0);

	CHECK_EQ(septa_cnode_delete(CNODE, ep, DEPTH), 0);
	CHECK_EQ(probe_send(ep), SEPTA_E_MISSING_CAP);
	CHECK_EQ(septa_cnode_delete(CNODE, ep, DEPTH), 0); /* empty: nothing to do */
}

void test_revoke_copies(void)
{
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0), a = slot(), b = slot();

	CHECK_EQ(septa_cnode_copy(CNODE, a, DEPTH, CNODE, ep, DEPTH, SEPTA_RIGHTS_ALL),
		 0);
	CHECK_EQ(septa_cnode_copy(CNODE, b, DEPTH, CNODE, a, DEPTH, SEPTA_RIGHTS_ALL), 0);
	CHECK_EQ(septa_cnode_revoke(CNODE, ep, DEPTH), 0);
	CHECK_EQ(probe_send(a), SEPTA_E_MISSING_CAP);
	CHECK_EQ(probe_send(b), SEPTA_E_MISSING_CAP);
	CHECK_EQ(probe_send(ep), SEPTA_E_WOULD_BLOCK);
}

void test_copy_untyped_refused(void)
{
	CHECK_EQ(
	    septa_cnode_copy(CNODE, slot(), DEPTH, CNODE, ct.ut, DEPTH, SEPTA_RIGHTS_ALL),
	    SEPTA_E_CAP_TYPE);
	CHECK_EQ(septa_cnode_copy(CNODE, slot(), DEPTH, CNODE, SEPTA_CAP_IRQ_CONTROL,
				  DEPTH, SEPTA_RIGHTS_ALL),
		 SEPTA_E_CAP_TYPE);
}

/* A second level: L1 (radix 8, guard 52) then L2 (radix 4). */
void test_two_level_cspace(void)
{
	uint64_t l1 = mk(SEPTA_OBJ_CNODE, 8), l2 = mk(SEPTA_OBJ_CNODE, 4);
	uint64_t l1g = slot(), ep = mk(SEPTA_OBJ_ENDPOINT, 0);
	uint64_t path = (5ULL << 4) | 3; /* L1 slot 5, then L2 slot 3 */

	CHECK(l1 && l2 && ep);
	CHECK_EQ(
	    septa_cnode_mint(CNODE, l1g, DEPTH, CNODE, l1, DEPTH, SEPTA_RIGHTS_ALL, 52),
	    0);
	CHECK_EQ(septa_cnode_copy(l1g, 5, 60, CNODE, l2, DEPTH, SEPTA_RIGHTS_ALL), 0);
	CHECK_EQ(septa_cnode_copy(l1g, path, 64, CNODE, ep, DEPTH, SEPTA_RIGHTS_ALL), 0);
	/* Moving it back out through both levels proves where it went. */
	uint64_t back = slot();
	CHECK_EQ(septa_cnode_move(CNODE, back, DEPTH, l1g, path, 64), 0);
	CHECK_EQ(probe_send(back), SEPTA_E_WOULD_BLOCK);
	CHECK_EQ(septa_cnode_copy(l1g, path | (1ULL << 20), 64, CNODE, ep, DEPTH,
				  SEPTA_RIGHTS_ALL),
		 SEPTA_E_GUARD);
	/* A slot holding no CNode cannot be walked through. */
	CHECK_EQ(septa_cnode_copy(l1g, (6ULL << 4) | 1, 64, CNODE, ep, DEPTH,
				  SEPTA_RIGHTS_ALL),
		 SEPTA_E_MISSING_CAP);
	/* Delete the L2 CNode holding a capability: its contents go too. */
	CHECK_EQ(septa_cnode_copy(l1g, path, 64, CNODE, ep, DEPTH, SEPTA_RIGHTS_ALL), 0);
	CHECK_EQ(septa_cnode_delete(CNODE, l2, DEPTH), 0);
	CHECK_EQ(septa_cnode_delete(l1g, 5, 60), 0);
	CHECK_EQ(probe_send(ep), SEPTA_E_WOULD_BLOCK);
}

void test_guard_too_large(void)
{
	uint64_t l1 = mk(SEPTA_OBJ_CNODE, 8);

	CHECK_EQ(septa_cnode_mint(CNODE, slot(), DEPTH, CNODE, l1, DEPTH,
				  SEPTA_RIGHTS_ALL, 57),
		 SEPTA_E_ARG);
	/* guard value wider than its bits */
	CHECK_EQ(septa_cnode_mint(CNODE, slot(), DEPTH, CNODE, l1, DEPTH,
				  SEPTA_RIGHTS_ALL, 4 | (16 << 6)),
		 SEPTA_E_ARG);
}

void test_unknown_label(void)
{
	struct septa_msg m = {.info = septa_msginfo(999, 0, 0)};

	CHECK_EQ(septa_call(CNODE, &m), SEPTA_E_LABEL);
	m.info = septa_msginfo(SEPTA_CNODE_COPY, 0, 0);
	CHECK_EQ(septa_call(SEPTA_CAP_INIT_TCB, &m), SEPTA_E_LABEL);
	m.info = septa_msginfo(1, 0, 0);
	CHECK_EQ(septa_call(VSPACE, &m), SEPTA_E_LABEL);
}

void test_message_too_long(void)
{
	struct septa_msg m = {.info = septa_msginfo(SEPTA_CNODE_DELETE, 0, 121)};
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0);

	CHECK_EQ(septa_call(CNODE, &m), SEPTA_E_MSG_LENGTH);
	m.info = septa_msginfo(1, 0, 127);
	CHECK_EQ(septa_nbsend(ep, &m), SEPTA_E_MSG_LENGTH);
}

void test_too_few_arguments(void)
{
	struct septa_msg m = {.info = septa_msginfo(SEPTA_CNODE_DELETE, 0, 1)};

	CHECK_EQ(septa_call(CNODE, &m), SEPTA_E_ARG);
	m.info = septa_msginfo(SEPTA_CNODE_COPY, 0, 5);
	CHECK_EQ(septa_call(CNODE, &m), SEPTA_E_EXTRA_CAPS);
}

/* The stubs refuse counts the message info cannot carry rather than cut
 * them, and write nothing past the IPC buffer's message registers and
 * capability slots (the receive slot comes right after them). */
void test_stub_counts_not_cut(void)
{
	/* 2 + 126 registers: 128, which the 7-bit length would read as 0. */
	static const uint64_t regs[126];
	struct septa_ipc_buffer *b = septa_ipc_buffer();
	uint64_t t = mk(SEPTA_OBJ_TCB, 0), pts[SEPTA_MSG_MAX_CAPS + 1] = {0},
		 cnode = b->receive_cnode, index = b->receive_index;

	b->receive_cnode = 0x5eed;
	b->receive_index = 0x5eed;
	CHECK_EQ(septa_tcb_write_registers(t, 0, 126, regs), SEPTA_E_MSG_LENGTH);
	CHECK_EQ(septa_vspace_protect(VSPACE, UNMAPPED_IPA, 4096, SEPTA_MAP_R,
				      SEPTA_MSG_MAX_CAPS + 1, pts, NULL),
		 SEPTA_E_EXTRA_CAPS);
	CHECK_EQ(b->receive_cnode, 0x5eed);
	CHECK_EQ(b->receive_index, 0x5eed);
	b->receive_cnode = cnode;
	b->receive_index = index;
}

void test_extra_cap_lookup_fails(void)
{
	septa_ipc_buffer()->caps_or_badges[0] = slot(); /* empty */
	struct septa_msg m = {.info = septa_msginfo(SEPTA_CNODE_COPY, 1, 5)};

	CHECK_EQ(septa_call(CNODE, &m), SEPTA_E_MISSING_CAP);
}

void test_frame_address(void)
{
	uint64_t f = mk(SEPTA_OBJ_FRAME_4K, 0), pa = 0;

	CHECK_EQ(septa_frame_get_address(f, &pa), 0);
	CHECK_EQ(pa & 0xfff, 0);
	CHECK(pa >= bi->ram_base && pa < bi->ram_base + bi->ram_size);
}
