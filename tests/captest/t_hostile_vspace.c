/*
 * Hostile PageTable, Frame and VSpace invocations: levels, alignments and
 * IPAs at and past the limits of a 32-bit VSpace, rights the capability
 * lacks, capabilities of the wrong type in every slot, tables given twice
 * or mapped already. Each refusal maps nothing (VSPACE_QUERY still finds
 * the IPA empty, or as it was) and leaves the frame or table free to map.
 */
#include "t_hostile.h"

#define RW    (SEPTA_MAP_R | SEPTA_MAP_W)
#define TOP32 (1ULL << 32)

/* Nothing is mapped at ipa in vs. */
#define CHECK_EMPTY(vs, ipa)                                                             \
	do {                                                                             \
		uint64_t _q[4] = {1, 1, 1, 1};                                           \
		CHECK_EQ(septa_vspace_query(vs, ipa, _q), 0);                            \
		CHECK_EQ(_q[0], 0);                                                      \
	} while (0)

/* Frame f is mapped nowhere: it maps into a fresh VSpace now. */
#define CHECK_FREE_FRAME(f)                                                              \
	do {                                                                             \
		uint64_t _vs = hostile_vspace32();                                       \
		CHECK(_vs);                                                              \
		CHECK_EQ(                                                                \
		    septa_frame_map(f, _vs, 0, SEPTA_MAP_R, SEPTA_OWNED, 0, NULL, NULL), \
		    0);                                                                  \
	} while (0)

/* PageTable pt is mapped nowhere. */
#define CHECK_FREE_TABLE(pt)                                                             \
	do {                                                                             \
		uint64_t _vs = mk(SEPTA_OBJ_VSPACE, 32);                                 \
		CHECK(_vs);                                                              \
		CHECK_EQ(septa_page_table_map(pt, _vs, 0, 3, NULL), 0);                  \
	} while (0)

static long pt_map_raw(uint64_t pt, uint64_t vs, uint64_t ipa, uint64_t level)
{
	uint64_t mr[2] = {ipa, level};

	return raw_invoke(pt, SEPTA_PAGE_TABLE_MAP, 1, &vs, 2, mr);
}

static void bad_pt_map(uint64_t ipa, uint64_t level, long want)
{
	uint64_t vs = mk(SEPTA_OBJ_VSPACE, 32), pt = mk(SEPTA_OBJ_PAGE_TABLE, 0);

	CHECK(vs && pt);
	CHECK_EQ(pt_map_raw(pt, vs, ipa, level), want);
	CHECK_EMPTY(vs, ipa & (TOP32 - 1));
	CHECK_FREE_TABLE(pt);
}

void test_bad_page_table_map_arg_start_level(void)
{
	/* A 32-bit VSpace's root holds level-2 entries: level 3 is the only
	 * table a PageTable can be. */
	bad_pt_map(0, 2, SEPTA_E_ARG);
}

void test_bad_page_table_map_arg_level_4(void)
{
	bad_pt_map(0, 4, SEPTA_E_ARG);
}

void test_bad_page_table_map_arg_level_wide(void)
{
	/* Cut to 32 bits it would be 3. */
	bad_pt_map(0, 1ULL << 32 | 3, SEPTA_E_ARG);
}

void test_bad_page_table_map_arg_level_zero(void)
{
	bad_pt_map(0, 0, SEPTA_E_ARG);
}

void test_bad_page_table_map_align(void)
{
	/* A level-3 table covers 2 MiB: at 2 MiB - 4 KiB it does not fit. */
	bad_pt_map(0x1ff000, 3, SEPTA_E_ALIGN);
}

void test_bad_page_table_map_range(void)
{
	uint64_t vs = mk(SEPTA_OBJ_VSPACE, 32), pt = mk(SEPTA_OBJ_PAGE_TABLE, 0);

	CHECK(vs && pt);
	CHECK_EQ(pt_map_raw(pt, vs, TOP32, 3), SEPTA_E_RANGE);
	CHECK_EQ(pt_map_raw(pt, vs, ~0ULL << 21, 3), SEPTA_E_RANGE);
	/* The last 2 MiB of the space is fine. */
	CHECK_EQ(pt_map_raw(pt, vs, TOP32 - (1 << 21), 3), 0);
}

