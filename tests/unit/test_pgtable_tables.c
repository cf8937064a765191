/* The walker's check and commit, and the table install and removal edits,
 * over the fake physical memory of pgt_fake.c. */
#include <string.h>
#include "pgt_fake.h"

static int table_op(struct pgt *p, enum pgt_op op, uint64_t addr, unsigned level,
		    paddr_t table, struct pgt_cache *cache, struct pgt_edit *out)
{
	struct pgt_edit e = {
	    .op = op, .addr = addr, .level = level, .table = table, .cache = cache};
	int err = pgt_apply(p, &e);

	if (out)
		*out = e;
	return err;
}

static void expect_empty_at(struct pgt *p, uint64_t ipa, unsigned level)
{
	pte_t pte;
	unsigned lvl;

	CU_ASSERT_EQUAL_FATAL(pgt_query(p, ipa, &pte, &lvl), PGT_OK);
	CU_ASSERT_EQUAL(pte, 0);
	CU_ASSERT_EQUAL(lvl, level);
}

/* The commit writes the one entry the check found without a second walk;
 * any other edit walks again. Both must give what the walk would. */
static void test_commit_one_entry_or_walk(void)
{
	struct pgt p;
	struct pgt_map_req req;

	pgt_fake_new(&p, 40);
	CU_ASSERT_EQUAL(
	    pgt_fake_map(&p, 0x1000, 0x40001000, SEPTA_PAGE_SIZE, false, false, 2, NULL),
	    PGT_OK);
	CU_ASSERT_EQUAL(
	    pgt_fake_map(&p, 0x3000, 0x40003000, SEPTA_PAGE_SIZE, false, false, 0, NULL),
	    PGT_OK);
	/* Replacing one page: break-before-make on that one entry. */
	CU_ASSERT_EQUAL(
	    pgt_fake_map(&p, 0x1000, 0x50000000, SEPTA_PAGE_SIZE, false, true, 0, NULL),
	    PGT_OK);
	pgt_fake_expect_leaf(&p, 0x1000, 0x50000000, 3);
	CU_ASSERT_EQUAL(pgt_fake_tlb_invals, 1);
	/* Mapping what is mapped already writes nothing. */
	CU_ASSERT_EQUAL(
	    pgt_fake_map(&p, 0x1000, 0x50000000, SEPTA_PAGE_SIZE, false, false, 0, NULL),
	    PGT_OK);
	CU_ASSERT_EQUAL(pgt_fake_tlb_invals, 1);
	/* The one page to unmap is not the first of the range. */
	req = pgt_fake_cache_req(0);
	CU_ASSERT_EQUAL(pgt_unmap(&p, 0x2000, 2 * SEPTA_PAGE_SIZE, &req), PGT_OK);
	pgt_fake_expect_unmapped(&p, 0x3000);
	pgt_fake_expect_leaf(&p, 0x1000, 0x50000000, 3);
	CU_ASSERT_EQUAL(pgt_fake_tlb_invals, 2);
	/* Two pages apart, both written. */
	CU_ASSERT_EQUAL(
	    pgt_fake_map(&p, 0x3000, 0x40003000, SEPTA_PAGE_SIZE, false, false, 0, NULL),
	    PGT_OK);
	CU_ASSERT_EQUAL(pgt_protect(&p, 0x1000, 3 * SEPTA_PAGE_SIZE, 0, 1ULL << 7, &req),
			PGT_OK);
	CU_ASSERT_EQUAL(pgt_fake_tlb_invals, 4);
	for (uint64_t a = 0x1000; a <= 0x3000; a += 0x2000) {
		pte_t pte;
		unsigned lvl;

		CU_ASSERT_EQUAL(pgt_query(&p, a, &pte, &lvl), PGT_OK);
		CU_ASSERT(pte_valid(pte));
		CU_ASSERT_EQUAL(pte & (1ULL << 7), 0);
	}
	pgt_fake_expect_unmapped(&p, 0x2000);
}

static void test_check_then_commit(void)
{
	struct pgt p;
	paddr_t pages[2];
	struct pgt_cache cache = {pages, 2, NULL};
	struct pgt_map_req req = {.pa = 0x40001000, .attrs = 0x3c0};
	struct pgt_edit e = {.op = PGT_OP_MAP,
			     .addr = 0x1000,
			     .size = SEPTA_PAGE_SIZE,
			     .req = &req,
			     .cache = &cache};

	pgt_fake_new(&p, 40);
	pages[0] = pgt_fake_alloc(1);
	pages[1] = pgt_fake_alloc(1);
	CU_ASSERT_EQUAL(pgt_check(&p, &e), PGT_OK);
	CU_ASSERT_EQUAL(e.tables, 2);
	CU_ASSERT_EQUAL(cache.count, 2);
	CU_ASSERT(pgt_fake_all_zero(pgt_fake_mem,
				    2 * SEPTA_PAGE_SIZE)); /* the check wrote nothing */
	pgt_commit(&p, &e);
	CU_ASSERT_EQUAL(cache.count, 0);
	pgt_fake_expect_leaf(&p, 0x1000, 0x40001000, 3);
}

