/* The generic walker over a fake physical memory. Expected geometries come
 * from the Arm ARM's rules for VTCR_EL2.{T0SZ,SL0} with a 4 KiB granule. */
#include <string.h>
#include "pgt_fake.h"

static void test_geometry(void)
{
	static const struct {
		unsigned bits;
		bool concat;
		int start, pages;
	} cases[] = {
	    {32, true, 2, 4},  {34, true, 2, 16}, {35, true, 1, 1},  {36, true, 1, 1},
	    {39, true, 1, 1},  {40, true, 1, 2},  {42, true, 1, 8},  {43, true, 1, 16},
	    {44, true, 0, 1},  {48, true, 0, 1},  {39, false, 1, 1}, {40, false, 0, 1},
	    {48, false, 0, 1}, {30, false, 2, 1},
	};
	struct pgt_geom g;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CU_ASSERT_EQUAL(pgt_geom_init(&g, cases[i].bits, cases[i].concat),
				PGT_OK);
		CU_ASSERT_EQUAL(g.start_level, cases[i].start);
		CU_ASSERT_EQUAL(g.root_pages, cases[i].pages);
	}
	CU_ASSERT_EQUAL(pgt_geom_init(&g, 31, true), PGT_E_IA_BITS);
	CU_ASSERT_EQUAL(pgt_geom_init(&g, 49, true), PGT_E_IA_BITS);
	CU_ASSERT_EQUAL(pgt_geom_init(&g, 24, false), PGT_E_IA_BITS);
}

static void test_missing_tables_change_nothing(void)
{
	struct pgt p;
	struct pgt_map_req req;

	pgt_fake_new(&p, 40);
	CU_ASSERT_EQUAL(
	    pgt_fake_map(&p, 0x1000, 0x40001000, SEPTA_PAGE_SIZE, false, false, 0, &req),
	    PGT_E_NO_TABLE);
	CU_ASSERT_EQUAL(req.stop_level, 1);
	CU_ASSERT_EQUAL(req.tables, 2); /* a level-2 and a level-3 table */
	CU_ASSERT(pgt_fake_all_zero(pgt_fake_mem, 2 * SEPTA_PAGE_SIZE));
	/* One page short is still refused, and still changes nothing. */
	CU_ASSERT_EQUAL(
	    pgt_fake_map(&p, 0x1000, 0x40001000, SEPTA_PAGE_SIZE, false, false, 1, &req),
	    PGT_E_NO_TABLE);
	CU_ASSERT(pgt_fake_all_zero(pgt_fake_mem, 2 * SEPTA_PAGE_SIZE));
}

static void test_map_page_then_leaf_only(void)
{
	struct pgt p;
	struct pgt_map_req req;

	pgt_fake_new(&p, 40);
	CU_ASSERT_EQUAL(
	    pgt_fake_map(&p, 0x1000, 0x40001000, SEPTA_PAGE_SIZE, false, false, 2, &req),
	    PGT_OK);
	pgt_fake_expect_leaf(&p, 0x1000, 0x40001000, 3);
	/* A neighbour in the same 2 MiB needs no table at all. */
	CU_ASSERT_EQUAL(
	    pgt_fake_map(&p, 0x2000, 0x40005000, SEPTA_PAGE_SIZE, false, false, 0, &req),
	    PGT_OK);
	pgt_fake_expect_leaf(&p, 0x2000, 0x40005000, 3);
	/* The next 2 MiB needs only its level-3 table, reported at level 2. */
	CU_ASSERT_EQUAL(pgt_fake_map(&p, 0x200000, 0x40000000, SEPTA_PAGE_SIZE, false,
				     false, 0, &req),
			PGT_E_NO_TABLE);
	CU_ASSERT_EQUAL(req.stop_level, 2);
	CU_ASSERT_EQUAL(req.tables, 1);
	CU_ASSERT_EQUAL(pgt_fake_tlb_invals, 0);
}

