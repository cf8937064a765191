/* VSpaces of their own IPA size, page tables from user level, frame maps. */
#include <string.h>
#include "captest.h"

#define RW (SEPTA_MAP_R | SEPTA_MAP_W)

static uint64_t vspace(unsigned ia_bits)
{
	return mk(SEPTA_OBJ_VSPACE, ia_bits);
}

void test_vspace_ipa_sizes(void)
{
	CHECK(vspace(32));
	CHECK(vspace(36));
	CHECK(vspace(40));
	CHECK(vspace(44));
	CHECK_EQ(
	    septa_untyped_retype(ct.ut, SEPTA_OBJ_VSPACE, 45, CNODE, 0, 0, slot(), 1),
	    SEPTA_E_SIZE); /* beyond this CPU's PARange (44 bits) */
	CHECK_EQ(
	    septa_untyped_retype(ct.ut, SEPTA_OBJ_VSPACE, 31, CNODE, 0, 0, slot(), 1),
	    SEPTA_E_SIZE);
	CHECK_EQ(
	    septa_untyped_retype(ct.ut, SEPTA_OBJ_VSPACE, 48, CNODE, 0, 0, slot(), 1),
	    SEPTA_E_SIZE);
}

void test_map_reports_missing_levels(void)
{
	uint64_t vs = vspace(40), f = mk(SEPTA_OBJ_FRAME_4K, 0),
		 pt2 = mk(SEPTA_OBJ_PAGE_TABLE, 0);
	uint64_t pt3 = mk(SEPTA_OBJ_PAGE_TABLE, 0), q[4], pa;
	struct septa_no_table nt = {99, 99};

	CHECK(vs && f && pt2 && pt3);
	/* 40 bits: the walk starts at level 1 with two concatenated tables. */
	CHECK_EQ(septa_frame_map(f, vs, 0x1000, RW, SEPTA_OWNED, 0, NULL, &nt),
		 SEPTA_E_NO_TABLE);
	CHECK_EQ(nt.level, 1);
	CHECK_EQ(nt.missing, 2);
	CHECK_EQ(septa_page_table_map(pt3, vs, 0, 3, &nt), SEPTA_E_NO_TABLE);
	CHECK_EQ(nt.level, 1);
	CHECK_EQ(nt.missing, 1);
	CHECK_EQ(septa_page_table_map(pt2, vs, 0, 2, NULL), 0);
	CHECK_EQ(septa_frame_map(f, vs, 0x1000, RW, SEPTA_OWNED, 0, NULL, &nt),
		 SEPTA_E_NO_TABLE);
	CHECK_EQ(nt.level, 2);
	CHECK_EQ(nt.missing, 1);
	CHECK_EQ(septa_page_table_map(pt3, vs, 0, 3, NULL), 0);
	CHECK_EQ(septa_frame_map(f, vs, 0x1000, RW, SEPTA_SHARED_OWNED, 0, NULL, NULL),
		 0);
	CHECK_EQ(septa_vspace_query(vs, 0x1abc, q), 0);
	CHECK_EQ(septa_frame_get_address(f, &pa), 0);
	CHECK_EQ(q[0], pa);
	CHECK_EQ(q[1], 3);
	CHECK_EQ(q[2], RW);
	CHECK_EQ(q[3], SEPTA_SHARED_OWNED);
	/* A neighbour needs no table: only a leaf changes. */
	uint64_t f2 = mk(SEPTA_OBJ_FRAME_4K, 0);
	CHECK_EQ(
	    septa_frame_map(f2, vs, 0x2000, SEPTA_MAP_R, SEPTA_BORROWED, 0, NULL, NULL),
	    0);
	CHECK_EQ(septa_vspace_query(vs, 0x2000, q), 0);
	CHECK_EQ(q[2], SEPTA_MAP_R);
	CHECK_EQ(q[3], SEPTA_BORROWED);
}

void test_map_2m_block(void)
{
	/* The 2 MiB frame takes the upper half of the test's 4 MiB: made last. */
	uint64_t vs = vspace(40), pt2 = mk(SEPTA_OBJ_PAGE_TABLE, 0);
	uint64_t big = mk(SEPTA_OBJ_FRAME_2M, 0);
	uint64_t q[4];
	struct septa_no_table nt;

	CHECK(vs && pt2 && big);
	CHECK_EQ(septa_frame_map(big, vs, 0x200000, RW, SEPTA_OWNED, 0, NULL, &nt),
		 SEPTA_E_NO_TABLE);
	CHECK_EQ(nt.level, 1);
	CHECK_EQ(nt.missing, 1);
	CHECK_EQ(septa_page_table_map(pt2, vs, 0, 2, NULL), 0);
	/* The level-2 table is enough for a 2 MiB block. */
	CHECK_EQ(septa_frame_map(big, vs, 0x200000, RW, SEPTA_OWNED, 0, NULL, NULL), 0);
	CHECK_EQ(septa_vspace_query(vs, 0x3ff000, q), 0);
	CHECK_EQ(q[1], 2);
	CHECK_EQ(septa_frame_map(big, vs, 0x400000, RW, SEPTA_OWNED, 0, NULL, NULL),
		 SEPTA_E_IN_USE);
}

/* A 32-bit VSpace starts at level 2: one page table reaches the leaves. */
static uint64_t ready_vspace32(void)
{
	uint64_t vs = vspace(32), pt = mk(SEPTA_OBJ_PAGE_TABLE, 0);

	if (!vs || !pt || septa_page_table_map(pt, vs, 0, 3, NULL))
		return 0;
	return vs;
}