/* 44 bits start at level 0: a table can be installed at levels 1, 2, 3. */
static void test_table_install_each_level(void)
{
	struct pgt p;
	struct pgt_edit e;
	paddr_t t1, t2, t3;
	uint8_t before[4 * SEPTA_PAGE_SIZE];

	pgt_fake_new(&p, 44);
	t1 = pgt_fake_alloc(1);
	t2 = pgt_fake_alloc(1);
	t3 = pgt_fake_alloc(1);
	memset(pgt_fake_p2v(t3), 0xa5,
	       SEPTA_PAGE_SIZE); /* what a dead VSpace left in it */
	memcpy(before, pgt_fake_mem, sizeof(before));
	/* Level 3 with nothing above: two tables missing from level 0 on. */
	CU_ASSERT_EQUAL(table_op(&p, PGT_OP_TABLE_INSTALL, 0, 3, t3, NULL, &e),
			PGT_E_NO_TABLE);
	CU_ASSERT_EQUAL(e.stop_level, 0);
	CU_ASSERT_EQUAL(e.tables, 2);
	CU_ASSERT_EQUAL(memcmp(before, pgt_fake_mem, sizeof(before)), 0);
	CU_ASSERT_EQUAL(table_op(&p, PGT_OP_TABLE_INSTALL, 0, 1, t1, NULL, NULL), PGT_OK);
	expect_empty_at(&p, 0, 1);
	CU_ASSERT_EQUAL(table_op(&p, PGT_OP_TABLE_INSTALL, 0, 3, t3, NULL, &e),
			PGT_E_NO_TABLE);
	CU_ASSERT_EQUAL(e.stop_level, 1);
	CU_ASSERT_EQUAL(e.tables, 1);
	CU_ASSERT_EQUAL(table_op(&p, PGT_OP_TABLE_INSTALL, 0, 2, t2, NULL, NULL), PGT_OK);
	expect_empty_at(&p, 0, 2);
	CU_ASSERT_EQUAL(table_op(&p, PGT_OP_TABLE_INSTALL, 0, 3, t3, NULL, NULL), PGT_OK);
	/* Its old contents are gone; a page then needs no table. */
	CU_ASSERT(pgt_fake_all_zero(pgt_fake_p2v(t3), SEPTA_PAGE_SIZE));
	expect_empty_at(&p, 0x5000, 3);
	CU_ASSERT_EQUAL(
	    pgt_fake_map(&p, 0x5000, 0x40005000, SEPTA_PAGE_SIZE, false, false, 0, NULL),
	    PGT_OK);
	pgt_fake_expect_leaf(&p, 0x5000, 0x40005000, 3);
	CU_ASSERT_EQUAL(pgt_fake_tlb_invals, 0);
	CU_ASSERT_EQUAL(pgt_fake_tlb_flushes, 0);
}

static void test_table_install_takes_cache(void)
{
	struct pgt p;
	struct pgt_edit e;
	paddr_t t3, pages[2];
	uint64_t where[2] = {0, 0};
	struct pgt_cache cache = {pages, 1, where};

	pgt_fake_new(&p, 44);
	t3 = pgt_fake_alloc(1);
	pages[0] = pgt_fake_alloc(1);
	pages[1] = pgt_fake_alloc(1);
	/* One page lent where two are missing: refused, nothing taken. */
	CU_ASSERT_EQUAL(table_op(&p, PGT_OP_TABLE_INSTALL, 0x40200000, 3, t3, &cache, &e),
			PGT_E_NO_TABLE);
	CU_ASSERT_EQUAL(e.tables, 2);
	CU_ASSERT_EQUAL(cache.count, 1);
	cache.count = 2;
	CU_ASSERT_EQUAL(table_op(&p, PGT_OP_TABLE_INSTALL, 0x40200000, 3, t3, &cache, &e),
			PGT_OK);
	CU_ASSERT_EQUAL(cache.count, 0);
	CU_ASSERT_EQUAL(where[1], 0 | 1);	   /* level-1 table under level 0 */
	CU_ASSERT_EQUAL(where[0], 0x40000000 | 2); /* level-2 table under level 1 */
	CU_ASSERT_EQUAL(
	    pgt_fake_map(&p, 0x40201000, 0x1000, SEPTA_PAGE_SIZE, false, false, 0, NULL),
	    PGT_OK);
	pgt_fake_expect_leaf(&p, 0x40201000, 0x1000, 3);
}

