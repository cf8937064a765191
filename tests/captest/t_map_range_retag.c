/*
 * VSPACE_RETAG_FRAMES (issue 16): a new ownership tag on the mappings of a
 * run of frames, in place. What was mapped stays mapped, with its address
 * and rights, and stays usable (no fault, its data there) while its tag
 * changes; a 2 MiB frame over a last-level table has every entry retagged;
 * runs longer than a step restart and finish; nothing outside the run
 * changes. Every bad input is refused with its own error, and a refusal
 * at the run's last frame leaves the tags of the frames before it.
 */
#include "t_hostile.h"

#define RW	 (SEPTA_MAP_R | SEPTA_MAP_W)
#define PAGE	 0x1000ULL
#define MIB2	 (2ULL << 20)
#define TAG_IPA	 0x62000000ULL /* the suite's VSpace: one last-level table */
#define TAG_IPA2 0x62200000ULL /* the next 2 MiB, for a 2 MiB frame */

static long retag(uint64_t vs, uint64_t first, uint64_t n, uint64_t tag)
{
	return septa_vspace_retag_frames(vs, CNODE, 0, 0, first, n, tag);
}

/* The tag VSPACE_QUERY reads at ipa, if pa is mapped there with rights;
 * else ~0. */
static uint64_t tag_at(uint64_t vs, uint64_t ipa, uint64_t pa, uint64_t rights)
{
	uint64_t q[4] = {0};

	if (septa_vspace_query(vs, ipa, q) || q[0] != pa || q[2] != rights)
		return ~0ULL;
	return q[3];
}

/* Two pages and a 2 MiB frame over a last-level table in the suite's own
 * VSpace, written before and used after: retagged SHARED_OWNED and back,
 * each entry's address and rights the same, the data still there and
 * writable, and a page beside them (not in the run) left OWNED. */
void test_map_range_retag_in_place(void)
{
	/* The 2 MiB frame first: from the start of the 4 MiB Untyped. */
	uint64_t run = slots(3), big = septa_untyped_retype(ct.ut, SEPTA_OBJ_FRAME_2M, 0,
							    CNODE, 0, 0, run + 2, 1);
	uint64_t pt = mk(SEPTA_OBJ_PAGE_TABLE, 0), pt2 = mk(SEPTA_OBJ_PAGE_TABLE, 0);
	uint64_t keep = mk(SEPTA_OBJ_FRAME_4K, 0);
	uint64_t ipa[3] = {TAG_IPA, TAG_IPA + 2 * PAGE, TAG_IPA2}, pa[3];
	volatile uint64_t *k = (volatile uint64_t *)(uintptr_t)(TAG_IPA + PAGE);

	CHECK_EQ(big, 0);
	CHECK(pt && pt2 && keep);
	CHECK_EQ(septa_page_table_map(pt, VSPACE, TAG_IPA, 3, NULL), 0);
	CHECK_EQ(septa_page_table_map(pt2, VSPACE, TAG_IPA2, 3, NULL), 0);
	CHECK_EQ(septa_untyped_retype(ct.ut, SEPTA_OBJ_FRAME_4K, 0, CNODE, 0, 0, run, 2),
		 0);
	for (unsigned i = 0; i < 3; i++) {
		CHECK_EQ(septa_frame_map(run + i, VSPACE, ipa[i], RW, SEPTA_OWNED, 0,
					 NULL, NULL),
			 0);
		pa[i] = frame_pa(run + i);
		*(volatile uint64_t *)(uintptr_t)ipa[i] = 0xa0 + i;
	}
	CHECK_EQ(
	    septa_frame_map(keep, VSPACE, TAG_IPA + PAGE, RW, SEPTA_OWNED, 0, NULL, NULL),
	    0);
	*k = 77;
	CHECK_EQ(retag(VSPACE, run, 3, SEPTA_SHARED_OWNED), 0);
	for (unsigned i = 0; i < 2; i++)
		CHECK_EQ(tag_at(VSPACE, ipa[i], pa[i], RW), SEPTA_SHARED_OWNED);
	for (uint64_t off = 0; off < MIB2; off += PAGE)
		CHECK_EQ(tag_at(VSPACE, TAG_IPA2 + off, pa[2] + off, RW),
			 SEPTA_SHARED_OWNED);
	CHECK_EQ(tag_at(VSPACE, TAG_IPA + PAGE, frame_pa(keep), RW), SEPTA_OWNED);
	/* Still mapped as before: read and written without a fault. */
	for (unsigned i = 0; i < 3; i++) {
		CHECK_EQ(*(volatile uint64_t *)(uintptr_t)ipa[i], 0xa0 + i);
		*(volatile uint64_t *)(uintptr_t)ipa[i] = 0xb0 + i;
	}
	CHECK_EQ(*k, 77);
	CHECK_EQ(retag(VSPACE, run, 3, SEPTA_OWNED), 0);
	CHECK_EQ(tag_at(VSPACE, ipa[1], pa[1], RW), SEPTA_OWNED);
	CHECK_EQ(tag_at(VSPACE, TAG_IPA2 + MIB2 - PAGE, pa[2] + MIB2 - PAGE, RW),
		 SEPTA_OWNED);
	CHECK_EQ(*(volatile uint64_t *)(uintptr_t)ipa[2], 0xb2);
	/* A mapping with rights taken away keeps them: only the tag changes. */
	CHECK_EQ(septa_vspace_protect(VSPACE, ipa[0], PAGE, SEPTA_MAP_R, 0, NULL, NULL),
		 0);
	CHECK_EQ(retag(VSPACE, run, 1, SEPTA_BORROWED), 0);
	CHECK_EQ(tag_at(VSPACE, ipa[0], pa[0], SEPTA_MAP_R), SEPTA_BORROWED);
	CHECK_EQ(septa_cnode_delete(CNODE, pt, DEPTH), 0);
	CHECK_EQ(septa_cnode_delete(CNODE, pt2, DEPTH), 0);
}

