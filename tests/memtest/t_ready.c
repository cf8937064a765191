/*
 * memsrv's ready pages (servers/memsrv/idle.c, ready.c) on the target:
 * filled while memsrv is idle, which memtest makes it by running its test
 * thread below every other thread (memtest_idle), once the pool fell
 * below READY_LOW (256); counted by the audit (its `ready`) as
 * memsrv's own with nothing off; a page taken from them is a zero frame
 * of the client's, even one a client wrote and freed before it was
 * pooled again; a refused map puts the page back unchanged. What the host
 * tests cannot see: the frames, the zeroing, the idle thread's protocol.
 */
#include "memtest.h"

#define XR 0x50000000ULL /* 2 MiB aligned, nothing of memtest's there */

#define READY_PAGES 512u /* servers/memsrv/ready.h's READY_MAX */
#define READY_LOW   256u /* and READY_LOW */
#define TAKE_MAX    2048u

/* The audit's count of ready pages; ~0 if it failed or found a
 * difference (then no test's comparison holds). */
static uint64_t ready_pages(void)
{
	struct memsrv_audit a;

	if (memsrv_audit(EP, &a) != MEMSRV_OK || a.differences)
		return ~0ULL;
	return a.ready;
}

/* More than cleanup.c records for a test: these tests free what they take
 * themselves (a failed CHECK leaves the rest, and the test failed). */
#undef memsrv_alloc
static uint64_t taken[TAKE_MAX];
static unsigned ntaken;

/* Single pages at XR + PAGE on, first fit, until the pool is below
 * READY_LOW (freed pages below it go first): the refill is woken. */
static void take_until_low(void)
{
	uint64_t r;

	ntaken = 0;
	do { /* at least 64: the tests use the first two */
		for (unsigned k = 0; k < 64; k++, ntaken++)
			CHECK_EQ(memsrv_alloc(EP, 1, 1, XR + (ntaken + 1) * PAGE,
					      MEMSRV_RW, &taken[ntaken]),
				 MEMSRV_OK);
		r = ready_pages();
	} while (r >= READY_LOW && r != ~0ULL && ntaken < TAKE_MAX);
	CHECK(r < READY_LOW);
}

static void free_taken(unsigned from)
{
	for (unsigned i = from; i < ntaken; i++)
		CHECK_EQ(memsrv_free(EP, taken[i], 1), MEMSRV_OK);
}

/* Idle, the pool fills up to its bound and no further, counted by the
 * audit; allocation stays first fit. */
void test_ready_filled_when_idle(void)
{
	take_until_low();
	memtest_idle();
	CHECK_EQ(ready_pages(), READY_PAGES);
	memtest_idle(); /* full: nothing more */
	CHECK_EQ(ready_pages(), READY_PAGES);
	/* Freed, the lowest page is the next one again (from the index: it
	 * is below the pool now), and the pool is as it was. */
	CHECK_EQ(memsrv_free(EP, taken[0], 1), MEMSRV_OK);
	CHECK_EQ(memsrv_alloc(EP, 1, 1, XR + PAGE, MEMSRV_RW, &taken[0]), MEMSRV_OK);
	CHECK(taken[0] < taken[1]);
	CHECK_EQ(ready_pages(), READY_PAGES);
	free_taken(0);
	CHECK_EQ(ready_pages(), READY_PAGES);
}

/* A page written, freed and pooled again while memsrv was idle reaches
 * the next client zero. */
void test_ready_freed_page_pooled_zero(void)
{
	uint64_t again;
	volatile uint64_t *w = (volatile uint64_t *)(XR + PAGE);

	take_until_low(); /* the chunk stays frames: its other pages are taken */
	for (unsigned i = 0; i < PAGE / 8; i++)
		w[i] = 0x5eb7a000 + i;
	CHECK_EQ(memsrv_free(EP, taken[0], 1), MEMSRV_OK);
	memtest_idle(); /* the freed page, the lowest free, pooled again */
	CHECK_EQ(ready_pages(), READY_PAGES);
	CHECK_EQ(memsrv_alloc(EP, 1, 1, XR, MEMSRV_RW, &again), MEMSRV_OK);
	CHECK_EQ(again, taken[0]);
	CHECK_EQ(ready_pages(), READY_PAGES - 1); /* it was a ready page */
	for (unsigned i = 0; i < PAGE / 8; i++)
		if (((volatile uint64_t *)XR)[i]) {
			CHECK(!"a pooled page not zero");
			break;
		}
	CHECK_EQ(memsrv_free(EP, again, 1), MEMSRV_OK);
	free_taken(1);
}

