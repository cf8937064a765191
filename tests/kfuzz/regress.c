/*
 * What the fuzzer found, replayed as a fixed sequence at the start of
 * every run, so that a fix is proved by a test that fails without it.
 *
 * R1 (seed 4, epoch 1: "a second capability records the mapping"):
 * TCB_CONFIGURE copied the IPC buffer's frame capability with its mapping
 * record, so the thread's copy owned the mapping too and deleting the
 * thread unmapped the frame its original capability had mapped. Fixed in
 * kernel/object/tcb.c (the thread's copies are made by cap_copy_of).
 */
#include <stdio.h>
#include "kfuzz.h"

#define R_UT_BITS 18u
#define R_IPA	  0x1000ULL

static uint64_t next_slot, sub_ut;

static uint64_t make(unsigned type, unsigned bits)
{
	uint64_t s = next_slot++;
	long err = septa_untyped_retype(sub_ut, type, bits, KF_CNODE, 0, 0, s, 1);

	if (err != SEPTA_OK)
		kf_fail("regression: retype", err);
	return s;
}

static uint64_t make_table(void *arg)
{
	(void)arg;
	return make(SEPTA_OBJ_PAGE_TABLE, 0);
}

static void r1_configure_keeps_mapping_record(void)
{
	uint64_t vs = make(SEPTA_OBJ_VSPACE, 32), frame = make(SEPTA_OBJ_FRAME_4K, 0);
	uint64_t tcb = make(SEPTA_OBJ_TCB, 0), paddr = 0, q[4] = {0};
	struct septa_table_source src = {make_table, NULL, NULL};
	struct septa_no_table nt;
	long err;

	err = septa_frame_map_with_tables(frame, vs, R_IPA, SEPTA_MAP_R | SEPTA_MAP_W,
					  SEPTA_OWNED, &src, &nt);
	if (err != SEPTA_OK)
		kf_fail("R1: map the buffer frame", err);
	err = septa_tcb_configure(tcb, 0, KF_CNODE, vs, frame, R_IPA);
	if (err != SEPTA_OK)
		kf_fail("R1: configure a thread with it", err);
	kf_audit("R1: a thread's IPC buffer is a mapped frame");
	err = septa_cnode_delete(KF_CNODE, tcb, KF_DEPTH);
	if (err != SEPTA_OK)
		kf_fail("R1: delete the thread", err);
	if (septa_frame_get_address(frame, &paddr) != SEPTA_OK ||
	    septa_vspace_query(vs, R_IPA, q) != SEPTA_OK)
		kf_fail("R1: query", 0);
	if (q[0] != paddr)
		kf_fail("R1: deleting a thread unmapped its IPC buffer's frame",
			(long)q[0]);
	kf_audit("R1: after the thread's deletion");
}

/*
 * R2 (F2 of docs/fuzzing.md; seeds 101-113 of an early build: a VMID
 * handed to a second VSpace, page tables linked with no capability
 * recording them): a VSpace and two copies; delete the original, then
 * one copy. The VSpace was finalised (its VMID freed) though the other
 * copy still named it; a new VSpace took the VMID, and a frame mapped
 * through the surviving copy had a record naming nothing live, so it
 * mapped a second time. Fixed on main (acf0c0a: an original's copies
 * stay together).
 */
static void r2_copies_stay_together(void)
{
	uint64_t o = make(SEPTA_OBJ_VSPACE, 32), c1 = next_slot++, c2 = next_slot++;
	uint64_t frame = make(SEPTA_OBJ_FRAME_4K, 0), n;
	struct septa_table_source src = {make_table, NULL, NULL};
	struct septa_no_table nt;
	long first, second;

	if (septa_cnode_copy(KF_CNODE, c1, KF_DEPTH, KF_CNODE, o, KF_DEPTH,
			     SEPTA_RIGHTS_ALL) ||
	    septa_cnode_copy(KF_CNODE, c2, KF_DEPTH, KF_CNODE, o, KF_DEPTH,
			     SEPTA_RIGHTS_ALL) ||
	    septa_cnode_delete(KF_CNODE, o, KF_DEPTH) ||
	    septa_cnode_delete(KF_CNODE, c1, KF_DEPTH))
		kf_fail("F2: copies and deletes", 0);
	n = make(SEPTA_OBJ_VSPACE, 32);
	first = septa_frame_map_with_tables(frame, c2, R_IPA, SEPTA_MAP_R, SEPTA_OWNED,
					    &src, &nt);
	second = septa_frame_map_with_tables(frame, c2, 2 * R_IPA, SEPTA_MAP_R,
					     SEPTA_OWNED, &src, &nt);
	if (first != SEPTA_OK || second != SEPTA_E_IN_USE)
		kf_fail(
		    "R2: a frame capability mapped twice through a VSpace whose original "
		    "and one copy were deleted",
		    second);
	kf_audit("R2: after the deletes and maps");
	(void)n;
}