/* 40 bits: tables t[0] (level 2) and t[1] (level 3) for the first 2 MiB
 * with two pages in it, a 2 MiB block after them, a 1 GiB block at 1 GiB,
 * and t[2] not linked anywhere. */
static void linked_tables(struct pgt *p, paddr_t t[3])
{
	pgt_fake_new(p, 40);
	for (unsigned i = 0; i < 3; i++)
		t[i] = pgt_fake_alloc(1);
	CU_ASSERT_EQUAL(table_op(p, PGT_OP_TABLE_INSTALL, 0, 2, t[0], NULL, NULL),
			PGT_OK);
	CU_ASSERT_EQUAL(table_op(p, PGT_OP_TABLE_INSTALL, 0, 3, t[1], NULL, NULL),
			PGT_OK);
	CU_ASSERT_EQUAL(pgt_fake_map(p, 0x1000, 0x40001000, 2 * SEPTA_PAGE_SIZE, false,
				     false, 0, NULL),
			PGT_OK);
	CU_ASSERT_EQUAL(
	    pgt_fake_map(p, 0x200000, 0x40200000, 0x200000, true, false, 0, NULL),
	    PGT_OK);
	CU_ASSERT_EQUAL(
	    pgt_fake_map(p, 0x40000000, 0x80000000, 1ULL << 30, true, false, 0, NULL),
	    PGT_OK);
}

static void test_table_ops_refused(void)
{
	struct pgt p;
	paddr_t t[3];
	uint8_t before[4 * SEPTA_PAGE_SIZE];

	linked_tables(&p, t);
	const struct {
		enum pgt_op op;
		uint64_t addr;
		unsigned level;
		paddr_t table;
		int err;
	} refused[] = {
	    /* Install where a table is, where a 2 MiB block is, below a 1 GiB
	     * block; at levels with no entries above; misaligned; outside. */
	    {PGT_OP_TABLE_INSTALL, 0, 3, t[2], PGT_E_EXISTS},
	    {PGT_OP_TABLE_INSTALL, 0x200000, 3, t[2], PGT_E_EXISTS},
	    {PGT_OP_TABLE_INSTALL, 0x40200000, 3, t[2], PGT_E_EXISTS},
	    {PGT_OP_TABLE_INSTALL, 0, 2, t[2], PGT_E_EXISTS},
	    {PGT_OP_TABLE_INSTALL, 0, 1, t[2], PGT_E_RANGE},
	    {PGT_OP_TABLE_INSTALL, 0, 4, t[2], PGT_E_RANGE},
	    {PGT_OP_TABLE_INSTALL, 0x1000, 3, t[2], PGT_E_ALIGN},
	    {PGT_OP_TABLE_INSTALL, 1ULL << 40, 2, t[2], PGT_E_RANGE},
	    /* Remove what is not the table linked there, where nothing is,
	     * where a block is. */
	    {PGT_OP_TABLE_REMOVE, 0, 3, t[2], PGT_E_NOT_THERE},
	    {PGT_OP_TABLE_REMOVE, 0x400000, 3, t[1], PGT_E_NOT_THERE},
	    {PGT_OP_TABLE_REMOVE, 0x200000, 3, t[1], PGT_E_NOT_THERE},
	    {PGT_OP_TABLE_REMOVE, 1ULL << 30, 2, t[0], PGT_E_NOT_THERE},
	};

	memcpy(before, pgt_fake_mem, sizeof(before));
	for (size_t i = 0; i < ARRAY_SIZE(refused); i++)
		CU_ASSERT_EQUAL(table_op(&p, refused[i].op, refused[i].addr,
					 refused[i].level, refused[i].table, NULL, NULL),
				refused[i].err);
	CU_ASSERT_EQUAL(memcmp(before, pgt_fake_mem, sizeof(before)), 0);
	CU_ASSERT_EQUAL(pgt_fake_tlb_flushes, 0);
	pgt_fake_expect_leaf(&p, 0x200000, 0x40200000, 2);
}

