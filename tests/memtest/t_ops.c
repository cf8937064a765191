/* memsrv's operations seen by a client: each claim about access is
 * checked by a probe touching the memory. */
#include <stdio.h>
#include "memtest.h"

#define XA 0x40000000ULL /* memtest's own test addresses */
#define YB 0x50000000ULL /* the borrower's */

static volatile uint64_t *at(uint64_t ipa)
{
	return (volatile uint64_t *)(uintptr_t)ipa;
}

void test_alloc_maps_owned(void)
{
	uint64_t pa, q[4];
	struct memsrv_query mq;

	CHECK_EQ(memsrv_alloc(EP, 1, 1, XA, MEMSRV_RW, &pa), MEMSRV_OK);
	CHECK_EQ(pa % PAGE, 0);
	CHECK_EQ(*at(XA), 0); /* fresh pages are zero */
	*at(XA) = 0x1234;
	CHECK_EQ(*at(XA), 0x1234);
	kq(MY_VS, XA, q);
	CHECK_EQ(q[0], pa);
	CHECK_EQ(q[2], MEMSRV_RW);
	CHECK_EQ(q[3], SEPTA_OWNED);
	CHECK_EQ(memsrv_query(EP, pa, &mq), MEMSRV_OK);
	CHECK_EQ(mq.view, MEMSRV_VIEW_OWNED);
	CHECK_EQ(mq.owner, mt.me);
	CHECK_EQ(mq.ipa, XA);
	CHECK_EQ(mq.rights, MEMSRV_RW);
	CHECK_EQ(mq.sharers, 0);
	/* The same addresses again: refused, nothing allocated. */
	CHECK_EQ(memsrv_alloc(EP, 1, 1, XA, MEMSRV_RW, &pa), MEMSRV_E_IPA_BUSY);
	CHECK_EQ(memsrv_free(EP, q[0], 1), MEMSRV_OK);
	CHECK_EQ(pa_of(MY_VS, XA), 0);
}

void test_share_gives_access(void)
{
	uint64_t pa, got, q[4];
	struct memsrv_query mq;

	CHECK_EQ(memsrv_alloc(EP, 1, 1, XA, MEMSRV_RW, &pa), MEMSRV_OK);
	*at(XA) = 0x1234;
	/* Before sharing, the borrower reaches nothing there. */
	CHECK_EQ(probe(mt.tcb_b, YB, 0, 0, &got), PROBE_FAULT);
	CHECK_EQ(got, YB);
	CHECK_EQ(memsrv_share(EP, pa, 1, mt.b, YB, MEMSRV_RW), MEMSRV_OK);
	CHECK_EQ(probe(mt.tcb_b, YB, 0, 0, &got), PROBE_OK);
	CHECK_EQ(got, 0x1234);
	CHECK_EQ(probe(mt.tcb_b, YB, YB + 8, 0x5678, &got), PROBE_OK);
	CHECK_EQ(*at(XA + 8), 0x5678);
	kq(MY_VS, XA, q);
	CHECK_EQ(q[3], SEPTA_SHARED_OWNED);
	kq(mt.vs_b, YB, q);
	CHECK_EQ(q[0], pa);
	CHECK_EQ(q[2], MEMSRV_RW);
	CHECK_EQ(q[3], SEPTA_SHARED_BORROWED);
	CHECK_EQ(memsrv_query(EP, pa, &mq), MEMSRV_OK);
	CHECK_EQ(mq.view, MEMSRV_VIEW_SHARED_OWNED);
	CHECK_EQ(mq.sharers, 1);
	/* The owner still has it. */
	CHECK_EQ(probe(mt.tcb_a, XA, 0, 0, &got), PROBE_OK);
	CHECK_EQ(memsrv_unshare(EP, pa, 1, mt.b), MEMSRV_OK);
	CHECK_EQ(memsrv_free(EP, pa, 1), MEMSRV_OK);
}

