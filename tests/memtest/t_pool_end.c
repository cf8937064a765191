/* memsrv at the ends of its pool: a range running one page past it is a
 * range error, whatever else is wrong with the call, and so is an
 * allocation one page bigger than the pool (found by tests/mutation:
 * ops-page-end let such a range through memsrv's own check, and only the
 * database's, after the client and rights checks, caught it; ops-alloc-n let
 * the allocation on to the quota). */
#include "memtest.h"

#define XA 0x40000000ULL
#define YB 0x50000000ULL

/* The pool's ends: the pages nearest the ends of RAM that a QUERY does not
 * call out of range. */
uint64_t memtest_pool_first(void)
{
	const struct septa_bootinfo *bi = septa_bootinfo();
	struct memsrv_query mq;
	uint64_t p = bi->ram_base;

	while (p < bi->ram_base + bi->ram_size &&
	       memsrv_query(EP, p, &mq) == MEMSRV_E_RANGE)
		p += PAGE;
	return p;
}

uint64_t memtest_pool_last(void)
{
	const struct septa_bootinfo *bi = septa_bootinfo();
	struct memsrv_query mq;
	uint64_t p = bi->ram_base + bi->ram_size - PAGE;

	while (p > bi->ram_base && memsrv_query(EP, p, &mq) == MEMSRV_E_RANGE)
		p -= PAGE;
	return p;
}

void test_range_past_the_pool_end(void)
{
	uint64_t last = memtest_pool_last();
	struct memsrv_query mq;

	CHECK_EQ(memsrv_query(EP, last, &mq), MEMSRV_OK);
	CHECK_EQ(memsrv_query(EP, last + PAGE, &mq), MEMSRV_E_RANGE);
	/* The last page alone is in range (memtest does not own it). */
	CHECK_EQ(memsrv_free(EP, last, 1), MEMSRV_E_NOT_OWNER);
	CHECK_EQ(memsrv_share(EP, last, 1, ~0ULL, YB, MEMSRV_R), MEMSRV_E_CLIENT);
	/* One page more: out of range before the borrower or the rights are
	 * looked at. */
	CHECK_EQ(memsrv_free(EP, last, 2), MEMSRV_E_RANGE);
	CHECK_EQ(memsrv_share(EP, last, 2, ~0ULL, YB, MEMSRV_R), MEMSRV_E_RANGE);
	CHECK_EQ(memsrv_share(EP, last, 2, mt.b, YB, 1ULL << 20), MEMSRV_E_RANGE);
	CHECK_EQ(memsrv_lend(EP, last, 2, mt.me, YB, MEMSRV_R), MEMSRV_E_RANGE);
	/* Starting at the page past the end. */
	CHECK_EQ(memsrv_share(EP, last + PAGE, 1, ~0ULL, YB, MEMSRV_R), MEMSRV_E_RANGE);
}

void test_alloc_past_the_pool_size(void)
{
	uint64_t first = memtest_pool_first(), pages, pa = 0;
	struct memsrv_query mq;

	CHECK_EQ(memsrv_query(EP, first, &mq), MEMSRV_OK);
	CHECK_EQ(memsrv_query(EP, first - PAGE, &mq), MEMSRV_E_RANGE);
	pages = (memtest_pool_last() - first) / PAGE + 1;
	/* The whole pool is a size memsrv considers (and refuses later: memtest
	 * has no quota for it); one page more is out of range. */
	CHECK(memsrv_alloc(EP, pages, 1, XA, MEMSRV_RW, &pa) != MEMSRV_E_RANGE);
	CHECK_EQ(memsrv_alloc(EP, pages + 1, 1, XA, MEMSRV_RW, &pa), MEMSRV_E_RANGE);
	CHECK_EQ(pa_of(MY_VS, XA), 0);
}