static void test_table_remove(void)
{
	struct pgt p;
	paddr_t t[3], t2, t3;

	linked_tables(&p, t);
	t2 = t[0];
	t3 = t[1];
	/* A table still mapping pages goes, and its pages with it: one flush
	 * of everything, since any of them may be cached. */
	CU_ASSERT_EQUAL(table_op(&p, PGT_OP_TABLE_REMOVE, 0, 3, t3, NULL, NULL), PGT_OK);
	CU_ASSERT_EQUAL(pgt_fake_tlb_flushes, 1);
	CU_ASSERT_EQUAL(pgt_fake_tlb_invals, 0);
	expect_empty_at(&p, 0x1000, 2);
	expect_empty_at(&p, 0x2000, 2);
	pgt_fake_expect_leaf(&p, 0x200000, 0x40200000, 2);
	CU_ASSERT_EQUAL(table_op(&p, PGT_OP_TABLE_REMOVE, 0, 3, t3, NULL, NULL),
			PGT_E_NOT_THERE);
	/* Removing the level-2 table takes the block below it too. */
	CU_ASSERT_EQUAL(table_op(&p, PGT_OP_TABLE_REMOVE, 0, 2, t2, NULL, NULL), PGT_OK);
	CU_ASSERT_EQUAL(pgt_fake_tlb_flushes, 2);
	expect_empty_at(&p, 0x200000, 1);
	/* The removed table can go in elsewhere, cleared. */
	CU_ASSERT_EQUAL(table_op(&p, PGT_OP_TABLE_INSTALL, 0, 2, t3, NULL, NULL), PGT_OK);
	CU_ASSERT(pgt_fake_all_zero(pgt_fake_p2v(t3), SEPTA_PAGE_SIZE));
}

/* Tables lent through the cache may hold what they held where they were
 * linked before (a removal does not clear them): linked for a map, one
 * goes in cleared; linked to split a block, every entry is the block's. */
static void test_lent_tables_cleared(void)
{
	struct pgt p;
	paddr_t pages[3];
	struct pgt_cache cache = {pages, 3, NULL};
	struct pgt_map_req req = {.pa = 0x40001000, .attrs = 0x3c0, .cache = &cache};
	pte_t pte;
	unsigned lvl;

	pgt_fake_new(&p, 40);
	for (unsigned i = 0; i < 3; i++) {
		pages[i] = pgt_fake_alloc(1);
		memset(pgt_fake_p2v(pages[i]), 0xa5,
		       SEPTA_PAGE_SIZE); /* "valid" entries */
	}
	/* A page under an empty level-1 entry takes two. */
	CU_ASSERT_EQUAL(pgt_map(&p, 0x1000, SEPTA_PAGE_SIZE, &req), PGT_OK);
	CU_ASSERT_EQUAL(cache.count, 1);
	pgt_fake_expect_leaf(&p, 0x1000, 0x40001000, 3);
	expect_empty_at(&p, 0x2000, 3);
	expect_empty_at(&p, 0x200000, 2);
	/* A 2 MiB block split by a protect with the last one. */
	req = (struct pgt_map_req){
	    .pa = 0x40400000, .attrs = 0x3c0, .blocks = true, .cache = &cache};
	CU_ASSERT_EQUAL(pgt_map(&p, 0x400000, 0x200000, &req), PGT_OK);
	CU_ASSERT_EQUAL(pgt_protect(&p, 0x400000, SEPTA_PAGE_SIZE, 0, 1ULL << 7, &req),
			PGT_OK);
	CU_ASSERT_EQUAL(cache.count, 0);
	for (uint64_t a = 0x400000; a < 0x600000; a += SEPTA_PAGE_SIZE) {
		CU_ASSERT_EQUAL_FATAL(pgt_query(&p, a, &pte, &lvl), PGT_OK);
		CU_ASSERT_EQUAL(lvl, 3);
		CU_ASSERT_EQUAL(pte_addr(pte), 0x40000000 + a);
	}
}

static void test_clear(void)
{
	struct pgt p;

	pgt_fake_new(&p, 40);
	CU_ASSERT_EQUAL(
	    pgt_fake_map(&p, 0x1000, 0x40001000, SEPTA_PAGE_SIZE, false, false, 2, NULL),
	    PGT_OK);
	pgt_clear(&p);
	CU_ASSERT(
	    pgt_fake_all_zero(pgt_fake_p2v(p.root), p.geom.root_pages * SEPTA_PAGE_SIZE));
	CU_ASSERT_EQUAL(pgt_fake_tlb_flushes, 1);
	expect_empty_at(&p, 0x1000, 1);
}

static void expect_extent(struct pgt *p, uint64_t ipa, uint64_t size, unsigned limit,
			  uint64_t extent, bool mapped)
{
	uint64_t e = 1;
	bool m = !mapped;

	CU_ASSERT_EQUAL_FATAL(pgt_query_range(p, ipa, size, limit, &e, &m), PGT_OK);
	CU_ASSERT_EQUAL(e, extent);
	CU_ASSERT_EQUAL(m, mapped);
}

