/* Edges of the walker the mutation run found unguarded (docs/testing.md):
 * the largest address space's start level, and the owner's unmap that
 * frees a frame (pgt_unmap_own). */
#include "pgt_fake.h"

/* With a 4 KiB granule level 0 has no blocks: a 512 GiB range, aligned
 * in and out, is mapped with 1 GiB blocks under a level-1 table. */
static void test_no_level0_block(void)
{
	const uint64_t g0 = 1ULL << 39;
	struct pgt p;
	struct pgt_map_req req;

	pgt_fake_new(&p, 48);
	CU_ASSERT_EQUAL_FATAL(p.geom.start_level, 0);
	CU_ASSERT_EQUAL(pgt_fake_map(&p, 0, g0, g0, true, false, 0, &req),
			PGT_E_NO_TABLE);
	CU_ASSERT_EQUAL(req.tables, 1);
	CU_ASSERT_EQUAL(req.stop_level, 0);
	CU_ASSERT_EQUAL(pgt_fake_map(&p, 0, g0, g0, true, false, 1, NULL), PGT_OK);
	pgt_fake_expect_leaf(&p, 0, g0, 1);
	pgt_fake_expect_leaf(&p, g0 - (1ULL << 30), 2 * g0 - (1ULL << 30), 1);
}

/* An owner's unmap removes only what maps its own frame: a translation of
 * the same range to another frame stays. */
static void test_unmap_own_leaves_others(void)
{
	struct pgt p;

	pgt_fake_new(&p, 40);
	CU_ASSERT_EQUAL(
	    pgt_fake_map(&p, 0x1000, 0x50000000, SEPTA_PAGE_SIZE, false, false, 2, NULL),
	    PGT_OK);
	CU_ASSERT_EQUAL(
	    pgt_fake_map(&p, 0x2000, 0x40002000, SEPTA_PAGE_SIZE, false, false, 0, NULL),
	    PGT_OK);
	/* The frame at 0x40001000 would map [0x1000, 0x3000) at 0x1000. */
	CU_ASSERT_EQUAL(pgt_unmap_own(&p, 0x1000, 0x2000, 0x40001000, 0), 0x2000);
	pgt_fake_expect_leaf(&p, 0x1000, 0x50000000, 3);
	pgt_fake_expect_unmapped(&p, 0x2000);
	/* Its own translation at the same place does go. */
	CU_ASSERT_EQUAL(pgt_unmap_own(&p, 0x1000, SEPTA_PAGE_SIZE, 0x50000000, 0),
			SEPTA_PAGE_SIZE);
	pgt_fake_expect_unmapped(&p, 0x1000);
}

/* Every leaf the owner's unmap clears is gone from the TLB when it
 * returns: by its own invalidation or by one flush of the whole VMID. */
static void test_unmap_own_invalidates_each(void)
{
	for (unsigned n = 1; n <= 3; n++) {
		struct pgt p;

		pgt_fake_new(&p, 40);
		CU_ASSERT_EQUAL(pgt_fake_map(&p, 0x1000, 0x40001000, n * SEPTA_PAGE_SIZE,
					     false, false, 2, NULL),
				PGT_OK);
		pgt_fake_tlb_invals = 0;
		pgt_fake_tlb_flushes = 0;
		CU_ASSERT_EQUAL(
		    pgt_unmap_own(&p, 0x1000, n * SEPTA_PAGE_SIZE, 0x40001000, 0),
		    n * SEPTA_PAGE_SIZE);
		for (unsigned i = 0; i < n; i++)
			pgt_fake_expect_unmapped(&p, 0x1000 + i * SEPTA_PAGE_SIZE);
		CU_ASSERT(pgt_fake_tlb_flushes >= 1 || pgt_fake_tlb_invals >= n);
	}
}

void suite_pgtable_edges(void)
{
	CU_pSuite s = CU_add_suite("pgtable_edges", pgt_fake_setup, pgt_fake_teardown);

	CU_add_test(s, "no block at level 0", test_no_level0_block);
	CU_add_test(s, "an owner's unmap leaves other frames' translations",
		    test_unmap_own_leaves_others);
	CU_add_test(s, "an owner's unmap invalidates every leaf it clears",
		    test_unmap_own_invalidates_each);
}
