/*
 * VSPACE_MAP_FRAMES (issue 16): a run of 4 KiB frames copied into empty
 * slots and mapped at consecutive pages, what memsrv's grants of a run
 * cost one call. The copies map the frames they copy, with the rights and
 * tag asked, across a table boundary; each is a child of its source
 * (revoking the source takes the mapping); a copy has Write only for a
 * writable mapping, and a source without Write maps read-only only. Every
 * bad input is refused with its own error, and a refusal at any frame of
 * the run leaves every slot empty and every page unmapped.
 */
#include "t_hostile.h"

#define R	 SEPTA_MAP_R
#define RW	 (SEPTA_MAP_R | SEPTA_MAP_W)
#define PAGE	 0x1000ULL
#define MIB2	 (2ULL << 20)
#define SEE_IPA	 0x61000000ULL /* the suite's VSpace: the sources, RW */
#define COPY_IPA 0x61200000ULL /* and the copies, a table further */

/* What VSPACE_QUERY says of ipa: out[0] the address (0: unmapped). */
static uint64_t query(uint64_t vs, uint64_t ipa, uint64_t out[4])
{
	if (septa_vspace_query(vs, ipa, out))
		out[0] = ~0ULL;
	return out[0];
}

/* A 32-bit VSpace with last-level tables for its first 4 MiB: a run at
 * 2 MiB - 2 pages crosses from one to the other. */
static uint64_t vspace_two_tables(void)
{
	uint64_t vs = hostile_vspace32(), pt = mk(SEPTA_OBJ_PAGE_TABLE, 0);

	if (!vs || !pt || septa_page_table_map(pt, vs, MIB2, 3, NULL))
		return 0;
	return vs;
}

/* Nothing of a refused run: no copy, no page mapped. */
static int untouched(uint64_t vs, uint64_t dst, uint64_t n, uint64_t ipa)
{
	uint64_t out[4];

	for (uint64_t i = 0; i < n; i++)
		if (probe(dst + i) != SEPTA_E_MISSING_CAP ||
		    query(vs, ipa + i * PAGE, out))
			return 0;
	return 1;
}

/* Four frames seen through the suite's own mappings of the sources and of
 * the copies: the same memory, the rights and tag asked for each page,
 * and the run crosses into the next last-level table. */
void test_map_range_maps_copies(void)
{
	uint64_t src = frames(4), dst = slots(4), out[4];
	uint64_t pt = mk(SEPTA_OBJ_PAGE_TABLE, 0), pt2 = mk(SEPTA_OBJ_PAGE_TABLE, 0);
	uint64_t pt3 = mk(SEPTA_OBJ_PAGE_TABLE, 0);
	uint64_t at = COPY_IPA + MIB2 - 2 * PAGE; /* two pages each side */

	CHECK(src && pt && pt2 && pt3);
	CHECK_EQ(septa_page_table_map(pt, VSPACE, SEE_IPA, 3, NULL), 0);
	CHECK_EQ(septa_page_table_map(pt2, VSPACE, COPY_IPA, 3, NULL), 0);
	CHECK_EQ(septa_page_table_map(pt3, VSPACE, COPY_IPA + MIB2, 3, NULL), 0);
	for (unsigned i = 0; i < 4; i++) {
		CHECK_EQ(septa_frame_map(src + i, VSPACE, SEE_IPA + i * PAGE, RW,
					 SEPTA_OWNED, 0, NULL, NULL),
			 0);
		*(volatile uint64_t *)(uintptr_t)(SEE_IPA + i * PAGE) = 0x5eed0 + i;
	}
	CHECK_EQ(map_run(VSPACE, src, dst, 4, at, R, SEPTA_SHARED_BORROWED), 0);
	for (unsigned i = 0; i < 4; i++) {
		CHECK_EQ(query(VSPACE, at + i * PAGE, out), frame_pa(src + i));
		CHECK_EQ(out[1], 3);
		CHECK_EQ(out[2], R);
		CHECK_EQ(out[3], SEPTA_SHARED_BORROWED);
		CHECK_EQ(frame_pa(dst + i), frame_pa(src + i));
		CHECK_EQ(*(volatile uint64_t *)(uintptr_t)(at + i * PAGE), 0x5eed0 + i);
	}
	/* Each copy's record is its mapping: deleting it unmaps that page. */
	CHECK_EQ(septa_cnode_delete(CNODE, dst + 1, DEPTH), 0);
	CHECK_EQ(query(VSPACE, at + PAGE, out), 0);
	CHECK_EQ(query(VSPACE, at, out), frame_pa(src));
	/* Each copy is its source's child: revoking the source takes it. */
	CHECK_EQ(septa_cnode_revoke(CNODE, src + 2, DEPTH), 0);
	CHECK_EQ(probe(dst + 2), SEPTA_E_MISSING_CAP);
	CHECK_EQ(query(VSPACE, at + 2 * PAGE, out), 0);
	CHECK_EQ(query(VSPACE, at + 3 * PAGE, out), frame_pa(src + 3));
	/* The source's own mapping is its own. */
	CHECK_EQ(query(VSPACE, SEE_IPA + 2 * PAGE, out), frame_pa(src + 2));
	for (unsigned i = 0; i < 4; i++)
		septa_cnode_delete(CNODE, dst + i, DEPTH);
	CHECK_EQ(septa_cnode_delete(CNODE, pt, DEPTH), 0);
	CHECK_EQ(septa_cnode_delete(CNODE, pt2, DEPTH), 0);
	CHECK_EQ(septa_cnode_delete(CNODE, pt3, DEPTH), 0);
}