void test_share_refusals_change_nothing(void)
{
	uint64_t pa, pa2, got, q[4];
	struct memsrv_query mq;

	CHECK_EQ(memsrv_alloc(EP, 2, 1, XA, MEMSRV_RW, &pa), MEMSRV_OK);
	pa2 = pa + PAGE;
	CHECK_EQ(memsrv_share(EP, pa, 1, mt.b, YB, MEMSRV_RW), MEMSRV_OK);
	CHECK_EQ(memsrv_share(EP, pa, 1, mt.b, YB + PAGE, MEMSRV_R), MEMSRV_E_ALREADY);
	CHECK_EQ(memsrv_share(EP, pa2, 1, mt.me, YB + PAGE, MEMSRV_R), MEMSRV_E_SELF);
	CHECK_EQ(memsrv_share(EP, pa2, 1, 63, YB + PAGE, MEMSRV_R), MEMSRV_E_CLIENT);
	CHECK_EQ(memsrv_share(EP, pa2, 1, 0, YB + PAGE, MEMSRV_R), MEMSRV_E_CLIENT);
	/* Never more than the owner has (RW here), never W or X alone. */
	CHECK_EQ(memsrv_share(EP, pa2, 1, mt.b, YB + PAGE, MEMSRV_RX), MEMSRV_E_RIGHTS);
	CHECK_EQ(memsrv_share(EP, pa2, 1, mt.b, YB + PAGE, MEMSRV_W), MEMSRV_E_RIGHTS);
	CHECK_EQ(memsrv_share(EP, pa2, 1, mt.b, YB + PAGE, 0), MEMSRV_E_RIGHTS);
	/* The borrower's addresses are taken by the first page. */
	CHECK_EQ(memsrv_share(EP, pa2, 1, mt.b, YB, MEMSRV_R), MEMSRV_E_IPA_BUSY);
	CHECK_EQ(memsrv_share(EP, pa2, 1, mt.b, 1ULL << 32, MEMSRV_R),
		 MEMSRV_E_IPA_RANGE);
	CHECK_EQ(memsrv_share(EP, pa2, 1, mt.b, YB + 12, MEMSRV_R), MEMSRV_E_ALIGN);
	/* Two pages of which the first is shared already: all or nothing. */
	CHECK_EQ(memsrv_share(EP, pa, 2, mt.b, YB + 4 * PAGE, MEMSRV_R),
		 MEMSRV_E_ALREADY);
	CHECK_EQ(pa_of(mt.vs_b, YB + 4 * PAGE), 0);
	CHECK_EQ(pa_of(mt.vs_b, YB + 5 * PAGE), 0);
	/* Busy: a shared page cannot be freed, lent or donated. */
	CHECK_EQ(memsrv_free(EP, pa, 2), MEMSRV_E_BUSY);
	CHECK_EQ(memsrv_lend(EP, pa, 1, mt.b, YB + PAGE, MEMSRV_RW), MEMSRV_E_BUSY);
	CHECK_EQ(memsrv_donate(EP, pa, 1, mt.b, YB + PAGE), MEMSRV_E_BUSY);
	CHECK_EQ(memsrv_reclaim(EP, pa, 1), MEMSRV_E_NOT_LENT);
	/* Ranges outside memsrv's memory, misaligned, empty or wrapping. */
	CHECK_EQ(memsrv_share(EP, 0x1000, 1, mt.b, YB + PAGE, MEMSRV_R), MEMSRV_E_RANGE);
	CHECK_EQ(memsrv_share(EP, pa2 + 8, 1, mt.b, YB + PAGE, MEMSRV_R), MEMSRV_E_ALIGN);
	CHECK_EQ(memsrv_share(EP, pa2, 0, mt.b, YB + PAGE, MEMSRV_R), MEMSRV_E_RANGE);
	CHECK_EQ(memsrv_share(EP, pa2, ~0ULL / PAGE, mt.b, YB + PAGE, MEMSRV_R),
		 MEMSRV_E_RANGE);
	/* And after all that: as before. */
	CHECK_EQ(memsrv_query(EP, pa2, &mq), MEMSRV_OK);
	CHECK_EQ(mq.view, MEMSRV_VIEW_OWNED);
	CHECK_EQ(mq.sharers, 0);
	CHECK_EQ(memsrv_query(EP, pa, &mq), MEMSRV_OK);
	CHECK_EQ(mq.view, MEMSRV_VIEW_SHARED_OWNED);
	CHECK_EQ(mq.sharers, 1);
	kq(mt.vs_b, YB, q);
	CHECK_EQ(q[0], pa);
	CHECK_EQ(probe(mt.tcb_b, YB, 0, 0, &got), PROBE_OK);
	CHECK_EQ(pa_of(mt.vs_b, YB + PAGE), 0);
	CHECK_EQ(memsrv_unshare(EP, pa, 1, mt.b), MEMSRV_OK);
	CHECK_EQ(memsrv_free(EP, pa, 2), MEMSRV_OK);
}

