/*
 * A review of the zombie rings (kernel/object/delete.c), on the target:
 * a revoke freed a CNode whose memory still held the ring's root.
 */
#include "captest.h"

static struct {
	uint64_t u1, u2, probe;
	volatile long w, w2;
	volatile uint64_t w_done, w2_done;
} zr;

/* Woken by its endpoint's deletion (in M's slot 200): revokes u2. */
static void zr_revoker(uint64_t ep)
{
	struct septa_msg m = {0};

	septa_recv(ep, &m);
	zr.w = septa_cnode_revoke(CNODE, zr.u2, DEPTH);
	zr.w_done = 1;
}

/* Woken by its endpoint's deletion (in M's slot 100) during that revoke:
 * tries to make an Untyped of all u1 (only if u1 is wholly free). */
static void zr_retyper(uint64_t ep)
{
	struct septa_msg m = {0};

	septa_recv(ep, &m);
	zr.w2 =
	    septa_untyped_retype(zr.u1, SEPTA_OBJ_UNTYPED, 16, CNODE, 0, 0, zr.probe, 1);
	zr.w2_done = 1;
}

/*
 * N (8 slots, from u1) holds its only capability in slot 7, Q (4 slots,
 * u2) in slot 5 and M (256 slots) in slot 2; Q holds Q2 (2 slots) in its
 * slot 1. Main revokes u1: N becomes the root in its own slot 7, Q and Q2
 * step in and out there, M steps in and is emptied there, so N lies in its
 * slot 2 (a member) with M's zombie in N's memory. M's slot 200 wakes the
 * revoker of u2, which meets Q, empties N through the ring and, unfixed,
 * took N off the tree; M's slot 100 then wakes the retyper while M's
 * zombie is still in N's memory: u1 was free whole (the retype of all of
 * it worked; one of a CNode instead zeroed M's zombie, and the rest of
 * the revoke followed its links). Now N stays until M has left its slot.
 */
void test_zring_root_in_member_memory(void)
{
	uint64_t n = slot(), q = slot(), q2 = slot(), m = slot();
	uint64_t e1 = mk(SEPTA_OBJ_ENDPOINT, 0), e2 = mk(SEPTA_OBJ_ENDPOINT, 0);

	zr.u1 = mk(SEPTA_OBJ_UNTYPED, 16);
	zr.u2 = mk(SEPTA_OBJ_UNTYPED, 16);
	zr.probe = slot();
	zr.w = zr.w2 = 12345;
	zr.w_done = zr.w2_done = 0;
	CHECK(zr.u1 && zr.u2 && e1 && e2);
	CHECK_EQ(septa_untyped_retype(zr.u1, SEPTA_OBJ_CNODE, 3, CNODE, 0, 0, n, 1), 0);
	CHECK_EQ(septa_untyped_retype(zr.u2, SEPTA_OBJ_CNODE, 2, CNODE, 0, 0, q, 1), 0);
	CHECK_EQ(septa_untyped_retype(ct.ut, SEPTA_OBJ_CNODE, 1, CNODE, 0, 0, q2, 1), 0);
	CHECK_EQ(septa_untyped_retype(ct.ut, SEPTA_OBJ_CNODE, 8, CNODE, 0, 0, m, 1), 0);
	CHECK(spawn(zr_revoker, e1, HIGH_PRIO, 0));
	CHECK(spawn(zr_retyper, e2, HIGH_PRIO + 1, 0));
	/* Both wait on endpoints whose only capabilities go into M. */
	CHECK_EQ(septa_cnode_move(m, 200, 8, CNODE, e1, DEPTH), 0);
	CHECK_EQ(septa_cnode_move(m, 100, 8, CNODE, e2, DEPTH), 0);
	CHECK_EQ(septa_cnode_move(q, 1, 2, CNODE, q2, DEPTH), 0);
	CHECK_EQ(septa_cnode_move(n, 5, 3, CNODE, q, DEPTH), 0);
	CHECK_EQ(septa_cnode_move(n, 2, 3, CNODE, m, DEPTH), 0);
	CHECK_EQ(septa_cnode_move(n, 7, 3, CNODE, n, DEPTH), 0);
	CHECK_EQ(septa_cnode_revoke(CNODE, zr.u1, DEPTH), 0);
	CHECK_EQ(zr.w_done, 1);
	CHECK_EQ(zr.w, 0);
	CHECK_EQ(zr.w2_done, 1);
	/* u1's memory held M's zombie when the retyper ran. */
	CHECK_EQ(zr.w2, SEPTA_E_NO_MEMORY);
	/* Both free whole now. */
	CHECK_EQ(septa_cnode_revoke(CNODE, zr.u2, DEPTH), 0);
	CHECK_EQ(
	    septa_untyped_retype(zr.u2, SEPTA_OBJ_UNTYPED, 16, CNODE, 0, 0, slot(), 1),
	    0);
	CHECK_EQ(
	    septa_untyped_retype(zr.u1, SEPTA_OBJ_UNTYPED, 16, CNODE, 0, 0, slot(), 1),
	    0);
}
