/*
 * Retype's zeroing (arch_zero, kernel/arch/aarch64/mmu.c, issue 16): DC
 * ZVA unrolled sixteen blocks a round with its tail a block at a time,
 * and the STP store loop used where DCZID_EL0.DZP prohibits DC ZVA or a
 * range is not whole blocks (SEPTA_SYS_TEST_ZERO selects it, as a CPU
 * with DZP set would). Memory dirtied through a frame is zero in what is
 * made over it next: a 2 MiB frame (zeroed in restarted steps), 4 KiB
 * frames, and CNodes of two slots (128 bytes: two blocks, the tail loop),
 * whose every slot takes a capability.
 */
#include "t_hostile.h"

#define ZERO_IPA (UNMAPPED_IPA + 0x1000000) /* 2 MiB aligned */
#define RW	 (SEPTA_MAP_R | SEPTA_MAP_W)
#define MIB2	 (2ULL << 20)

static uint64_t zero_table(void *arg)
{
	(void)arg;
	return mk(SEPTA_OBJ_PAGE_TABLE, 0);
}

static const struct septa_table_source zero_tables = {zero_table, NULL, NULL};

/* SEPTA_SYS_TEST_ZERO: stores (1) or DC ZVA (0); the DC ZVA block then
 * in use, ~0 if the call failed. */
static uint64_t zero_mode(uint64_t stores)
{
	struct septa_msg m = {0};

	return septa_ipc(SEPTA_SYS_TEST_ZERO, stores, &m) ? ~0ULL : m.info;
}

#define FAILED ~0ULL /* a helper's call failed */

/* A 2 MiB frame from sub, mapped at ZERO_IPA: its nonzero words, then it
 * is filled. */
static uint64_t big_frame_dirty(uint64_t sub, uint64_t f)
{
	volatile uint64_t *p = (volatile uint64_t *)ZERO_IPA;
	uint64_t bad = 0;

	if (septa_untyped_retype(sub, SEPTA_OBJ_FRAME_2M, 0, CNODE, 0, 0, f, 1) ||
	    septa_frame_map_with_tables(f, VSPACE, ZERO_IPA, RW, SEPTA_OWNED,
					&zero_tables, NULL))
		return FAILED;
	for (uint64_t i = 0; i < MIB2 / 8; i++) {
		bad += p[i] != 0;
		p[i] = ~i;
	}
	return bad;
}

/* 256 4 KiB frames (1 MiB: zeroed in steps too) mapped at ZERO_IPA. */
static uint64_t small_frames_nonzero(uint64_t sub)
{
	volatile uint64_t *p = (volatile uint64_t *)ZERO_IPA;
	uint64_t run = slots(256), bad = 0;
	if (septa_untyped_retype(sub, SEPTA_OBJ_FRAME_4K, 0, CNODE, 0, 0, run, 256))
		return FAILED;
	for (unsigned i = 0; i < 256; i++)
		if (septa_frame_map_with_tables(run + i, VSPACE, ZERO_IPA + i * 4096ULL,
						SEPTA_MAP_R, SEPTA_OWNED, &zero_tables,
						NULL))
			return FAILED;
	for (uint64_t i = 0; i < (256 * 4096) / 8; i++)
		bad += p[i] != 0;
	return bad;
}

/* 64 CNodes of two slots (8 KiB): how many slots take no capability. */
static uint64_t cnodes_not_empty(uint64_t sub)
{
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0), run = slots(64), bad = 0;
	if (!ep)
		return FAILED;
	/* One a call: each clears 128 bytes alone (not 8 KiB at once). */
	for (unsigned i = 0; i < 64; i++)
		if (septa_untyped_retype(sub, SEPTA_OBJ_CNODE, 1, CNODE, 0, 0, run + i,
					 1))
			return FAILED;
	for (unsigned i = 0; i < 64; i++)
		for (uint64_t s = 0; s < 2; s++)
			bad += septa_cnode_copy(run + i, s, 1, CNODE, ep, DEPTH,
						SEPTA_RIGHTS_ALL) != 0;
	return bad;
}

static void zero_round(void)
{
	uint64_t sub = mk(SEPTA_OBJ_UNTYPED, 21), f = slot();

	CHECK(sub);
	CHECK_EQ(big_frame_dirty(sub, f), 0);
	CHECK_EQ(septa_cnode_revoke(CNODE, sub, DEPTH), 0);
	CHECK_EQ(big_frame_dirty(sub, f), 0); /* what the last round wrote: gone */
	CHECK_EQ(septa_cnode_revoke(CNODE, sub, DEPTH), 0);
	CHECK_EQ(small_frames_nonzero(sub), 0);
	CHECK_EQ(septa_cnode_revoke(CNODE, sub, DEPTH), 0);
	CHECK_EQ(big_frame_dirty(sub, f), 0);
	CHECK_EQ(septa_cnode_revoke(CNODE, sub, DEPTH), 0);
	CHECK_EQ(cnodes_not_empty(sub), 0);
	CHECK_EQ(septa_cnode_revoke(CNODE, sub, DEPTH), 0);
}

void test_zero_dc_zva(void)
{
	uint64_t block = zero_mode(0);

	/* DCZID_EL0.BS: 4 bytes << BS, at most 2 KiB; the Cortex-A72's 64. */
	CHECK(block >= 16 && block <= 2048 && !(block & (block - 1)));
	zero_round();
}

void test_zero_stores(void)
{
	CHECK_EQ(zero_mode(1), 0);
	zero_round();
	CHECK(zero_mode(0) != 0 && zero_mode(0) != FAILED);
}