void test_unshare_revokes(void)
{
	uint64_t pa, got, q[4];
	struct memsrv_query mq;

	CHECK_EQ(memsrv_alloc(EP, 1, 1, XA, MEMSRV_RW, &pa), MEMSRV_OK);
	CHECK_EQ(memsrv_share(EP, pa, 1, mt.b, YB, MEMSRV_RW), MEMSRV_OK);
	CHECK_EQ(probe(mt.tcb_b, YB, 0, 0, &got), PROBE_OK);
	CHECK_EQ(memsrv_unshare(EP, pa, 1, mt.b), MEMSRV_OK);
	CHECK_EQ(probe(mt.tcb_b, YB, 0, 0, &got), PROBE_FAULT);
	CHECK_EQ(got, YB);
	CHECK_EQ(pa_of(mt.vs_b, YB), 0);
	kq(MY_VS, XA, q);
	CHECK_EQ(q[3], SEPTA_OWNED);
	CHECK_EQ(memsrv_query(EP, pa, &mq), MEMSRV_OK);
	CHECK_EQ(mq.view, MEMSRV_VIEW_OWNED);
	CHECK_EQ(memsrv_unshare(EP, pa, 1, mt.b), MEMSRV_E_NOT_SHARED);
	CHECK_EQ(probe(mt.tcb_a, XA, XA, 7, &got), PROBE_OK);
	CHECK_EQ(memsrv_free(EP, pa, 1), MEMSRV_OK);
}

void test_share_read_only(void)
{
	uint64_t pa, got;

	CHECK_EQ(memsrv_alloc(EP, 1, 1, XA, MEMSRV_RW, &pa), MEMSRV_OK);
	*at(XA) = 0x99;
	CHECK_EQ(memsrv_share(EP, pa, 1, mt.b, YB, MEMSRV_R), MEMSRV_OK);
	CHECK_EQ(probe(mt.tcb_b, YB, 0, 0, &got), PROBE_OK);
	CHECK_EQ(got, 0x99);
	CHECK_EQ(probe(mt.tcb_b, YB, YB, 0x66, &got), PROBE_FAULT);
	CHECK_EQ(got, YB);
	CHECK_EQ(*at(XA), 0x99);
	CHECK_EQ(memsrv_unshare(EP, pa, 1, mt.b), MEMSRV_OK);
	CHECK_EQ(memsrv_free(EP, pa, 1), MEMSRV_OK);
}

