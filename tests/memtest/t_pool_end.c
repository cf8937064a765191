/* memsrv at the end of its pool: a range running one page past it is a
 * range error, whatever else is wrong with the call (found by
 * tests/mutation: ops-page-end let such a range through memsrv's own check,
 * and only the database's, after the client and rights checks, caught it). */
#include "memtest.h"

#define YB 0x50000000ULL

/* The last page memsrv manages: below the end of RAM, the first one a
 * QUERY does not call out of range. */
static uint64_t pool_last(void)
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
	uint64_t last = pool_last();
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
