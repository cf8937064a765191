/*
 * Hostile cases for deletion in bounded steps (a review of delete.c): a
 * deletion left half done by a thread that deleted itself, and what other
 * threads can then do with the objects on its zombie ring; and a thread
 * whose deletion another took over between two of its steps.
 */
#include "captest.h"
#include <stdbool.h>

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

/*
 * A deletion taken over between two of its steps. Main deletes B (256
 * slots, the only capability to it in E's slot 0, E a 2-slot CNode).
 * B's last slot holds the only capability to an endpoint a higher-priority
 * thread waits on, so main's first step wakes that thread, which runs
 * before main's call does again and deletes E, so B's zombie becomes part
 * of that deletion. Main's call, run again, no longer finds its slot:
 * before the fix it got the lookup's error (E_DEPTH, E_MISSING_CAP or
 * E_ZOMBIE) although its capability was gone; now SEPTA_OK.
 */
static struct {
	uint64_t e, path_cnode, path_index, path_depth;
	volatile long r;
	volatile uint64_t done;
} tk;

static void taker(uint64_t ep)
{
	struct septa_msg m = {0};

	septa_recv(ep, &m);
	tk.r = septa_cnode_delete(tk.path_cnode, tk.path_index, tk.path_depth);
	tk.done = 1;
}

/* E and B as above, the taker spawned; its TCB goes into B's slot 150
 * when in_b: main's first step empties B's slots from 255 to about 194,
 * the taker meets its own TCB about 40 slots later and stops there, with
 * 150 slots of B left. */
static long takeover_setup(uint64_t e, bool in_b)
{
	uint64_t b = slot(), ep = mk(SEPTA_OBJ_ENDPOINT, 0), t;
	long err = septa_untyped_retype(ct.ut, SEPTA_OBJ_CNODE, 1, CNODE, 0, 0, e, 1);

	if (!err)
		err = septa_untyped_retype(ct.ut, SEPTA_OBJ_CNODE, 8, CNODE, 0, 0, b, 1);
	if (!err && !ep)
		err = -100;
	tk.r = 12345;
	tk.done = 0;
	if (!err && !(t = spawn(taker, ep, HIGH_PRIO, 0)))
		err = -101;
	if (!err && in_b)
		err = septa_cnode_move(b, 150, 8, CNODE, t, DEPTH);
	if (!err)
		err = septa_cnode_move(b, 255, 8, CNODE, ep, DEPTH);
	if (!err)
		err = septa_cnode_move(e, 0, 1, CNODE, b, DEPTH);
	return err;
}

static long untyped_whole_again(void)
{
	uint64_t s = slot();
	long err = septa_cnode_revoke(CNODE, ct.ut, DEPTH);

	if (!err)
		err =
		    septa_untyped_retype(ct.ut, SEPTA_OBJ_UNTYPED, 22, CNODE, 0, 0, s, 1);
	if (!err)
		err = septa_cnode_delete(CNODE, s, DEPTH);
	return err;
}

/* Main's path goes through F (1 bit) to E's only capability, in F's slot
 * 0: the taker deletes that one and finishes; main's lookup of its slot,
 * run again, ends in F's now empty slot. */
void test_rdel_restart_after_takeover(void)
{
	uint64_t e = slot(), f = slot();

	CHECK_EQ(takeover_setup(e, false), 0);
	CHECK_EQ(septa_untyped_retype(ct.ut, SEPTA_OBJ_CNODE, 1, CNODE, 0, 0, f, 1), 0);
	CHECK_EQ(septa_cnode_move(f, 0, 1, CNODE, e, DEPTH), 0);
	tk.path_cnode = f;
	tk.path_index = 0;
	tk.path_depth = 1;
	CHECK_EQ(septa_cnode_delete(f, 0, 2), 0);
	CHECK_EQ(tk.done, 1);
	CHECK_EQ(tk.r, 0);
	/* B and E are gone: F's slot 0 is empty. */
	CHECK_EQ(septa_cnode_delete(f, 0, 2), SEPTA_E_MISSING_CAP);
	CHECK_EQ(untyped_whole_again(), 0);
}

/* Main invokes E itself; the taker's TCB is in B, so the taker's deletion
 * of E stops half done at it: main's call, run again, finds a zombie where
 * E's capability was, and its own capability gone into that deletion.
 * Revoking the Untyped finishes it. */
void test_rdel_restart_after_half_takeover(void)
{
	uint64_t e = slot();

	CHECK_EQ(takeover_setup(e, true), 0);
	tk.path_cnode = CNODE;
	tk.path_index = e;
	tk.path_depth = DEPTH;
	CHECK_EQ(septa_cnode_delete(e, 0, 1), 0);
	CHECK_EQ(tk.done, 0);
	CHECK_EQ(tk.r, 12345);
	CHECK_EQ(
	    septa_cnode_copy(CNODE, slot(), DEPTH, CNODE, e, DEPTH, SEPTA_RIGHTS_ALL),
	    SEPTA_E_ZOMBIE);
	/* Only the repeat of the same call is taken for one. */
	CHECK_EQ(septa_cnode_delete(e, 0, 1), SEPTA_E_ZOMBIE);
	CHECK_EQ(untyped_whole_again(), 0);
}