/* 300 frames (more than a step's 128: the call restarts) over two
 * last-level tables: every one retagged, by one call. */
void test_map_range_retag_restarts(void)
{
	uint64_t vs = hostile_vspace32(), pt = mk(SEPTA_OBJ_PAGE_TABLE, 0), run;

	CHECK(vs && pt);
	CHECK_EQ(septa_page_table_map(pt, vs, MIB2, 3, NULL), 0);
	/* From 2 MiB - 100 pages: 100 in the first table, 200 in the next. */
	run = mapped_frames(vs, 300, MIB2 - 100 * PAGE, PAGE);
	CHECK(run);
	CHECK_EQ(retag(vs, run, 300, SEPTA_SHARED_BORROWED), 0);
	for (unsigned i = 0; i < 300; i++)
		CHECK_EQ(tag_at(vs, MIB2 - 100 * PAGE + i * PAGE, frame_pa(run + i), RW),
			 SEPTA_SHARED_BORROWED);
}

/* The run's last frame not mapped: refused, and the two before it keep
 * their tags. */
void test_map_range_retag_partial_failure(void)
{
	uint64_t vs = hostile_vspace32(), run = vs ? mapped_frames(vs, 3, PAGE, PAGE) : 0;

	CHECK(run);
	CHECK_EQ(septa_frame_unmap(run + 2), 0);
	CHECK_EQ(retag(vs, run, 3, SEPTA_SHARED_OWNED), SEPTA_E_NOT_MAPPED);
	CHECK_EQ(tag_at(vs, PAGE, frame_pa(run), RW), SEPTA_OWNED);
	CHECK_EQ(tag_at(vs, 2 * PAGE, frame_pa(run + 1), RW), SEPTA_OWNED);
	CHECK_EQ(retag(vs, run, 2, SEPTA_SHARED_OWNED), 0);
	CHECK_EQ(tag_at(vs, 2 * PAGE, frame_pa(run + 1), RW), SEPTA_SHARED_OWNED);
}