void test_lend_and_reclaim(void)
{
	uint64_t pa, got, q[4];
	struct memsrv_query mq;

	CHECK_EQ(memsrv_alloc(EP, 1, 1, XA, MEMSRV_RW, &pa), MEMSRV_OK);
	*at(XA) = 0xaa;
	CHECK_EQ(memsrv_lend(EP, pa, 1, mt.b, YB, MEMSRV_RW), MEMSRV_OK);
	/* Exclusive: the owner's own access is gone. */
	CHECK_EQ(probe(mt.tcb_a, XA, 0, 0, &got), PROBE_FAULT);
	CHECK_EQ(got, XA);
	CHECK_EQ(pa_of(MY_VS, XA), 0);
	CHECK_EQ(probe(mt.tcb_b, YB, YB, 0xbb, &got), PROBE_OK);
	CHECK_EQ(got, 0xaa);
	kq(mt.vs_b, YB, q);
	CHECK_EQ(q[3], SEPTA_BORROWED);
	CHECK_EQ(memsrv_query(EP, pa, &mq), MEMSRV_OK);
	CHECK_EQ(mq.view, MEMSRV_VIEW_LENT);
	CHECK_EQ(mq.ipa, ~0ULL);
	CHECK_EQ(memsrv_lend(EP, pa, 1, mt.b, YB + PAGE, MEMSRV_RW), MEMSRV_E_BUSY);
	CHECK_EQ(memsrv_share(EP, pa, 1, mt.b, YB + PAGE, MEMSRV_R), MEMSRV_E_BUSY);
	CHECK_EQ(memsrv_free(EP, pa, 1), MEMSRV_E_BUSY);
	CHECK_EQ(memsrv_unshare(EP, pa, 1, mt.b), MEMSRV_E_NOT_SHARED);
	CHECK_EQ(memsrv_reclaim(EP, pa, 1), MEMSRV_OK);
	CHECK_EQ(probe(mt.tcb_b, YB, 0, 0, &got), PROBE_FAULT);
	CHECK_EQ(pa_of(mt.vs_b, YB), 0);
	CHECK_EQ(*at(XA), 0xbb); /* what the borrower wrote stays */
	kq(MY_VS, XA, q);
	CHECK_EQ(q[0], pa);
	CHECK_EQ(q[3], SEPTA_OWNED);
	CHECK_EQ(memsrv_reclaim(EP, pa, 1), MEMSRV_E_NOT_LENT);
	CHECK_EQ(memsrv_free(EP, pa, 1), MEMSRV_OK);
}

void test_range_of_pages(void)
{
	uint64_t pa, got;

	CHECK_EQ(memsrv_alloc(EP, 64, 1, XA, MEMSRV_RW, &pa), MEMSRV_OK);
	for (unsigned i = 0; i < 64; i++)
		*at(XA + i * PAGE) = 1000 + i;
	CHECK_EQ(memsrv_share(EP, pa, 64, mt.b, YB, MEMSRV_R), MEMSRV_OK);
	for (unsigned i = 0; i < 64; i += 21) {
		CHECK_EQ(probe(mt.tcb_b, YB + i * PAGE, 0, 0, &got), PROBE_OK);
		CHECK_EQ(got, 1000 + i);
	}
	CHECK_EQ(pa_of(mt.vs_b, YB + 63 * PAGE), pa + 63 * PAGE);
	CHECK_EQ(pa_of(mt.vs_b, YB + 64 * PAGE), 0);
	/* Part of the range back: the rest stays shared. */
	CHECK_EQ(memsrv_unshare(EP, pa, 32, mt.b), MEMSRV_OK);
	CHECK_EQ(probe(mt.tcb_b, YB + 17 * PAGE, 0, 0, &got), PROBE_FAULT);
	CHECK_EQ(probe(mt.tcb_b, YB + 40 * PAGE, 0, 0, &got), PROBE_OK);
	CHECK_EQ(got, 1040);
	CHECK_EQ(memsrv_free(EP, pa, 64), MEMSRV_E_BUSY);
	CHECK_EQ(memsrv_unshare(EP, pa, 64, mt.b), MEMSRV_E_NOT_SHARED);
	CHECK_EQ(memsrv_unshare(EP, pa + 32 * PAGE, 32, mt.b), MEMSRV_OK);
	CHECK_EQ(memsrv_free(EP, pa, 64), MEMSRV_OK);
}

