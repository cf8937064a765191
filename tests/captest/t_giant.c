/*
 * 1 GiB frames (issue 14: no kernel entry's work grows with what user
 * level built). A 1 GiB frame split into pages by protects has 262,144
 * entries: its unmap goes in steps of 512 (the call restarts), so a thread
 * can be stopped between two steps. The thread here runs its FRAME_UNMAP
 * from the frame's own first page: the first step removes that page, so
 * the restarted call faults before its second step, and the test sees
 * (and acts on) the half-done unmap. Mapping one over last-level tables
 * (262,144 entries in 513 tables) is refused with E_LIMIT.
 *
 * Needs a 2 GiB Untyped for the frame (qemu.captest runs with -m 3G).
 */
#include <stdbool.h>
#include <string.h>
#include "captest.h"

#define GIB	    (1ULL << 30)
#define MIB2	    (1ULL << 21)
#define GIANT_BITS  40		  /* a VSpace whose level-1 entries are 1 GiB */
#define GIANT_IPA   GIB		  /* in it, one level-1 entry */
#define GIANT_VIEW  0x80000000ULL /* where the suite sees the frame */
#define RWX	    (SEPTA_MAP_R | SEPTA_MAP_W | SEPTA_MAP_X)
#define SVC_0	    0xd4000001u
#define BRANCH_SELF 0x14000000u

/* A 1 GiB frame from the suite's largest Untyped (its own test Untyped is
 * 4 MiB); after() deletes its slot with the others. */
static uint64_t giant_frame(uint64_t *paddr)
{
	unsigned best = 0;
	uint64_t s = slot();

	for (unsigned i = 1; i < bi->untyped_count; i++)
		if (!bi->untyped[i].is_device &&
		    bi->untyped[i].size_bits > bi->untyped[best].size_bits)
			best = i;
	if (bi->untyped[best].size_bits < 31 ||
	    septa_untyped_retype(bi->untyped_slot + best, SEPTA_OBJ_FRAME_1G, 0, CNODE, 0,
				 0, s, 1) ||
	    septa_frame_get_address(s, paddr))
		return 0;
	return s;
}

/* What VSPACE_QUERY says of ipa: the physical address (0: unmapped). */
static uint64_t pa_at(uint64_t vs, uint64_t ipa, uint64_t *level)
{
	uint64_t out[4] = {0};

	if (septa_vspace_query(vs, ipa, out))
		return ~0ULL;
	if (level)
		*level = out[1];
	return out[0];
}

/* Mapped as one block, protected in one page (the block splits into 512
 * 2 MiB blocks, one of them into pages), unmapped (in two steps): each
 * query answers what the tables hold, and the frame maps again after. */
void test_giant_map_protect_unmap(void)
{
	uint64_t pa, f = giant_frame(&pa), vs = mk(SEPTA_OBJ_VSPACE, GIANT_BITS);
	uint64_t pt[2] = {mk(SEPTA_OBJ_PAGE_TABLE, 0), mk(SEPTA_OBJ_PAGE_TABLE, 0)};
	uint64_t level = 0, out[4];

	CHECK(f && vs && pt[0] && pt[1]);
	CHECK_EQ(septa_frame_map(f, vs, GIANT_IPA, RWX, SEPTA_OWNED, 0, NULL, NULL), 0);
	CHECK_EQ(pa_at(vs, GIANT_IPA + GIB - 4096, &level), pa + GIB - 4096);
	CHECK_EQ(level, 1);
	CHECK_EQ(septa_vspace_protect(vs, GIANT_IPA + 0x123000, 4096, SEPTA_MAP_R, 2, pt,
				      NULL),
		 0);
	CHECK_EQ(septa_vspace_query(vs, GIANT_IPA + 0x123000, out), 0);
	CHECK_EQ(out[0], pa + 0x123000);
	CHECK_EQ(out[1], 3);
	CHECK_EQ(out[2], SEPTA_MAP_R);
	CHECK_EQ(septa_vspace_query(vs, GIANT_IPA + 0x124000, out), 0);
	CHECK_EQ(out[1], 3);
	CHECK_EQ(out[2], RWX);
	CHECK_EQ(pa_at(vs, GIANT_IPA + 5 * MIB2, &level), pa + 5 * MIB2);
	CHECK_EQ(level, 2);
	/* 511 blocks and 512 pages: more than one step. */
	CHECK_EQ(septa_frame_unmap(f), 0);
	CHECK_EQ(pa_at(vs, GIANT_IPA, NULL), 0);
	CHECK_EQ(pa_at(vs, GIANT_IPA + 0x123000, NULL), 0);
	CHECK_EQ(pa_at(vs, GIANT_IPA + GIB - 4096, NULL), 0);
	/* Its record went: it maps again, as 512 blocks in the level-2 table
	 * once the level-3 one is out of the way (E_LIMIT until then). */
	CHECK_EQ(septa_frame_map(f, vs, GIANT_IPA, RWX, SEPTA_OWNED, 0, NULL, NULL),
		 SEPTA_E_LIMIT);
	CHECK_EQ(septa_page_table_unmap(pt[1]), 0);
	CHECK_EQ(septa_frame_map(f, vs, GIANT_IPA, RWX, SEPTA_OWNED, 0, NULL, NULL), 0);
	CHECK_EQ(pa_at(vs, GIANT_IPA + 0x123000, &level), pa + 0x123000);
	CHECK_EQ(level, 2);
	CHECK_EQ(septa_frame_unmap(f), 0);
}