void test_frame_map_bad_input(void)
{
	uint64_t vs = ready_vspace32(), f = mk(SEPTA_OBJ_FRAME_4K, 0),
		 g = mk(SEPTA_OBJ_FRAME_4K, 0);
	uint64_t ro = slot(), ep = mk(SEPTA_OBJ_ENDPOINT, 0);

	CHECK(vs && f && g);
	CHECK_EQ(septa_frame_map(f, vs, 0x1800, RW, SEPTA_OWNED, 0, NULL, NULL),
		 SEPTA_E_ALIGN);
	CHECK_EQ(septa_frame_map(f, vs, 1ULL << 32, RW, SEPTA_OWNED, 0, NULL, NULL),
		 SEPTA_E_RANGE);
	CHECK_EQ(septa_frame_map(f, vs, 0x1000, 0, SEPTA_OWNED, 0, NULL, NULL),
		 SEPTA_E_ARG);
	CHECK_EQ(septa_frame_map(f, vs, 0x1000, SEPTA_MAP_W, SEPTA_OWNED, 0, NULL, NULL),
		 SEPTA_E_ARG);
	CHECK_EQ(septa_frame_map(f, vs, 0x1000, 8 | RW, SEPTA_OWNED, 0, NULL, NULL),
		 SEPTA_E_ARG);
	CHECK_EQ(septa_frame_map(f, vs, 0x1000, RW, 4, 0, NULL, NULL), SEPTA_E_ARG);
	CHECK_EQ(septa_frame_map(f, ep, 0x1000, RW, SEPTA_OWNED, 0, NULL, NULL),
		 SEPTA_E_CAP_TYPE);
	CHECK_EQ(septa_cnode_copy(CNODE, ro, DEPTH, CNODE, g, DEPTH, SEPTA_RIGHT_READ),
		 0);
	CHECK_EQ(septa_frame_map(ro, vs, 0x1000, RW, SEPTA_OWNED, 0, NULL, NULL),
		 SEPTA_E_RIGHTS);
	CHECK_EQ(septa_frame_map(f, vs, 0x1000, RW, SEPTA_OWNED, 0, NULL, NULL), 0);
	CHECK_EQ(septa_frame_map(f, vs, 0x3000, RW, SEPTA_OWNED, 0, NULL, NULL),
		 SEPTA_E_IN_USE);
	CHECK_EQ(septa_frame_map(g, vs, 0x1000, RW, SEPTA_OWNED, 0, NULL, NULL),
		 SEPTA_E_DELETE_FIRST);
	CHECK_EQ(septa_frame_map(ro, vs, 0x2000, SEPTA_MAP_R, SEPTA_OWNED, 0, NULL, NULL),
		 0);
}

void test_page_table_bad_input(void)
{
	uint64_t vs = vspace(40), pt = mk(SEPTA_OBJ_PAGE_TABLE, 0),
		 pt2 = mk(SEPTA_OBJ_PAGE_TABLE, 0);

	CHECK(vs && pt && pt2);
	CHECK_EQ(septa_page_table_map(pt, vs, 0, 0, NULL), SEPTA_E_ARG);
	CHECK_EQ(septa_page_table_map(pt, vs, 0, 1, NULL),
		 SEPTA_E_ARG); /* the root's level */
	CHECK_EQ(septa_page_table_map(pt, vs, 0, 4, NULL), SEPTA_E_ARG);
	CHECK_EQ(septa_page_table_map(pt, vs, 0x200000, 2, NULL), SEPTA_E_ALIGN);
	CHECK_EQ(septa_page_table_map(pt, vs, 1ULL << 40, 2, NULL), SEPTA_E_RANGE);
	CHECK_EQ(septa_page_table_map(pt, vs, 0, 2, NULL), 0);
	CHECK_EQ(septa_page_table_map(pt, vs, 1ULL << 30, 2, NULL), SEPTA_E_IN_USE);
	CHECK_EQ(septa_page_table_map(pt2, vs, 0, 2, NULL), SEPTA_E_DELETE_FIRST);
	CHECK_EQ(
	    septa_cnode_copy(CNODE, slot(), DEPTH, CNODE, pt, DEPTH, SEPTA_RIGHTS_ALL),
	    SEPTA_E_CAP_TYPE);
}

void test_frame_unmap_and_remap(void)
{
	uint64_t vs = ready_vspace32(), f = mk(SEPTA_OBJ_FRAME_4K, 0), q[4];

	CHECK(vs && f);
	CHECK_EQ(septa_frame_map(f, vs, 0x5000, RW, SEPTA_OWNED, 0, NULL, NULL), 0);
	CHECK_EQ(septa_frame_unmap(f), 0);
	CHECK_EQ(septa_vspace_query(vs, 0x5000, q), 0);
	CHECK_EQ(q[0], 0);
	CHECK_EQ(septa_frame_unmap(f), 0); /* nothing mapped: nothing to do */
	CHECK_EQ(septa_frame_map(f, vs, 0x6000, RW, SEPTA_OWNED, 0, NULL, NULL), 0);
	CHECK_EQ(septa_vspace_query(vs, 0x6000, q), 0);
	CHECK(q[0] != 0);
}

void test_delete_frame_unmaps(void)
{
	uint64_t vs = ready_vspace32(), f = mk(SEPTA_OBJ_FRAME_4K, 0), c = slot(), q[4];

	CHECK(vs && f);
	CHECK_EQ(septa_cnode_copy(CNODE, c, DEPTH, CNODE, f, DEPTH, SEPTA_RIGHTS_ALL), 0);
	CHECK_EQ(septa_frame_map(f, vs, 0x1000, RW, SEPTA_OWNED, 0, NULL, NULL), 0);
	/* The copy starts unmapped and maps on its own. */
	CHECK_EQ(septa_frame_map(c, vs, 0x2000, RW, SEPTA_OWNED, 0, NULL, NULL), 0);
	CHECK_EQ(septa_cnode_delete(CNODE, c, DEPTH), 0);
	CHECK_EQ(septa_vspace_query(vs, 0x2000, q), 0);
	CHECK_EQ(q[0], 0);
	CHECK_EQ(septa_vspace_query(vs, 0x1000, q), 0);
	CHECK(q[0] != 0);
}