/* The copies' rights: Write only for a writable mapping (a copy of a
 * copy mapped R cannot map RW), and a source without Write maps only
 * read-only (E_RIGHTS, nothing mapped). */
void test_map_range_rights(void)
{
	uint64_t vs = hostile_vspace32(), src = frames(2), ro = slots(2), dst = slots(2);
	uint64_t again = slot(), out[4];

	CHECK(vs && src);
	CHECK_EQ(map_run(vs, src, dst, 1, PAGE, R, SEPTA_BORROWED), 0);
	CHECK_EQ(
	    septa_cnode_copy(CNODE, again, DEPTH, CNODE, dst, DEPTH, SEPTA_RIGHTS_ALL),
	    0);
	CHECK_EQ(septa_frame_map(again, vs, 8 * PAGE, RW, SEPTA_OWNED, 0, NULL, NULL),
		 SEPTA_E_RIGHTS);
	CHECK_EQ(septa_frame_map(again, vs, 8 * PAGE, R, SEPTA_OWNED, 0, NULL, NULL), 0);
	/* A read-only source: refused writable, mapped read-only. */
	for (unsigned i = 0; i < 2; i++)
		CHECK_EQ(septa_cnode_copy(CNODE, ro + i, DEPTH, CNODE, src + i, DEPTH,
					  SEPTA_RIGHT_READ),
			 0);
	CHECK_EQ(map_run(vs, ro, dst + 1, 1, 2 * PAGE, RW, SEPTA_OWNED), SEPTA_E_RIGHTS);
	CHECK(untouched(vs, dst + 1, 1, 2 * PAGE));
	CHECK_EQ(map_run(vs, ro, dst + 1, 1, 2 * PAGE, R, SEPTA_OWNED), 0);
	CHECK_EQ(query(vs, 2 * PAGE, out), frame_pa(src));
	CHECK_EQ(out[2], R);
}

/* A refusal at the run's last frame (its page is taken) leaves the frames
 * before it unmapped and their slots empty; so does one at its first. */
void test_map_range_partial_failure(void)
{
	uint64_t vs = vspace_two_tables(), src = frames(4), dst = slots(3);
	uint64_t at = MIB2 - 2 * PAGE, out[4];

	CHECK(vs && src);
	CHECK_EQ(
	    septa_frame_map(src + 3, vs, at + 2 * PAGE, RW, SEPTA_OWNED, 0, NULL, NULL),
	    0);
	CHECK_EQ(map_run(vs, src, dst, 3, at, RW, SEPTA_OWNED), SEPTA_E_DELETE_FIRST);
	CHECK(untouched(vs, dst, 2, at));
	CHECK_EQ(probe(dst + 2), SEPTA_E_MISSING_CAP);
	CHECK_EQ(query(vs, at + 2 * PAGE, out), frame_pa(src + 3));
	/* The same run one page lower maps whole. */
	CHECK_EQ(map_run(vs, src, dst, 3, at - PAGE, RW, SEPTA_OWNED), 0);
	CHECK_EQ(query(vs, at + PAGE, out), frame_pa(src + 2));
}

/* A run and its place: two frames, two empty slots, pages 1-2 free. */
struct run {
	uint64_t vs, src, dst;
};

static int run_make(struct run *r)
{
	r->vs = hostile_vspace32();
	r->src = frames(2);
	r->dst = slots(2);
	return r->vs && r->src;
}

static int run_untouched(const struct run *r)
{
	return untouched(r->vs, r->dst, 2, PAGE);
}

void test_bad_vspace_map_frames_arg_count(void)
{
	struct run r;

	CHECK(run_make(&r));
	CHECK_EQ(map_run(r.vs, r.src, r.dst, 0, PAGE, RW, 0), SEPTA_E_ARG);
	CHECK_EQ(map_run(r.vs, r.src, r.dst, SEPTA_MAP_FRAMES_MAX + 1, PAGE, RW, 0),
		 SEPTA_E_ARG);
	CHECK_EQ(map_run(r.vs, r.src, r.dst, ~0ULL, PAGE, RW, 0), SEPTA_E_ARG);
	CHECK(run_untouched(&r));
}

