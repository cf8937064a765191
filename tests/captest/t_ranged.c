/*
 * VSPACE_UNMAP_FRAMES (issue 16): the frames of a run of slots out of a
 * VSpace with one TLB invalidation, in restarted steps. Every page it
 * unmapped faults afterwards, also for a thread whose translations of it
 * were used just before the call (what the TLBs held is gone); what is
 * not in the run stays mapped; each bad input is refused with its own
 * error and changes nothing.
 */
#include "t_hostile.h"

#define RW	 (SEPTA_MAP_R | SEPTA_MAP_W)
#define RUN_IPA	 0x60000000ULL /* in the suite's VSpace: one last-level table */
#define RUN_IPA2 0x60200000ULL /* the next 2 MiB: another, for a 2 MiB frame */
#define MIB2	 (2ULL << 20)

static uint64_t pa_of(uint64_t vs, uint64_t ipa)
{
	uint64_t q[4] = {0};

	return septa_vspace_query(vs, ipa, q) ? ~0ULL : q[0];
}

static long unmap_run(uint64_t vs, uint64_t root, uint64_t offset, uint64_t count)
{
	return septa_vspace_unmap_frames(vs, root, 0, 0, offset, count);
}

static uint64_t reader_ep;

/* Reads *(uint64_t *)ipa; a read that does not fault says so on the
 * endpoint its faults go to, with label 1. It runs above the test. */
static void reader(uint64_t ipa)
{
	struct septa_msg m = {.info = septa_msginfo(1, 0, 0)};

	(void)*(volatile uint64_t *)(uintptr_t)ipa;
	septa_send(reader_ep, &m);
	/* Blocked until deleted (spinning, it would starve the test). */
	for (;;)
		septa_recv(reader_ep, &m);
}

/* A thread of our VSpace reading ipa faults there, to ep. */
static int read_faults(uint64_t ep, uint64_t ipa)
{
	struct septa_msg m = {0};
	uint64_t t;

	int faulted;

	reader_ep = ep;
	t = spawn(reader, ipa, HIGH_PRIO, ep);
	if (!t)
		return 0;
	faulted = !septa_recv(ep, &m) && SEPTA_MSG_LABEL(m.info) == SEPTA_FAULT_ABORT &&
		  m.mr[SEPTA_ABORT_IPA] == ipa;
	/* Gone either way: a reader that did not fault would spin above us. */
	return septa_cnode_delete(CNODE, t, DEPTH) == SEPTA_OK && faulted;
}

/* Three pages and a 2 MiB frame over a last-level table (512 entries), in
 * four slots, used through the suite's own mappings just before the call;
 * a page between them, not in the run, stays. */