void test_revoke_frame_unmaps_copies(void)
{
	uint64_t vs = ready_vspace32(), f = mk(SEPTA_OBJ_FRAME_4K, 0), a = slot(),
		 b = slot();
	uint64_t q[4];

	CHECK(vs && f);
	CHECK_EQ(septa_cnode_copy(CNODE, a, DEPTH, CNODE, f, DEPTH, SEPTA_RIGHTS_ALL), 0);
	CHECK_EQ(septa_cnode_copy(CNODE, b, DEPTH, CNODE, a, DEPTH, SEPTA_RIGHT_READ), 0);
	CHECK_EQ(septa_frame_map(a, vs, 0x1000, RW, SEPTA_SHARED_OWNED, 0, NULL, NULL),
		 0);
	CHECK_EQ(septa_frame_map(b, vs, 0x2000, SEPTA_MAP_R, SEPTA_SHARED_BORROWED, 0,
				 NULL, NULL),
		 0);
	CHECK_EQ(septa_cnode_revoke(CNODE, f, DEPTH), 0);
	CHECK_EQ(septa_vspace_query(vs, 0x1000, q), 0);
	CHECK_EQ(q[0], 0);
	CHECK_EQ(septa_vspace_query(vs, 0x2000, q), 0);
	CHECK_EQ(q[0], 0);
}

void test_delete_page_table_unmaps(void)
{
	uint64_t vs = vspace(32), pt = mk(SEPTA_OBJ_PAGE_TABLE, 0),
		 f = mk(SEPTA_OBJ_FRAME_4K, 0);
	uint64_t q[4];
	struct septa_no_table nt;

	CHECK(vs && pt && f);
	CHECK_EQ(septa_page_table_map(pt, vs, 0, 3, NULL), 0);
	CHECK_EQ(septa_frame_map(f, vs, 0x1000, RW, SEPTA_OWNED, 0, NULL, NULL), 0);
	CHECK_EQ(septa_cnode_delete(CNODE, pt, DEPTH), 0);
	CHECK_EQ(septa_vspace_query(vs, 0x1000, q), 0);
	CHECK_EQ(q[0], 0);
	/* The frame's record is stale; mapping it again needs a table again. */
	CHECK_EQ(septa_frame_unmap(f), 0);
	CHECK_EQ(septa_frame_map(f, vs, 0x1000, RW, SEPTA_OWNED, 0, NULL, &nt),
		 SEPTA_E_NO_TABLE);
	CHECK_EQ(nt.level, 2);
}

void test_vmids_recycled(void)
{
	uint64_t first = ct.slot_next, n = 0;
	long err = 0;

	/* 254 VMIDs for retyped VSpaces (0 unused, 1 the root task's). */
	while (n < 300 && (err = septa_untyped_retype(ct.ut, SEPTA_OBJ_VSPACE, 36, CNODE,
						      0, 0, slot(), 1)) == 0)
		n++;
	CHECK_EQ(err, SEPTA_E_NO_VMID);
	CHECK_EQ(n, 254);
	CHECK_EQ(septa_cnode_delete(CNODE, first + 7, DEPTH), 0);
	CHECK_EQ(
	    septa_untyped_retype(ct.ut, SEPTA_OBJ_VSPACE, 36, CNODE, 0, 0, slot(), 1), 0);
	CHECK_EQ(
	    septa_untyped_retype(ct.ut, SEPTA_OBJ_VSPACE, 36, CNODE, 0, 0, slot(), 1),
	    SEPTA_E_NO_VMID);
}

void test_query_bad_input(void)
{
	uint64_t vs = vspace(32), q[4];

	CHECK_EQ(septa_vspace_query(vs, 1ULL << 32, q), SEPTA_E_RANGE);
	CHECK_EQ(septa_vspace_query(vs, 0x1000, q), 0);
	CHECK_EQ(q[0], 0);
}

/* Two mappings of one frame in our own address space see the same bytes. */
void test_map_into_own_vspace(void)
{
	uint64_t f = mk(SEPTA_OBJ_FRAME_4K, 0), c = slot(),
		 pt = mk(SEPTA_OBJ_PAGE_TABLE, 0);
	volatile uint64_t *a = (volatile uint64_t *)0x40000000UL;
	volatile uint64_t *b = (volatile uint64_t *)0x40001000UL;
	struct septa_no_table nt;

	CHECK(f && pt);
	CHECK_EQ(septa_cnode_copy(CNODE, c, DEPTH, CNODE, f, DEPTH, SEPTA_RIGHTS_ALL), 0);
	CHECK_EQ(septa_frame_map(f, VSPACE, 0x40000000, RW, SEPTA_OWNED, 0, NULL, &nt),
		 SEPTA_E_NO_TABLE);
	CHECK_EQ(nt.level, 2);
	CHECK_EQ(septa_page_table_map(pt, VSPACE, 0x40000000, 3, NULL), 0);
	CHECK_EQ(septa_frame_map(f, VSPACE, 0x40000000, RW, SEPTA_OWNED, 0, NULL, NULL),
		 0);
	CHECK_EQ(septa_frame_map(c, VSPACE, 0x40001000, SEPTA_MAP_R, SEPTA_OWNED, 0, NULL,
				 NULL),
		 0);
	CHECK_EQ(*b, 0); /* fresh frames are zeroed */
	*a = 0x1234abcd;
	CHECK_EQ(*b, 0x1234abcd);
	CHECK_EQ(septa_cnode_delete(CNODE, pt, DEPTH), 0);
}

