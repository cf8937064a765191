/* The generic walker over a fake physical memory. Expected geometries come
 * from the Arm ARM's rules for VTCR_EL2.{T0SZ,SL0} with a 4 KiB granule. */
#include <pgtable.h>
#include <stdlib.h>
#include <string.h>
#include "tests.h"

#define FAKE_BASE  0x80000000ULL
#define FAKE_PAGES 96

static uint8_t *fake;
static unsigned fake_next, tlb_invals, tlb_flushes;

static void *fake_p2v(paddr_t pa)
{
	CU_ASSERT_FATAL(pa_addr(pa) >= FAKE_BASE &&
			pa_addr(pa) < FAKE_BASE + FAKE_PAGES * SEPTA_PAGE_SIZE);
	return fake + (pa_addr(pa) - FAKE_BASE);
}

static void fake_tlbi(const struct pgt *p, uint64_t addr, unsigned level)
{
	(void)p;
	(void)addr;
	(void)level;
	tlb_invals++;
}

static void fake_publish(void)
{
}

static void fake_tlbi_all(const struct pgt *p)
{
	(void)p;
	tlb_flushes++;
}

static const struct pgt_mm_ops fake_ops = {fake_p2v, fake_tlbi, fake_publish,
					   fake_tlbi_all};

static paddr_t fake_alloc(unsigned pages)
{
	paddr_t pa = pa_init(FAKE_BASE + fake_next * SEPTA_PAGE_SIZE);

	CU_ASSERT_FATAL(fake_next + pages <= FAKE_PAGES);
	fake_next += pages;
	return pa;
}

static int setup(void)
{
	fake = aligned_alloc(SEPTA_PAGE_SIZE, FAKE_PAGES * SEPTA_PAGE_SIZE);
	return fake ? 0 : -1;
}

static int teardown(void)
{
	free(fake);
	return 0;
}

static void new_pgt(struct pgt *p, unsigned ia_bits)
{
	memset(fake, 0, FAKE_PAGES * SEPTA_PAGE_SIZE);
	fake_next = 0;
	tlb_invals = 0;
	tlb_flushes = 0;
	CU_ASSERT_FATAL(pgt_geom_init(&p->geom, ia_bits, true) == PGT_OK);
	p->root = fake_alloc(p->geom.root_pages);
	p->mm = &fake_ops;
	p->vmid = 1;
}

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

static int map(struct pgt *p, uint64_t ipa, uint64_t pa, uint64_t size, bool blocks,
	       bool replace, unsigned supply, struct pgt_map_req *out)
{
	static paddr_t pages[16];
	static struct pgt_cache cache;
	struct pgt_map_req req = {.pa = pa,
				  .attrs = 0x3c0,
				  .blocks = blocks,
				  .replace = replace,
				  .cache = &cache};
	int err;

	cache.pages = pages;
	cache.count = supply;
	for (unsigned i = 0; i < supply; i++)
		pages[i] = fake_alloc(1);
	err = pgt_map(p, ipa, size, &req);
	if (out)
		*out = req;
	return err;
}

static void expect_leaf(struct pgt *p, uint64_t ipa, uint64_t pa, unsigned level)
{
	pte_t pte;
	unsigned lvl;

	CU_ASSERT_EQUAL_FATAL(pgt_query(p, ipa, &pte, &lvl), PGT_OK);
	CU_ASSERT(pte_valid(pte));
	CU_ASSERT_EQUAL(pte_addr(pte), pa);
	CU_ASSERT_EQUAL(lvl, level);
	CU_ASSERT_EQUAL(pte & PTE_LEAF_ATTRS & 0x3c0, 0x3c0);
}

static bool all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

