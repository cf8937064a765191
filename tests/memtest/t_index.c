/*
 * memsrv's index of free pages (servers/memsrv/bitrun.c) on the target:
 * first fit is deterministic, so freeing what an allocation took brings
 * back the state before it, and the same request gets the same pages; a
 * freed page below the others is the next one handed out; runs are
 * contiguous across chunks and aligned as asked. The host's model test
 * (tests/unit/test_bitrun.c) checks the search itself; here it is memsrv's
 * database, frames and mappings that must agree with it (the teardown's
 * audit checks them against the kernel).
 */
#include "memtest.h"

#define XA 0x40000000ULL

void test_index_freed_page_comes_back(void)
{
	uint64_t p[3], again;

	for (unsigned i = 0; i < 3; i++)
		CHECK_EQ(memsrv_alloc(EP, 1, 1, XA + i * PAGE, MEMSRV_RW, &p[i]),
			 MEMSRV_OK);
	/* Each was the lowest free page as it was taken. */
	CHECK(p[0] < p[1] && p[1] < p[2]);
	CHECK_EQ(memsrv_free(EP, p[1], 1), MEMSRV_OK);
	CHECK_EQ(memsrv_alloc(EP, 1, 1, XA + 3 * PAGE, MEMSRV_RW, &again), MEMSRV_OK);
	CHECK_EQ(again, p[1]);
	CHECK_EQ(memsrv_free(EP, p[0], 1), MEMSRV_OK);
	CHECK_EQ(memsrv_alloc(EP, 1, 1, XA + 4 * PAGE, MEMSRV_RW, &again), MEMSRV_OK);
	CHECK_EQ(again, p[0]);
	for (unsigned i = 0; i < 3; i++)
		CHECK_EQ(memsrv_free(EP, p[i], 1), MEMSRV_OK);
}

void test_index_run_across_chunks(void)
{
	const uint64_t n = 600; /* more than a chunk: it spans two or more */
	uint64_t pa, again;
	struct memsrv_query q;

	CHECK_EQ(memsrv_alloc(EP, n, 1, XA, MEMSRV_RW, &pa), MEMSRV_OK);
	/* One run of pages, mapped in order. */
	for (uint64_t i = 0; i < n; i += 37) {
		CHECK_EQ(memsrv_query(EP, pa + i * PAGE, &q), MEMSRV_OK);
		CHECK_EQ(q.view, MEMSRV_VIEW_OWNED);
		CHECK_EQ(q.ipa, XA + i * PAGE);
	}
	CHECK_EQ(memsrv_query(EP, pa + (n - 1) * PAGE, &q), MEMSRV_OK);
	CHECK_EQ(q.ipa, XA + (n - 1) * PAGE);
	CHECK_EQ(memsrv_free(EP, pa, n), MEMSRV_OK);
	CHECK_EQ(memsrv_alloc(EP, n, 1, XA, MEMSRV_RW, &again), MEMSRV_OK);
	CHECK_EQ(again, pa);
	CHECK_EQ(memsrv_free(EP, again, n), MEMSRV_OK);
}

void test_index_alignments(void)
{
	uint64_t one, four, run, blk, again;

	/* A page first, so that the aligned ones cannot all start at a chunk. */
	CHECK_EQ(memsrv_alloc(EP, 1, 1, XA, MEMSRV_RW, &one), MEMSRV_OK);
	CHECK_EQ(memsrv_alloc(EP, 4, 4, XA + 4 * PAGE, MEMSRV_RW, &four), MEMSRV_OK);
	CHECK_EQ(four % (4 * PAGE), 0);
	CHECK_EQ(memsrv_alloc(EP, 100, 64, XA + 64 * PAGE, MEMSRV_RW, &run), MEMSRV_OK);
	CHECK_EQ(run % (64 * PAGE), 0);
	CHECK_EQ(memsrv_alloc(EP, 512, 512, XA + BLOCK, MEMSRV_RW, &blk), MEMSRV_OK);
	CHECK_EQ(blk % BLOCK, 0);
	/* Freed, the block's chunk is whole again and found again. */
	CHECK_EQ(memsrv_free(EP, blk, 512), MEMSRV_OK);
	CHECK_EQ(memsrv_alloc(EP, 512, 512, XA + BLOCK, MEMSRV_RW, &again), MEMSRV_OK);
	CHECK_EQ(again, blk);
	CHECK(one != four && one != run); /* the page stays where it was */
	CHECK_EQ(memsrv_free(EP, again, 512), MEMSRV_OK);
	CHECK_EQ(memsrv_free(EP, run, 100), MEMSRV_OK);
	CHECK_EQ(memsrv_free(EP, four, 4), MEMSRV_OK);
	CHECK_EQ(memsrv_free(EP, one, 1), MEMSRV_OK);
}