/* Over a level-2 table with one level-3 table in it: 511 + 512 entries to
 * visit, refused with E_LIMIT and nothing changed; over the level-2 table
 * alone (512 blocks) it maps. Without the limit it mapped 1023 entries. */
void test_bad_frame_map_limit_over_last_level_tables(void)
{
	uint64_t pa, f = giant_frame(&pa), vs = mk(SEPTA_OBJ_VSPACE, GIANT_BITS);
	uint64_t l2 = mk(SEPTA_OBJ_PAGE_TABLE, 0), l3 = mk(SEPTA_OBJ_PAGE_TABLE, 0);
	uint64_t small = mk(SEPTA_OBJ_FRAME_4K, 0), level = 0;

	CHECK(f && vs && l2 && l3 && small);
	CHECK_EQ(septa_page_table_map(l2, vs, GIANT_IPA, 2, NULL), 0);
	CHECK_EQ(septa_page_table_map(l3, vs, GIANT_IPA + 7 * MIB2, 3, NULL), 0);
	CHECK_EQ(septa_frame_map(f, vs, GIANT_IPA, RWX, SEPTA_OWNED, 0, NULL, NULL),
		 SEPTA_E_LIMIT);
	CHECK_EQ(pa_at(vs, GIANT_IPA, NULL), 0);
	CHECK_EQ(pa_at(vs, GIANT_IPA + 7 * MIB2, NULL), 0);
	/* The tables are where they were: a page maps there without any. */
	CHECK_EQ(septa_frame_map(small, vs, GIANT_IPA + 7 * MIB2, RWX, SEPTA_OWNED, 0,
				 NULL, NULL),
		 0);
	CHECK_EQ(septa_frame_unmap(small), 0);
	/* And the frame was not recorded as mapped: it maps once l3 is gone. */
	CHECK_EQ(septa_page_table_unmap(l3), 0);
	CHECK_EQ(septa_frame_map(f, vs, GIANT_IPA, RWX, SEPTA_OWNED, 0, NULL, NULL), 0);
	CHECK_EQ(pa_at(vs, GIANT_IPA + 7 * MIB2, &level), pa + 7 * MIB2);
	CHECK_EQ(level, 2);
	CHECK_EQ(septa_frame_unmap(f), 0);
}

struct giant_cut {
	uint64_t frame, pa, vs, tcb, ep;
};

/*
 * The frame mapped at GIANT_IPA in a fresh VSpace with its first 2 MiB
 * split into pages (512 entries: the first step's), and a thread running
 * there from the frame's first page: `svc` FRAME_UNMAP of the frame. Its
 * first step removes its own code, so the restarted call faults; on
 * return the unmap is half done: the first 2 MiB gone, the rest mapped.
 */