static volatile uint64_t *vm_shared;

/* Code for a thread in a VSpace of its own: store 0x42 at 0x2000, then
 * load from 0x400000 (unmapped there) and spin. */
static const uint32_t guest_code[] = {
    0xd2840001, /* movz x1, #0x2000 */
    0xd2800840, /* movz x0, #0x42 */
    0xf9000020, /* str x0, [x1] */
    0xd2a00801, /* movz x1, #0x40, lsl #16 */
    0xf9400022, /* ldr x2, [x1] */
    0x14000000, /* b . */
};

void test_thread_in_own_vspace(void)
{
	uint64_t vs = ready_vspace32(), code = mk(SEPTA_OBJ_FRAME_4K, 0),
		 data = mk(SEPTA_OBJ_FRAME_4K, 0);
	uint64_t code_c = slot(), data_c = slot(), pt = mk(SEPTA_OBJ_PAGE_TABLE, 0);
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0), tcb = mk(SEPTA_OBJ_TCB, 0), regs[2];
	volatile uint32_t *code_view = (volatile uint32_t *)0x40000000UL;
	struct septa_msg m = {0};

	CHECK(vs && code && data && pt && ep && tcb);
	/* Our view of both frames, to write the code and read the result. */
	CHECK_EQ(
	    septa_cnode_copy(CNODE, code_c, DEPTH, CNODE, code, DEPTH, SEPTA_RIGHTS_ALL),
	    0);
	CHECK_EQ(
	    septa_cnode_copy(CNODE, data_c, DEPTH, CNODE, data, DEPTH, SEPTA_RIGHTS_ALL),
	    0);
	CHECK_EQ(septa_page_table_map(pt, VSPACE, 0x40000000, 3, NULL), 0);
	CHECK_EQ(septa_frame_map(code_c, VSPACE, 0x40000000, RW, SEPTA_SHARED_OWNED, 0,
				 NULL, NULL),
		 0);
	CHECK_EQ(septa_frame_map(data_c, VSPACE, 0x40001000, RW, SEPTA_SHARED_OWNED, 0,
				 NULL, NULL),
		 0);
	for (unsigned i = 0; i < sizeof(guest_code) / 4; i++)
		code_view[i] = guest_code[i];
	__asm__ volatile(
	    "dc cvau, %0; dsb ish; ic ivau, %0; dsb ish; isb" ::"r"(code_view)
	    : "memory");
	vm_shared = (volatile uint64_t *)0x40001000UL;
	/* Its view: code at 0x1000 (R+X), data at 0x2000 (RW), nothing else. */
	CHECK_EQ(septa_frame_map(code, vs, 0x1000, SEPTA_MAP_R | SEPTA_MAP_X,
				 SEPTA_SHARED_BORROWED, 0, NULL, NULL),
		 0);
	CHECK_EQ(
	    septa_frame_map(data, vs, 0x2000, RW, SEPTA_SHARED_BORROWED, 0, NULL, NULL),
	    0);
	CHECK_EQ(septa_tcb_configure(tcb, ep, CNODE, vs, bi->spare_frames_slot,
				     SEPTA_ROOT_SPARE_BASE),
		 0);
	regs[0] = 0x1000;
	regs[1] = 0x2000;
	CHECK_EQ(septa_tcb_set_priority(tcb, LOW_PRIO), 0);
	CHECK_EQ(septa_tcb_write_registers(tcb, 1, 2, regs), 0);
	/* It runs, stores, then touches what is not in its VSpace. */
	CHECK_EQ(septa_recv(ep, &m), 0);
	CHECK_EQ(SEPTA_MSG_LABEL(m.info), SEPTA_FAULT_ABORT);
	CHECK_EQ(m.mr[SEPTA_ABORT_IPA], 0x400000);
	CHECK_EQ(*vm_shared, 0x42);
	CHECK_EQ(septa_cnode_delete(CNODE, tcb, DEPTH), 0);
	CHECK_EQ(septa_cnode_delete(CNODE, pt, DEPTH), 0);
}

void test_device_frame_map(void)
{
	unsigned dev = bi->untyped_count;
	uint64_t vs = ready_vspace32(), f = slot(), q[4];

	for (unsigned i = 0; i < bi->untyped_count; i++)
		if (bi->untyped[i].is_device)
			dev = i;
	CHECK(vs && dev < bi->untyped_count);
	CHECK_EQ(septa_untyped_retype(bi->untyped_slot + dev, SEPTA_OBJ_FRAME_4K, 0,
				      CNODE, 0, 0, f, 1),
		 0);
	CHECK_EQ(septa_frame_map(f, vs, 0x1000, SEPTA_MAP_R | SEPTA_MAP_X, SEPTA_OWNED, 0,
				 NULL, NULL),
		 SEPTA_E_ARG);
	CHECK_EQ(septa_frame_map(f, vs, 0x1000, RW, SEPTA_OWNED, 0, NULL, NULL), 0);
	CHECK_EQ(septa_vspace_query(vs, 0x1000, q), 0);
	CHECK_EQ(q[0], bi->untyped[dev].paddr);
	CHECK_EQ(q[2], RW);
	CHECK_EQ(septa_cnode_revoke(CNODE, bi->untyped_slot + dev, DEPTH), 0);
}