/* A ready page whose map is refused goes back: the pool and the audit as
 * before, and the next allocation gets that page. */
void test_ready_refused_map_gives_back(void)
{
	uint64_t pa, again;

	take_until_low();
	free_taken(0);
	memtest_idle(); /* full, with the lowest free pages */
	/* A run, from the index above the pool, reserves what a single page
	 * needs (slots, stash, tables), so that the page goes alloc_page's
	 * way, where the map's refusal undoes it. */
	CHECK_EQ(memsrv_alloc(EP, 2, 1, XR + PAGE, MEMSRV_RW, &pa), MEMSRV_OK);
	CHECK_EQ(memsrv_free(EP, pa, 2), MEMSRV_OK);
	CHECK_EQ(memsrv_alloc(EP, 1, 1, XR, MEMSRV_RW, &pa), MEMSRV_OK);
	CHECK_EQ(ready_pages(), READY_PAGES - 1);
	CHECK_EQ(memsrv_alloc(EP, 1, 1, XR, MEMSRV_RW, &again), MEMSRV_E_IPA_BUSY);
	CHECK_EQ(memsrv_alloc(EP, 1, 1, 1ULL << 47, MEMSRV_RW, &again),
		 MEMSRV_E_IPA_RANGE);
	CHECK_EQ(ready_pages(), READY_PAGES - 1);
	CHECK_EQ(memsrv_alloc(EP, 1, 1, XR + PAGE, MEMSRV_RW, &again), MEMSRV_OK);
	CHECK_EQ(ready_pages(), READY_PAGES - 2);
	CHECK(again > pa); /* the refused ones' page, the next ready one */
	CHECK_EQ(memsrv_free(EP, again, 1), MEMSRV_OK);
	CHECK_EQ(memsrv_free(EP, pa, 1), MEMSRV_OK);
}

/* Memory exhausted and given back (review rev3): the refill, asleep
 * because it found no free page, is woken by the next 4 KiB allocation
 * even when the pool is empty. It was not: with no ready pages a single
 * page went to the index without the wake-up, so a client that faults
 * only 4 KiB pages never had ready pages again. */
#define XBIG	   0x40000000ULL /* blocks, every free 2 MiB up to XBIG_END */
#define XBIG_END   0xc0000000ULL
#define XRUNS	   0x20000000ULL /* the rest, in runs, below the test stacks */
#define XPAGE	   0x30000000ULL /* the fault's page, past the runs */
#define BLOCKS_MAX 1024u
#define RUNS_MAX   512u

static uint64_t big[BLOCKS_MAX];
static struct {
	uint64_t pa, n;
} runs[RUNS_MAX];
static unsigned nbig, nruns;

/* Everything free into memtest: blocks where its addresses are free, then
 * runs, halving on refusal. */
static void take_all(void)
{
	static uint64_t ipa;
	uint64_t pa;
	long err = MEMSRV_OK;

	for (uint64_t at = XBIG;
	     at < XBIG_END && nbig < BLOCKS_MAX && err != MEMSRV_E_NO_MEMORY;
	     at += 512 * PAGE)
		if (!(err = memsrv_alloc(EP, 512, 512, at, MEMSRV_RW, &pa)))
			big[nbig++] = pa;
	if (!nruns)
		ipa = XRUNS;
	for (uint64_t n = 256; n && nruns < RUNS_MAX;) {
		if (memsrv_alloc(EP, n, 1, ipa, MEMSRV_RW, &pa) != MEMSRV_OK) {
			n /= 2;
			continue;
		}
		runs[nruns].pa = pa;
		runs[nruns++].n = n;
		ipa += n * PAGE;
	}
}

/* What take_all took, freed. */
static void give_all_back(void)
{
	while (nbig)
		CHECK_EQ(memsrv_free(EP, big[--nbig], 512), MEMSRV_OK);
	while (nruns) {
		nruns--;
		CHECK_EQ(memsrv_free(EP, runs[nruns].pa, runs[nruns].n), MEMSRV_OK);
	}
}

