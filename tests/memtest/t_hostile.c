/*
 * memsrv against a hostile client: quotas of pages and of sub-clients,
 * consent before pages go into another's address space, and partial
 * UNSHARE/RECLAIM. Each refusal is checked to have changed nothing: the
 * pages' views, the kernel's mappings and memsrv's audit.
 */
#include "memtest.h"

#define XH 0x48000000ULL /* memtest's own addresses for these tests */
#define YH 0x58000000ULL /* B's */
#define ZH 0x68000000ULL /* the other sub-clients' */

/* The quota of sub-clients tests/memtest/memsrv.quota gives memtest. */
#define MEMTEST_SUBS 12u

static int audit_differences(void)
{
	struct memsrv_audit a;

	return memsrv_audit(EP, &a) == MEMSRV_OK ? (int)a.differences : -1;
}

/* A fresh sub-client of memtest, with a page quota (~0: memtest's own). */
static unsigned sub_client(uint64_t quota, uint64_t *vs)
{
	unsigned id = 0;

	*vs = mk(SEPTA_OBJ_VSPACE, 32);
	if (!*vs)
		return 0;
	if ((quota == ~0ULL ? memsrv_register(EP, *vs, &id)
			    : memsrv_register_quota(EP, *vs, quota, &id)) != MEMSRV_OK)
		return 0;
	return id;
}

static unsigned view_of(uint64_t ep, uint64_t pa)
{
	struct memsrv_query q;

	return memsrv_query(ep, pa, &q) == MEMSRV_OK ? q.view : ~0u;
}

void test_hostile_page_quota(void)
{
	uint64_t vs, pa, mine, ep;
	unsigned d = sub_client(4, &vs);

	CHECK(d != 0);
	ep = MEMSRV_AS(EP, d);
	/* More than its quota at once: refused, nothing mapped. */
	CHECK_EQ(memsrv_alloc(ep, 5, 1, ZH, MEMSRV_RW, &pa), MEMSRV_E_QUOTA);
	CHECK_EQ(pa_of(vs, ZH), 0);
	CHECK_EQ(memsrv_alloc(ep, 4, 1, ZH, MEMSRV_RW, &pa), MEMSRV_OK);
	CHECK_EQ(memsrv_alloc(ep, 1, 1, ZH + 4 * PAGE, MEMSRV_RW, &mine), MEMSRV_E_QUOTA);
	CHECK_EQ(pa_of(vs, ZH + 4 * PAGE), 0);
	/* Donated pages count too: the donation is refused, the page stays. */
	CHECK_EQ(memsrv_alloc(EP, 1, 1, XH, MEMSRV_RW, &mine), MEMSRV_OK);
	CHECK_EQ(memsrv_donate(EP, mine, 1, d, ZH + 4 * PAGE), MEMSRV_E_QUOTA);
	CHECK_EQ(view_of(EP, mine), MEMSRV_VIEW_OWNED);
	CHECK_EQ(pa_of(MY_VS, XH), mine);
	CHECK_EQ(pa_of(vs, ZH + 4 * PAGE), 0);
	/* Borrowed pages do not: they stay their owner's. */
	CHECK_EQ(memsrv_share(EP, mine, 1, d, ZH + 4 * PAGE, MEMSRV_R), MEMSRV_OK);
	CHECK_EQ(memsrv_unshare(EP, mine, 1, d), MEMSRV_OK);
	CHECK_EQ(audit_differences(), 0);
	/* Room again once it frees one. */
	CHECK_EQ(memsrv_free(ep, pa + 3 * PAGE, 1), MEMSRV_OK);
	CHECK_EQ(memsrv_donate(EP, mine, 1, d, ZH + 4 * PAGE), MEMSRV_OK);
	CHECK_EQ(view_of(ep, mine), MEMSRV_VIEW_OWNED);
	CHECK_EQ(memsrv_free(ep, mine, 1), MEMSRV_OK);
	CHECK_EQ(memsrv_free(ep, pa, 3), MEMSRV_OK);
	CHECK_EQ(audit_differences(), 0);
}

