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
 * F2, open (kernel/object/cdt.c, not this suite's to fix): run only with
 * "kfuzz.known=1" in the bootargs, and says whether it still happens. A
 * VSpace and two copies; delete the original, then one copy: the VSpace
 * is finalised (its VMID freed) though the other copy still names it. A
 * new VSpace takes the VMID; a frame mapped through the surviving copy
 * then has a record that names nothing live, and maps a second time.
 */
static void f2_copies_under_untyped(void)
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
	printf("kfuzz: F2: after deleting a VSpace's original and one of two copies, one "
	       "frame "
	       "capability maps %s (first %ld, second %ld)\n",
	       first == SEPTA_OK && second == SEPTA_OK ? "twice: F2 is still open"
						       : "once: F2 is fixed",
	       first, second);
	(void)n;
}

/*
 * F1, open (kernel/object/frame.c, not this suite's to fix): also run with
 * "kfuzz.known=1". A frame mapped under a PageTable; unmap the table: the
 * frame is gone from the VSpace, but its capability still records the
 * mapping, so it cannot be mapped anywhere until it is unmapped again.
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
	printf("kfuzz: F1: with its tables unmapped the frame is %s, and mapping it "
	       "elsewhere gives %ld: %s\n",
	       q[0] ? "still mapped" : "unmapped", again,
	       again == SEPTA_E_IN_USE ? "F1 is still open (its record stayed)"
				       : "F1 is fixed");
}

void kf_regressions(uint64_t ut, uint64_t first, int known)
{
	long err = septa_untyped_retype(ut, SEPTA_OBJ_UNTYPED, R_UT_BITS, KF_CNODE, 0, 0,
					first, 1);

	if (err != SEPTA_OK)
		kf_fail("regression: untyped", err);
	sub_ut = first;
	next_slot = first + 1;
	r1_configure_keeps_mapping_record();
	printf("kfuzz: regressions: R1 holds\n");
	if (known) {
		f1_stale_record_after_table_unmap();
		f2_copies_under_untyped();
	}
	/* Everything made here goes with the Untyped. */
	if (septa_cnode_revoke(KF_CNODE, sub_ut, KF_DEPTH) != SEPTA_OK ||
	    septa_cnode_delete(KF_CNODE, sub_ut, KF_DEPTH) != SEPTA_OK)
		kf_fail("regression: clean up", 0);
}