/* pgt_query_range: runs of one kind across last-level tables, blocks,
 * empty entries of every level and the concatenated root, up to the end
 * of the input addresses; the limit of entries read; its errors. */
static void test_query_range(void)
{
	const uint64_t top = 1ULL << 40, mib2 = 2ULL << 20;
	uint64_t e = 1;
	bool m = true;
	struct pgt p;

	pgt_fake_new(&p, 40);
	CU_ASSERT_EQUAL(
	    pgt_fake_map(&p, 0x1000, 0x40001000, 0x2000, false, false, 2, NULL), PGT_OK);
	CU_ASSERT_EQUAL(
	    pgt_fake_map(&p, 0x400000, 0x40400000, mib2, true, false, 0, NULL), PGT_OK);
	CU_ASSERT_EQUAL(
	    pgt_fake_map(&p, 0x600000, 0x40600000, 0x1000, false, false, 1, NULL),
	    PGT_OK);
	expect_extent(&p, 0, top, 4096, 0x1000, false);
	expect_extent(&p, 0x1000, top - 0x1000, 4096, 0x2000, true);
	expect_extent(&p, 0x1000, 0x1000, 4096, 0x1000, true); /* cut at size */
	/* 509 empty pages, an empty level-2 entry, up to the block. */
	expect_extent(&p, 0x3000, top - 0x3000, 4096, 0x400000 - 0x3000, false);
	expect_extent(&p, 0x3000, top - 0x3000, 510, 0x400000 - 0x3000, false);
	expect_extent(&p, 0x3000, top - 0x3000, 509, 0x200000 - 0x3000, false);
	expect_extent(&p, 0x3000, top - 0x3000, 1, 0x1000, false);
	/* The block, then the next table's page: one mapped run. */
	expect_extent(&p, 0x400000, top - 0x400000, 4096, mib2 + 0x1000, true);
	expect_extent(&p, 0x401000, top - 0x401000, 4096, mib2, true);
	expect_extent(&p, 0x401000, 0x1000, 4096, 0x1000, true);
	/* Empty pages, level-2 entries, then level-1 entries over both root
	 * tables to the end: 511 + 508 + 1023 entries. */
	expect_extent(&p, 0x601000, top - 0x601000, 4096, top - 0x601000, false);
	expect_extent(&p, 0x601000, top - 0x601000, 511 + 508 + 1022,
		      top - (1ULL << 30) - 0x601000, false);
	expect_extent(&p, top - 0x1000, 0x1000, 4096, 0x1000, false);
	expect_extent(&p, top - mib2, mib2, 4096, mib2, false);
	/* Refused: nothing read, extent 0. */
	CU_ASSERT_EQUAL(pgt_query_range(&p, 0x1000, 0, 4096, &e, &m), PGT_E_RANGE);
	CU_ASSERT_EQUAL(e, 0);
	e = 1;
	CU_ASSERT_EQUAL(pgt_query_range(&p, top, 0x1000, 4096, &e, &m), PGT_E_RANGE);
	CU_ASSERT_EQUAL(pgt_query_range(&p, top - 0x1000, 0x2000, 4096, &e, &m),
			PGT_E_RANGE);
	CU_ASSERT_EQUAL(pgt_query_range(&p, 0x1000, ~0ULL - 0xfff, 4096, &e, &m),
			PGT_E_RANGE);
	CU_ASSERT_EQUAL(pgt_query_range(&p, 0x1800, 0x1000, 4096, &e, &m), PGT_E_ALIGN);
	CU_ASSERT_EQUAL(pgt_query_range(&p, 0x1000, 0x1800, 4096, &e, &m), PGT_E_ALIGN);
	CU_ASSERT_EQUAL(e, 0);
}

void suite_pgtable_tables(void)
{
	CU_pSuite s = CU_add_suite("pgtable_tables", pgt_fake_setup, pgt_fake_teardown);

	CU_add_test(s, "check, then commit", test_check_then_commit);
	CU_add_test(s, "commit of one entry, or a walk", test_commit_one_entry_or_walk);
	CU_add_test(s, "table install at each level", test_table_install_each_level);
	CU_add_test(s, "table install takes tables above from the cache",
		    test_table_install_takes_cache);
	CU_add_test(s, "refused table ops change nothing", test_table_ops_refused);
	CU_add_test(s, "table removal", test_table_remove);
	CU_add_test(s, "lent tables go in cleared", test_lent_tables_cleared);
	CU_add_test(s, "clear everything", test_clear);
	CU_add_test(s, "ranged query: how far one kind of entry goes", test_query_range);
}