void test_overlapping_maps(void)
{
	uint64_t vs = vspace(40), pt2 = mk(SEPTA_OBJ_PAGE_TABLE, 0),
		 pt3 = mk(SEPTA_OBJ_PAGE_TABLE, 0);
	uint64_t small = mk(SEPTA_OBJ_FRAME_4K, 0), big = mk(SEPTA_OBJ_FRAME_2M, 0);

	CHECK(vs && pt2 && pt3 && small && big);
	CHECK_EQ(septa_page_table_map(pt2, vs, 0, 2, NULL), 0);
	CHECK_EQ(septa_frame_map(big, vs, 0x200000, RW, SEPTA_OWNED, 0, NULL, NULL), 0);
	/* A page inside the block, a table under it: both refused. */
	CHECK_EQ(septa_frame_map(small, vs, 0x201000, RW, SEPTA_OWNED, 0, NULL, NULL),
		 SEPTA_E_DELETE_FIRST);
	CHECK_EQ(septa_page_table_map(pt3, vs, 0x200000, 3, NULL), SEPTA_E_DELETE_FIRST);
	/* Next to it is fine once a table is there. */
	CHECK_EQ(septa_page_table_map(pt3, vs, 0x400000, 3, NULL), 0);
	CHECK_EQ(septa_frame_map(small, vs, 0x400000, RW, SEPTA_OWNED, 0, NULL, NULL), 0);
}

void test_page_table_level3_alignment(void)
{
	uint64_t vs = vspace(32), pt = mk(SEPTA_OBJ_PAGE_TABLE, 0);

	CHECK_EQ(septa_page_table_map(pt, vs, 0x1000, 3, NULL), SEPTA_E_ALIGN);
	CHECK_EQ(septa_page_table_map(pt, vs, 0x200000, 3, NULL), 0);
	CHECK_EQ(septa_page_table_map(pt, ct.ut, 0x200000, 3, NULL), SEPTA_E_CAP_TYPE);
}

void test_page_table_unmap_and_reuse(void)
{
	uint64_t vs = vspace(32), pt = mk(SEPTA_OBJ_PAGE_TABLE, 0),
		 f = mk(SEPTA_OBJ_FRAME_4K, 0);
	uint64_t q[4];

	CHECK_EQ(septa_page_table_map(pt, vs, 0, 3, NULL), 0);
	CHECK_EQ(septa_frame_map(f, vs, 0x1000, RW, SEPTA_OWNED, 0, NULL, NULL), 0);
	CHECK_EQ(septa_page_table_unmap(pt), 0);
	CHECK_EQ(septa_vspace_query(vs, 0x1000, q), 0);
	CHECK_EQ(q[0], 0);
	/* Elsewhere, it brings nothing of its old contents along. */
	CHECK_EQ(septa_page_table_map(pt, vs, 0x200000, 3, NULL), 0);
	CHECK_EQ(septa_vspace_query(vs, 0x201000, q), 0);
	CHECK_EQ(q[0], 0);
}

void test_copy_unmap_leaves_original(void)
{
	uint64_t vs = ready_vspace32(), f = mk(SEPTA_OBJ_FRAME_4K, 0), c = slot(), q[4];

	CHECK_EQ(septa_cnode_copy(CNODE, c, DEPTH, CNODE, f, DEPTH, SEPTA_RIGHTS_ALL), 0);
	CHECK_EQ(septa_frame_map(f, vs, 0x1000, RW, SEPTA_OWNED, 0, NULL, NULL), 0);
	CHECK_EQ(septa_frame_map(c, vs, 0x2000, RW, SEPTA_OWNED, 0, NULL, NULL), 0);
	CHECK_EQ(septa_frame_unmap(c), 0);
	CHECK_EQ(septa_vspace_query(vs, 0x1000, q), 0);
	CHECK(q[0] != 0);
	CHECK_EQ(septa_vspace_query(vs, 0x2000, q), 0);
	CHECK_EQ(q[0], 0);
}

void test_execute_rights(void)
{
	uint64_t vs = ready_vspace32(), f = mk(SEPTA_OBJ_FRAME_4K, 0),
		 g = mk(SEPTA_OBJ_FRAME_4K, 0);
	uint64_t q[4];

	CHECK_EQ(septa_frame_map(f, vs, 0x1000, SEPTA_MAP_R | SEPTA_MAP_X, SEPTA_OWNED, 0,
				 NULL, NULL),
		 0);
	CHECK_EQ(septa_vspace_query(vs, 0x1000, q), 0);
	CHECK_EQ(q[2], SEPTA_MAP_R | SEPTA_MAP_X);
	CHECK_EQ(
	    septa_frame_map(g, vs, 0x2000, RW | SEPTA_MAP_X, SEPTA_OWNED, 0, NULL, NULL),
	    0);
	CHECK_EQ(septa_vspace_query(vs, 0x2000, q), 0);
	CHECK_EQ(q[2], RW | SEPTA_MAP_X);
}

void test_vspace_retype_count_beyond_vmids(void)
{
	uint64_t s = slot(), q[4];

	for (int i = 0; i < 254; i++)
		slot();
	CHECK_EQ(septa_untyped_retype(ct.ut, SEPTA_OBJ_VSPACE, 36, CNODE, 0, 0, s, 255),
		 SEPTA_E_NO_VMID);
	/* Nothing was made or used. */
	CHECK_EQ(septa_vspace_query(s, 0, q), SEPTA_E_MISSING_CAP);
	CHECK_EQ(septa_untyped_retype(ct.ut, SEPTA_OBJ_VSPACE, 36, CNODE, 0, 0, s, 254),
		 0);
}