static void test_missing_tables_change_nothing(void)
{
	struct pgt p;
	struct pgt_map_req req;

	new_pgt(&p, 40);
	CU_ASSERT_EQUAL(
	    map(&p, 0x1000, 0x40001000, SEPTA_PAGE_SIZE, false, false, 0, &req),
	    PGT_E_NO_TABLE);
	CU_ASSERT_EQUAL(req.stop_level, 1);
	CU_ASSERT_EQUAL(req.tables, 2); /* a level-2 and a level-3 table */
	CU_ASSERT(all_zero(fake, 2 * SEPTA_PAGE_SIZE));
	/* One page short is still refused, and still changes nothing. */
	CU_ASSERT_EQUAL(
	    map(&p, 0x1000, 0x40001000, SEPTA_PAGE_SIZE, false, false, 1, &req),
	    PGT_E_NO_TABLE);
	CU_ASSERT(all_zero(fake, 2 * SEPTA_PAGE_SIZE));
}

static void test_map_page_then_leaf_only(void)
{
	struct pgt p;
	struct pgt_map_req req;

	new_pgt(&p, 40);
	CU_ASSERT_EQUAL(
	    map(&p, 0x1000, 0x40001000, SEPTA_PAGE_SIZE, false, false, 2, &req), PGT_OK);
	expect_leaf(&p, 0x1000, 0x40001000, 3);
	/* A neighbour in the same 2 MiB needs no table at all. */
	CU_ASSERT_EQUAL(
	    map(&p, 0x2000, 0x40005000, SEPTA_PAGE_SIZE, false, false, 0, &req), PGT_OK);
	expect_leaf(&p, 0x2000, 0x40005000, 3);
	/* The next 2 MiB needs only its level-3 table, reported at level 2. */
	CU_ASSERT_EQUAL(
	    map(&p, 0x200000, 0x40000000, SEPTA_PAGE_SIZE, false, false, 0, &req),
	    PGT_E_NO_TABLE);
	CU_ASSERT_EQUAL(req.stop_level, 2);
	CU_ASSERT_EQUAL(req.tables, 1);
	CU_ASSERT_EQUAL(tlb_invals, 0);
}

static void test_blocks(void)
{
	struct pgt p;
	pte_t pte;
	unsigned lvl;

	new_pgt(&p, 40);
	CU_ASSERT_EQUAL(map(&p, 0x200000, 0x40200000, 0x200000, true, false, 1, NULL),
			PGT_OK);
	expect_leaf(&p, 0x200000, 0x40200000, 2);
	CU_ASSERT_EQUAL(map(&p, 0x40000000, 0x80000000, 1ULL << 30, true, false, 0, NULL),
			PGT_OK);
	expect_leaf(&p, 0x40000000, 0x80000000, 1);
	/* A misaligned output address cannot be a block. */
	CU_ASSERT_EQUAL(map(&p, 0x400000, 0x40201000, 0x200000, true, false, 1, NULL),
			PGT_OK);
	expect_leaf(&p, 0x400000, 0x40201000, 3);
	CU_ASSERT_EQUAL(pgt_query(&p, 0x5ff000, &pte, &lvl), PGT_OK);
	CU_ASSERT_EQUAL(pte_addr(pte), 0x40400000);
}

static void test_exists_and_replace_splits(void)
{
	struct pgt p;
	struct pgt_map_req req;
	uint8_t before[3 * SEPTA_PAGE_SIZE];

	new_pgt(&p, 40);
	CU_ASSERT_EQUAL(map(&p, 0x200000, 0x40200000, 0x200000, true, false, 1, NULL),
			PGT_OK);
	memcpy(before, fake, sizeof(before));
	CU_ASSERT_EQUAL(
	    map(&p, 0x201000, 0x50000000, SEPTA_PAGE_SIZE, false, false, 0, NULL),
	    PGT_E_EXISTS);
	CU_ASSERT_EQUAL(memcmp(before, fake, sizeof(before)), 0);
	/* Replacing one page of a block splits it; the rest keeps its mapping. */
	CU_ASSERT_EQUAL(
	    map(&p, 0x201000, 0x50000000, SEPTA_PAGE_SIZE, false, true, 0, &req),
	    PGT_E_NO_TABLE);
	CU_ASSERT_EQUAL(req.tables, 1);
	CU_ASSERT_EQUAL(req.stop_level, 2);
	CU_ASSERT_EQUAL(
	    map(&p, 0x201000, 0x50000000, SEPTA_PAGE_SIZE, false, true, 1, NULL), PGT_OK);
	expect_leaf(&p, 0x200000, 0x40200000, 3);
	expect_leaf(&p, 0x201000, 0x50000000, 3);
	expect_leaf(&p, 0x202000, 0x40202000, 3);
	expect_leaf(&p, 0x3ff000, 0x403ff000, 3);
	/* Break-before-make: the block and the replaced page were invalidated. */
	CU_ASSERT_EQUAL(tlb_invals, 2);
}

