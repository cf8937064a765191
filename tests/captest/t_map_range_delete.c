/*
 * VSPACE_DELETE_FRAMES (issue 16): the frame capabilities of a run of
 * slots deleted with their mappings, what a revoke and a delete of each
 * do when none has children. Slots end empty, pages unmapped, a copy's
 * source keeps its own mapping; runs longer than a step restart and
 * finish; a run with a capability that has children (a copy of it) is
 * refused whole, as is every other bad input, with its own error.
 */
#include "t_hostile.h"

#define RW   (SEPTA_MAP_R | SEPTA_MAP_W)
#define PAGE 0x1000ULL
#define MIB2 (2ULL << 20)

static long delete_run(uint64_t vs, uint64_t first, uint64_t n)
{
	return septa_vspace_delete_frames(vs, CNODE, 0, 0, first, n);
}

static uint64_t pa_at(uint64_t vs, uint64_t ipa)
{
	uint64_t q[4] = {0};

	return septa_vspace_query(vs, ipa, q) ? ~0ULL : q[0];
}

/* 300 mapped frames over two tables (more than a step: the call
 * restarts), then copies of frames (mapped, and one not mapped) whose
 * sources stay mapped: every slot of the runs empty after, every page of
 * theirs unmapped, the sources' pages still there. */
void test_map_range_delete_frames(void)
{
	uint64_t vs = hostile_vspace32(), pt = mk(SEPTA_OBJ_PAGE_TABLE, 0), run, src, cp;

	CHECK(vs && pt);
	CHECK_EQ(septa_page_table_map(pt, vs, MIB2, 3, NULL), 0);
	run = mapped_frames(vs, 300, MIB2 - 100 * PAGE, PAGE);
	CHECK(run);
	CHECK_EQ(delete_run(vs, run, 300), 0);
	for (unsigned i = 0; i < 300; i++) {
		CHECK_EQ(probe(run + i), SEPTA_E_MISSING_CAP);
		CHECK_EQ(pa_at(vs, MIB2 - 100 * PAGE + i * PAGE), 0);
	}
	src = mapped_frames(vs, 2, PAGE, PAGE);
	cp = slots(3);
	CHECK(src);
	CHECK_EQ(septa_cnode_copy(CNODE, cp, DEPTH, CNODE, src, DEPTH, SEPTA_RIGHTS_ALL),
		 0);
	CHECK_EQ(septa_cnode_copy(CNODE, cp + 1, DEPTH, CNODE, src + 1, DEPTH,
				  SEPTA_RIGHTS_ALL),
		 0);
	CHECK_EQ(
	    septa_cnode_copy(CNODE, cp + 2, DEPTH, CNODE, src, DEPTH, SEPTA_RIGHTS_ALL),
	    0);
	CHECK_EQ(septa_frame_map(cp, vs, 8 * PAGE, RW, SEPTA_OWNED, 0, NULL, NULL), 0);
	CHECK_EQ(septa_frame_map(cp + 1, vs, 9 * PAGE, RW, SEPTA_OWNED, 0, NULL, NULL),
		 0);
	CHECK_EQ(delete_run(vs, cp, 3), 0);
	for (unsigned i = 0; i < 3; i++)
		CHECK_EQ(probe(cp + i), SEPTA_E_MISSING_CAP);
	CHECK_EQ(pa_at(vs, 8 * PAGE), 0);
	CHECK_EQ(pa_at(vs, 9 * PAGE), 0);
	CHECK_EQ(pa_at(vs, PAGE), frame_pa(src));
	CHECK_EQ(pa_at(vs, 2 * PAGE), frame_pa(src + 1));
	/* The sources are whole: they map again elsewhere once unmapped. */
	CHECK_EQ(septa_frame_unmap(src), 0);
	CHECK_EQ(septa_frame_map(src, vs, 20 * PAGE, RW, SEPTA_OWNED, 0, NULL, NULL), 0);
}

/* Two frames mapped at pages 1 and 2 of a fresh VSpace. */
static uint64_t pair(uint64_t *vs)
{
	*vs = hostile_vspace32();
	return *vs ? mapped_frames(*vs, 2, PAGE, PAGE) : 0;
}

static int pair_intact(uint64_t vs, uint64_t run)
{
	return probe(run) == SEPTA_E_LABEL && probe(run + 1) == SEPTA_E_LABEL &&
	       pa_at(vs, PAGE) == frame_pa(run) &&
	       pa_at(vs, 2 * PAGE) == frame_pa(run + 1);
}

/* The run's last frame has a copy: refused, the two before it deleted
 * by nothing; with the copy gone the run goes. */