void test_query_inside_block(void)
{
	uint64_t vs = vspace(40), pt2 = mk(SEPTA_OBJ_PAGE_TABLE, 0);
	uint64_t big = mk(SEPTA_OBJ_FRAME_2M, 0), pa, q[4];

	CHECK(vs && pt2 && big);
	CHECK_EQ(septa_page_table_map(pt2, vs, 0, 2, NULL), 0);
	CHECK_EQ(septa_frame_map(big, vs, 0x200000, RW, SEPTA_OWNED, 0, NULL, NULL), 0);
	CHECK_EQ(septa_frame_get_address(big, &pa), 0);
	CHECK_EQ(septa_vspace_query(vs, 0x2a5123, q), 0);
	CHECK_EQ(q[0], pa + 0xa5000); /* the page's own address within the block */
}

/* 44 bits: start level 0, so the last page needs three tables, one more
 * than a FRAME_MAP carries: it says so, and one PAGE_TABLE_MAP from the
 * top makes up the difference. */
void test_top_of_ipa_space(void)
{
	uint64_t vs = vspace(44), f = mk(SEPTA_OBJ_FRAME_4K, 0), q[4];
	uint64_t top = (1ULL << 44) - 4096, pt[3];
	struct septa_no_table nt;

	for (unsigned i = 0; i < 3; i++)
		pt[i] = mk(SEPTA_OBJ_PAGE_TABLE, 0);
	CHECK(vs && f && pt[0] && pt[1] && pt[2]);
	CHECK_EQ(septa_frame_map(f, vs, top, RW, SEPTA_OWNED, 0, NULL, &nt),
		 SEPTA_E_NO_TABLE);
	CHECK_EQ(nt.level, 0);
	CHECK_EQ(nt.missing, 3);
	CHECK_EQ(septa_frame_map(f, vs, top, RW, SEPTA_OWNED, 2, pt, &nt),
		 SEPTA_E_NO_TABLE);
	CHECK_EQ(nt.level, 0);
	CHECK_EQ(nt.missing, 1);
	CHECK_EQ(septa_vspace_query(vs, top, q), 0);
	CHECK_EQ(q[1], 0); /* nothing changed: the level-0 entry is still empty */
	CHECK_EQ(
	    septa_page_table_map(pt[2], vs, top & ~(septa_level_size(0) - 1), 1, NULL),
	    0);
	CHECK_EQ(septa_frame_map(f, vs, top, RW, SEPTA_OWNED, 2, pt, NULL), 0);
	CHECK_EQ(septa_vspace_query(vs, top, q), 0);
	CHECK_EQ(q[1], 3);
	CHECK_EQ(septa_vspace_query(vs, 1ULL << 44, q), SEPTA_E_RANGE);
}

/* FRAME_MAP with the tables it needs: none, one or two given, each level
 * reached in the one call; given too few, it changes nothing. */
void test_frame_map_with_tables(void)
{
	uint64_t vs = vspace(40), f = mk(SEPTA_OBJ_FRAME_4K, 0), big;
	uint64_t pt[4], q[4], pa;
	struct septa_no_table nt;

	for (unsigned i = 0; i < 4; i++)
		pt[i] = mk(SEPTA_OBJ_PAGE_TABLE, 0);
	big = mk(SEPTA_OBJ_FRAME_2M, 0); /* the upper half of the 4 MiB: made last */
	CHECK(vs && f && big && pt[0] && pt[1] && pt[2] && pt[3]);
	/* A page under an empty level-1 entry: one table given is too few. */
	CHECK_EQ(septa_frame_map(f, vs, 0x1000, RW, SEPTA_OWNED, 1, pt, &nt),
		 SEPTA_E_NO_TABLE);
	CHECK_EQ(nt.level, 1);
	CHECK_EQ(nt.missing, 1);
	CHECK_EQ(septa_vspace_query(vs, 0x1000, q), 0);
	CHECK_EQ(q[0], 0);
	CHECK_EQ(q[1], 1);
	/* Two: the level-2 table (given first) and the level-3 one. */
	CHECK_EQ(septa_frame_map(f, vs, 0x1000, RW, SEPTA_SHARED_OWNED, 2, pt, NULL), 0);
	CHECK_EQ(septa_frame_get_address(f, &pa), 0);
	CHECK_EQ(septa_vspace_query(vs, 0x1000, q), 0);
	CHECK_EQ(q[0], pa);
	CHECK_EQ(q[1], 3);
	CHECK_EQ(q[3], SEPTA_SHARED_OWNED);
	/* The tables count as mapped where they went. */
	CHECK_EQ(septa_page_table_map(pt[0], vs, 1ULL << 30, 2, NULL), SEPTA_E_IN_USE);
	CHECK_EQ(septa_page_table_map(pt[1], vs, 0x200000, 3, NULL), SEPTA_E_IN_USE);
	/* A 2 MiB block in the next 1 GiB needs one; a second given stays out. */
	CHECK_EQ(septa_frame_map(big, vs, 1ULL << 30, RW, SEPTA_OWNED, 2, pt + 2, NULL),
		 0);
	CHECK_EQ(septa_vspace_query(vs, (1ULL << 30) + 0x1000, q), 0);
	CHECK_EQ(q[1], 2);
	CHECK_EQ(septa_page_table_map(pt[3], vs, 0x200000, 3, NULL), 0);
	/* Deleting the level-3 table takes the page with it. */
	CHECK_EQ(septa_cnode_delete(CNODE, pt[1], DEPTH), 0);
	CHECK_EQ(septa_vspace_query(vs, 0x1000, q), 0);
	CHECK_EQ(q[0], 0);
	CHECK_EQ(q[1], 2);
}

/* A table source that runs dry after one table, and what it got back. */
struct dry_source {
	uint64_t made, dropped;
	unsigned left, drops;
};