void test_ranged_unmap_frames_faults_after(void)
{
	/* The 2 MiB frame first: the rest of the 4 MiB Untyped stays for the
	 * objects, the readers' TCBs among them. */
	uint64_t run = slots(4), big = septa_untyped_retype(ct.ut, SEPTA_OBJ_FRAME_2M, 0,
							    CNODE, 0, 0, run + 3, 1);
	uint64_t pt = mk(SEPTA_OBJ_PAGE_TABLE, 0), pt2 = mk(SEPTA_OBJ_PAGE_TABLE, 0);
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0), keep = mk(SEPTA_OBJ_FRAME_4K, 0);
	uint64_t ipa[4] = {RUN_IPA, RUN_IPA + 0x1000, RUN_IPA + 0x5000, RUN_IPA2};
	volatile uint64_t *k = (volatile uint64_t *)(uintptr_t)(RUN_IPA + 0x2000);

	CHECK_EQ(big, 0);
	CHECK(pt && pt2 && ep && keep);
	CHECK_EQ(pa_of(VSPACE, RUN_IPA), 0);
	CHECK_EQ(septa_page_table_map(pt, VSPACE, RUN_IPA, 3, NULL), 0);
	CHECK_EQ(septa_page_table_map(pt2, VSPACE, RUN_IPA2, 3, NULL), 0);
	CHECK_EQ(septa_untyped_retype(ct.ut, SEPTA_OBJ_FRAME_4K, 0, CNODE, 0, 0, run, 3),
		 0);
	for (unsigned i = 0; i < 4; i++)
		CHECK_EQ(septa_frame_map(run + i, VSPACE, ipa[i], RW, SEPTA_OWNED, 0,
					 NULL, NULL),
			 0);
	CHECK_EQ(septa_frame_map(keep, VSPACE, RUN_IPA + 0x2000, RW, SEPTA_OWNED, 0, NULL,
				 NULL),
		 0);
	/* Translations in the TLBs: every page of the run touched. */
	for (unsigned i = 0; i < 3; i++)
		*(volatile uint64_t *)(uintptr_t)ipa[i] = i + 1;
	for (uint64_t off = 0; off < MIB2; off += 0x1000)
		*(volatile uint64_t *)(uintptr_t)(RUN_IPA2 + off) = off;
	*k = 77;
	CHECK_EQ(*(volatile uint64_t *)(uintptr_t)ipa[2], 3);
	CHECK_EQ(unmap_run(VSPACE, CNODE, run, 4), 0);
	for (unsigned i = 0; i < 4; i++)
		CHECK_EQ(pa_of(VSPACE, ipa[i]), 0);
	CHECK_EQ(pa_of(VSPACE, RUN_IPA2 + MIB2 - 0x1000), 0);
	for (unsigned i = 0; i < 4; i++)
		CHECK(read_faults(ep, ipa[i]));
	CHECK(read_faults(ep, RUN_IPA2 + 0x1000));
	CHECK(read_faults(ep, RUN_IPA2 + MIB2 - 0x1000));
	/* Not in the run: still mapped, still there. */
	CHECK_EQ(*k, 77);
	/* Unmapped, the frames map again (their records went). */
	CHECK_EQ(septa_frame_map(run, VSPACE, RUN_IPA, RW, SEPTA_OWNED, 0, NULL, NULL),
		 0);
	CHECK_EQ(*(volatile uint64_t *)(uintptr_t)RUN_IPA, 1);
	CHECK_EQ(septa_cnode_delete(CNODE, pt, DEPTH), 0);
	CHECK_EQ(septa_cnode_delete(CNODE, pt2, DEPTH), 0);
}

/* More frames than one step takes (the call restarts on the rest), and a
 * 2 MiB frame whose 512 entries do not fit in the step its run is in: it
 * stops half done and the next step finishes it. One call either way. */
void test_ranged_unmap_frames_restarts(void)
{
	/* The 2 MiB frame first, from the start of the 4 MiB Untyped. */
	uint64_t mix = slots(3), big = septa_untyped_retype(ct.ut, SEPTA_OBJ_FRAME_2M, 0,
							    CNODE, 0, 0, mix + 1, 1);
	uint64_t vs = mk(SEPTA_OBJ_VSPACE, 32),
		 pt[2] = {mk(SEPTA_OBJ_PAGE_TABLE, 0), mk(SEPTA_OBJ_PAGE_TABLE, 0)};
	uint64_t run;

	CHECK_EQ(big, 0);
	CHECK(vs && pt[0] && pt[1]);
	CHECK_EQ(septa_page_table_map(pt[0], vs, 0, 3, NULL), 0);
	CHECK_EQ(septa_page_table_map(pt[1], vs, MIB2, 3, NULL), 0);
	/* A page, the 2 MiB frame (511 of its entries fit in the first step),
	 * a page. */
	CHECK_EQ(septa_untyped_retype(ct.ut, SEPTA_OBJ_FRAME_4K, 0, CNODE, 0, 0, mix, 1),
		 0);
	CHECK_EQ(
	    septa_untyped_retype(ct.ut, SEPTA_OBJ_FRAME_4K, 0, CNODE, 0, 0, mix + 2, 1),
	    0);
	run = mapped_frames(vs, 300, 0, 0x1000);
	CHECK(run);
	CHECK_EQ(unmap_run(vs, CNODE, run, 300), 0);
	for (unsigned i = 0; i < 300; i++)
		CHECK_EQ(pa_of(vs, i * 0x1000ULL), 0);
	CHECK_EQ(septa_frame_map(mix, vs, 0x100000, RW, SEPTA_OWNED, 0, NULL, NULL), 0);
	CHECK_EQ(septa_frame_map(mix + 1, vs, MIB2, RW, SEPTA_OWNED, 0, NULL, NULL), 0);
	CHECK_EQ(septa_frame_map(mix + 2, vs, 0x101000, RW, SEPTA_OWNED, 0, NULL, NULL),
		 0);
	CHECK_EQ(unmap_run(vs, CNODE, mix, 3), 0);
	CHECK_EQ(pa_of(vs, 0x100000), 0);
	CHECK_EQ(pa_of(vs, 0x101000), 0);
	CHECK_EQ(pa_of(vs, MIB2), 0);
	CHECK_EQ(pa_of(vs, 2 * MIB2 - 0x1000), 0);
	/* Its record went with the last step: it maps again. */
	CHECK_EQ(septa_frame_map(mix + 1, vs, MIB2, RW, SEPTA_OWNED, 0, NULL, NULL), 0);
}