void test_bad_page_table_map_cap_type(void)
{
	uint64_t pt = mk(SEPTA_OBJ_PAGE_TABLE, 0), f = mk(SEPTA_OBJ_FRAME_4K, 0);

	CHECK(pt && f);
	CHECK_EQ(pt_map_raw(pt, f, 0, 3), SEPTA_E_CAP_TYPE);
	CHECK_EQ(pt_map_raw(pt, CNODE, 0, 3), SEPTA_E_CAP_TYPE);
	CHECK_EQ(pt_map_raw(pt, SEPTA_CAP_INIT_TCB, 0, 3), SEPTA_E_CAP_TYPE);
	CHECK_FREE_TABLE(pt);
}

void test_bad_page_table_map_in_use(void)
{
	uint64_t vs = mk(SEPTA_OBJ_VSPACE, 32), other = mk(SEPTA_OBJ_VSPACE, 32);
	uint64_t pt = mk(SEPTA_OBJ_PAGE_TABLE, 0), f = mk(SEPTA_OBJ_FRAME_4K, 0);

	CHECK(vs && other && pt && f);
	CHECK_EQ(pt_map_raw(pt, vs, 0, 3), 0);
	CHECK_EQ(pt_map_raw(pt, vs, 1 << 21, 3), SEPTA_E_IN_USE);
	CHECK_EQ(pt_map_raw(pt, other, 0, 3), SEPTA_E_IN_USE);
	CHECK_EMPTY(other, 0);
	/* Still linked where it was: a frame maps through it. */
	CHECK_EQ(septa_frame_map(f, vs, 0x3000, RW, SEPTA_OWNED, 0, NULL, NULL), 0);
}

void test_bad_page_table_map_delete_first(void)
{
	uint64_t vs = mk(SEPTA_OBJ_VSPACE, 32), pt = mk(SEPTA_OBJ_PAGE_TABLE, 0),
		 pt2 = mk(SEPTA_OBJ_PAGE_TABLE, 0), f = mk(SEPTA_OBJ_FRAME_4K, 0);
	uint64_t pa = 0, q[4];

	CHECK(vs && pt && pt2 && f);
	CHECK_EQ(pt_map_raw(pt, vs, 0, 3), 0);
	CHECK_EQ(septa_frame_map(f, vs, 0x5000, RW, SEPTA_OWNED, 0, NULL, NULL), 0);
	CHECK_EQ(pt_map_raw(pt2, vs, 0, 3), SEPTA_E_DELETE_FIRST);
	/* The first table and its mapping stay. */
	CHECK_EQ(septa_frame_get_address(f, &pa), 0);
	CHECK_EQ(septa_vspace_query(vs, 0x5000, q), 0);
	CHECK_EQ(q[0], pa);
	CHECK_FREE_TABLE(pt2);
}

void test_bad_page_table_map_no_table(void)
{
	uint64_t vs = mk(SEPTA_OBJ_VSPACE, 40), pt = mk(SEPTA_OBJ_PAGE_TABLE, 0);
	struct septa_no_table nt = {9, 9};

	CHECK(vs && pt);
	/* 40 bits start at level 1: a level-3 table needs the level-2 one. */
	CHECK_EQ(septa_page_table_map(pt, vs, 0, 3, &nt), SEPTA_E_NO_TABLE);
	CHECK_EQ(nt.level, 1);
	CHECK_EQ(nt.missing, 1);
	CHECK_EMPTY(vs, 0);
	CHECK_FREE_TABLE(pt);
}

static long map_raw(uint64_t f, uint64_t vs, uint64_t ipa, uint64_t rights,
		    uint64_t owner)
{
	uint64_t mr[3] = {ipa, rights, owner};

	return raw_invoke(f, SEPTA_FRAME_MAP, 1, &vs, 3, mr);
}