static uint64_t dry_make(void *arg)
{
	struct dry_source *d = arg;

	if (!d->left)
		return 0;
	d->left--;
	return d->made = mk(SEPTA_OBJ_PAGE_TABLE, 0);
}

static void dry_drop(void *arg, uint64_t pt)
{
	struct dry_source *d = arg;

	d->dropped = pt;
	d->drops++;
}

/* septa_frame_map_with_tables whose source fails halfway: the table it
 * made is given back unlinked, and nothing is mapped. */
void test_frame_map_tables_given_back(void)
{
	struct dry_source d = {0, 0, 1, 0};
	const struct septa_table_source src = {dry_make, dry_drop, &d};
	uint64_t vs = vspace(40), f = mk(SEPTA_OBJ_FRAME_4K, 0), q[4];
	struct septa_no_table nt;

	CHECK(vs && f);
	CHECK_EQ(septa_frame_map_with_tables(f, vs, 0x1000, RW, SEPTA_OWNED, &src, &nt),
		 SEPTA_E_NO_MEMORY);
	CHECK_EQ(nt.missing, 2);
	CHECK(d.made);
	CHECK_EQ(d.drops, 1);
	CHECK_EQ(d.dropped, d.made);
	CHECK_EQ(septa_vspace_query(vs, 0x1000, q), 0);
	CHECK_EQ(q[0], 0);
	/* It was not linked: it can go where it is needed. */
	CHECK_EQ(septa_page_table_map(d.made, vs, 0, 2, NULL), 0);
	/* Given enough, the map is one call and nothing is given back. */
	d.left = 1;
	CHECK_EQ(septa_frame_map_with_tables(f, vs, 0x1000, RW, SEPTA_OWNED, &src, NULL),
		 0);
	CHECK_EQ(d.drops, 1);
	CHECK_EQ(septa_vspace_query(vs, 0x1000, q), 0);
	CHECK(q[0]);
}

/* Tables given to FRAME_MAP are checked whether it needs them or not; a
 * refusal changes nothing. */
void test_frame_map_table_caps_bad(void)
{
	uint64_t vs = ready_vspace32(), f = mk(SEPTA_OBJ_FRAME_4K, 0),
		 g = mk(SEPTA_OBJ_FRAME_4K, 0), pt = mk(SEPTA_OBJ_PAGE_TABLE, 0);
	uint64_t used = mk(SEPTA_OBJ_PAGE_TABLE, 0), two[2] = {pt, pt}, q[4];

	CHECK(vs && f && g && pt && used);
	CHECK_EQ(septa_frame_map(f, vs, 0x1000, RW, SEPTA_OWNED, 1, &g, NULL),
		 SEPTA_E_CAP_TYPE);
	CHECK_EQ(septa_frame_map(f, vs, 0x1000, RW, SEPTA_OWNED, 1, &vs, NULL),
		 SEPTA_E_CAP_TYPE);
	CHECK_EQ(septa_frame_map(f, vs, 0x1000, RW, SEPTA_OWNED, 2, two, NULL),
		 SEPTA_E_ARG);
	CHECK_EQ(septa_page_table_map(used, vs, 0x200000, 3, NULL), 0);
	CHECK_EQ(septa_frame_map(f, vs, 0x1000, RW, SEPTA_OWNED, 1, &used, NULL),
		 SEPTA_E_IN_USE);
	CHECK_EQ(septa_frame_map(f, vs, 0x1000, RW, SEPTA_OWNED, 3, two, NULL),
		 SEPTA_E_EXTRA_CAPS);
	CHECK_EQ(septa_vspace_query(vs, 0x1000, q), 0);
	CHECK_EQ(q[0], 0);
	/* The frame is still unmapped, the table still free. */
	CHECK_EQ(septa_frame_map(f, vs, 0x1000, RW, SEPTA_OWNED, 1, &pt, NULL), 0);
	CHECK_EQ(septa_page_table_map(pt, vs, 0x400000, 3, NULL), 0);
}

void test_unmap_unmapped_is_harmless(void)
{
	uint64_t pt = mk(SEPTA_OBJ_PAGE_TABLE, 0), f = mk(SEPTA_OBJ_FRAME_4K, 0);

	CHECK_EQ(septa_page_table_unmap(pt), 0);
	CHECK_EQ(septa_frame_unmap(f), 0);
	CHECK_EQ(septa_page_table_unmap(f), SEPTA_E_LABEL); /* a frame is no page table */
}

void test_protect_never_adds_rights(void)
{
	uint64_t vs = ready_vspace32(), f = mk(SEPTA_OBJ_FRAME_4K, 0), q[4];
	uint64_t pt = mk(SEPTA_OBJ_PAGE_TABLE, 0), two[2] = {pt, pt};

	CHECK(vs && f && pt);
	CHECK_EQ(septa_frame_map(f, vs, 0x1000, SEPTA_MAP_R, SEPTA_OWNED, 0, NULL, NULL),
		 0);
	CHECK_EQ(septa_vspace_protect(vs, 0x1000, 4096, RW | SEPTA_MAP_X, 0, NULL, NULL),
		 0);
	CHECK_EQ(septa_vspace_query(vs, 0x1000, q), 0);
	CHECK_EQ(q[2], SEPTA_MAP_R);
	CHECK_EQ(septa_vspace_protect(vs, 0x1000, 4096, 8, 0, NULL, NULL), SEPTA_E_ARG);
	CHECK_EQ(septa_vspace_protect(vs, 0x1800, 4096, 0, 0, NULL, NULL), SEPTA_E_ALIGN);
	CHECK_EQ(septa_vspace_protect(vs, 0x1000, 0, 0, 0, NULL, NULL), SEPTA_E_RANGE);
	CHECK_EQ(septa_vspace_protect(vs, 1ULL << 32, 4096, 0, 0, NULL, NULL),
		 SEPTA_E_RANGE);
	CHECK_EQ(septa_vspace_protect(vs, 0x1000, 4096, 0, 1, &f, NULL),
		 SEPTA_E_CAP_TYPE);
	CHECK_EQ(septa_vspace_protect(vs, 0x1000, 4096, 0, 2, two, NULL), SEPTA_E_ARG);
	/* Taking everything leaves the page mapped with no access at all. */
	CHECK_EQ(septa_vspace_protect(vs, 0x1000, 4096, 0, 0, NULL, NULL), 0);
	CHECK_EQ(septa_vspace_query(vs, 0x1000, q), 0);
	CHECK(q[0] != 0);
	CHECK_EQ(q[2], 0);
}