/* A 2 MiB frame's record gone stale (its last-level table went) while
 * another table and a page of another frame came there since: the call
 * takes the stale record and nothing of the other frame's. */
void test_ranged_unmap_frames_spares_others(void)
{
	uint64_t big = slots(1), err = septa_untyped_retype(ct.ut, SEPTA_OBJ_FRAME_2M, 0,
							    CNODE, 0, 0, big, 1);
	uint64_t vs = mk(SEPTA_OBJ_VSPACE, 32), pt = mk(SEPTA_OBJ_PAGE_TABLE, 0);
	uint64_t pt2 = mk(SEPTA_OBJ_PAGE_TABLE, 0), page = mk(SEPTA_OBJ_FRAME_4K, 0);

	CHECK_EQ(err, 0);
	CHECK(vs && pt && pt2 && page);
	CHECK_EQ(septa_page_table_map(pt, vs, MIB2, 3, NULL), 0);
	CHECK_EQ(septa_frame_map(big, vs, MIB2, RW, SEPTA_OWNED, 0, NULL, NULL), 0);
	CHECK_EQ(septa_page_table_unmap(pt), 0);
	CHECK_EQ(septa_page_table_map(pt2, vs, MIB2, 3, NULL), 0);
	CHECK_EQ(septa_frame_map(page, vs, MIB2 + 0x3000, RW, SEPTA_OWNED, 0, NULL, NULL),
		 0);
	CHECK_EQ(unmap_run(vs, CNODE, big, 1), 0);
	CHECK_EQ(pa_of(vs, MIB2 + 0x3000), frame_pa(page));
	/* The record went: the frame maps again, elsewhere. */
	CHECK_EQ(septa_frame_map(big, vs, 2 * MIB2, RW, SEPTA_OWNED, 0, NULL, NULL), 0);
}

/* The run's first frame mapped: a refusal left it so. */
static uint64_t mapped_pair(uint64_t *vs)
{
	*vs = hostile_vspace32();
	return *vs ? mapped_frames(*vs, 2, 0x1000, 0x1000) : 0;
}

static int pair_intact(uint64_t vs, uint64_t run)
{
	return pa_of(vs, 0x1000) == frame_pa(run) &&
	       pa_of(vs, 0x2000) == frame_pa(run + 1);
}

void test_bad_vspace_unmap_frames_arg_count(void)
{
	uint64_t vs, run = mapped_pair(&vs);

	CHECK(run);
	CHECK_EQ(unmap_run(vs, CNODE, run, 0), SEPTA_E_ARG);
	CHECK_EQ(unmap_run(vs, CNODE, run, SEPTA_UNMAP_FRAMES_MAX + 1), SEPTA_E_ARG);
	CHECK_EQ(unmap_run(vs, CNODE, run, ~0ULL), SEPTA_E_ARG);
	CHECK(pair_intact(vs, run));
}