/* A second borrower: another VSpace registered by memtest, no thread. */
void test_several_borrowers(void)
{
	uint64_t vs_c = mk(SEPTA_OBJ_VSPACE, 32), pa, got;
	unsigned c;
	struct memsrv_query mq;

	CHECK(vs_c);
	CHECK_EQ(memsrv_register(EP, vs_c, &c), MEMSRV_OK);
	CHECK(c != mt.b && c != mt.me);
	CHECK_EQ(memsrv_alloc(EP, 2, 1, XA, MEMSRV_RW, &pa), MEMSRV_OK);
	CHECK_EQ(memsrv_share(EP, pa, 2, mt.b, YB, MEMSRV_RW), MEMSRV_OK);
	/* All borrowers of a page have the same rights (docs/ownership.md). */
	CHECK_EQ(memsrv_share(EP, pa, 2, c, YB, MEMSRV_R), MEMSRV_E_RIGHTS);
	CHECK_EQ(pa_of(vs_c, YB), 0);
	CHECK_EQ(memsrv_share(EP, pa, 2, c, YB, MEMSRV_RW), MEMSRV_OK);
	CHECK_EQ(memsrv_query(EP, pa + PAGE, &mq), MEMSRV_OK);
	CHECK_EQ(mq.sharers, 2);
	CHECK_EQ(pa_of(vs_c, YB + PAGE), pa + PAGE);
	/* Unsharing from one leaves the other. */
	CHECK_EQ(memsrv_unshare(EP, pa, 2, c), MEMSRV_OK);
	CHECK_EQ(pa_of(vs_c, YB), 0);
	CHECK_EQ(probe(mt.tcb_b, YB, 0, 0, &got), PROBE_OK);
	CHECK_EQ(memsrv_query(EP, pa, &mq), MEMSRV_OK);
	CHECK_EQ(mq.view, MEMSRV_VIEW_SHARED_OWNED);
	CHECK_EQ(mq.sharers, 1);
	CHECK_EQ(memsrv_unshare(EP, pa, 2, mt.b), MEMSRV_OK);
	CHECK_EQ(memsrv_free(EP, pa, 2), MEMSRV_OK);
}

/* Fresh addresses: where earlier tests left a page table, a block is
 * mapped as 512 pages instead (the kernel's rule for a 2 MiB frame). */
#define XBLK 0x48000000ULL
#define YBLK 0x58000000ULL

void test_block_of_2mib(void)
{
	uint64_t pa, got, q[4];

	CHECK_EQ(memsrv_alloc(EP, 512, 512, XBLK + PAGE, MEMSRV_RW, &pa), MEMSRV_E_ALIGN);
	CHECK_EQ(memsrv_alloc(EP, 512, 3, XBLK, MEMSRV_RW, &pa), MEMSRV_E_ALIGN);
	CHECK_EQ(memsrv_alloc(EP, 512, 512, XBLK, MEMSRV_RW, &pa), MEMSRV_OK);
	CHECK_EQ(pa % BLOCK, 0);
	kq(MY_VS, XBLK + 0x1ff000, q);
	CHECK_EQ(q[0], pa + 0x1ff000);
	CHECK_EQ(q[1], 2); /* one level-2 block */
	*at(XBLK + 0x1ff000) = 0x2b;
	/* Blocks go whole. */
	CHECK_EQ(memsrv_share(EP, pa + PAGE, 1, mt.b, YBLK, MEMSRV_R), MEMSRV_E_BLOCK);
	CHECK_EQ(memsrv_share(EP, pa, 511, mt.b, YBLK, MEMSRV_R), MEMSRV_E_BLOCK);
	CHECK_EQ(memsrv_share(EP, pa, 512, mt.b, YBLK + PAGE, MEMSRV_R), MEMSRV_E_ALIGN);
	CHECK_EQ(memsrv_share(EP, pa, 512, mt.b, YBLK, MEMSRV_R), MEMSRV_OK);
	kq(mt.vs_b, YBLK, q);
	CHECK_EQ(q[1], 2);
	CHECK_EQ(q[3], SEPTA_SHARED_BORROWED);
	CHECK_EQ(probe(mt.tcb_b, YBLK + 0x1ff000, 0, 0, &got), PROBE_OK);
	CHECK_EQ(got, 0x2b);
	CHECK_EQ(memsrv_unshare(EP, pa, 512, mt.b), MEMSRV_OK);
	CHECK_EQ(probe(mt.tcb_b, YBLK, 0, 0, &got), PROBE_FAULT);
	CHECK_EQ(memsrv_free(EP, pa + PAGE, 1), MEMSRV_E_BLOCK);
	CHECK_EQ(memsrv_free(EP, pa, 512), MEMSRV_OK);
	CHECK_EQ(pa_of(MY_VS, XBLK), 0);
}