static void bad_map(uint64_t ipa, uint64_t rights, uint64_t owner, long want)
{
	uint64_t vs = hostile_vspace32(), f = mk(SEPTA_OBJ_FRAME_4K, 0);

	CHECK(vs && f);
	CHECK_EQ(map_raw(f, vs, ipa, rights, owner), want);
	CHECK_EMPTY(vs, ipa & (TOP32 - 1) & ~0xfffULL);
	CHECK_FREE_FRAME(f);
}

void test_bad_frame_map_arg_rights_none(void)
{
	bad_map(0x1000, 0, SEPTA_OWNED, SEPTA_E_ARG);
}

void test_bad_frame_map_arg_rights_no_read(void)
{
	bad_map(0x1000, SEPTA_MAP_W | SEPTA_MAP_X, SEPTA_OWNED, SEPTA_E_ARG);
}

void test_bad_frame_map_arg_rights_unknown(void)
{
	bad_map(0x1000, RW | 8, SEPTA_OWNED, SEPTA_E_ARG);
}

void test_bad_frame_map_arg_rights_wide(void)
{
	/* Cut to 32 bits it would be R. */
	bad_map(0x1000, 1ULL << 32 | SEPTA_MAP_R, SEPTA_OWNED, SEPTA_E_ARG);
}

void test_bad_frame_map_arg_owner(void)
{
	bad_map(0x1000, RW, SEPTA_BORROWED + 1, SEPTA_E_ARG);
}

void test_bad_frame_map_arg_owner_wide(void)
{
	bad_map(0x1000, RW, 1ULL << 32, SEPTA_E_ARG);
}

void test_bad_frame_map_align(void)
{
	bad_map(0x1800, RW, SEPTA_OWNED, SEPTA_E_ALIGN);
}

void test_bad_frame_map_align_low_bit(void)
{
	bad_map(0x1001, RW, SEPTA_OWNED, SEPTA_E_ALIGN);
}

void test_bad_frame_map_range(void)
{
	bad_map(TOP32, RW, SEPTA_OWNED, SEPTA_E_RANGE);
}

void test_bad_frame_map_range_top(void)
{
	uint64_t vs = mk(SEPTA_OBJ_VSPACE, 32), pt = mk(SEPTA_OBJ_PAGE_TABLE, 0),
		 f = mk(SEPTA_OBJ_FRAME_4K, 0);

	CHECK(vs && pt && f);
	CHECK_EQ(septa_page_table_map(pt, vs, TOP32 - (1 << 21), 3, NULL), 0);
	CHECK_EQ(map_raw(f, vs, ~0ULL << 12, RW, SEPTA_OWNED), SEPTA_E_RANGE);
	CHECK_EQ(map_raw(f, vs, TOP32 + (TOP32 - 4096), RW, SEPTA_OWNED), SEPTA_E_RANGE);
	/* The last page of the space is fine. */
	CHECK_EQ(map_raw(f, vs, TOP32 - 4096, RW, SEPTA_OWNED), 0);
}

void test_bad_frame_map_cap_type(void)
{
	uint64_t f = mk(SEPTA_OBJ_FRAME_4K, 0), g = mk(SEPTA_OBJ_FRAME_4K, 0);

	CHECK(f && g);
	CHECK_EQ(map_raw(f, g, 0, RW, SEPTA_OWNED), SEPTA_E_CAP_TYPE);
	CHECK_EQ(map_raw(f, CNODE, 0, RW, SEPTA_OWNED), SEPTA_E_CAP_TYPE);
	CHECK_EQ(map_raw(f, f, 0, RW, SEPTA_OWNED), SEPTA_E_CAP_TYPE);
	CHECK_FREE_FRAME(f);
	CHECK_FREE_FRAME(g);
}

/* A copy of a new frame with only these rights. */
static uint64_t frame_with(unsigned rights, uint64_t *orig)
{
	uint64_t c = slot();

	*orig = mk(SEPTA_OBJ_FRAME_4K, 0);
	if (!*orig || septa_cnode_copy(CNODE, c, DEPTH, CNODE, *orig, DEPTH, rights))
		return 0;
	return c;
}