void test_hostile_share_needs_consent(void)
{
	uint64_t vs_c, pa, got, q[4], eb = MEMSRV_AS(EP, mt.b), ec;
	unsigned c = sub_client(~0ULL, &vs_c);
	struct memsrv_query mq;

	CHECK(c != 0);
	ec = MEMSRV_AS(EP, c);
	/* B owns two pages; C never asked for anything from B. */
	CHECK_EQ(memsrv_alloc(eb, 2, 1, YH, MEMSRV_RW, &pa), MEMSRV_OK);
	CHECK_EQ(memsrv_share(eb, pa, 1, c, ZH, MEMSRV_RW), MEMSRV_E_CONSENT);
	CHECK_EQ(memsrv_lend(eb, pa, 1, c, ZH, MEMSRV_RW), MEMSRV_E_CONSENT);
	CHECK_EQ(memsrv_donate(eb, pa, 1, c, ZH), MEMSRV_E_CONSENT);
	/* Nor did memtest, B's parent but not its sub-client. */
	CHECK_EQ(memsrv_share(eb, pa, 1, mt.me, XH, MEMSRV_RW), MEMSRV_E_CONSENT);
	CHECK_EQ(memsrv_donate(eb, pa, 1, mt.me, XH), MEMSRV_E_CONSENT);
	CHECK_EQ(pa_of(vs_c, ZH), 0);
	CHECK_EQ(pa_of(MY_VS, XH), 0);
	CHECK_EQ(memsrv_query(eb, pa, &mq), MEMSRV_OK);
	CHECK_EQ(mq.view, MEMSRV_VIEW_OWNED);
	CHECK_EQ(mq.sharers, 0);
	CHECK_EQ(probe(mt.tcb_b, YH, 0, 0, &got), PROBE_OK);
	CHECK_EQ(audit_differences(), 0);
	/* C opens a window of one page for B: that page, and only from B. */
	CHECK_EQ(memsrv_accept(ec, ZH, 1, mt.b), MEMSRV_OK);
	CHECK_EQ(memsrv_share(eb, pa, 2, c, ZH, MEMSRV_R), MEMSRV_E_CONSENT);
	CHECK_EQ(memsrv_share(eb, pa, 1, c, ZH + PAGE, MEMSRV_R), MEMSRV_E_CONSENT);
	CHECK_EQ(memsrv_share(eb, pa, 1, c, ZH - PAGE, MEMSRV_R), MEMSRV_E_CONSENT);
	CHECK_EQ(memsrv_share(eb, pa, 1, c, ZH, MEMSRV_R), MEMSRV_OK);
	kq(vs_c, ZH, q);
	CHECK_EQ(q[0], pa);
	CHECK_EQ(q[3], SEPTA_SHARED_BORROWED);
	CHECK_EQ(memsrv_unshare(eb, pa, 1, c), MEMSRV_OK);
	/* Closed, it admits nothing again. */
	CHECK_EQ(memsrv_accept(ec, 0, 0, mt.b), MEMSRV_OK);
	CHECK_EQ(memsrv_share(eb, pa, 1, c, ZH, MEMSRV_R), MEMSRV_E_CONSENT);
	CHECK_EQ(pa_of(vs_c, ZH), 0);
	CHECK_EQ(memsrv_free(eb, pa, 2), MEMSRV_OK);
	CHECK_EQ(audit_differences(), 0);
}

void test_hostile_accept_refusals(void)
{
	uint64_t eb = MEMSRV_AS(EP, mt.b);
	unsigned i;

	CHECK_EQ(memsrv_accept(eb, ZH, 1, mt.b), MEMSRV_E_SELF);
	CHECK_EQ(memsrv_accept(eb, ZH, 1, 63), MEMSRV_E_CLIENT);
	CHECK_EQ(memsrv_accept(eb, ZH, 1, 0), MEMSRV_E_CLIENT);
	CHECK_EQ(memsrv_accept(eb, ZH + 1, 1, mt.me), MEMSRV_E_ALIGN);
	CHECK_EQ(memsrv_accept(eb, ZH, ~0ULL / PAGE, mt.me), MEMSRV_E_IPA_RANGE);
	/* The table of windows is bounded: the ninth is refused. */
	for (i = 0; i < 8; i++)
		CHECK_EQ(memsrv_accept(eb, ZH + i * PAGE, 1, mt.me), MEMSRV_OK);
	CHECK_EQ(memsrv_accept(eb, ZH + i * PAGE, 1, mt.me), MEMSRV_E_FULL);
	CHECK_EQ(memsrv_accept(eb, 0, 0, mt.me), MEMSRV_OK);
	CHECK_EQ(memsrv_accept(eb, ZH, 1, mt.me), MEMSRV_OK);
	CHECK_EQ(memsrv_accept(eb, 0, 0, mt.me), MEMSRV_OK);
}