/* Two frames mapped at pages 1 and 2 of a fresh VSpace, OWNED. */
static uint64_t tagged_pair(uint64_t *vs)
{
	*vs = hostile_vspace32();
	return *vs ? mapped_frames(*vs, 2, PAGE, PAGE) : 0;
}

static int pair_owned(uint64_t vs, uint64_t run)
{
	return tag_at(vs, PAGE, frame_pa(run), RW) == SEPTA_OWNED &&
	       tag_at(vs, 2 * PAGE, frame_pa(run + 1), RW) == SEPTA_OWNED;
}

void test_bad_vspace_retag_frames_arg_count(void)
{
	uint64_t vs, run = tagged_pair(&vs);

	CHECK(run);
	CHECK_EQ(retag(vs, run, 0, SEPTA_SHARED_OWNED), SEPTA_E_ARG);
	CHECK_EQ(retag(vs, run, SEPTA_UNMAP_FRAMES_MAX + 1, SEPTA_SHARED_OWNED),
		 SEPTA_E_ARG);
	CHECK_EQ(retag(vs, run, ~0ULL, SEPTA_SHARED_OWNED), SEPTA_E_ARG);
	CHECK(pair_owned(vs, run));
}

void test_bad_vspace_retag_frames_arg_tag(void)
{
	uint64_t vs, run = tagged_pair(&vs);

	CHECK(run);
	CHECK_EQ(retag(vs, run, 2, SEPTA_BORROWED + 1), SEPTA_E_ARG);
	CHECK_EQ(retag(vs, run, 2, 1ULL << 40), SEPTA_E_ARG);
	CHECK(pair_owned(vs, run));
}

void test_bad_vspace_retag_frames_range(void)
{
	uint64_t vs, run = tagged_pair(&vs), c = small_cnode();

	CHECK(run && c);
	/* small_cnode has 4 slots. */
	CHECK_EQ(septa_vspace_retag_frames(vs, c, 0, 0, 4, 1, 1), SEPTA_E_RANGE);
	CHECK_EQ(septa_vspace_retag_frames(vs, c, 0, 0, 3, 2, 1), SEPTA_E_RANGE);
	CHECK_EQ(septa_vspace_retag_frames(vs, c, 0, 0, ~0ULL, 1, 1), SEPTA_E_RANGE);
	CHECK(pair_owned(vs, run));
	CHECK_EQ(small_cnode_intact(c), SEPTA_OK);
}

void test_bad_vspace_retag_frames_cap_type(void)
{
	uint64_t vs, run = tagged_pair(&vs), ep = mk(SEPTA_OBJ_ENDPOINT, 0);

	CHECK(run && ep);
	/* The CNode: not one, at depth 0 or at (index, depth). */
	CHECK_EQ(septa_vspace_retag_frames(vs, ep, 0, 0, run, 1, 1), SEPTA_E_CAP_TYPE);
	CHECK_EQ(septa_vspace_retag_frames(vs, CNODE, ep, DEPTH, 0, 1, 1),
		 SEPTA_E_CAP_TYPE);
	/* The run's last slot: an endpoint, after two frames. */
	CHECK_EQ(run + 2, ep);
	CHECK_EQ(retag(vs, run, 3, SEPTA_SHARED_OWNED), SEPTA_E_CAP_TYPE);
	CHECK(pair_owned(vs, run));
}

void test_bad_vspace_retag_frames_missing_cap(void)
{
	uint64_t vs, run = tagged_pair(&vs), hole = slot();

	CHECK(run);
	CHECK_EQ(run + 2, hole);
	CHECK_EQ(retag(vs, run, 3, SEPTA_SHARED_OWNED), SEPTA_E_MISSING_CAP);
	CHECK_EQ(retag(vs, hole, 1, SEPTA_SHARED_OWNED), SEPTA_E_MISSING_CAP);
	CHECK(pair_owned(vs, run));
}