static void test_blocks(void)
{
	struct pgt p;
	pte_t pte;
	unsigned lvl;

	pgt_fake_new(&p, 40);
	CU_ASSERT_EQUAL(
	    pgt_fake_map(&p, 0x200000, 0x40200000, 0x200000, true, false, 1, NULL),
	    PGT_OK);
	pgt_fake_expect_leaf(&p, 0x200000, 0x40200000, 2);
	CU_ASSERT_EQUAL(
	    pgt_fake_map(&p, 0x40000000, 0x80000000, 1ULL << 30, true, false, 0, NULL),
	    PGT_OK);
	pgt_fake_expect_leaf(&p, 0x40000000, 0x80000000, 1);
	/* A misaligned output address cannot be a block. */
	CU_ASSERT_EQUAL(
	    pgt_fake_map(&p, 0x400000, 0x40201000, 0x200000, true, false, 1, NULL),
	    PGT_OK);
	pgt_fake_expect_leaf(&p, 0x400000, 0x40201000, 3);
	CU_ASSERT_EQUAL(pgt_query(&p, 0x5ff000, &pte, &lvl), PGT_OK);
	CU_ASSERT_EQUAL(pte_addr(pte), 0x40400000);
}

static void test_exists_and_replace_splits(void)
{
	struct pgt p;
	struct pgt_map_req req;
	uint8_t before[3 * SEPTA_PAGE_SIZE];

	pgt_fake_new(&p, 40);
	CU_ASSERT_EQUAL(
	    pgt_fake_map(&p, 0x200000, 0x40200000, 0x200000, true, false, 1, NULL),
	    PGT_OK);
	memcpy(before, pgt_fake_mem, sizeof(before));
	CU_ASSERT_EQUAL(pgt_fake_map(&p, 0x201000, 0x50000000, SEPTA_PAGE_SIZE, false,
				     false, 0, NULL),
			PGT_E_EXISTS);
	CU_ASSERT_EQUAL(memcmp(before, pgt_fake_mem, sizeof(before)), 0);
	/* Replacing one page of a block splits it; the rest keeps its mapping. */
	CU_ASSERT_EQUAL(
	    pgt_fake_map(&p, 0x201000, 0x50000000, SEPTA_PAGE_SIZE, false, true, 0, &req),
	    PGT_E_NO_TABLE);
	CU_ASSERT_EQUAL(req.tables, 1);
	CU_ASSERT_EQUAL(req.stop_level, 2);
	CU_ASSERT_EQUAL(
	    pgt_fake_map(&p, 0x201000, 0x50000000, SEPTA_PAGE_SIZE, false, true, 1, NULL),
	    PGT_OK);
	pgt_fake_expect_leaf(&p, 0x200000, 0x40200000, 3);
	pgt_fake_expect_leaf(&p, 0x201000, 0x50000000, 3);
	pgt_fake_expect_leaf(&p, 0x202000, 0x40202000, 3);
	pgt_fake_expect_leaf(&p, 0x3ff000, 0x403ff000, 3);
	/* Break-before-make: the block and the replaced page were invalidated. */
	CU_ASSERT_EQUAL(pgt_fake_tlb_invals, 2);
}

static void test_bad_ranges(void)
{
	struct pgt p;

	pgt_fake_new(&p, 40);
	CU_ASSERT_EQUAL(
	    pgt_fake_map(&p, 1ULL << 40, 0, SEPTA_PAGE_SIZE, false, false, 0, NULL),
	    PGT_E_RANGE);
	CU_ASSERT_EQUAL(pgt_fake_map(&p, (1ULL << 40) - SEPTA_PAGE_SIZE, 0,
				     2 * SEPTA_PAGE_SIZE, false, false, 0, NULL),
			PGT_E_RANGE);
	CU_ASSERT_EQUAL(pgt_fake_map(&p, 0x1000, 0, 0, false, false, 0, NULL),
			PGT_E_RANGE);
	CU_ASSERT_EQUAL(
	    pgt_fake_map(&p, 0x1800, 0, SEPTA_PAGE_SIZE, false, false, 0, NULL),
	    PGT_E_ALIGN);
	CU_ASSERT_EQUAL(
	    pgt_fake_map(&p, 0x1000, 0x800, SEPTA_PAGE_SIZE, false, false, 0, NULL),
	    PGT_E_ALIGN);
	CU_ASSERT_EQUAL(pgt_fake_map(&p, 0x1000, 0, 0x1800, false, false, 0, NULL),
			PGT_E_ALIGN);
	CU_ASSERT(pgt_fake_all_zero(pgt_fake_mem, 2 * SEPTA_PAGE_SIZE));
}

