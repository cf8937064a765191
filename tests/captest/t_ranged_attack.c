/*
 * The ranged invocations attacked as a hostile EL0 server would (issue
 * 16's review): a page that already holds the very entry asked for (the
 * same frame, rights and tag, through another capability) is something
 * mapped there, E_DELETE_FIRST, and not a second capability recording
 * the one mapping (the audit's "a mapping belongs to the one capability
 * that made it").
 */
#include "t_hostile.h"

#define R    SEPTA_MAP_R
#define RW   (SEPTA_MAP_R | SEPTA_MAP_W)
#define PAGE 0x1000ULL

static uint64_t query_pa(uint64_t vs, uint64_t ipa)
{
	uint64_t out[4];

	return septa_vspace_query(vs, ipa, out) ? ~0ULL : out[0];
}

/* The source itself mapped at the run's second page with the rights and
 * tag the run asks: refused whole, both destinations empty, the first
 * page unmapped, the source's mapping its own (deleting it unmaps it). */
void test_ranged_attack_map_frames_over_same_entry(void)
{
	uint64_t vs = hostile_vspace32(), src = frames(2), dst = slots(2);

	CHECK(vs && src);
	CHECK_EQ(septa_frame_map(src + 1, vs, 2 * PAGE, RW, SEPTA_OWNED, 0, NULL, NULL),
		 0);
	CHECK_EQ(map_run(vs, src, dst, 2, PAGE, RW, SEPTA_OWNED), SEPTA_E_DELETE_FIRST);
	CHECK_EQ(probe(dst), SEPTA_E_MISSING_CAP);
	CHECK_EQ(probe(dst + 1), SEPTA_E_MISSING_CAP);
	CHECK_EQ(query_pa(vs, PAGE), 0);
	CHECK_EQ(query_pa(vs, 2 * PAGE), frame_pa(src + 1));
	CHECK_EQ(septa_cnode_delete(CNODE, src + 1, DEPTH), 0);
	CHECK_EQ(query_pa(vs, 2 * PAGE), 0);
}

/* A run mapped, then the same run again at the same pages into other
 * slots: the second finds every page taken. */
void test_ranged_attack_map_frames_twice(void)
{
	uint64_t vs = hostile_vspace32(), src = frames(2), dst = slots(2),
		 again = slots(2);

	CHECK(vs && src);
	CHECK_EQ(map_run(vs, src, dst, 2, PAGE, R, SEPTA_SHARED_BORROWED), 0);
	CHECK_EQ(map_run(vs, src, again, 2, PAGE, R, SEPTA_SHARED_BORROWED),
		 SEPTA_E_DELETE_FIRST);
	CHECK_EQ(probe(again), SEPTA_E_MISSING_CAP);
	CHECK_EQ(probe(again + 1), SEPTA_E_MISSING_CAP);
	/* The pages are the first copies' alone: deleting them unmaps. */
	CHECK_EQ(septa_vspace_delete_frames(vs, CNODE, 0, 0, dst, 2), 0);
	CHECK_EQ(query_pa(vs, PAGE), 0);
	CHECK_EQ(query_pa(vs, 2 * PAGE), 0);
}

/* FRAME_MAP's own check, which MAP_FRAMES's copies: a copy of a mapped
 * frame mapped at the same page with the same rights and tag. */
void test_ranged_attack_frame_map_over_same_entry(void)
{
	uint64_t vs = hostile_vspace32(), src = frames(1), copy = slot();

	CHECK(vs && src);
	CHECK_EQ(septa_frame_map(src, vs, PAGE, RW, SEPTA_OWNED, 0, NULL, NULL), 0);
	CHECK_EQ(
	    septa_cnode_copy(CNODE, copy, DEPTH, CNODE, src, DEPTH, SEPTA_RIGHTS_ALL), 0);
	CHECK_EQ(septa_frame_map(copy, vs, PAGE, RW, SEPTA_OWNED, 0, NULL, NULL),
		 SEPTA_E_DELETE_FIRST);
	/* The copy is unmapped: mapped elsewhere it is not refused IN_USE. */
	CHECK_EQ(septa_frame_map(copy, vs, 3 * PAGE, RW, SEPTA_OWNED, 0, NULL, NULL), 0);
	CHECK_EQ(query_pa(vs, PAGE), frame_pa(src));
}