static bool giant_cut_short(struct giant_cut *g)
{
	static const uint32_t code[] = {SVC_0, BRANCH_SELF};
	uint64_t view = slot(), buf = mk(SEPTA_OBJ_FRAME_4K, 0);
	uint64_t pt[2] = {mk(SEPTA_OBJ_PAGE_TABLE, 0), mk(SEPTA_OBJ_PAGE_TABLE, 0)};
	struct septa_msg m = {0};
	uint64_t regs[10] = {GIANT_IPA, 0};

	g->frame = giant_frame(&g->pa);
	g->vs = mk(SEPTA_OBJ_VSPACE, GIANT_BITS);
	g->tcb = mk(SEPTA_OBJ_TCB, 0);
	g->ep = mk(SEPTA_OBJ_ENDPOINT, 0);
	if (!g->frame || !g->vs || !g->tcb || !g->ep || !buf || !pt[0] || !pt[1])
		return false;
	/* The code, written through a view the suite deletes again. */
	if (septa_cnode_copy(CNODE, view, DEPTH, CNODE, g->frame, DEPTH,
			     SEPTA_RIGHTS_ALL) ||
	    septa_frame_map(view, VSPACE, GIANT_VIEW, SEPTA_MAP_R | SEPTA_MAP_W,
			    SEPTA_SHARED_OWNED, 0, NULL, NULL))
		return false;
	memcpy((void *)(uintptr_t)GIANT_VIEW, code, sizeof(code));
	__asm__ volatile(
	    "dc cvau, %0; dsb ish; ic ivau, %0; dsb ish; isb" ::"r"(GIANT_VIEW)
	    : "memory");
	if (septa_cnode_delete(CNODE, view, DEPTH) ||
	    septa_frame_map(g->frame, g->vs, GIANT_IPA, RWX, SEPTA_OWNED, 0, NULL,
			    NULL) ||
	    septa_vspace_protect(g->vs, GIANT_IPA + 4096, MIB2 - 4096, RWX, 2, pt,
				 NULL) ||
	    pa_at(g->vs, GIANT_IPA, NULL) != g->pa)
		return false;
	regs[2] = g->frame; /* x0: the capability; x1: the message; x7: CALL */
	regs[3] = septa_msginfo(SEPTA_FRAME_UNMAP, 0, 0);
	regs[9] = SEPTA_SYS_CALL;
	if (septa_tcb_configure(g->tcb, g->ep, CNODE, g->vs, buf, 0x1000) ||
	    septa_tcb_set_priority(g->tcb, LOW_PRIO) ||
	    septa_tcb_write_registers(g->tcb, 1, 10, regs) || septa_recv(g->ep, &m))
		return false;
	return SEPTA_MSG_LABEL(m.info) == SEPTA_FAULT_ABORT &&
	       m.mr[SEPTA_ABORT_IPA] == GIANT_IPA;
}

/* Between steps: what is done is gone, the rest is mapped and recorded
 * (the frame maps nowhere else); the unmap, called again, finishes. */
void test_giant_unmap_restarts_between_steps(void)
{
	struct giant_cut g;
	uint64_t level = 0, other = mk(SEPTA_OBJ_VSPACE, GIANT_BITS);

	CHECK(giant_cut_short(&g) && other);
	CHECK_EQ(pa_at(g.vs, GIANT_IPA, NULL), 0);
	CHECK_EQ(pa_at(g.vs, GIANT_IPA + MIB2 - 4096, NULL), 0);
	CHECK_EQ(pa_at(g.vs, GIANT_IPA + MIB2, &level), g.pa + MIB2);
	CHECK_EQ(level, 2);
	CHECK_EQ(pa_at(g.vs, GIANT_IPA + GIB - 4096, NULL), g.pa + GIB - 4096);
	CHECK_EQ(
	    septa_frame_map(g.frame, other, GIANT_IPA, RWX, SEPTA_OWNED, 0, NULL, NULL),
	    SEPTA_E_IN_USE);
	CHECK_EQ(septa_tcb_suspend(g.tcb), 0);
	CHECK_EQ(septa_frame_unmap(g.frame), 0);
	CHECK_EQ(pa_at(g.vs, GIANT_IPA + MIB2, NULL), 0);
	CHECK_EQ(pa_at(g.vs, GIANT_IPA + GIB - 4096, NULL), 0);
	CHECK_EQ(
	    septa_frame_map(g.frame, other, GIANT_IPA, RWX, SEPTA_OWNED, 0, NULL, NULL),
	    0);
	CHECK_EQ(septa_frame_unmap(g.frame), 0);
}

/* Deleting the frame between steps removes the rest of its mapping (in
 * steps of its own) before the capability goes. */
void test_giant_delete_between_steps(void)
{
	struct giant_cut g;

	CHECK(giant_cut_short(&g));
	CHECK_EQ(pa_at(g.vs, GIANT_IPA + GIB - 4096, NULL), g.pa + GIB - 4096);
	CHECK_EQ(septa_cnode_delete(CNODE, g.frame, DEPTH), 0);
	CHECK_EQ(pa_at(g.vs, GIANT_IPA + MIB2, NULL), 0);
	CHECK_EQ(pa_at(g.vs, GIANT_IPA + GIB / 2, NULL), 0);
	CHECK_EQ(pa_at(g.vs, GIANT_IPA + GIB - 4096, NULL), 0);
}