void test_bad_vspace_unmap_frames_range(void)
{
	uint64_t vs, run = mapped_pair(&vs), c = small_cnode();

	CHECK(run && c);
	/* small_cnode has 4 slots. */
	CHECK_EQ(unmap_run(vs, c, 4, 1), SEPTA_E_RANGE);
	CHECK_EQ(unmap_run(vs, c, 3, 2), SEPTA_E_RANGE);
	CHECK_EQ(unmap_run(vs, c, ~0ULL, 1), SEPTA_E_RANGE);
	CHECK_EQ(unmap_run(vs, c, 1ULL << 63, 2), SEPTA_E_RANGE);
	CHECK(pair_intact(vs, run));
	CHECK_EQ(small_cnode_intact(c), SEPTA_OK);
}

void test_bad_vspace_unmap_frames_cap_type(void)
{
	uint64_t vs, run = mapped_pair(&vs), ep = mk(SEPTA_OBJ_ENDPOINT, 0);

	CHECK(run && ep);
	/* The CNode: not one, at depth 0 or at (index, depth). */
	CHECK_EQ(unmap_run(vs, ep, run, 1), SEPTA_E_CAP_TYPE);
	CHECK_EQ(septa_vspace_unmap_frames(vs, CNODE, ep, DEPTH, 0, 1), SEPTA_E_CAP_TYPE);
	/* Its last slot: an endpoint, after two frames that would go. */
	CHECK_EQ(run + 2, ep);
	CHECK_EQ(unmap_run(vs, CNODE, run, 3), SEPTA_E_CAP_TYPE);
	/* A PageTable is mapped, but no frame. */
	CHECK_EQ(unmap_run(vs, CNODE, run - 1, 1), SEPTA_E_CAP_TYPE);
	CHECK(pair_intact(vs, run));
}

void test_bad_vspace_unmap_frames_missing_cap(void)
{
	uint64_t vs, run = mapped_pair(&vs), hole = slot();

	CHECK(run);
	CHECK_EQ(run + 2, hole);
	CHECK_EQ(unmap_run(vs, CNODE, run, 3), SEPTA_E_MISSING_CAP);
	CHECK_EQ(unmap_run(vs, CNODE, hole, 1), SEPTA_E_MISSING_CAP);
	CHECK(pair_intact(vs, run));
}

void test_bad_vspace_unmap_frames_not_mapped(void)
{
	uint64_t vs, run = mapped_pair(&vs), other = hostile_vspace32();
	uint64_t loose = mk(SEPTA_OBJ_FRAME_4K, 0), there = mk(SEPTA_OBJ_FRAME_4K, 0);

	CHECK(run && other && loose && there);
	CHECK_EQ(septa_frame_map(there, other, 0x1000, RW, SEPTA_OWNED, 0, NULL, NULL),
		 0);
	/* Mapped nowhere; mapped, but in another VSpace; the run before it
	 * stays mapped. */
	CHECK_EQ(unmap_run(vs, CNODE, loose, 1), SEPTA_E_NOT_MAPPED);
	CHECK_EQ(unmap_run(vs, CNODE, there, 1), SEPTA_E_NOT_MAPPED);
	CHECK_EQ(unmap_run(other, CNODE, run, 1), SEPTA_E_NOT_MAPPED);
	CHECK_EQ(pa_of(other, 0x1000), frame_pa(there));
	CHECK(pair_intact(vs, run));
	/* A frame unmapped already, in a run. */
	CHECK_EQ(septa_frame_unmap(run + 1), 0);
	CHECK_EQ(unmap_run(vs, CNODE, run, 2), SEPTA_E_NOT_MAPPED);
	CHECK_EQ(pa_of(vs, 0x1000), frame_pa(run));
}