void test_bad_frame_map_rights_write(void)
{
	uint64_t vs = hostile_vspace32(), orig, ro = frame_with(SEPTA_RIGHT_READ, &orig);

	CHECK(vs && ro);
	CHECK_EQ(map_raw(ro, vs, 0x1000, RW, SEPTA_OWNED), SEPTA_E_RIGHTS);
	CHECK_EQ(map_raw(ro, vs, 0x1000, RW | SEPTA_MAP_X, SEPTA_OWNED), SEPTA_E_RIGHTS);
	CHECK_EMPTY(vs, 0x1000);
	/* Read alone it may. */
	CHECK_EQ(map_raw(ro, vs, 0x1000, SEPTA_MAP_R, SEPTA_OWNED), 0);
}

void test_bad_frame_map_rights_read(void)
{
	uint64_t vs = hostile_vspace32(), orig,
		 wo = frame_with(SEPTA_RIGHT_WRITE | SEPTA_RIGHT_GRANT, &orig);

	CHECK(vs && wo);
	CHECK_EQ(map_raw(wo, vs, 0x1000, SEPTA_MAP_R, SEPTA_OWNED), SEPTA_E_RIGHTS);
	CHECK_EQ(map_raw(wo, vs, 0x1000, RW, SEPTA_OWNED), SEPTA_E_RIGHTS);
	CHECK_EMPTY(vs, 0x1000);
	CHECK_FREE_FRAME(orig);
}

void test_bad_frame_map_rights_none(void)
{
	uint64_t vs = hostile_vspace32(), orig, no = frame_with(0, &orig);

	CHECK(vs && no);
	CHECK_EQ(map_raw(no, vs, 0x1000, SEPTA_MAP_R, SEPTA_OWNED), SEPTA_E_RIGHTS);
	CHECK_EMPTY(vs, 0x1000);
}

void test_bad_frame_map_arg_device_execute(void)
{
	unsigned dev = bi->untyped_count;
	uint64_t vs = hostile_vspace32(), f = slot();

	for (unsigned i = 0; i < bi->untyped_count; i++)
		if (bi->untyped[i].is_device)
			dev = i;
	CHECK(vs && dev < bi->untyped_count);
	CHECK_EQ(septa_untyped_retype(bi->untyped_slot + dev, SEPTA_OBJ_FRAME_4K, 0,
				      CNODE, 0, 0, f, 1),
		 0);
	CHECK_EQ(map_raw(f, vs, 0x1000, SEPTA_MAP_R | SEPTA_MAP_X, SEPTA_OWNED),
		 SEPTA_E_ARG);
	CHECK_EMPTY(vs, 0x1000);
	CHECK_EQ(map_raw(f, vs, 0x1000, RW, SEPTA_OWNED), 0);
	CHECK_EQ(septa_cnode_revoke(CNODE, bi->untyped_slot + dev, DEPTH), 0);
	CHECK_EMPTY(vs, 0x1000);
}

void test_bad_frame_map_in_use(void)
{
	uint64_t vs = hostile_vspace32(), other = hostile_vspace32(),
		 f = mk(SEPTA_OBJ_FRAME_4K, 0);

	CHECK(vs && other && f);
	CHECK_EQ(map_raw(f, vs, 0x1000, RW, SEPTA_OWNED), 0);
	CHECK_EQ(map_raw(f, vs, 0x2000, RW, SEPTA_OWNED), SEPTA_E_IN_USE);
	CHECK_EQ(map_raw(f, other, 0x1000, RW, SEPTA_OWNED), SEPTA_E_IN_USE);
	CHECK_EMPTY(vs, 0x2000);
	CHECK_EMPTY(other, 0x1000);
}