/* A PageTable unmapped while it still maps a page keeps its entries until
 * it is linked again; lent to a FRAME_MAP in another VSpace, it goes in
 * cleared: that VSpace sees its own page and nothing of the first's. */
void test_lent_table_brings_nothing(void)
{
	uint64_t a = vspace(32), b = vspace(32), pt = mk(SEPTA_OBJ_PAGE_TABLE, 0);
	uint64_t f = mk(SEPTA_OBJ_FRAME_4K, 0), g = mk(SEPTA_OBJ_FRAME_4K, 0), q[4], pa;

	CHECK(a && b && pt && f && g);
	CHECK_EQ(septa_page_table_map(pt, a, 0, 3, NULL), 0);
	CHECK_EQ(septa_frame_map(f, a, 0x1000, RW, SEPTA_OWNED, 0, NULL, NULL), 0);
	CHECK_EQ(septa_page_table_unmap(pt), 0);
	CHECK_EQ(septa_frame_map(g, b, 0x2000, RW, SEPTA_OWNED, 1, &pt, NULL), 0);
	CHECK_EQ(septa_frame_get_address(g, &pa), 0);
	CHECK_EQ(septa_vspace_query(b, 0x2000, q), 0);
	CHECK_EQ(q[0], pa);
	CHECK_EQ(q[1], 3);
	CHECK_EQ(septa_vspace_query(b, 0x1000, q), 0);
	CHECK_EQ(q[0], 0);
	CHECK_EQ(q[1], 3);
}

/* A frame whose table was unmapped under it is mapped nowhere: its stale
 * record does not stop it being mapped again (it said E_IN_USE), and the
 * old address stays empty. */
void test_frame_maps_after_its_table_went(void)
{
	uint64_t vs = mk(SEPTA_OBJ_VSPACE, 32), pt = mk(SEPTA_OBJ_PAGE_TABLE, 0),
		 f = mk(SEPTA_OBJ_FRAME_4K, 0), q[4], pa;

	CHECK(vs && pt && f);
	CHECK_EQ(septa_page_table_map(pt, vs, 0, 3, NULL), 0);
	CHECK_EQ(septa_frame_map(f, vs, 0x1000, SEPTA_MAP_R | SEPTA_MAP_W, SEPTA_OWNED, 0,
				 NULL, NULL),
		 0);
	CHECK_EQ(septa_page_table_unmap(pt), 0);
	CHECK_EQ(septa_page_table_map(pt, vs, 0, 3, NULL), 0);
	CHECK_EQ(septa_frame_map(f, vs, 0x2000, SEPTA_MAP_R | SEPTA_MAP_W, SEPTA_OWNED, 0,
				 NULL, NULL),
		 0);
	CHECK_EQ(septa_frame_get_address(f, &pa), 0);
	CHECK_EQ(septa_vspace_query(vs, 0x2000, q), 0);
	CHECK_EQ(q[0], pa);
	CHECK_EQ(septa_vspace_query(vs, 0x1000, q), 0);
	CHECK_EQ(q[0], 0);
	/* Unmapping it takes the new mapping, not an entry at the old one. */
	CHECK_EQ(septa_frame_unmap(f), 0);
	CHECK_EQ(septa_vspace_query(vs, 0x2000, q), 0);
	CHECK_EQ(q[0], 0);
}

/* A mapping record of a VSpace that died stays dead when another VSpace
 * takes its VMID (the lowest free one): deleting the old record's frame
 * capability leaves the heir's mapping of that frame, made through a copy
 * at the same address, in place. */
void test_dead_vspace_record_spares_its_vmid_heir(void)
{
	uint64_t a = ready_vspace32(), f = mk(SEPTA_OBJ_FRAME_4K, 0), c2 = slot(), b;
	uint64_t q[4] = {0}, pa = 0;

	CHECK(a && f);
	CHECK_EQ(septa_frame_get_address(f, &pa), 0);
	CHECK_EQ(septa_cnode_copy(CNODE, c2, DEPTH, CNODE, f, DEPTH, SEPTA_RIGHTS_ALL),
		 0);
	CHECK_EQ(septa_frame_map(f, a, 0x1000, RW, SEPTA_OWNED, 0, NULL, NULL), 0);
	CHECK_EQ(septa_cnode_delete(CNODE, a, DEPTH), 0);
	b = ready_vspace32();
	CHECK(b);
	CHECK_EQ(septa_frame_map(c2, b, 0x1000, RW, SEPTA_OWNED, 0, NULL, NULL), 0);
	CHECK_EQ(septa_cnode_delete(CNODE, f, DEPTH), 0);
	CHECK_EQ(septa_vspace_query(b, 0x1000, q), 0);
	CHECK_EQ(q[0], pa);
}