/*
 * R3, finding F1 (fixed in part: kernel/object/frame.c mapping_live). A
 * frame mapped under a PageTable; unmap the table: the frame is gone from
 * the VSpace, and its capability's stale record must not stop it being
 * mapped elsewhere (it said E_IN_USE).
 */
static void f1_stale_record_after_table_unmap(void)
{
	uint64_t vs = make(SEPTA_OBJ_VSPACE, 32), frame = make(SEPTA_OBJ_FRAME_4K, 0);
	uint64_t pt[2] = {make(SEPTA_OBJ_PAGE_TABLE, 0), make(SEPTA_OBJ_PAGE_TABLE, 0)};
	uint64_t q[4] = {0};
	struct septa_no_table nt;
	long map, again;

	map = septa_frame_map(frame, vs, R_IPA, SEPTA_MAP_R, SEPTA_OWNED, 2, pt, &nt);
	/* The table the frame's entry is in: the one that went in last. */
	if (map != SEPTA_OK || septa_page_table_unmap(pt[0]) != SEPTA_OK ||
	    septa_page_table_unmap(pt[1]) != SEPTA_OK ||
	    septa_vspace_query(vs, R_IPA, q) != SEPTA_OK)
		kf_fail("F1: map and unmap the tables", map);
	again =
	    septa_frame_map(frame, vs, 2 * R_IPA, SEPTA_MAP_R, SEPTA_OWNED, 0, NULL, &nt);
	/* E_NO_TABLE: it may be mapped there, once there are tables. */
	if (q[0] || again != SEPTA_E_NO_TABLE)
		kf_fail("R3 (F1): a frame whose tables went maps again", again);
}

/*
 * R4, finding F3 (fixed: CAP_F_PEER, cdt_step_aside). An endpoint's
 * original, a read-only copy and a full copy made from it; delete the
 * original: the full copy goes under the read-only one as its peer, and
 * revoking the read-only copy must leave it (it was never derived from
 * it).
 */
static void f3_revoke_reaches_a_sibling(void)
{
	uint64_t o = make(SEPTA_OBJ_ENDPOINT, 0), ro = next_slot++, full = next_slot++;
	long err;

	/* The full copy first: the read-only one, made last, heads the list. */
	if (septa_cnode_copy(KF_CNODE, full, KF_DEPTH, KF_CNODE, o, KF_DEPTH,
			     SEPTA_RIGHTS_ALL) ||
	    septa_cnode_copy(KF_CNODE, ro, KF_DEPTH, KF_CNODE, o, KF_DEPTH,
			     SEPTA_RIGHT_READ) ||
	    septa_cnode_delete(KF_CNODE, o, KF_DEPTH) ||
	    septa_cnode_revoke(KF_CNODE, ro, KF_DEPTH))
		kf_fail("F3: copies, delete, revoke", 0);
	/* Still there: a move out of it finds a capability. */
	err = septa_cnode_move(KF_CNODE, o, KF_DEPTH, KF_CNODE, full, KF_DEPTH);
	if (err != SEPTA_OK)
		kf_fail("R4 (F3): revoking a copy spares its peer", err);
}

void kf_regressions(uint64_t ut, uint64_t first)
{
	long err = septa_untyped_retype(ut, SEPTA_OBJ_UNTYPED, R_UT_BITS, KF_CNODE, 0, 0,
					first, 1);

	if (err != SEPTA_OK)
		kf_fail("regression: untyped", err);
	sub_ut = first;
	next_slot = first + 1;
	r1_configure_keeps_mapping_record();
	r2_copies_stay_together();
	f1_stale_record_after_table_unmap();
	f3_revoke_reaches_a_sibling();
	printf("kfuzz: regressions: R1, R2, R3, R4 hold\n");
	/* Everything made here goes with the Untyped. */
	if (septa_cnode_revoke(KF_CNODE, sub_ut, KF_DEPTH) != SEPTA_OK ||
	    septa_cnode_delete(KF_CNODE, sub_ut, KF_DEPTH) != SEPTA_OK)
		kf_fail("regression: clean up", 0);
}
