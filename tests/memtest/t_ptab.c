/*
 * A 2 MiB block where a 4 KiB page was (servers/memsrv/ptab.c): memsrv
 * unlinks the empty last-level table the page's map left, so the block is
 * one entry of the client's VSpace, not 512 pages under that table; the
 * table serves the next page, and a table with a page under it stays.
 * The kernel's VSPACE_QUERY says which: the level of the leaf.
 */
#include "memtest.h"

#define XP 0x4c000000ULL /* 2 MiB aligned, nothing of memtest's there */

void test_ptab_block_over_freed_page(void)
{
	struct memsrv_audit a;
	uint64_t pg, blk, q[4];

	CHECK_EQ(memsrv_alloc(EP, 1, 1, XP + 5 * PAGE, MEMSRV_RW, &pg), MEMSRV_OK);
	kq(MY_VS, XP + 5 * PAGE, q);
	CHECK_EQ(q[0], pg);
	CHECK_EQ(q[1], 3);
	CHECK_EQ(memsrv_free(EP, pg, 1), MEMSRV_OK);
	kq(MY_VS, XP, q);
	CHECK_EQ(q[0], 0);
	CHECK_EQ(q[1], 3); /* the table is there, empty */
	CHECK_EQ(memsrv_alloc(EP, 512, 512, XP, MEMSRV_RW, &blk), MEMSRV_OK);
	kq(MY_VS, XP + 7 * PAGE, q);
	CHECK_EQ(q[0], blk + 7 * PAGE);
	CHECK_EQ(q[1], 2); /* a block */
	CHECK_EQ(memsrv_audit(EP, &a), MEMSRV_OK);
	CHECK_EQ(a.differences, 0);
	CHECK_EQ(memsrv_free(EP, blk, 512), MEMSRV_OK);
	/* A page there again gets a table again (the one kept). */
	CHECK_EQ(memsrv_alloc(EP, 1, 1, XP + 9 * PAGE, MEMSRV_RW, &pg), MEMSRV_OK);
	kq(MY_VS, XP + 9 * PAGE, q);
	CHECK_EQ(q[0], pg);
	CHECK_EQ(q[1], 3);
	CHECK_EQ(memsrv_audit(EP, &a), MEMSRV_OK);
	CHECK_EQ(a.differences, 0);
	CHECK_EQ(memsrv_free(EP, pg, 1), MEMSRV_OK);
}

void test_ptab_table_with_page_stays(void)
{
	uint64_t pg, blk, q[4];

	CHECK_EQ(memsrv_alloc(EP, 1, 1, XP + BLOCK + PAGE, MEMSRV_RW, &pg), MEMSRV_OK);
	/* Not free: refused as before, and the page keeps its mapping. */
	CHECK_EQ(memsrv_alloc(EP, 512, 512, XP + BLOCK, MEMSRV_RW, &blk),
		 MEMSRV_E_IPA_BUSY);
	kq(MY_VS, XP + BLOCK + PAGE, q);
	CHECK_EQ(q[0], pg);
	CHECK_EQ(q[1], 3);
	CHECK_EQ(memsrv_free(EP, pg, 1), MEMSRV_OK);
}