static void test_range_across_blocks(void)
{
	struct pgt p;
	struct pgt_map_req req;

	pgt_fake_new(&p, 40);
	/* Two pages either side of a 2 MiB boundary: one level-2 table and a
	 * level-3 table on each side. */
	CU_ASSERT_EQUAL(pgt_fake_map(&p, 0x1ff000, 0x40000000, 2 * SEPTA_PAGE_SIZE, true,
				     false, 0, &req),
			PGT_E_NO_TABLE);
	CU_ASSERT_EQUAL(req.tables, 3);
	CU_ASSERT_EQUAL(pgt_fake_map(&p, 0x1ff000, 0x40000000, 2 * SEPTA_PAGE_SIZE, true,
				     false, 3, NULL),
			PGT_OK);
	pgt_fake_expect_leaf(&p, 0x1ff000, 0x40000000, 3);
	pgt_fake_expect_leaf(&p, 0x200000, 0x40001000, 3);
	/* 2 MiB + 4 KiB at an aligned address: a block and one page table. */
	CU_ASSERT_EQUAL(
	    pgt_fake_map(&p, 0x800000, 0x40800000, 0x201000, true, false, 0, &req),
	    PGT_E_NO_TABLE);
	CU_ASSERT_EQUAL(req.tables, 1);
}

static void test_concatenated_root(void)
{
	struct pgt p;
	const pte_t *root;

	pgt_fake_new(&p, 32); /* start level 2, four concatenated root pages */
	CU_ASSERT_EQUAL(
	    pgt_fake_map(&p, 0xc0000000, 0x40000000, 0x200000, true, false, 0, NULL),
	    PGT_OK);
	root = pgt_fake_p2v(p.root);
	CU_ASSERT(pte_valid(root[3 * 512])); /* 3 GiB / 2 MiB = entry 1536 */
	pgt_fake_expect_leaf(&p, 0xc0000000, 0x40000000, 2);
	CU_ASSERT_EQUAL(
	    pgt_fake_map(&p, 0x100000000ULL, 0, SEPTA_PAGE_SIZE, false, false, 0, NULL),
	    PGT_E_RANGE);
}

/* Every stage-2 IPA size against the Arm ARM's VTCR_EL2 rules for a 4 KiB
 * granule: SL0 and T0SZ pick the start level; a start level resolving more
 * than 9 bits takes 2^(extra) concatenated tables, at most 16. */
static void test_geometry_all_ipa_sizes(void)
{
	static const struct {
		int start, pages;
	} want[] = {
	    /* 32 */ {2, 4}, /* 33 */ {2, 8}, /* 34 */ {2, 16}, /* 35 */ {1, 1},
	    /* 36 */ {1, 1}, /* 37 */ {1, 1}, /* 38 */ {1, 1},	/* 39 */ {1, 1},
	    /* 40 */ {1, 2}, /* 41 */ {1, 4}, /* 42 */ {1, 8},	/* 43 */ {1, 16},
	    /* 44 */ {0, 1}, /* 45 */ {0, 1}, /* 46 */ {0, 1},	/* 47 */ {0, 1},
	    /* 48 */ {0, 1},
	};
	struct pgt_geom g;

	for (unsigned bits = 32; bits <= 48; bits++) {
		CU_ASSERT_EQUAL_FATAL(pgt_geom_init(&g, bits, true), PGT_OK);
		CU_ASSERT_EQUAL(g.start_level, want[bits - 32].start);
		CU_ASSERT_EQUAL(g.root_pages, want[bits - 32].pages);
		/* The root covers the IPA space; concatenated roots exactly. */
		uint64_t span =
		    (uint64_t)g.root_pages * PGT_ENTRIES * pgt_granule(g.start_level);
		CU_ASSERT(span >= 1ULL << bits);
		if (g.root_pages > 1)
			CU_ASSERT_EQUAL(span, 1ULL << bits);
	}
}

static void test_unmap(void)
{
	struct pgt p;
	struct pgt_map_req req;

	pgt_fake_new(&p, 40);
	CU_ASSERT_EQUAL(pgt_fake_map(&p, 0x1000, 0x40001000, 3 * SEPTA_PAGE_SIZE, false,
				     false, 2, NULL),
			PGT_OK);
	req = pgt_fake_cache_req(0);
	CU_ASSERT_EQUAL(pgt_unmap(&p, 0x2000, SEPTA_PAGE_SIZE, &req), PGT_OK);
	pgt_fake_expect_leaf(&p, 0x1000, 0x40001000, 3);
	pgt_fake_expect_unmapped(&p, 0x2000);
	pgt_fake_expect_leaf(&p, 0x3000, 0x40003000, 3);
	CU_ASSERT_EQUAL(pgt_fake_tlb_invals, 1);
	/* Unmapping nothing is fine and touches nothing. */
	CU_ASSERT_EQUAL(pgt_unmap(&p, 0x40000000, 1ULL << 30, &req), PGT_OK);
	CU_ASSERT_EQUAL(pgt_fake_tlb_invals, 1);
	CU_ASSERT_EQUAL(pgt_unmap(&p, 0x1800, SEPTA_PAGE_SIZE, &req), PGT_E_ALIGN);
}