void test_bad_vspace_map_frames_arg_rights(void)
{
	struct run r;

	CHECK(run_make(&r));
	CHECK_EQ(map_run(r.vs, r.src, r.dst, 2, PAGE, 0, 0), SEPTA_E_ARG);
	CHECK_EQ(map_run(r.vs, r.src, r.dst, 2, PAGE, SEPTA_MAP_W, 0), SEPTA_E_ARG);
	CHECK_EQ(map_run(r.vs, r.src, r.dst, 2, PAGE, 8 | R, 0), SEPTA_E_ARG);
	CHECK_EQ(map_run(r.vs, r.src, r.dst, 2, PAGE, ~0ULL, 0), SEPTA_E_ARG);
	CHECK(run_untouched(&r));
}

void test_bad_vspace_map_frames_arg_tag(void)
{
	struct run r;

	CHECK(run_make(&r));
	CHECK_EQ(map_run(r.vs, r.src, r.dst, 2, PAGE, RW, SEPTA_BORROWED + 1),
		 SEPTA_E_ARG);
	CHECK_EQ(map_run(r.vs, r.src, r.dst, 2, PAGE, RW, 1ULL << 32), SEPTA_E_ARG);
	CHECK(run_untouched(&r));
}

void test_bad_vspace_map_frames_range(void)
{
	struct run r;
	uint64_t c = small_cnode();

	CHECK(run_make(&r) && c);
	/* Slots past a CNode (small_cnode has 4), the sources' or the copies'. */
	CHECK_EQ(septa_vspace_map_frames(r.vs, c, 0, 0, 3, 0, 0, 0, 2, PAGE, RW, 0),
		 SEPTA_E_RANGE);
	CHECK_EQ(septa_vspace_map_frames(r.vs, CNODE, 0, 0, r.src, 0, 0, ~0ULL, 2, PAGE,
					 RW, 0),
		 SEPTA_E_RANGE);
	CHECK_EQ(septa_vspace_map_frames(r.vs, CNODE, 0, 0, 1ULL << 63, 0, 0, r.dst, 2,
					 PAGE, RW, 0),
		 SEPTA_E_RANGE);
	/* Pages past the 32-bit IPA space, or reaching past it. */
	CHECK_EQ(map_run(r.vs, r.src, r.dst, 2, 1ULL << 32, RW, 0), SEPTA_E_RANGE);
	CHECK_EQ(map_run(r.vs, r.src, r.dst, 2, (1ULL << 32) - PAGE, RW, 0),
		 SEPTA_E_RANGE);
	CHECK_EQ(map_run(r.vs, r.src, r.dst, 2, ~0xfffULL, RW, 0), SEPTA_E_RANGE);
	CHECK(run_untouched(&r));
	CHECK_EQ(small_cnode_intact(c), SEPTA_OK);
}

void test_bad_vspace_map_frames_align(void)
{
	struct run r;

	CHECK(run_make(&r));
	CHECK_EQ(map_run(r.vs, r.src, r.dst, 2, PAGE + 8, RW, 0), SEPTA_E_ALIGN);
	CHECK(run_untouched(&r));
}

void test_bad_vspace_map_frames_cap_type(void)
{
	struct run r;
	uint64_t f, ep;

	CHECK(run_make(&r));
	f = frames(1);
	ep = mk(SEPTA_OBJ_ENDPOINT, 0);
	CHECK(f && ep);
	/* The root, or the CNode at (index, depth), not a CNode. */
	CHECK_EQ(septa_vspace_map_frames(r.vs, ep, 0, 0, 0, 0, 0, 0, 1, PAGE, RW, 0),
		 SEPTA_E_CAP_TYPE);
	CHECK_EQ(septa_vspace_map_frames(r.vs, CNODE, ep, DEPTH, 0, 0, 0, r.dst, 1, PAGE,
					 RW, 0),
		 SEPTA_E_CAP_TYPE);
	/* A source that is no frame, after one that would map. */
	CHECK_EQ(f + 1, ep);
	CHECK_EQ(map_run(r.vs, f, r.dst, 2, PAGE, RW, 0), SEPTA_E_CAP_TYPE);
	CHECK(run_untouched(&r));
}

void test_bad_vspace_map_frames_missing_cap(void)
{
	struct run r;
	uint64_t hole = slot(), dst = slots(2);

	CHECK(run_make(&r));
	CHECK_EQ(map_run(r.vs, hole, dst, 1, PAGE, RW, 0), SEPTA_E_MISSING_CAP);
	/* The run's second source: its slot empty. */
	CHECK_EQ(septa_cnode_delete(CNODE, r.src + 1, DEPTH), 0);
	CHECK_EQ(map_run(r.vs, r.src, r.dst, 2, PAGE, RW, 0), SEPTA_E_MISSING_CAP);
	CHECK(run_untouched(&r));
	CHECK(untouched(r.vs, dst, 1, PAGE));
}

