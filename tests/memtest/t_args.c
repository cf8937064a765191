/* memsrv's range operations refuse a request one argument short, and rights
 * beyond RWX, before the database looks at the pages (found by
 * tests/mutation: ops-range-len read the missing argument as 0 or as what
 * the buffer held; ops-range-rights let rights 8-15 on to the database,
 * which answered for the pages first). */
#include "memtest.h"

#define XA 0x40000000ULL
#define YB (0x50000000ULL + 48 * PAGE) /* free in B: earlier tests use less */

void test_short_requests_refused(void)
{
	uint64_t pa;
	struct memsrv_query mq;

	CHECK_EQ(pa_of(mt.vs_b, YB), 0);
	CHECK_EQ(memsrv_alloc(EP, 1, 1, XA, MEMSRV_RW, &pa), MEMSRV_OK);
	/* Each label with its last argument missing. */
	CHECK_EQ(memtest_raw(MEMSRV_FREE, 1, pa, 0, 0, 0, 0), MEMSRV_E_ARG);
	CHECK_EQ(memtest_raw(MEMSRV_SHARE, 4, pa, 1, mt.b, YB, 0), MEMSRV_E_ARG);
	CHECK_EQ(memtest_raw(MEMSRV_UNSHARE, 2, pa, 1, 0, 0, 0), MEMSRV_E_ARG);
	CHECK_EQ(memtest_raw(MEMSRV_LEND, 4, pa, 1, mt.b, YB, 0), MEMSRV_E_ARG);
	CHECK_EQ(memtest_raw(MEMSRV_RECLAIM, 1, pa, 0, 0, 0, 0), MEMSRV_E_ARG);
	CHECK_EQ(memtest_raw(MEMSRV_DONATE, 3, pa, 1, mt.b, 0, 0), MEMSRV_E_ARG);
	/* Nothing changed. */
	CHECK_EQ(memsrv_query(EP, pa, &mq), MEMSRV_OK);
	CHECK_EQ(mq.view, MEMSRV_VIEW_OWNED);
	CHECK_EQ(mq.owner, mt.me);
	CHECK_EQ(mq.sharers, 0);
	CHECK_EQ(pa_of(mt.vs_b, YB), 0);
	CHECK_EQ(memsrv_free(EP, pa, 1), MEMSRV_OK);
}

void test_rights_past_rwx_refused(void)
{
	uint64_t pa;

	/* A page memtest no longer owns: the database would say NOT_OWNER. */
	CHECK_EQ(memsrv_alloc(EP, 1, 1, XA, MEMSRV_RW, &pa), MEMSRV_OK);
	CHECK_EQ(memsrv_free(EP, pa, 1), MEMSRV_OK);
	CHECK_EQ(memsrv_share(EP, pa, 1, mt.b, YB, MEMSRV_R), MEMSRV_E_NOT_OWNER);
	for (unsigned r = MEMSRV_RWX + 1; r <= 2 * MEMSRV_RWX + 1; r++) {
		CHECK_EQ(memsrv_share(EP, pa, 1, mt.b, YB, r), MEMSRV_E_RIGHTS);
		CHECK_EQ(memsrv_lend(EP, pa, 1, mt.b, YB, r), MEMSRV_E_RIGHTS);
	}
	CHECK_EQ(pa_of(mt.vs_b, YB), 0);
}
