/*
 * Hostile cases for deletion in bounded steps (a review of delete.c): a
 * deletion left half done by a thread that deleted itself, and what other
 * threads can then do with the objects on its zombie stack.
 */
#include "captest.h"

static struct {
	uint64_t ep, ut;
	volatile long r;
} rd;

/* Waits to be told, then revokes rd.ut; its own TCB is in what that
 * revoke deletes, so it never returns. */
static void self_deleting_revoker(uint64_t ep)
{
	struct septa_msg m = {0};

	septa_recv(ep, &m);
	rd.r = septa_cnode_revoke(CNODE, rd.ut, DEPTH);
}

/*
 * A cycle across two Untypeds: A (256 slots, from u1) holds the only
 * capability to B (2 slots, from u2) in its last slot, B holds the only
 * capability to A in slot 0. Revoking u1 makes A's capability (in B) the
 * top zombie; B, met in A, becomes an inner one, skips the top inside it,
 * is emptied and leaves the derivation tree: u2 is free while the top
 * zombie still lived in B's memory. A's slot 200 holds the revoker's own
 * TCB, so the revoke stops there, half done, and another thread can
 * retype u2.
 */
void test_rdel_cycle_across_untypeds(void)
{
	uint64_t u1 = mk(SEPTA_OBJ_UNTYPED, 16), u2 = mk(SEPTA_OBJ_UNTYPED, 16);
	uint64_t a = slot(), b = slot(), ep = mk(SEPTA_OBJ_ENDPOINT, 0), t,
		 probe = slot();
	struct septa_msg m = {0};

	CHECK(u1 && u2 && ep);
	CHECK_EQ(septa_untyped_retype(u1, SEPTA_OBJ_CNODE, 8, CNODE, 0, 0, a, 1), 0);
	CHECK_EQ(septa_untyped_retype(u2, SEPTA_OBJ_CNODE, 1, CNODE, 0, 0, b, 1), 0);
	rd.ut = u1;
	rd.r = 12345;
	CHECK((t = spawn(self_deleting_revoker, ep, HIGH_PRIO, 0)));
	CHECK_EQ(septa_cnode_move(a, 200, 8, CNODE, t, DEPTH), 0);
	CHECK_EQ(septa_cnode_move(a, 255, 8, CNODE, b, DEPTH), 0);
	CHECK_EQ(septa_cnode_move(a, 255u << 1, 9, CNODE, a, DEPTH), 0);
	CHECK_EQ(septa_nbsend(ep, &m), 0); /* the revoker runs, and stops */
	CHECK_EQ(rd.r, 12345);
	/* B is gone, so u2 retypes over its memory: a CNode, zeroed. */
	CHECK_EQ(septa_untyped_retype(u2, SEPTA_OBJ_CNODE, 1, CNODE, 0, 0, probe, 1), 0);
	/* Unfixed, the top zombie was left in B's memory: u1's first child was now
	 * a null slot in the new CNode and this revoke looped in the kernel
	 * for good (a hang); a capability put there instead was taken for
	 * part of u1's tree. */
	CHECK_EQ(septa_cnode_revoke(CNODE, u1, DEPTH), 0);
	CHECK_EQ(septa_cnode_delete(CNODE, probe, DEPTH), 0);
	CHECK_EQ(septa_untyped_retype(u1, SEPTA_OBJ_UNTYPED, 16, CNODE, 0, 0, slot(), 1),
		 0);
	CHECK_EQ(septa_untyped_retype(u2, SEPTA_OBJ_UNTYPED, 16, CNODE, 0, 0, slot(), 1),
		 0);
}

/* The same with a ring of three, A (u1) holding C (u2) holding B (u3)
 * holding A: the top, moved out of B's memory, must not be left in C's. */
void test_rdel_ring_across_untypeds(void)
{
	uint64_t u1 = mk(SEPTA_OBJ_UNTYPED, 16), u2 = mk(SEPTA_OBJ_UNTYPED, 16);
	uint64_t u3 = mk(SEPTA_OBJ_UNTYPED, 16), ep = mk(SEPTA_OBJ_ENDPOINT, 0);
	uint64_t a = slot(), b = slot(), c = slot(), t, probe = slot();
	struct septa_msg m = {0};

	CHECK(u1 && u2 && u3 && ep);
	CHECK_EQ(septa_untyped_retype(u1, SEPTA_OBJ_CNODE, 8, CNODE, 0, 0, a, 1), 0);
	CHECK_EQ(septa_untyped_retype(u3, SEPTA_OBJ_CNODE, 1, CNODE, 0, 0, b, 1), 0);
	CHECK_EQ(septa_untyped_retype(u2, SEPTA_OBJ_CNODE, 1, CNODE, 0, 0, c, 1), 0);
	rd.ut = u1;
	rd.r = 12345;
	CHECK((t = spawn(self_deleting_revoker, ep, HIGH_PRIO, 0)));
	CHECK_EQ(septa_cnode_move(a, 200, 8, CNODE, t, DEPTH), 0);
	CHECK_EQ(septa_cnode_move(c, 0, 1, CNODE, b, DEPTH), 0);
	CHECK_EQ(septa_cnode_move(a, 255, 8, CNODE, c, DEPTH), 0);
	CHECK_EQ(septa_cnode_move(a, 255u << 2, 10, CNODE, a, DEPTH), 0);
	CHECK_EQ(septa_nbsend(ep, &m), 0); /* the revoker runs, and stops */
	CHECK_EQ(rd.r, 12345);
	CHECK_EQ(septa_untyped_retype(u2, SEPTA_OBJ_CNODE, 1, CNODE, 0, 0, probe, 1), 0);
	CHECK_EQ(septa_cnode_revoke(CNODE, u1, DEPTH), 0);
	CHECK_EQ(septa_cnode_delete(CNODE, probe, DEPTH), 0);
	CHECK_EQ(septa_untyped_retype(u3, SEPTA_OBJ_CNODE, 1, CNODE, 0, 0, probe, 1), 0);
	CHECK_EQ(septa_cnode_delete(CNODE, probe, DEPTH), 0);
	for (uint64_t u = u1; u <= u3; u++)
		CHECK_EQ(septa_untyped_retype(u, SEPTA_OBJ_UNTYPED, 16, CNODE, 0, 0,
					      slot(), 1),
			 0);
}