void test_bad_vspace_map_frames_size(void)
{
	struct run r;
	uint64_t big = slot(), dst = slots(1);

	/* The 2 MiB frame first: from the start of the 4 MiB Untyped. */
	CHECK_EQ(septa_untyped_retype(ct.ut, SEPTA_OBJ_FRAME_2M, 0, CNODE, 0, 0, big, 1),
		 0);
	CHECK(run_make(&r));
	CHECK_EQ(map_run(r.vs, big, dst, 1, 0, RW, 0), SEPTA_E_SIZE);
	CHECK(untouched(r.vs, dst, 1, 0));
	CHECK(run_untouched(&r));
}

void test_bad_vspace_map_frames_rights(void)
{
	struct run r;
	uint64_t ro = slots(2), wo = slot();

	CHECK(run_make(&r));
	CHECK_EQ(
	    septa_cnode_copy(CNODE, ro, DEPTH, CNODE, r.src, DEPTH, SEPTA_RIGHT_READ), 0);
	CHECK_EQ(septa_cnode_copy(CNODE, ro + 1, DEPTH, CNODE, r.src + 1, DEPTH,
				  SEPTA_RIGHT_READ),
		 0);
	CHECK_EQ(map_run(r.vs, ro, r.dst, 2, PAGE, RW, 0), SEPTA_E_RIGHTS);
	/* Without Read, not even read-only. */
	CHECK_EQ(
	    septa_cnode_copy(CNODE, wo, DEPTH, CNODE, r.src, DEPTH, SEPTA_RIGHT_WRITE),
	    0);
	CHECK_EQ(map_run(r.vs, wo, r.dst, 1, PAGE, R, 0), SEPTA_E_RIGHTS);
	CHECK(run_untouched(&r));
}

void test_bad_vspace_map_frames_in_use(void)
{
	struct run r;
	uint64_t ep;

	CHECK(run_make(&r));
	ep = mk(SEPTA_OBJ_ENDPOINT, 0);
	CHECK(ep);
	/* The second copy's slot is taken. */
	CHECK_EQ(
	    septa_cnode_copy(CNODE, r.dst + 1, DEPTH, CNODE, ep, DEPTH, SEPTA_RIGHTS_ALL),
	    0);
	CHECK_EQ(map_run(r.vs, r.src, r.dst, 2, PAGE, RW, 0), SEPTA_E_IN_USE);
	CHECK(untouched(r.vs, r.dst, 1, PAGE));
	CHECK_EQ(probe(r.dst + 1), SEPTA_E_WOULD_BLOCK);
	/* Runs that overlap: a slot both source and destination. */
	CHECK_EQ(map_run(r.vs, r.src, r.src + 1, 2, PAGE, RW, 0), SEPTA_E_IN_USE);
	CHECK_EQ(map_run(r.vs, r.src + 1, r.src, 2, PAGE, RW, 0), SEPTA_E_IN_USE);
	CHECK(untouched(r.vs, r.dst, 1, PAGE));
}

void test_bad_vspace_map_frames_delete_first(void)
{
	struct run r;
	uint64_t other = frames(1), out[4];

	CHECK(run_make(&r) && other);
	CHECK_EQ(septa_frame_map(other, r.vs, 2 * PAGE, RW, SEPTA_OWNED, 0, NULL, NULL),
		 0);
	CHECK_EQ(map_run(r.vs, r.src, r.dst, 2, PAGE, RW, 0), SEPTA_E_DELETE_FIRST);
	CHECK(untouched(r.vs, r.dst, 1, PAGE));
	CHECK_EQ(probe(r.dst + 1), SEPTA_E_MISSING_CAP);
	CHECK_EQ(query(r.vs, 2 * PAGE, out), frame_pa(other));
}

void test_bad_vspace_map_frames_no_table(void)
{
	struct run r;
	uint64_t bare = mk(SEPTA_OBJ_VSPACE, 32);

	CHECK(run_make(&r) && bare);
	/* No table at all; the first 2 MiB's table, but not the next's. */
	CHECK_EQ(map_run(bare, r.src, r.dst, 2, PAGE, RW, 0), SEPTA_E_NO_TABLE);
	CHECK(untouched(bare, r.dst, 2, PAGE));
	CHECK_EQ(map_run(r.vs, r.src, r.dst, 2, MIB2 - PAGE, RW, 0), SEPTA_E_NO_TABLE);
	CHECK(untouched(r.vs, r.dst, 1, MIB2 - PAGE));
	CHECK(run_untouched(&r));
}