void test_bad_frame_map_align_2m(void)
{
	uint64_t vs = mk(SEPTA_OBJ_VSPACE, 32), f = mk(SEPTA_OBJ_FRAME_2M, 0);

	CHECK(vs && f);
	CHECK_EQ(map_raw(f, vs, 0x1000, RW, SEPTA_OWNED), SEPTA_E_ALIGN);
	CHECK_EQ(map_raw(f, vs, 0x100000, RW, SEPTA_OWNED), SEPTA_E_ALIGN);
	CHECK_EMPTY(vs, 0x1000);
	/* A 2 MiB block needs no table in a 32-bit VSpace. */
	CHECK_EQ(map_raw(f, vs, 0x200000, RW, SEPTA_OWNED), 0);
}

void test_bad_frame_map_delete_first(void)
{
	uint64_t vs = hostile_vspace32(), f = mk(SEPTA_OBJ_FRAME_4K, 0),
		 g = mk(SEPTA_OBJ_FRAME_4K, 0), pa = 0, q[4];

	CHECK(vs && f && g);
	CHECK_EQ(map_raw(f, vs, 0x1000, RW, SEPTA_OWNED), 0);
	CHECK_EQ(map_raw(g, vs, 0x1000, SEPTA_MAP_R, SEPTA_BORROWED),
		 SEPTA_E_DELETE_FIRST);
	CHECK_EQ(septa_frame_get_address(f, &pa), 0);
	CHECK_EQ(septa_vspace_query(vs, 0x1000, q), 0);
	CHECK_EQ(q[0], pa);
	CHECK_EQ(q[2], RW);
	CHECK_EQ(q[3], SEPTA_OWNED);
	CHECK_FREE_FRAME(g);
}

void test_bad_frame_map_no_table(void)
{
	uint64_t vs = mk(SEPTA_OBJ_VSPACE, 32), f = mk(SEPTA_OBJ_FRAME_4K, 0);
	struct septa_no_table nt = {9, 9};

	CHECK(vs && f);
	CHECK_EQ(septa_frame_map(f, vs, 0x1000, RW, SEPTA_OWNED, 0, NULL, &nt),
		 SEPTA_E_NO_TABLE);
	CHECK_EQ(nt.level, 2);
	CHECK_EQ(nt.missing, 1);
	CHECK_EMPTY(vs, 0x1000);
	CHECK_FREE_FRAME(f);
}

/* A frame map with PageTables for the missing tables. */
static long map_tables(uint64_t f, uint64_t vs, unsigned n, const uint64_t *pts)
{
	return septa_frame_map(f, vs, 0x1000, RW, SEPTA_OWNED, n, pts, NULL);
}

void test_bad_frame_map_cap_type_table(void)
{
	uint64_t vs = mk(SEPTA_OBJ_VSPACE, 32), f = mk(SEPTA_OBJ_FRAME_4K, 0),
		 pt = mk(SEPTA_OBJ_PAGE_TABLE, 0);
	uint64_t bad[2] = {pt, f};

	CHECK(vs && f && pt);
	/* The second table slot holds a frame, then the first a CNode. */
	CHECK_EQ(map_tables(f, vs, 2, bad), SEPTA_E_CAP_TYPE);
	bad[0] = CNODE;
	bad[1] = pt;
	CHECK_EQ(map_tables(f, vs, 2, bad), SEPTA_E_CAP_TYPE);
	CHECK_EMPTY(vs, 0x1000);
	CHECK_FREE_TABLE(pt);
	CHECK_FREE_FRAME(f);
}

void test_bad_frame_map_arg_table_twice(void)
{
	uint64_t vs = mk(SEPTA_OBJ_VSPACE, 32), f = mk(SEPTA_OBJ_FRAME_4K, 0),
		 pt = mk(SEPTA_OBJ_PAGE_TABLE, 0);
	uint64_t two[2] = {pt, pt};

	CHECK(vs && f && pt);
	CHECK_EQ(map_tables(f, vs, 2, two), SEPTA_E_ARG);
	CHECK_EMPTY(vs, 0x1000);
	CHECK_FREE_TABLE(pt);
}

