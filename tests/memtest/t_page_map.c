/*
 * A page allocation refused by its map (servers/memsrv/ops.c alloc_page:
 * FRAME_MAP's refusal stands in for the address query): the error is the
 * query's, and memsrv is left as it was: the page a refused request took
 * is the next one handed out again (first fit), its grant, slot and
 * table are gone (the audit checks as many mappings as before, and finds
 * nothing off), and the quota still has it.
 */
#include "memtest.h"

#define XM 0x4e000000ULL /* 2 MiB aligned, nothing of memtest's there */

/* Every refusal of a single page's address, each checked to leave memsrv
 * as it was; `next` is the page the next allocation gets. */
static void refusals(uint64_t next)
{
	struct memsrv_audit before, after;
	uint64_t pa = 0;

	CHECK_EQ(memsrv_audit(EP, &before), MEMSRV_OK);
	CHECK_EQ(memsrv_alloc(EP, 1, 1, XM, MEMSRV_RW, &pa), MEMSRV_E_IPA_BUSY);
	CHECK_EQ(memsrv_alloc(EP, 1, 1, XM + BLOCK + 3 * PAGE, MEMSRV_RW, &pa),
		 MEMSRV_E_IPA_BUSY); /* inside a block */
	CHECK_EQ(memsrv_alloc(EP, 1, 1, 1ULL << 47, MEMSRV_RW, &pa), MEMSRV_E_IPA_RANGE);
	CHECK_EQ(memsrv_alloc(EP, 1, 1, XM + 1, MEMSRV_RW, &pa), MEMSRV_E_ALIGN);
	CHECK_EQ(memsrv_audit(EP, &after), MEMSRV_OK);
	CHECK_EQ(after.differences, 0);
	CHECK_EQ(after.checked, before.checked);
	CHECK_EQ(memsrv_alloc(EP, 1, 1, XM + 2 * BLOCK, MEMSRV_RW, &pa), MEMSRV_OK);
	CHECK_EQ(pa, next);
	CHECK_EQ(memsrv_free(EP, pa, 1), MEMSRV_OK);
}

void test_page_map_refused_changes_nothing(void)
{
	uint64_t p, blk, next, run = 0, k = 0;

	CHECK_EQ(memsrv_alloc(EP, 1, 1, XM, MEMSRV_RW, &p), MEMSRV_OK);
	CHECK_EQ(memsrv_alloc(EP, 512, 512, XM + BLOCK, MEMSRV_RW, &blk), MEMSRV_OK);
	CHECK_EQ(memsrv_alloc(EP, 1, 1, XM + 2 * BLOCK, MEMSRV_RW, &next), MEMSRV_OK);
	CHECK_EQ(memsrv_free(EP, next, 1), MEMSRV_OK);
	refusals(next); /* a page of a chunk already cut into frames */
	/* Then with the next page the first of its chunk: the refused
	 * request cut the chunk into frames, and put it back. */
	if (next % BLOCK) {
		k = (BLOCK - next % BLOCK) / PAGE;
		CHECK_EQ(memsrv_alloc(EP, k, 1, XM + 4 * BLOCK, MEMSRV_RW, &run),
			 MEMSRV_OK);
		CHECK_EQ(memsrv_alloc(EP, 1, 1, XM + 2 * BLOCK, MEMSRV_RW, &next),
			 MEMSRV_OK);
		CHECK_EQ(memsrv_free(EP, next, 1), MEMSRV_OK);
	}
	CHECK_EQ(next % BLOCK, 0);
	refusals(next);
	if (k)
		CHECK_EQ(memsrv_free(EP, run, k), MEMSRV_OK);
	CHECK_EQ(memsrv_free(EP, blk, 512), MEMSRV_OK);
	CHECK_EQ(memsrv_free(EP, p, 1), MEMSRV_OK);
}