/* A range that starts inside a block is refused even when it is long
 * enough to end where the next block ends: the start is checked, not
 * only the length. */
void test_block_range_starting_inside(void)
{
	uint64_t pa;

	CHECK_EQ(memsrv_alloc(EP, 1024, 512, XBLK, MEMSRV_RW, &pa), MEMSRV_OK);
	CHECK_EQ(pa % BLOCK, 0);
	CHECK_EQ(memsrv_share(EP, pa + PAGE, 1023, mt.b, YBLK, MEMSRV_R), MEMSRV_E_BLOCK);
	CHECK_EQ(memsrv_free(EP, pa + PAGE, 1023), MEMSRV_E_BLOCK);
	CHECK_EQ(pa_of(mt.vs_b, YBLK), 0);
	CHECK_EQ(pa_of(MY_VS, XBLK + BLOCK), pa + BLOCK);
	CHECK_EQ(memsrv_free(EP, pa, 1024), MEMSRV_OK);
	CHECK_EQ(pa_of(MY_VS, XBLK), 0);
}

void test_donate_moves_ownership(void)
{
	uint64_t pa, got, q[4];
	struct memsrv_query mq;

	CHECK_EQ(memsrv_alloc(EP, 1, 1, XA, MEMSRV_RW, &pa), MEMSRV_OK);
	*at(XA) = 0x77;
	CHECK_EQ(memsrv_donate(EP, pa, 1, mt.me, YB), MEMSRV_E_SELF);
	CHECK_EQ(memsrv_donate(EP, pa, 1, mt.b, YB), MEMSRV_OK);
	CHECK_EQ(probe(mt.tcb_a, XA, 0, 0, &got), PROBE_FAULT);
	CHECK_EQ(probe(mt.tcb_b, YB, 0, 0, &got), PROBE_OK);
	CHECK_EQ(got, 0x77);
	kq(mt.vs_b, YB, q);
	CHECK_EQ(q[0], pa);
	CHECK_EQ(q[3], SEPTA_OWNED);
	/* memtest has no view of it any more, and no say. */
	CHECK_EQ(memsrv_query(EP, pa, &mq), MEMSRV_OK);
	CHECK_EQ(mq.view, MEMSRV_VIEW_NONE);
	CHECK_EQ(mq.owner, MEMSRV_OWNER_HIDDEN);
	CHECK_EQ(memsrv_free(EP, pa, 1), MEMSRV_E_NOT_OWNER);
	CHECK_EQ(memsrv_share(EP, pa, 1, mt.b, YB + PAGE, MEMSRV_R), MEMSRV_E_NOT_OWNER);
	CHECK_EQ(memsrv_donate(EP, pa, 1, mt.b, YB + PAGE), MEMSRV_E_NOT_OWNER);
}

void test_free_revokes_and_zeroes(void)
{
	uint64_t pa, pa2, got;

	CHECK_EQ(memsrv_alloc(EP, 4, 1, XA, MEMSRV_RW, &pa), MEMSRV_OK);
	for (unsigned i = 0; i < 4; i++)
		*at(XA + i * PAGE + 64) = 0x5eed;
	CHECK_EQ(memsrv_free(EP, pa, 4), MEMSRV_OK);
	CHECK_EQ(probe(mt.tcb_a, XA + 64, 0, 0, &got), PROBE_FAULT);
	CHECK_EQ(memsrv_free(EP, pa, 4), MEMSRV_E_NOT_OWNER);
	/* Whatever comes back next is zero, the same pages or not. */
	CHECK_EQ(memsrv_alloc(EP, 4, 1, XA, MEMSRV_RW, &pa2), MEMSRV_OK);
	for (unsigned i = 0; i < 4; i++)
		CHECK_EQ(*at(XA + i * PAGE + 64), 0);
	CHECK_EQ(memsrv_free(EP, pa2, 4), MEMSRV_OK);
}

/* Pages memtest neither owns nor borrows: memsrv's own tables, another
 * client's pages. No operation reaches them. */