static void test_bad_ranges(void)
{
	struct pgt p;

	new_pgt(&p, 40);
	CU_ASSERT_EQUAL(map(&p, 1ULL << 40, 0, SEPTA_PAGE_SIZE, false, false, 0, NULL),
			PGT_E_RANGE);
	CU_ASSERT_EQUAL(map(&p, (1ULL << 40) - SEPTA_PAGE_SIZE, 0, 2 * SEPTA_PAGE_SIZE,
			    false, false, 0, NULL),
			PGT_E_RANGE);
	CU_ASSERT_EQUAL(map(&p, 0x1000, 0, 0, false, false, 0, NULL), PGT_E_RANGE);
	CU_ASSERT_EQUAL(map(&p, 0x1800, 0, SEPTA_PAGE_SIZE, false, false, 0, NULL),
			PGT_E_ALIGN);
	CU_ASSERT_EQUAL(map(&p, 0x1000, 0x800, SEPTA_PAGE_SIZE, false, false, 0, NULL),
			PGT_E_ALIGN);
	CU_ASSERT_EQUAL(map(&p, 0x1000, 0, 0x1800, false, false, 0, NULL), PGT_E_ALIGN);
	CU_ASSERT(all_zero(fake, 2 * SEPTA_PAGE_SIZE));
}

static void test_range_across_blocks(void)
{
	struct pgt p;
	struct pgt_map_req req;

	new_pgt(&p, 40);
	/* Two pages either side of a 2 MiB boundary: one level-2 table and a
	 * level-3 table on each side. */
	CU_ASSERT_EQUAL(
	    map(&p, 0x1ff000, 0x40000000, 2 * SEPTA_PAGE_SIZE, true, false, 0, &req),
	    PGT_E_NO_TABLE);
	CU_ASSERT_EQUAL(req.tables, 3);
	CU_ASSERT_EQUAL(
	    map(&p, 0x1ff000, 0x40000000, 2 * SEPTA_PAGE_SIZE, true, false, 3, NULL),
	    PGT_OK);
	expect_leaf(&p, 0x1ff000, 0x40000000, 3);
	expect_leaf(&p, 0x200000, 0x40001000, 3);
	/* 2 MiB + 4 KiB at an aligned address: a block and one page table. */
	CU_ASSERT_EQUAL(map(&p, 0x800000, 0x40800000, 0x201000, true, false, 0, &req),
			PGT_E_NO_TABLE);
	CU_ASSERT_EQUAL(req.tables, 1);
}