static void test_unmap_splits_block(void)
{
	struct pgt p;
	struct pgt_map_req req;
	uint8_t before[4 * SEPTA_PAGE_SIZE];

	pgt_fake_new(&p, 40);
	/* A 1 GiB block, then a hole in it at a page not 2 MiB aligned. */
	CU_ASSERT_EQUAL(
	    pgt_fake_map(&p, 0x40000000, 0x80000000, 1ULL << 30, true, false, 0, NULL),
	    PGT_OK);
	memcpy(before, pgt_fake_mem, sizeof(before));
	req = pgt_fake_cache_req(1);
	CU_ASSERT_EQUAL(pgt_unmap(&p, 0x40201000, SEPTA_PAGE_SIZE, &req), PGT_E_NO_TABLE);
	CU_ASSERT_EQUAL(req.tables, 2); /* one 2 MiB-level table, one page table */
	CU_ASSERT_EQUAL(req.stop_level, 1);
	CU_ASSERT_EQUAL(memcmp(before, pgt_fake_mem, sizeof(before)), 0);
	req = pgt_fake_cache_req(2);
	CU_ASSERT_EQUAL(pgt_unmap(&p, 0x40201000, SEPTA_PAGE_SIZE, &req), PGT_OK);
	pgt_fake_expect_unmapped(&p, 0x40201000);
	pgt_fake_expect_leaf(&p, 0x40200000, 0x80200000, 3);
	pgt_fake_expect_leaf(&p, 0x40202000, 0x80202000, 3);
	pgt_fake_expect_leaf(&p, 0x40000000, 0x80000000, 2);
	pgt_fake_expect_leaf(&p, 0x7fe00000, 0xbfe00000, 2);
}

static void test_protect(void)
{
	struct pgt p;
	struct pgt_map_req req;
	pte_t pte;
	unsigned lvl;

	pgt_fake_new(&p, 40);
	CU_ASSERT_EQUAL(
	    pgt_fake_map(&p, 0x200000, 0x40200000, 0x200000, true, false, 1, NULL),
	    PGT_OK);
	/* Take write (bit 7) away from one page: the block splits. */
	req = pgt_fake_cache_req(1);
	CU_ASSERT_EQUAL(pgt_protect(&p, 0x300000, SEPTA_PAGE_SIZE, 0, 1ULL << 7, &req),
			PGT_OK);
	CU_ASSERT_EQUAL(pgt_query(&p, 0x300000, &pte, &lvl), PGT_OK);
	CU_ASSERT_EQUAL(pte_addr(pte), 0x40300000);
	CU_ASSERT_EQUAL(pte & (1ULL << 7), 0);
	CU_ASSERT_EQUAL(pgt_query(&p, 0x301000, &pte, &lvl), PGT_OK);
	CU_ASSERT_NOT_EQUAL(pte & (1ULL << 7), 0);
	/* Bits outside the leaf attributes are refused. */
	CU_ASSERT_EQUAL(pgt_protect(&p, 0x300000, SEPTA_PAGE_SIZE, 0, 1, &req),
			PGT_E_ALIGN);
}

