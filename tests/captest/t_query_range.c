/*
 * VSPACE_QUERY_EXTENT (issue 16): how far from an address the entries are
 * all mapped or all unmapped, across last-level tables, blocks, empty
 * entries of each level and the concatenated root, to the end of the
 * input addresses; at most 512 entries read a call, the caller going on
 * from where it stopped. Each bad input its own error, nothing changed.
 */
#include "t_hostile.h"

#define RW    (SEPTA_MAP_R | SEPTA_MAP_W)
#define MIB2  (2ULL << 20)
#define TOP   (1ULL << 40)
#define TOP32 (1ULL << 32)

static uint64_t qx_table(void *arg)
{
	(void)arg;
	return mk(SEPTA_OBJ_PAGE_TABLE, 0);
}

static const struct septa_table_source qx_tables = {qx_table, NULL, NULL};

/* OK if the reply from ipa is extent bytes of mapped (1) or unmapped (0). */
static void check_extent(uint64_t vs, uint64_t ipa, uint64_t size, uint64_t extent,
			 uint64_t mapped)
{
	uint64_t e = 0, m = 9;

	CHECK_EQ(septa_vspace_query_extent(vs, ipa, size, &e, &m), 0);
	CHECK_EQ(e, extent);
	CHECK_EQ(m, mapped);
}

/* A 40-bit VSpace (level 1 start, two root tables): pages at 0x1000,
 * 0x2000, 0x1ff000, 0x200000 (two last-level tables), 0x600000, and a
 * 2 MiB block at 0x400000. */
static uint64_t qx_vspace(void)
{
	static const uint64_t pages[] = {0x1000, 0x2000, 0x1ff000, 0x200000, 0x600000};
	uint64_t vs = mk(SEPTA_OBJ_VSPACE, 40), big;

	if (!vs)
		return 0;
	for (unsigned i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
		uint64_t f = mk(SEPTA_OBJ_FRAME_4K, 0);

		if (!f || septa_frame_map_with_tables(f, vs, pages[i], RW, SEPTA_OWNED,
						      &qx_tables, NULL))
			return 0;
	}
	/* Last: it takes the upper half of the test's 4 MiB. */
	big = mk(SEPTA_OBJ_FRAME_2M, 0);
	if (!big || septa_frame_map(big, vs, 0x400000, RW, SEPTA_OWNED, 0, NULL, NULL))
		return 0;
	return vs;
}

void test_query_extent_tables_and_blocks(void)
{
	uint64_t vs = qx_vspace();

	CHECK(vs);
	check_extent(vs, 0, TOP, 0x1000, 0);
	check_extent(vs, 0x1000, TOP - 0x1000, 0x2000, 1);
	check_extent(vs, 0x3000, TOP - 0x3000, 0x1ff000 - 0x3000, 0);
	/* Mapped across two last-level tables. */
	check_extent(vs, 0x1ff000, TOP - 0x1ff000, 0x2000, 1);
	/* 511 empty pages, up to the block. */
	check_extent(vs, 0x201000, TOP - 0x201000, 0x400000 - 0x201000, 0);
	/* The block and the next table's first page: one mapped run. */
	check_extent(vs, 0x400000, TOP - 0x400000, MIB2 + 0x1000, 1);
	check_extent(vs, 0x401000, TOP - 0x401000, MIB2, 1);
	/* Cut at size, inside a block and inside empty entries. */
	check_extent(vs, 0x401000, 0x1000, 0x1000, 1);
	check_extent(vs, 0x3000, 0x5000, 0x5000, 0);
	/* The end of the input addresses. */
	check_extent(vs, TOP - 0x1000, 0x1000, 0x1000, 0);
	check_extent(vs, TOP - MIB2, MIB2, MIB2, 0);
}

/* From 0x601000 to the end: 511 empty pages, 508 empty level-2 entries,
 * 1023 empty level-1 entries over both root tables; 512 a call. */