void test_map_range_delete_partial_failure(void)
{
	uint64_t vs, run = pair(&vs), third = mk(SEPTA_OBJ_FRAME_4K, 0), c = slot();

	CHECK(run && third);
	CHECK_EQ(run + 2, third);
	CHECK_EQ(septa_cnode_copy(CNODE, c, DEPTH, CNODE, third, DEPTH, SEPTA_RIGHTS_ALL),
		 0);
	CHECK_EQ(delete_run(vs, run, 3), SEPTA_E_REVOKE_FIRST);
	CHECK(pair_intact(vs, run));
	CHECK_EQ(probe(third), SEPTA_E_LABEL);
	CHECK_EQ(septa_cnode_delete(CNODE, c, DEPTH), 0);
	CHECK_EQ(delete_run(vs, run, 3), 0);
	CHECK_EQ(probe(run + 1), SEPTA_E_MISSING_CAP);
}

void test_bad_vspace_delete_frames_arg_count(void)
{
	uint64_t vs, run = pair(&vs);

	CHECK(run);
	CHECK_EQ(delete_run(vs, run, 0), SEPTA_E_ARG);
	CHECK_EQ(delete_run(vs, run, SEPTA_UNMAP_FRAMES_MAX + 1), SEPTA_E_ARG);
	CHECK_EQ(delete_run(vs, run, ~0ULL), SEPTA_E_ARG);
	CHECK(pair_intact(vs, run));
}

void test_bad_vspace_delete_frames_range(void)
{
	uint64_t vs, run = pair(&vs), c = small_cnode();

	CHECK(run && c);
	CHECK_EQ(septa_vspace_delete_frames(vs, c, 0, 0, 4, 1), SEPTA_E_RANGE);
	CHECK_EQ(septa_vspace_delete_frames(vs, c, 0, 0, 3, 2), SEPTA_E_RANGE);
	CHECK_EQ(septa_vspace_delete_frames(vs, c, 0, 0, 1ULL << 63, 2), SEPTA_E_RANGE);
	CHECK(pair_intact(vs, run));
	CHECK_EQ(small_cnode_intact(c), SEPTA_OK);
}

void test_bad_vspace_delete_frames_cap_type(void)
{
	uint64_t vs, run = pair(&vs), ep = mk(SEPTA_OBJ_ENDPOINT, 0);

	CHECK(run && ep);
	CHECK_EQ(septa_vspace_delete_frames(vs, ep, 0, 0, run, 1), SEPTA_E_CAP_TYPE);
	CHECK_EQ(septa_vspace_delete_frames(vs, CNODE, ep, DEPTH, 0, 1),
		 SEPTA_E_CAP_TYPE);
	/* An endpoint after two frames; the VSpace's PageTable before them. */
	CHECK_EQ(run + 2, ep);
	CHECK_EQ(delete_run(vs, run, 3), SEPTA_E_CAP_TYPE);
	CHECK_EQ(delete_run(vs, run - 1, 2), SEPTA_E_CAP_TYPE);
	CHECK(pair_intact(vs, run));
	CHECK_EQ(probe(ep), SEPTA_E_WOULD_BLOCK);
}

void test_bad_vspace_delete_frames_missing_cap(void)
{
	uint64_t vs, run = pair(&vs), hole = slot();

	CHECK(run);
	CHECK_EQ(run + 2, hole);
	CHECK_EQ(delete_run(vs, run, 3), SEPTA_E_MISSING_CAP);
	CHECK_EQ(delete_run(vs, hole, 1), SEPTA_E_MISSING_CAP);
	CHECK(pair_intact(vs, run));
}

void test_bad_vspace_delete_frames_revoke_first(void)
{
	uint64_t vs, run = pair(&vs), c = slot();

	CHECK(run);
	/* The first has a copy (unmapped, in another slot). */
	CHECK_EQ(septa_cnode_copy(CNODE, c, DEPTH, CNODE, run, DEPTH, SEPTA_RIGHTS_ALL),
		 0);
	CHECK_EQ(delete_run(vs, run, 2), SEPTA_E_REVOKE_FIRST);
	CHECK_EQ(delete_run(vs, run, 1), SEPTA_E_REVOKE_FIRST);
	CHECK(pair_intact(vs, run));
	CHECK_EQ(probe(c), SEPTA_E_LABEL);
}

void test_bad_vspace_delete_frames_not_mapped(void)
{
	uint64_t vs, run = pair(&vs), other = hostile_vspace32();
	uint64_t there = mk(SEPTA_OBJ_FRAME_4K, 0);

	CHECK(run && other && there);
	CHECK_EQ(septa_frame_map(there, other, PAGE, RW, SEPTA_OWNED, 0, NULL, NULL), 0);
	/* Mapped in another VSpace: alone, or after the pair. */
	CHECK_EQ(delete_run(vs, there, 1), SEPTA_E_NOT_MAPPED);
	CHECK_EQ(delete_run(other, run, 2), SEPTA_E_NOT_MAPPED);
	CHECK_EQ(pa_at(other, PAGE), frame_pa(there));
	CHECK_EQ(probe(there), SEPTA_E_LABEL);
	CHECK(pair_intact(vs, run));
}