void test_ready_refilled_after_memory_returns(void)
{
	uint64_t pa;
	unsigned tries;

	nbig = nruns = 0;
	/* Until idle time finds nothing to pool: the refill asleep, the
	 * pool empty. */
	for (tries = 0; tries < 4; tries++) {
		take_all();
		memtest_idle();
		if (ready_pages() == 0)
			break;
	}
	CHECK_EQ(ready_pages(), 0);
	CHECK(nbig > 0);
	CHECK(nruns < RUNS_MAX);
	/* A block back: 512 free pages; a fault's page from them. */
	if (nbig)
		CHECK_EQ(memsrv_free(EP, big[--nbig], 512), MEMSRV_OK);
	CHECK_EQ(memsrv_alloc(EP, 1, 1, XPAGE, MEMSRV_RW, &pa), MEMSRV_OK);
	memtest_idle();
	CHECK_EQ(ready_pages(), 511); /* the rest of that chunk, pooled */
	CHECK_EQ(memsrv_free(EP, pa, 1), MEMSRV_OK);
	give_all_back();
	CHECK(ready_pages() != ~0ULL); /* the audit clean */
}

/* Memory exhausted but for the ready pages (review rev3): each size takes
 * them (a run, a 2 MiB block), a request they cannot complete leaves them
 * as they were, and the audit finds nothing off. */
static void pool_the_last_chunk(void)
{
	uint64_t pa;

	CHECK_EQ(memsrv_alloc(EP, 1, 1, XPAGE, MEMSRV_RW, &pa), MEMSRV_OK);
	CHECK_EQ(memsrv_free(EP, pa, 1), MEMSRV_OK);
	memtest_idle();
}

void test_ready_last_free_pages(void)
{
	uint64_t pa, pb;

	nbig = nruns = 0;
	take_all();
	memtest_idle();
	CHECK_EQ(ready_pages(), 0);
	CHECK(nbig > 0);
	if (!nbig)
		return;
	CHECK_EQ(memsrv_free(EP, big[--nbig], 512), MEMSRV_OK);
	pool_the_last_chunk();
	CHECK_EQ(ready_pages(), READY_PAGES); /* the chunk's every page */
	/* More than there is: refused, the pool unchanged. */
	CHECK_EQ(memsrv_alloc(EP, 513, 1, XPAGE, MEMSRV_RW, &pb), MEMSRV_E_NO_MEMORY);
	CHECK_EQ(ready_pages(), READY_PAGES);
	CHECK_EQ(memsrv_alloc(EP, 1, 1, XPAGE, MEMSRV_RW, &pa), MEMSRV_OK);
	CHECK_EQ(ready_pages(), READY_PAGES - 1); /* a ready one: the lowest */
	/* Enough pages, but no run of that alignment even with the pool's
	 * (pa, the chunk's first, is taken): refused, the pool as it was. */
	CHECK_EQ(memsrv_alloc(EP, 2, 512, XBIG_END - 512 * PAGE, MEMSRV_RW, &pb),
		 MEMSRV_E_NO_MEMORY);
	CHECK_EQ(memsrv_alloc(EP, 512, 512, XBIG_END - 512 * PAGE, MEMSRV_RW, &pb),
		 MEMSRV_E_NO_MEMORY);
	CHECK_EQ(ready_pages(), READY_PAGES - 1);
	CHECK_EQ(memsrv_free(EP, pa, 1), MEMSRV_OK);
	/* A run: the pool drained for it; the rest back in the index. */
	CHECK_EQ(memsrv_alloc(EP, 3, 1, XPAGE, MEMSRV_RW, &pa), MEMSRV_OK);
	CHECK_EQ(ready_pages(), 0);
	CHECK_EQ(memsrv_free(EP, pa, 3), MEMSRV_OK);
	pool_the_last_chunk();
	CHECK_EQ(ready_pages(), READY_PAGES);
	/* A 2 MiB block: the whole chunk, its frames given back first. */
	CHECK_EQ(memsrv_alloc(EP, 512, 512, XBIG_END - 512 * PAGE, MEMSRV_RW, &pb),
		 MEMSRV_OK);
	CHECK_EQ(ready_pages(), 0);
	((volatile uint64_t *)(XBIG_END - 512 * PAGE))[7] = 1;
	CHECK_EQ(memsrv_free(EP, pb, 512), MEMSRV_OK);
	/* A page of it again, zero. */
	pool_the_last_chunk();
	CHECK_EQ(ready_pages(), READY_PAGES);
	CHECK_EQ(memsrv_alloc(EP, 1, 1, XPAGE, MEMSRV_RW, &pa), MEMSRV_OK);
	CHECK_EQ(((volatile uint64_t *)XPAGE)[7], 0);
	CHECK_EQ(memsrv_free(EP, pa, 1), MEMSRV_OK);
	give_all_back();
	CHECK(ready_pages() != ~0ULL);
}