void test_bad_frame_map_in_use_table(void)
{
	uint64_t vs = mk(SEPTA_OBJ_VSPACE, 32), other = mk(SEPTA_OBJ_VSPACE, 32),
		 f = mk(SEPTA_OBJ_FRAME_4K, 0), pt = mk(SEPTA_OBJ_PAGE_TABLE, 0);

	CHECK(vs && other && f && pt);
	CHECK_EQ(septa_page_table_map(pt, other, 0, 3, NULL), 0);
	CHECK_EQ(map_tables(f, vs, 1, &pt), SEPTA_E_IN_USE);
	CHECK_EMPTY(vs, 0x1000);
	CHECK_FREE_FRAME(f);
}

void test_bad_vspace_query_range(void)
{
	uint64_t vs = hostile_vspace32(), f = mk(SEPTA_OBJ_FRAME_4K, 0), q[4], pa = 0;
	uint64_t ipa;

	CHECK(vs && f);
	CHECK_EQ(septa_frame_map(f, vs, 0x1000, RW, SEPTA_OWNED, 0, NULL, NULL), 0);
	ipa = TOP32;
	CHECK_EQ(raw_invoke(vs, SEPTA_VSPACE_QUERY, 0, NULL, 1, &ipa), SEPTA_E_RANGE);
	ipa = ~0ULL;
	CHECK_EQ(raw_invoke(vs, SEPTA_VSPACE_QUERY, 0, NULL, 1, &ipa), SEPTA_E_RANGE);
	/* Aliasing the page at 0x1000 from above the space must not work. */
	ipa = TOP32 | 0x1000;
	CHECK_EQ(raw_invoke(vs, SEPTA_VSPACE_QUERY, 0, NULL, 1, &ipa), SEPTA_E_RANGE);
	CHECK_EQ(septa_vspace_query(vs, TOP32 - 1, q), 0);
	CHECK_EQ(q[0], 0);
	CHECK_EQ(septa_frame_get_address(f, &pa), 0);
	CHECK_EQ(septa_vspace_query(vs, 0x1fff, q), 0);
	CHECK_EQ(q[0], pa);
}

/* A 32-bit VSpace with a 4 KiB frame mapped RW at 0x1000. */
static uint64_t mapped_vs(void)
{
	uint64_t vs = hostile_vspace32(), f = mk(SEPTA_OBJ_FRAME_4K, 0);

	if (!vs || !f || septa_frame_map(f, vs, 0x1000, RW, SEPTA_OWNED, 0, NULL, NULL))
		return 0;
	return vs;
}

static long protect_raw(uint64_t vs, uint64_t ipa, uint64_t size, uint64_t keep)
{
	uint64_t mr[3] = {ipa, size, keep};

	return raw_invoke(vs, SEPTA_VSPACE_PROTECT, 0, NULL, 3, mr);
}

/* The mapping at 0x1000 still has RW. */
#define CHECK_STILL_RW(vs)                                                               \
	do {                                                                             \
		uint64_t _q[4];                                                          \
		CHECK_EQ(septa_vspace_query(vs, 0x1000, _q), 0);                         \
		CHECK_EQ(_q[2], RW);                                                     \
	} while (0)

static void bad_protect(uint64_t ipa, uint64_t size, uint64_t keep, long want)
{
	uint64_t vs = mapped_vs();

	CHECK(vs);
	CHECK_EQ(protect_raw(vs, ipa, size, keep), want);
	CHECK_STILL_RW(vs);
}

void test_bad_vspace_protect_arg_keep(void)
{
	bad_protect(0x1000, 4096, 8 | SEPTA_MAP_R, SEPTA_E_ARG);
}

void test_bad_vspace_protect_arg_keep_wide(void)
{
	bad_protect(0x1000, 4096, 1ULL << 32, SEPTA_E_ARG);
}

void test_bad_vspace_protect_align_ipa(void)
{
	bad_protect(0x1800, 4096, SEPTA_MAP_R, SEPTA_E_ALIGN);
}

void test_bad_vspace_protect_align_size(void)
{
	bad_protect(0x1000, 0x800, SEPTA_MAP_R, SEPTA_E_ALIGN);
}