/* Part of a share or lend undone: the rest stays, page for page, and a
 * later request for the whole range is refused without changing any. */
void test_hostile_partial_unshare_reclaim(void)
{
	uint64_t pa, got;
	struct memsrv_query mq;

	CHECK_EQ(memsrv_alloc(EP, 4, 1, XH, MEMSRV_RW, &pa), MEMSRV_OK);
	CHECK_EQ(memsrv_share(EP, pa, 4, mt.b, YH, MEMSRV_R), MEMSRV_OK);
	CHECK_EQ(memsrv_unshare(EP, pa + PAGE, 2, mt.b), MEMSRV_OK);
	CHECK_EQ(view_of(EP, pa), MEMSRV_VIEW_SHARED_OWNED);
	CHECK_EQ(view_of(EP, pa + PAGE), MEMSRV_VIEW_OWNED);
	CHECK_EQ(view_of(EP, pa + 2 * PAGE), MEMSRV_VIEW_OWNED);
	CHECK_EQ(view_of(EP, pa + 3 * PAGE), MEMSRV_VIEW_SHARED_OWNED);
	CHECK_EQ(pa_of(mt.vs_b, YH), pa);
	CHECK_EQ(pa_of(mt.vs_b, YH + PAGE), 0);
	CHECK_EQ(pa_of(mt.vs_b, YH + 3 * PAGE), pa + 3 * PAGE);
	CHECK_EQ(memsrv_unshare(EP, pa, 4, mt.b), MEMSRV_E_NOT_SHARED);
	CHECK_EQ(pa_of(mt.vs_b, YH), pa);
	CHECK_EQ(audit_differences(), 0);
	CHECK_EQ(memsrv_unshare(EP, pa, 1, mt.b), MEMSRV_OK);
	CHECK_EQ(memsrv_unshare(EP, pa + 3 * PAGE, 1, mt.b), MEMSRV_OK);
	/* The same with a lend. */
	CHECK_EQ(memsrv_lend(EP, pa, 4, mt.b, YH, MEMSRV_RW), MEMSRV_OK);
	CHECK_EQ(memsrv_reclaim(EP, pa + PAGE, 2), MEMSRV_OK);
	CHECK_EQ(probe(mt.tcb_a, XH + PAGE, 0, 0, &got), PROBE_OK);
	CHECK_EQ(probe(mt.tcb_a, XH, 0, 0, &got), PROBE_FAULT);
	CHECK_EQ(pa_of(mt.vs_b, YH + PAGE), 0);
	CHECK_EQ(pa_of(mt.vs_b, YH + 3 * PAGE), pa + 3 * PAGE);
	CHECK_EQ(memsrv_reclaim(EP, pa, 4), MEMSRV_E_NOT_LENT);
	CHECK_EQ(memsrv_query(EP, pa, &mq), MEMSRV_OK);
	CHECK_EQ(mq.view, MEMSRV_VIEW_LENT);
	CHECK_EQ(audit_differences(), 0);
	CHECK_EQ(memsrv_reclaim(EP, pa, 1), MEMSRV_OK);
	CHECK_EQ(memsrv_reclaim(EP, pa + 3 * PAGE, 1), MEMSRV_OK);
	CHECK_EQ(memsrv_free(EP, pa, 4), MEMSRV_OK);
	CHECK_EQ(audit_differences(), 0);
}

/* Last of the suite: it uses up memtest's sub-clients for good. */
void test_hostile_subclient_quota(void)
{
	uint64_t vs = 0, pa;
	unsigned id = 0, n;
	long err = MEMSRV_OK;

	for (n = 0; n < MEMSRV_MAX_CLIENTS && err == MEMSRV_OK; n++) {
		vs = mk(SEPTA_OBJ_VSPACE, 32);
		CHECK(vs != 0);
		err = memsrv_register(EP, vs, &id);
	}
	CHECK_EQ(err, MEMSRV_E_QUOTA);
	CHECK(n < MEMTEST_SUBS);
	/* The refused VSpace is no client: memsrv maps nothing for it. */
	CHECK_EQ(memsrv_alloc(MEMSRV_AS(EP, id + 1), 1, 1, ZH, MEMSRV_RW, &pa),
		 MEMSRV_E_CLIENT);
	CHECK_EQ(memsrv_register(EP, vs, &id), MEMSRV_E_QUOTA);
	CHECK_EQ(audit_differences(), 0);
}