static void test_concatenated_root(void)
{
	struct pgt p;
	const pte_t *root;

	new_pgt(&p, 32); /* start level 2, four concatenated root pages */
	CU_ASSERT_EQUAL(map(&p, 0xc0000000, 0x40000000, 0x200000, true, false, 0, NULL),
			PGT_OK);
	root = fake_p2v(p.root);
	CU_ASSERT(pte_valid(root[3 * 512])); /* 3 GiB / 2 MiB = entry 1536 */
	expect_leaf(&p, 0xc0000000, 0x40000000, 2);
	CU_ASSERT_EQUAL(
	    map(&p, 0x100000000ULL, 0, SEPTA_PAGE_SIZE, false, false, 0, NULL),
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

static struct pgt_map_req cache_req(unsigned supply)
{
	static paddr_t pages[16];
	static struct pgt_cache cache;
	struct pgt_map_req req = {.cache = &cache};

	cache.pages = pages;
	cache.count = supply;
	for (unsigned i = 0; i < supply; i++)
		pages[i] = fake_alloc(1);
	return req;
}

static void expect_unmapped(struct pgt *p, uint64_t ipa)
{
	pte_t pte;
	unsigned lvl;

	CU_ASSERT_EQUAL(pgt_query(p, ipa, &pte, &lvl), PGT_OK);
	CU_ASSERT_EQUAL(pte, 0);
}

static void test_unmap(void)
{
	struct pgt p;
	struct pgt_map_req req;

	new_pgt(&p, 40);
	CU_ASSERT_EQUAL(
	    map(&p, 0x1000, 0x40001000, 3 * SEPTA_PAGE_SIZE, false, false, 2, NULL),
	    PGT_OK);
	req = cache_req(0);
	CU_ASSERT_EQUAL(pgt_unmap(&p, 0x2000, SEPTA_PAGE_SIZE, &req), PGT_OK);
	expect_leaf(&p, 0x1000, 0x40001000, 3);
	expect_unmapped(&p, 0x2000);
	expect_leaf(&p, 0x3000, 0x40003000, 3);
	CU_ASSERT_EQUAL(tlb_invals, 1);
	/* Unmapping nothing is fine and touches nothing. */
	CU_ASSERT_EQUAL(pgt_unmap(&p, 0x40000000, 1ULL << 30, &req), PGT_OK);
	CU_ASSERT_EQUAL(tlb_invals, 1);
	CU_ASSERT_EQUAL(pgt_unmap(&p, 0x1800, SEPTA_PAGE_SIZE, &req), PGT_E_ALIGN);
}

static void test_unmap_splits_block(void)
{
	struct pgt p;
	struct pgt_map_req req;
	uint8_t before[4 * SEPTA_PAGE_SIZE];

	new_pgt(&p, 40);
	/* A 1 GiB block, then a hole in it at a page not 2 MiB aligned. */
	CU_ASSERT_EQUAL(map(&p, 0x40000000, 0x80000000, 1ULL << 30, true, false, 0, NULL),
			PGT_OK);
	memcpy(before, fake, sizeof(before));
	req = cache_req(1);
	CU_ASSERT_EQUAL(pgt_unmap(&p, 0x40201000, SEPTA_PAGE_SIZE, &req), PGT_E_NO_TABLE);
	CU_ASSERT_EQUAL(req.tables, 2); /* one 2 MiB-level table, one page table */
	CU_ASSERT_EQUAL(req.stop_level, 1);
	CU_ASSERT_EQUAL(memcmp(before, fake, sizeof(before)), 0);
	req = cache_req(2);
	CU_ASSERT_EQUAL(pgt_unmap(&p, 0x40201000, SEPTA_PAGE_SIZE, &req), PGT_OK);
	expect_unmapped(&p, 0x40201000);
	expect_leaf(&p, 0x40200000, 0x80200000, 3);
	expect_leaf(&p, 0x40202000, 0x80202000, 3);
	expect_leaf(&p, 0x40000000, 0x80000000, 2);
	expect_leaf(&p, 0x7fe00000, 0xbfe00000, 2);
}

static void test_protect(void)
{
	struct pgt p;
	struct pgt_map_req req;
	pte_t pte;
	unsigned lvl;

	new_pgt(&p, 40);
	CU_ASSERT_EQUAL(map(&p, 0x200000, 0x40200000, 0x200000, true, false, 1, NULL),
			PGT_OK);
	/* Take write (bit 7) away from one page: the block splits. */
	req = cache_req(1);
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

	new_pgt(&p, 40);
	for (unsigned o = SEPTA_OWNED; o <= SEPTA_BORROWED; o++) {
		uint64_t ipa = 0x1000 * (o + 1);
		struct pgt_map_req m = {.pa = 0x40000000 + ipa,
					.attrs =
					    0x3c0 | pte_owner_bits((enum septa_owner)o),
					.cache = NULL};
		paddr_t pages[2] = {fake_alloc(1), fake_alloc(1)};
		struct pgt_cache c = {pages, 2, NULL};

		m.cache = &c;
		CU_ASSERT_EQUAL(pgt_map(&p, ipa, SEPTA_PAGE_SIZE, &m), PGT_OK);
		CU_ASSERT_EQUAL(pgt_query(&p, ipa, &pte, &lvl), PGT_OK);
		CU_ASSERT_EQUAL(pte_owner(pte), (enum septa_owner)o);
		CU_ASSERT_EQUAL(pte_addr(pte), 0x40000000 + ipa);
	}
	/* Protect can move a page between states without remapping it. */
	req = cache_req(0);
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

	new_pgt(&p, 40);
	CU_ASSERT_EQUAL(
	    map(&p, 0x1ff000, 0x40000000, 2 * SEPTA_PAGE_SIZE, true, false, 3, NULL),
	    PGT_OK);
	CU_ASSERT_EQUAL(map(&p, 0x40000000, 0x80000000, 1ULL << 30, true, false, 0, NULL),
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

/* ---- check and commit; table install and removal ---- */

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

	new_pgt(&p, 40);
	CU_ASSERT_EQUAL(
	    map(&p, 0x1000, 0x40001000, SEPTA_PAGE_SIZE, false, false, 2, NULL), PGT_OK);
	CU_ASSERT_EQUAL(
	    map(&p, 0x3000, 0x40003000, SEPTA_PAGE_SIZE, false, false, 0, NULL), PGT_OK);
	/* Replacing one page: break-before-make on that one entry. */
	CU_ASSERT_EQUAL(
	    map(&p, 0x1000, 0x50000000, SEPTA_PAGE_SIZE, false, true, 0, NULL), PGT_OK);
	expect_leaf(&p, 0x1000, 0x50000000, 3);
	CU_ASSERT_EQUAL(tlb_invals, 1);
	/* Mapping what is mapped already writes nothing. */
	CU_ASSERT_EQUAL(
	    map(&p, 0x1000, 0x50000000, SEPTA_PAGE_SIZE, false, false, 0, NULL), PGT_OK);
	CU_ASSERT_EQUAL(tlb_invals, 1);
	/* The one page to unmap is not the first of the range. */
	req = cache_req(0);
	CU_ASSERT_EQUAL(pgt_unmap(&p, 0x2000, 2 * SEPTA_PAGE_SIZE, &req), PGT_OK);
	expect_unmapped(&p, 0x3000);
	expect_leaf(&p, 0x1000, 0x50000000, 3);
	CU_ASSERT_EQUAL(tlb_invals, 2);
	/* Two pages apart, both written. */
	CU_ASSERT_EQUAL(
	    map(&p, 0x3000, 0x40003000, SEPTA_PAGE_SIZE, false, false, 0, NULL), PGT_OK);
	CU_ASSERT_EQUAL(pgt_protect(&p, 0x1000, 3 * SEPTA_PAGE_SIZE, 0, 1ULL << 7, &req),
			PGT_OK);
	CU_ASSERT_EQUAL(tlb_invals, 4);
	for (uint64_t a = 0x1000; a <= 0x3000; a += 0x2000) {
		pte_t pte;
		unsigned lvl;

		CU_ASSERT_EQUAL(pgt_query(&p, a, &pte, &lvl), PGT_OK);
		CU_ASSERT(pte_valid(pte));
		CU_ASSERT_EQUAL(pte & (1ULL << 7), 0);
	}
	expect_unmapped(&p, 0x2000);
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

	new_pgt(&p, 40);
	pages[0] = fake_alloc(1);
	pages[1] = fake_alloc(1);
	CU_ASSERT_EQUAL(pgt_check(&p, &e), PGT_OK);
	CU_ASSERT_EQUAL(e.tables, 2);
	CU_ASSERT_EQUAL(cache.count, 2);
	CU_ASSERT(all_zero(fake, 2 * SEPTA_PAGE_SIZE)); /* the check wrote nothing */
	pgt_commit(&p, &e);
	CU_ASSERT_EQUAL(cache.count, 0);
	expect_leaf(&p, 0x1000, 0x40001000, 3);
}

/* 44 bits start at level 0: a table can be installed at levels 1, 2, 3. */
static void test_table_install_each_level(void)
{
	struct pgt p;
	struct pgt_edit e;
	paddr_t t1, t2, t3;
	uint8_t before[4 * SEPTA_PAGE_SIZE];

	new_pgt(&p, 44);
	t1 = fake_alloc(1);
	t2 = fake_alloc(1);
	t3 = fake_alloc(1);
	memset(fake_p2v(t3), 0xa5, SEPTA_PAGE_SIZE); /* what a dead VSpace left in it */
	memcpy(before, fake, sizeof(before));
	/* Level 3 with nothing above: two tables missing from level 0 on. */
	CU_ASSERT_EQUAL(table_op(&p, PGT_OP_TABLE_INSTALL, 0, 3, t3, NULL, &e),
			PGT_E_NO_TABLE);
	CU_ASSERT_EQUAL(e.stop_level, 0);
	CU_ASSERT_EQUAL(e.tables, 2);
	CU_ASSERT_EQUAL(memcmp(before, fake, sizeof(before)), 0);
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
	CU_ASSERT(all_zero(fake_p2v(t3), SEPTA_PAGE_SIZE));
	expect_empty_at(&p, 0x5000, 3);
	CU_ASSERT_EQUAL(
	    map(&p, 0x5000, 0x40005000, SEPTA_PAGE_SIZE, false, false, 0, NULL), PGT_OK);
	expect_leaf(&p, 0x5000, 0x40005000, 3);
	CU_ASSERT_EQUAL(tlb_invals, 0);
	CU_ASSERT_EQUAL(tlb_flushes, 0);
}

static void test_table_install_takes_cache(void)
{
	struct pgt p;
	struct pgt_edit e;
	paddr_t t3, pages[2];
	uint64_t where[2] = {0, 0};
	struct pgt_cache cache = {pages, 1, where};

	new_pgt(&p, 44);
	t3 = fake_alloc(1);
	pages[0] = fake_alloc(1);
	pages[1] = fake_alloc(1);
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
	    map(&p, 0x40201000, 0x1000, SEPTA_PAGE_SIZE, false, false, 0, NULL), PGT_OK);
	expect_leaf(&p, 0x40201000, 0x1000, 3);
}

/* 40 bits: tables t[0] (level 2) and t[1] (level 3) for the first 2 MiB
 * with two pages in it, a 2 MiB block after them, a 1 GiB block at 1 GiB,
 * and t[2] not linked anywhere. */
static void linked_tables(struct pgt *p, paddr_t t[3])
{
	new_pgt(p, 40);
	for (unsigned i = 0; i < 3; i++)
		t[i] = fake_alloc(1);
	CU_ASSERT_EQUAL(table_op(p, PGT_OP_TABLE_INSTALL, 0, 2, t[0], NULL, NULL),
			PGT_OK);
	CU_ASSERT_EQUAL(table_op(p, PGT_OP_TABLE_INSTALL, 0, 3, t[1], NULL, NULL),
			PGT_OK);
	CU_ASSERT_EQUAL(
	    map(p, 0x1000, 0x40001000, 2 * SEPTA_PAGE_SIZE, false, false, 0, NULL),
	    PGT_OK);
	CU_ASSERT_EQUAL(map(p, 0x200000, 0x40200000, 0x200000, true, false, 0, NULL),
			PGT_OK);
	CU_ASSERT_EQUAL(map(p, 0x40000000, 0x80000000, 1ULL << 30, true, false, 0, NULL),
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

	memcpy(before, fake, sizeof(before));
	for (size_t i = 0; i < ARRAY_SIZE(refused); i++)
		CU_ASSERT_EQUAL(table_op(&p, refused[i].op, refused[i].addr,
					 refused[i].level, refused[i].table, NULL, NULL),
				refused[i].err);
	CU_ASSERT_EQUAL(memcmp(before, fake, sizeof(before)), 0);
	CU_ASSERT_EQUAL(tlb_flushes, 0);
	expect_leaf(&p, 0x200000, 0x40200000, 2);
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
	CU_ASSERT_EQUAL(tlb_flushes, 1);
	CU_ASSERT_EQUAL(tlb_invals, 0);
	expect_empty_at(&p, 0x1000, 2);
	expect_empty_at(&p, 0x2000, 2);
	expect_leaf(&p, 0x200000, 0x40200000, 2);
	CU_ASSERT_EQUAL(table_op(&p, PGT_OP_TABLE_REMOVE, 0, 3, t3, NULL, NULL),
			PGT_E_NOT_THERE);
	/* Removing the level-2 table takes the block below it too. */
	CU_ASSERT_EQUAL(table_op(&p, PGT_OP_TABLE_REMOVE, 0, 2, t2, NULL, NULL), PGT_OK);
	CU_ASSERT_EQUAL(tlb_flushes, 2);
	expect_empty_at(&p, 0x200000, 1);
	/* The removed table can go in elsewhere, cleared. */
	CU_ASSERT_EQUAL(table_op(&p, PGT_OP_TABLE_INSTALL, 0, 2, t3, NULL, NULL), PGT_OK);
	CU_ASSERT(all_zero(fake_p2v(t3), SEPTA_PAGE_SIZE));
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

	new_pgt(&p, 40);
	for (unsigned i = 0; i < 3; i++) {
		pages[i] = fake_alloc(1);
		memset(fake_p2v(pages[i]), 0xa5, SEPTA_PAGE_SIZE); /* "valid" entries */
	}
	/* A page under an empty level-1 entry takes two. */
	CU_ASSERT_EQUAL(pgt_map(&p, 0x1000, SEPTA_PAGE_SIZE, &req), PGT_OK);
	CU_ASSERT_EQUAL(cache.count, 1);
	expect_leaf(&p, 0x1000, 0x40001000, 3);
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

	new_pgt(&p, 40);
	CU_ASSERT_EQUAL(
	    map(&p, 0x1000, 0x40001000, SEPTA_PAGE_SIZE, false, false, 2, NULL), PGT_OK);
	pgt_clear(&p);
	CU_ASSERT(all_zero(fake_p2v(p.root), p.geom.root_pages * SEPTA_PAGE_SIZE));
	CU_ASSERT_EQUAL(tlb_flushes, 1);
	expect_empty_at(&p, 0x1000, 1);
}

void suite_pgtable(void)
{
	CU_pSuite s = CU_add_suite("pgtable", setup, teardown);

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
	CU_add_test(s, "check, then commit", test_check_then_commit);
	CU_add_test(s, "commit of one entry, or a walk", test_commit_one_entry_or_walk);
	CU_add_test(s, "table install at each level", test_table_install_each_level);
	CU_add_test(s, "table install takes tables above from the cache",
		    test_table_install_takes_cache);
	CU_add_test(s, "refused table ops change nothing", test_table_ops_refused);
	CU_add_test(s, "table removal", test_table_remove);
	CU_add_test(s, "lent tables go in cleared", test_lent_tables_cleared);
	CU_add_test(s, "clear everything", test_clear);
}