void test_bad_vspace_protect_range_empty(void)
{
	bad_protect(0x1000, 0, SEPTA_MAP_R, SEPTA_E_RANGE);
}

void test_bad_vspace_protect_range_past_end(void)
{
	bad_protect(TOP32 - 4096, 8192, SEPTA_MAP_R, SEPTA_E_RANGE);
}

void test_bad_vspace_protect_range_wraps(void)
{
	/* ipa + size wraps to 0x1000: must not pass as inside. */
	bad_protect(0x2000, ~0ULL << 12, 0, SEPTA_E_RANGE);
}

void test_bad_vspace_protect_range_outside(void)
{
	bad_protect(TOP32 | 0x1000, 4096, 0, SEPTA_E_RANGE);
}

void test_bad_vspace_protect_cap_type(void)
{
	uint64_t vs = mapped_vs(), f = mk(SEPTA_OBJ_FRAME_4K, 0);

	CHECK(vs && f);
	CHECK_EQ(septa_vspace_protect(vs, 0x1000, 4096, SEPTA_MAP_R, 1, &f, NULL),
		 SEPTA_E_CAP_TYPE);
	CHECK_EQ(septa_vspace_protect(vs, 0x1000, 4096, SEPTA_MAP_R, 1, &vs, NULL),
		 SEPTA_E_CAP_TYPE);
	CHECK_STILL_RW(vs);
	CHECK_FREE_FRAME(f);
}

void test_bad_vspace_protect_arg_table_twice(void)
{
	uint64_t vs = mapped_vs(), pt = mk(SEPTA_OBJ_PAGE_TABLE, 0), two[2];

	CHECK(vs && pt);
	two[0] = two[1] = pt;
	CHECK_EQ(septa_vspace_protect(vs, 0x1000, 4096, SEPTA_MAP_R, 2, two, NULL),
		 SEPTA_E_ARG);
	CHECK_STILL_RW(vs);
	CHECK_FREE_TABLE(pt);
}

void test_bad_vspace_protect_in_use(void)
{
	uint64_t vs = mapped_vs(), other = mk(SEPTA_OBJ_VSPACE, 32),
		 pt = mk(SEPTA_OBJ_PAGE_TABLE, 0);

	CHECK(vs && other && pt);
	CHECK_EQ(septa_page_table_map(pt, other, 0, 3, NULL), 0);
	CHECK_EQ(septa_vspace_protect(vs, 0x1000, 4096, SEPTA_MAP_R, 1, &pt, NULL),
		 SEPTA_E_IN_USE);
	CHECK_STILL_RW(vs);
}

void test_bad_vspace_protect_no_table(void)
{
	uint64_t vs = mk(SEPTA_OBJ_VSPACE, 32), pt = mk(SEPTA_OBJ_PAGE_TABLE, 0);
	uint64_t big = mk(SEPTA_OBJ_FRAME_2M, 0), q[4];
	struct septa_no_table nt = {9, 9};

	CHECK(vs && pt && big);
	CHECK_EQ(septa_frame_map(big, vs, 0x200000, RW, SEPTA_OWNED, 0, NULL, NULL), 0);
	/* One page of the block: it must be split, and no table was given. */
	CHECK_EQ(septa_vspace_protect(vs, 0x201000, 4096, SEPTA_MAP_R, 0, NULL, &nt),
		 SEPTA_E_NO_TABLE);
	CHECK_EQ(nt.level, 2);
	CHECK_EQ(nt.missing, 1);
	CHECK_EQ(septa_vspace_query(vs, 0x201000, q), 0);
	CHECK_EQ(q[1], 2); /* still the block */
	CHECK_EQ(q[2], RW);
	CHECK_EQ(septa_vspace_protect(vs, 0x201000, 4096, SEPTA_MAP_R, 1, &pt, NULL), 0);
	CHECK_EQ(septa_vspace_query(vs, 0x201000, q), 0);
	CHECK_EQ(q[2], SEPTA_MAP_R);
}