void test_bad_vspace_retag_frames_not_mapped(void)
{
	uint64_t vs, run = tagged_pair(&vs), other = hostile_vspace32();
	uint64_t loose = mk(SEPTA_OBJ_FRAME_4K, 0), there = mk(SEPTA_OBJ_FRAME_4K, 0);
	uint64_t stale = mk(SEPTA_OBJ_FRAME_4K, 0), page = mk(SEPTA_OBJ_FRAME_4K, 0);
	uint64_t pt = mk(SEPTA_OBJ_PAGE_TABLE, 0), pt2 = mk(SEPTA_OBJ_PAGE_TABLE, 0);

	CHECK(run && other && loose && there && stale && pt && pt2 && page);
	CHECK_EQ(septa_frame_map(there, other, PAGE, RW, SEPTA_OWNED, 0, NULL, NULL), 0);
	/* Mapped nowhere; in another VSpace; the pair, named for the other. */
	CHECK_EQ(retag(vs, loose, 1, SEPTA_SHARED_OWNED), SEPTA_E_NOT_MAPPED);
	CHECK_EQ(retag(vs, there, 1, SEPTA_SHARED_OWNED), SEPTA_E_NOT_MAPPED);
	CHECK_EQ(retag(other, run, 1, SEPTA_SHARED_OWNED), SEPTA_E_NOT_MAPPED);
	CHECK_EQ(tag_at(other, PAGE, frame_pa(there), RW), SEPTA_OWNED);
	/* A stale record (its table went) counts, as for UNMAP_FRAMES: what
	 * another frame mapped where it was since keeps its tag, in a run
	 * with a live one that gets it. */
	CHECK_EQ(septa_page_table_map(pt, vs, MIB2, 3, NULL), 0);
	CHECK_EQ(septa_frame_map(stale, vs, MIB2, RW, SEPTA_OWNED, 0, NULL, NULL), 0);
	CHECK_EQ(septa_page_table_unmap(pt), 0);
	CHECK_EQ(septa_page_table_map(pt2, vs, MIB2, 3, NULL), 0);
	CHECK_EQ(septa_frame_map(page, vs, MIB2, RW, SEPTA_OWNED, 0, NULL, NULL), 0);
	CHECK_EQ(stale + 1, page);
	CHECK(pair_owned(vs, run));
	CHECK_EQ(retag(vs, stale, 2, SEPTA_SHARED_OWNED), 0);
	CHECK_EQ(tag_at(vs, MIB2, frame_pa(page), RW), SEPTA_SHARED_OWNED);
	CHECK_EQ(retag(vs, stale, 1, SEPTA_BORROWED), 0);
	CHECK_EQ(tag_at(vs, MIB2, frame_pa(page), RW), SEPTA_SHARED_OWNED);
}

/* A frame above 2 MiB (its entries could be more than a step's): a 1 GiB
 * one from the suite's largest Untyped (qemu.captest's -m 3G), mapped as
 * one block in a 40-bit VSpace. */
void test_bad_vspace_retag_frames_size(void)
{
	uint64_t vs = mk(SEPTA_OBJ_VSPACE, 40), giant = slot(), q[4] = {0};
	unsigned best = 0;

	for (unsigned i = 1; i < bi->untyped_count; i++)
		if (!bi->untyped[i].is_device &&
		    bi->untyped[i].size_bits > bi->untyped[best].size_bits)
			best = i;
	CHECK(vs);
	CHECK(bi->untyped[best].size_bits >= 31);
	CHECK_EQ(septa_untyped_retype(bi->untyped_slot + best, SEPTA_OBJ_FRAME_1G, 0,
				      CNODE, 0, 0, giant, 1),
		 0);
	CHECK_EQ(septa_frame_map(giant, vs, 1ULL << 30, RW, SEPTA_OWNED, 0, NULL, NULL),
		 0);
	CHECK_EQ(retag(vs, giant, 1, SEPTA_SHARED_OWNED), SEPTA_E_SIZE);
	CHECK_EQ(septa_vspace_query(vs, 1ULL << 30, q), 0);
	CHECK_EQ(q[3], SEPTA_OWNED);
}