static void test_owner_bits(void)
{
	struct pgt p;
	struct pgt_map_req req;
	pte_t pte;
	unsigned lvl;

	pgt_fake_new(&p, 40);
	for (unsigned o = SEPTA_OWNED; o <= SEPTA_BORROWED; o++) {
		uint64_t ipa = 0x1000 * (o + 1);
		struct pgt_map_req m = {.pa = 0x40000000 + ipa,
					.attrs =
					    0x3c0 | pte_owner_bits((enum septa_owner)o),
					.cache = NULL};
		paddr_t pages[2] = {pgt_fake_alloc(1), pgt_fake_alloc(1)};
		struct pgt_cache c = {pages, 2, NULL};

		m.cache = &c;
		CU_ASSERT_EQUAL(pgt_map(&p, ipa, SEPTA_PAGE_SIZE, &m), PGT_OK);
		CU_ASSERT_EQUAL(pgt_query(&p, ipa, &pte, &lvl), PGT_OK);
		CU_ASSERT_EQUAL(pte_owner(pte), (enum septa_owner)o);
		CU_ASSERT_EQUAL(pte_addr(pte), 0x40000000 + ipa);
	}
	/* Protect can move a page between states without remapping it. */
	req = pgt_fake_cache_req(0);
	CU_ASSERT_EQUAL(pgt_protect(&p, 0x1000, SEPTA_PAGE_SIZE,
				    pte_owner_bits(SEPTA_SHARED_OWNED), PTE_OWNER_MASK,
				    &req),
			PGT_OK);
	CU_ASSERT_EQUAL(pgt_query(&p, 0x1000, &pte, &lvl), PGT_OK);
	CU_ASSERT_EQUAL(pte_owner(pte), SEPTA_SHARED_OWNED);
	CU_ASSERT_EQUAL(pte_addr(pte), 0x40001000);
}

/* Pages either side of a 2 MiB boundary stay pages; an aligned 1 GiB
 * with blocks allowed is one level-1 block; nothing between is mapped. */
static void test_map_shapes(void)
{
	struct pgt p;
	pte_t pte;
	unsigned lvl;

	pgt_fake_new(&p, 40);
	CU_ASSERT_EQUAL(pgt_fake_map(&p, 0x1ff000, 0x40000000, 2 * SEPTA_PAGE_SIZE, true,
				     false, 3, NULL),
			PGT_OK);
	CU_ASSERT_EQUAL(
	    pgt_fake_map(&p, 0x40000000, 0x80000000, 1ULL << 30, true, false, 0, NULL),
	    PGT_OK);
	CU_ASSERT_EQUAL(pgt_query(&p, 0x1ff000, &pte, &lvl), PGT_OK);
	CU_ASSERT_EQUAL(lvl, 3);
	CU_ASSERT_EQUAL(pte_addr(pte), 0x40000000);
	CU_ASSERT_EQUAL(pgt_query(&p, 0x200000, &pte, &lvl), PGT_OK);
	CU_ASSERT_EQUAL(lvl, 3);
	CU_ASSERT_EQUAL(pte_addr(pte), 0x40001000);
	CU_ASSERT_EQUAL(pgt_query(&p, 0x201000, &pte, &lvl), PGT_OK);
	CU_ASSERT_EQUAL(pte, 0);
	CU_ASSERT_EQUAL(pgt_query(&p, 0x7ffff000, &pte, &lvl), PGT_OK);
	CU_ASSERT_EQUAL(lvl, 1);
	CU_ASSERT_EQUAL(pte_addr(pte), 0x80000000);
	CU_ASSERT_EQUAL(pgt_query(&p, 0x80000000, &pte, &lvl), PGT_OK);
	CU_ASSERT_EQUAL(pte, 0);
}

void suite_pgtable(void)
{
	CU_pSuite s = CU_add_suite("pgtable", pgt_fake_setup, pgt_fake_teardown);

	CU_add_test(s, "geometry per IPA size", test_geometry);
	CU_add_test(s, "missing tables are counted, nothing changes",
		    test_missing_tables_change_nothing);
	CU_add_test(s, "map a page, then leaves only", test_map_page_then_leaf_only);
	CU_add_test(s, "2 MiB and 1 GiB blocks", test_blocks);
	CU_add_test(s, "existing mappings; replace splits a block",
		    test_exists_and_replace_splits);
	CU_add_test(s, "bad ranges and alignment", test_bad_ranges);
	CU_add_test(s, "ranges across block boundaries", test_range_across_blocks);
	CU_add_test(s, "concatenated root tables", test_concatenated_root);
	CU_add_test(s, "geometry of every IPA size 32-48", test_geometry_all_ipa_sizes);
	CU_add_test(s, "unmap", test_unmap);
	CU_add_test(s, "unmap inside a block splits it", test_unmap_splits_block);
	CU_add_test(s, "protect", test_protect);
	CU_add_test(s, "ownership state in software bits", test_owner_bits);
	CU_add_test(s, "map shapes", test_map_shapes);
}
