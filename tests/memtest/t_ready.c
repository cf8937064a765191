/*
 * memsrv's ready pages (servers/memsrv/idle.c, ready.c) on the target:
 * filled while memsrv is idle, which memtest makes it by running its test
 * thread below every other thread (memtest_idle); counted by the audit as
 * memsrv's own with nothing off; a page taken from them is a zero frame
 * of the client's, even one a client wrote and freed before it was
 * pooled again; a refused map puts the page back unchanged. What the host
 * tests cannot see: the frames, the zeroing, the idle thread's protocol.
 */
#include "memtest.h"

#define XR 0x50000000ULL /* 2 MiB aligned, nothing of memtest's there */

/* The audit's count of what it checked; 0 if it failed or found a
 * difference (then no test's comparison holds). */
static uint64_t audit_checked(void)
{
	struct memsrv_audit a;

	if (memsrv_audit(EP, &a) != MEMSRV_OK || a.differences)
		return 0;
	return a.checked;
}

void test_ready_filled_when_idle(void)
{
	uint64_t before, after, pa, again;

	/* Taking a page wakes the idle thread; idle, it fills the pool up. */
	CHECK_EQ(memsrv_alloc(EP, 1, 1, XR, MEMSRV_RW, &pa), MEMSRV_OK);
	before = audit_checked();
	memtest_idle();
	after = audit_checked();
	/* The pool's pages are in the audit's count; one was taken. */
	CHECK(before > 0 && after > before);
	CHECK(after - before <= 512);
	/* From the pool now, and still first fit: freed, the same page. */
	CHECK_EQ(memsrv_free(EP, pa, 1), MEMSRV_OK);
	CHECK_EQ(memsrv_alloc(EP, 1, 1, XR, MEMSRV_RW, &again), MEMSRV_OK);
	CHECK_EQ(again, pa);
	CHECK_EQ(audit_checked(), after);
	CHECK_EQ(memsrv_free(EP, again, 1), MEMSRV_OK);
}

/* A page written, freed and pooled again while memsrv was idle reaches
 * the next client zero. */
void test_ready_freed_page_pooled_zero(void)
{
	uint64_t pa[2], again;
	volatile uint64_t *w = (volatile uint64_t *)XR;

	memtest_idle();
	/* Two pages: the chunk stays frames when the first is freed. */
	CHECK_EQ(memsrv_alloc(EP, 1, 1, XR, MEMSRV_RW, &pa[0]), MEMSRV_OK);
	CHECK_EQ(memsrv_alloc(EP, 1, 1, XR + PAGE, MEMSRV_RW, &pa[1]), MEMSRV_OK);
	for (unsigned i = 0; i < PAGE / 8; i++)
		w[i] = 0x5eb7a000 + i;
	CHECK_EQ(memsrv_free(EP, pa[0], 1), MEMSRV_OK);
	memtest_idle(); /* the freed page, the lowest free, pooled again */
	CHECK_EQ(memsrv_alloc(EP, 1, 1, XR + 2 * PAGE, MEMSRV_RW, &again), MEMSRV_OK);
	CHECK_EQ(again, pa[0]);
	for (unsigned i = 0; i < PAGE / 8; i++)
		if (((volatile uint64_t *)(XR + 2 * PAGE))[i]) {
			CHECK(!"a pooled page not zero");
			break;
		}
	CHECK_EQ(memsrv_free(EP, again, 1), MEMSRV_OK);
	CHECK_EQ(memsrv_free(EP, pa[1], 1), MEMSRV_OK);
}

/* A pooled page whose map is refused goes back: the audit counts what it
 * did, and the next allocation gets that page. */
void test_ready_refused_map_gives_back(void)
{
	uint64_t pa, busy, c0, again;

	CHECK_EQ(memsrv_alloc(EP, 1, 1, XR, MEMSRV_RW, &busy), MEMSRV_OK);
	memtest_idle();
	c0 = audit_checked();
	CHECK(c0 > 0);
	CHECK_EQ(memsrv_alloc(EP, 1, 1, XR, MEMSRV_RW, &pa), MEMSRV_E_IPA_BUSY);
	CHECK_EQ(memsrv_alloc(EP, 1, 1, 1ULL << 47, MEMSRV_RW, &pa), MEMSRV_E_IPA_RANGE);
	CHECK_EQ(audit_checked(), c0);
	CHECK_EQ(memsrv_alloc(EP, 1, 1, XR + PAGE, MEMSRV_RW, &pa), MEMSRV_OK);
	CHECK(pa != busy);
	/* The lowest free page: nothing below it but what is taken. */
	CHECK_EQ(memsrv_free(EP, pa, 1), MEMSRV_OK);
	CHECK_EQ(memsrv_alloc(EP, 1, 1, XR + PAGE, MEMSRV_RW, &again), MEMSRV_OK);
	CHECK_EQ(again, pa);
	CHECK_EQ(memsrv_free(EP, again, 1), MEMSRV_OK);
	CHECK_EQ(memsrv_free(EP, busy, 1), MEMSRV_OK);
}