void test_query_extent_bounded_steps(void)
{
	uint64_t vs = qx_vspace(), a = 0x601000, e = 0, m = 9;
	unsigned calls = 0;

	CHECK(vs);
	check_extent(vs, a, TOP - a, 0xa00000 - a, 0);
	while (a < TOP && calls < 10) {
		CHECK_EQ(septa_vspace_query_extent(vs, a, TOP - a, &e, &m), 0);
		CHECK(e >= 0x1000 && e <= TOP - a);
		CHECK_EQ(m, 0);
		a += e;
		calls++;
	}
	CHECK_EQ(a, TOP);
	CHECK_EQ(calls, 4);
}

static long qx_raw(uint64_t vs, uint64_t ipa, uint64_t size)
{
	uint64_t mr[2] = {ipa, size};

	return raw_invoke(vs, SEPTA_VSPACE_QUERY_EXTENT, 0, NULL, 2, mr);
}

/* What a refused query leaves: the page at 0x1000 mapped as it was. */
static void qx_intact(uint64_t vs, uint64_t pa)
{
	uint64_t q[4] = {0};

	CHECK_EQ(septa_vspace_query(vs, 0x1000, q), 0);
	CHECK_EQ(q[0], pa);
	CHECK_EQ(q[2], RW);
	check_extent(vs, 0x1000, 0x1000, 0x1000, 1);
}

static uint64_t qx_small(uint64_t *pa)
{
	uint64_t vs = hostile_vspace32(), f = mk(SEPTA_OBJ_FRAME_4K, 0);

	*pa = 0;
	if (!vs || !f || septa_frame_map(f, vs, 0x1000, RW, SEPTA_OWNED, 0, NULL, NULL) ||
	    septa_frame_get_address(f, pa))
		return 0;
	return vs;
}

void test_bad_vspace_query_extent_align(void)
{
	uint64_t pa, vs = qx_small(&pa);

	CHECK(vs);
	CHECK_EQ(qx_raw(vs, 0x1800, 0x1000), SEPTA_E_ALIGN);
	CHECK_EQ(qx_raw(vs, 0x1000, 0x1800), SEPTA_E_ALIGN);
	CHECK_EQ(qx_raw(vs, 0x1000, 1), SEPTA_E_ALIGN);
	/* Before the range is looked at: misaligned and outside. */
	CHECK_EQ(qx_raw(vs, ~0ULL, 1), SEPTA_E_ALIGN);
	qx_intact(vs, pa);
}

void test_bad_vspace_query_extent_arg(void)
{
	uint64_t pa, vs = qx_small(&pa);

	CHECK(vs);
	CHECK_EQ(qx_raw(vs, 0x1000, 0), SEPTA_E_ARG);
	CHECK_EQ(qx_raw(vs, TOP32, 0), SEPTA_E_ARG);
	qx_intact(vs, pa);
}

void test_bad_vspace_query_extent_range(void)
{
	uint64_t pa, vs = qx_small(&pa);

	CHECK(vs);
	CHECK_EQ(qx_raw(vs, TOP32, 0x1000), SEPTA_E_RANGE);
	CHECK_EQ(qx_raw(vs, TOP32 - 0x1000, 0x2000), SEPTA_E_RANGE);
	/* Wrapping, and from the last page of the 64-bit space. */
	CHECK_EQ(qx_raw(vs, 0x1000, ~0xfffULL), SEPTA_E_RANGE);
	CHECK_EQ(qx_raw(vs, ~0xfffULL, 0x1000), SEPTA_E_RANGE);
	/* Aliasing the page at 0x1000 from above the space must not work. */
	CHECK_EQ(qx_raw(vs, TOP32 | 0x1000, 0x1000), SEPTA_E_RANGE);
	/* The largest range there is: fine. */
	check_extent(vs, 0, TOP32, 0x1000, 0);
	qx_intact(vs, pa);
}