void test_foreign_pages_untouchable(void)
{
	const struct septa_bootinfo *bi = septa_bootinfo();
	uint64_t code = pa_of(MY_VS, (uint64_t)(uintptr_t)memtest_setup);
	uint64_t pa, p;
	struct memsrv_query mq;

	CHECK_EQ(memsrv_alloc(EP, 1, 1, XA, MEMSRV_RW, &pa), MEMSRV_OK);
	CHECK_EQ(memsrv_donate(EP, pa, 1, mt.b, YB + 8 * PAGE), MEMSRV_OK);
	/* Scan RAM: every page memtest has no view of refuses every operation. */
	for (p = bi->ram_base; p < bi->ram_base + bi->ram_size; p += 64 * PAGE + PAGE) {
		long q = memsrv_query(EP, p, &mq);

		if (q == MEMSRV_E_RANGE)
			continue; /* the kernel's, not memsrv's */
		CHECK_EQ(q, MEMSRV_OK);
		if (mq.view != MEMSRV_VIEW_NONE)
			continue;
		CHECK_EQ(mq.owner, MEMSRV_OWNER_HIDDEN);
		CHECK_EQ(memsrv_free(EP, p, 1), MEMSRV_E_NOT_OWNER);
		CHECK_EQ(memsrv_lend(EP, p, 1, mt.b, YB, MEMSRV_R), MEMSRV_E_NOT_OWNER);
		CHECK_EQ(memsrv_reclaim(EP, p, 1), MEMSRV_E_NOT_OWNER);
	}
	CHECK_EQ(memsrv_free(EP, pa, 1), MEMSRV_E_NOT_OWNER);
	/* Its own code: owned, but it may not hand out more than it has (RX). */
	CHECK(code);
	CHECK_EQ(memsrv_share(EP, code, 1, mt.b, YB, MEMSRV_RW), MEMSRV_E_RIGHTS);
	CHECK_EQ(memsrv_query(EP, code, &mq), MEMSRV_OK);
	CHECK_EQ(mq.view, MEMSRV_VIEW_OWNED);
	CHECK_EQ(mq.rights, MEMSRV_RX);
}

void test_bad_messages(void)
{
	struct septa_msg m = {.info = septa_msginfo(99, 0, 0)};
	uint64_t pa;
	unsigned id;

	CHECK_EQ(septa_call(EP, &m), SEPTA_OK);
	CHECK_EQ(-(long)SEPTA_MSG_LABEL(m.info), MEMSRV_E_LABEL);
	m = (struct septa_msg){.info = septa_msginfo(MEMSRV_ALLOC, 0, 2), .mr = {1, 1}};
	CHECK_EQ(septa_call(EP, &m), SEPTA_OK);
	CHECK_EQ(-(long)SEPTA_MSG_LABEL(m.info), MEMSRV_E_ARG);
	m = (struct septa_msg){.info = septa_msginfo(MEMSRV_SHARE, 0, 3),
			       .mr = {0, 1, 1}};
	CHECK_EQ(septa_call(EP, &m), SEPTA_OK);
	CHECK_EQ(-(long)SEPTA_MSG_LABEL(m.info), MEMSRV_E_ARG);
	CHECK_EQ(memsrv_alloc(EP, 1, 1, XA, MEMSRV_W, &pa), MEMSRV_E_RIGHTS);
	CHECK_EQ(memsrv_alloc(EP, 0, 1, XA, MEMSRV_RW, &pa), MEMSRV_E_RANGE);
	CHECK_EQ(memsrv_alloc(EP, 1ULL << 40, 1, XA, MEMSRV_RW, &pa), MEMSRV_E_RANGE);
	CHECK_EQ(memsrv_alloc(EP, 1, 0, XA, MEMSRV_RW, &pa), MEMSRV_E_ALIGN);
	CHECK_EQ(memsrv_alloc(EP, 1, 1, XA + 1, MEMSRV_RW, &pa), MEMSRV_E_ALIGN);
	CHECK_EQ(memsrv_alloc(EP, 1, 1, 1ULL << 32, MEMSRV_RW, &pa), MEMSRV_E_IPA_RANGE);
	CHECK_EQ(pa_of(MY_VS, XA), 0);
	/* Only a VSpace can be registered; a borrower VSpace cannot register. */
	CHECK_EQ(memsrv_register(EP, mt.fault_ep, &id), MEMSRV_E_ARG);
	CHECK_EQ(memsrv_register(EP, 5000, &id), MEMSRV_E_ARG);
}