/* Deleting the VSpace between steps takes the rest with it: the record is
 * stale, the unmap has nothing left to do and the frame maps elsewhere. */
void test_giant_vspace_deleted_between_steps(void)
{
	struct giant_cut g;
	uint64_t other = mk(SEPTA_OBJ_VSPACE, GIANT_BITS), pa;

	CHECK(giant_cut_short(&g) && other);
	CHECK_EQ(septa_cnode_delete(CNODE, g.tcb, DEPTH), 0);
	CHECK_EQ(septa_cnode_delete(CNODE, g.vs, DEPTH), 0);
	CHECK_EQ(septa_frame_unmap(g.frame), 0);
	CHECK_EQ(
	    septa_frame_map(g.frame, other, GIANT_IPA, RWX, SEPTA_OWNED, 0, NULL, NULL),
	    0);
	CHECK_EQ(pa_at(other, GIANT_IPA + GIB - 4096, NULL), g.pa + GIB - 4096);
	CHECK_EQ(septa_frame_get_address(g.frame, &pa), 0);
	CHECK_EQ(pa, g.pa);
}

/*
 * The table under the frame's first page taken away (PAGE_TABLE_UNMAP of
 * the level-3 table a protect split its first block into): the record is
 * stale, yet 1022 MiB of the frame stay mapped through the level-2 table.
 * Before, an unmap or a map elsewhere then only dropped the record, and
 * the frame's memory could be freed and reused while still mapped there.
 * Now the unmap removes what maps this frame at its offset, stale or not.
 */
void test_giant_stale_record_unmaps_the_rest(void)
{
	uint64_t pa, f = giant_frame(&pa), vs = mk(SEPTA_OBJ_VSPACE, GIANT_BITS);
	uint64_t other = mk(SEPTA_OBJ_VSPACE, GIANT_BITS);
	uint64_t pt[2] = {mk(SEPTA_OBJ_PAGE_TABLE, 0), mk(SEPTA_OBJ_PAGE_TABLE, 0)};

	CHECK(f && vs && other && pt[0] && pt[1]);
	CHECK_EQ(septa_frame_map(f, vs, GIANT_IPA, RWX, SEPTA_OWNED, 0, NULL, NULL), 0);
	CHECK_EQ(
	    septa_vspace_protect(vs, GIANT_IPA + 4096, 4096, SEPTA_MAP_R, 2, pt, NULL),
	    0);
	CHECK_EQ(septa_page_table_unmap(pt[1]), 0);
	CHECK_EQ(pa_at(vs, GIANT_IPA, NULL), 0);
	CHECK_EQ(pa_at(vs, GIANT_IPA + GIB - 4096, NULL), pa + GIB - 4096);
	/* Mapped elsewhere: the rest goes from the old place first. */
	CHECK_EQ(septa_frame_map(f, other, GIANT_IPA, RWX, SEPTA_OWNED, 0, NULL, NULL),
		 0);
	CHECK_EQ(pa_at(vs, GIANT_IPA + MIB2, NULL), 0);
	CHECK_EQ(pa_at(vs, GIANT_IPA + GIB - 4096, NULL), 0);
	CHECK_EQ(pa_at(other, GIANT_IPA + GIB - 4096, NULL), pa + GIB - 4096);
	/* The same through an unmap, in the other VSpace. */
	CHECK_EQ(septa_frame_unmap(f), 0);
	CHECK_EQ(septa_frame_map(f, vs, GIANT_IPA, RWX, SEPTA_OWNED, 0, NULL, NULL), 0);
	CHECK_EQ(pa_at(vs, GIANT_IPA + GIB - 4096, NULL), pa + GIB - 4096);
	CHECK_EQ(septa_vspace_protect(vs, GIANT_IPA + 4096, 4096, SEPTA_MAP_R, 1, pt + 1,
				      NULL),
		 0);
	CHECK_EQ(septa_page_table_unmap(pt[1]), 0);
	CHECK_EQ(septa_frame_unmap(f), 0);
	CHECK_EQ(pa_at(vs, GIANT_IPA + MIB2, NULL), 0);
	CHECK_EQ(pa_at(vs, GIANT_IPA + GIB - 4096, NULL), 0);
}
