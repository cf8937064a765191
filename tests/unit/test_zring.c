/* A review of the zombie rings (kernel/object/delete.c): deletions and
 * revokes cut short at kernel-entry boundaries, in hostile orders, with a
 * full check after every step that no capability lies in memory no live
 * object (or the fixture) owns. */
#include <object/cap.h>
#include <object/delete.h>
#include <object/invoke.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kfix.h"
#include "tests.h"

static int setup(void)
{
	kfix_setup();
	return 0;
}

static int teardown(void)
{
	kfix_teardown();
	return 0;
}

static void reset(void)
{
	kfix_teardown();
	kfix_setup();
}

static long retype_from(uint64_t ut, unsigned type, unsigned bits, uint64_t slot)
{
	uint64_t root = 0, a[] = {type, bits, 0, 0, slot, 1};

	return kfix_call(ut, SEPTA_UNTYPED_RETYPE, 1, &root, 6, a);
}

static struct cte *slots_of(uint64_t root_slot)
{
	return (struct cte *)(uintptr_t)kf.root[root_slot].cap.obj;
}

/* Runs a restarting operation to its end, at most max kernel entries. */
static int finish(int (*op)(struct cte *), struct cte *slot, unsigned max)
{
	for (unsigned i = 0; i < max; i++)
		if (op(slot) == SEPTA_OK)
			return SEPTA_OK;
	return INV_RESTART;
}

/*
 * A member of a ring whose own slot held its root once: N (8 slots, from
 * U1) holds its only capability in its slot 7, Q (4 slots, U2) in slot 5,
 * M (256 slots) in slot 2; Q holds Q2 (2 slots) in its slot 1. Revoking
 * U1 makes N the root in its own slot 7, which it passes (it is the
 * root); Q and Q2 step in and out there, M steps in and stays (256
 * units): N goes into its slot 2, a member, with M, the root, in N's
 * slot 7, and Q on the ring before N. The revoke stops there. Revoking U2
 * meets Q, which empties N through the ring and takes N off the tree: U1
 * has no children, while M's zombie still lies in N's memory.
 */
static void test_root_in_member_memory(void)
{
	struct cte *n, *q;

	reset();
	CU_ASSERT_EQUAL_FATAL(kfix_retype(SEPTA_OBJ_UNTYPED, 16, 10, 1), SEPTA_OK);
	CU_ASSERT_EQUAL_FATAL(kfix_retype(SEPTA_OBJ_UNTYPED, 16, 11, 1), SEPTA_OK);
	CU_ASSERT_EQUAL_FATAL(retype_from(10, SEPTA_OBJ_CNODE, 3, 20), SEPTA_OK);
	CU_ASSERT_EQUAL_FATAL(retype_from(11, SEPTA_OBJ_CNODE, 2, 21), SEPTA_OK);
	CU_ASSERT_EQUAL_FATAL(kfix_retype(SEPTA_OBJ_CNODE, 1, 22, 1), SEPTA_OK);
	CU_ASSERT_EQUAL_FATAL(kfix_retype(SEPTA_OBJ_CNODE, 8, 23, 1), SEPTA_OK);
	n = slots_of(20);
	q = slots_of(21);
	cdt_move(&q[1], &kf.root[22]);
	cdt_move(&n[5], &kf.root[21]);
	cdt_move(&n[2], &kf.root[23]);
	cdt_move(&n[7], &kf.root[20]);
	CU_ASSERT_EQUAL(cap_revoke(&kf.root[10]), INV_RESTART);
	CU_ASSERT_EQUAL(kfix_tree_problems(), 0);
	CU_ASSERT_EQUAL(cap_revoke(&kf.root[11]), INV_RESTART);
	/* N's memory is free only when nothing lies in it. Unfixed, U1 has
	 * no children while M's zombie, the root, lies in N's slot 7: a
	 * retype of U1 zeroes it (or a frame over it lets user level write
	 * it) and the rest of U2's revoke follows its links (on the host a
	 * null pointer in ring_remove; in the kernel a fault at EL2). */
	CU_ASSERT_FATAL(kf.root[10].first_child || n[7].cap.type == CAP_NULL);
	if (!kf.root[10].first_child)
		CU_ASSERT_EQUAL(retype_from(10, SEPTA_OBJ_CNODE, 3, 30), SEPTA_OK);
	CU_ASSERT_EQUAL(finish(cap_revoke, &kf.root[11], 100), SEPTA_OK);
	CU_ASSERT_EQUAL(finish(cap_revoke, &kf.root[10], 100), SEPTA_OK);
	CU_ASSERT_EQUAL(finish(cap_revoke, &kf.root[kf.ut_slot], 100), SEPTA_OK);
	CU_ASSERT_PTR_NULL(kf.root[kf.ut_slot].first_child);
	CU_ASSERT_EQUAL(kfix_tree_problems(), 0);
}

void suite_zring(void)
{
	CU_pSuite s = CU_add_suite("zring", setup, teardown);

	CU_add_test(s, "a root left in a member's memory", test_root_in_member_memory);
}