/* memtest.h says what it is for. */
long memtest_raw(unsigned label, unsigned n, uint64_t a0, uint64_t a1, uint64_t a2,
		 uint64_t a3, uint64_t a4)
{
	const uint64_t a[5] = {a0, a1, a2, a3, a4};
	struct septa_msg m = {.info = septa_msginfo(label, 0, n)};

	for (unsigned i = 0; i < n; i++)
		septa_set_mr(&m, i, a[i]);
	if (septa_call(EP, &m) != SEPTA_OK)
		return 1; /* no memsrv error: fails every check below */
	return -(long)SEPTA_MSG_LABEL(m.info);
}

/* Borrower ids and rights are checked at full width: 2^32 + b is no client,
 * 2^32 + RW no rights, and nothing changes. */
#define YW (YB + 32 * PAGE) /* free in B: earlier tests leave pages at YB */

void test_wide_arguments_refused(void)
{
	uint64_t pa, hi = 1ULL << 32, q[4];
	struct memsrv_query mq;

	CHECK_EQ(pa_of(mt.vs_b, YW), 0);
	CHECK_EQ(memsrv_alloc(EP, 1, 1, XA, MEMSRV_RW, &pa), MEMSRV_OK);
	CHECK_EQ(memtest_raw(MEMSRV_SHARE, 5, pa, 1, hi | mt.b, YW, MEMSRV_R),
		 MEMSRV_E_CLIENT);
	CHECK_EQ(memtest_raw(MEMSRV_LEND, 5, pa, 1, hi | mt.b, YW, MEMSRV_R),
		 MEMSRV_E_CLIENT);
	CHECK_EQ(memtest_raw(MEMSRV_DONATE, 4, pa, 1, hi | mt.b, YW, 0), MEMSRV_E_CLIENT);
	CHECK_EQ(memtest_raw(MEMSRV_SHARE, 5, pa, 1, hi | mt.me, YW, MEMSRV_R),
		 MEMSRV_E_CLIENT);
	CHECK_EQ(memtest_raw(MEMSRV_SHARE, 5, pa, 1, mt.b, YW, hi | MEMSRV_R),
		 MEMSRV_E_RIGHTS);
	CHECK_EQ(memtest_raw(MEMSRV_LEND, 5, pa, 1, mt.b, YW, hi | MEMSRV_R),
		 MEMSRV_E_RIGHTS);
	CHECK_EQ(memtest_raw(MEMSRV_ALLOC, 4, 1, 1, XA + PAGE, hi | MEMSRV_RW, 0),
		 MEMSRV_E_RIGHTS);
	/* A real share to unshare with a wide id: refused, the share stays. */
	CHECK_EQ(memsrv_share(EP, pa, 1, mt.b, YW, MEMSRV_R), MEMSRV_OK);
	CHECK_EQ(memtest_raw(MEMSRV_UNSHARE, 3, pa, 1, hi | mt.b, 0, 0), MEMSRV_E_CLIENT);
	CHECK_EQ(memsrv_query(EP, pa, &mq), MEMSRV_OK);
	CHECK_EQ(mq.view, MEMSRV_VIEW_SHARED_OWNED);
	CHECK_EQ(mq.owner, mt.me);
	CHECK_EQ(mq.sharers, 1);
	kq(mt.vs_b, YW, q);
	CHECK_EQ(q[0], pa);
	CHECK_EQ(q[2], MEMSRV_R);
	CHECK_EQ(pa_of(MY_VS, XA + PAGE), 0);
	CHECK_EQ(memsrv_unshare(EP, pa, 1, mt.b), MEMSRV_OK);
	CHECK_EQ(pa_of(mt.vs_b, YW), 0);
	CHECK_EQ(memsrv_free(EP, pa, 1), MEMSRV_OK);
}
