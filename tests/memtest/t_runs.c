/*
 * Shares, lends and reclaims of runs of pages (issue 16: memsrv grants a
 * run with VSPACE_MAP_FRAMES and changes the owner's view in place with
 * VSPACE_RETAG_FRAMES). Runs here cross 2 MiB at the borrower (where a
 * batch ends and a table may be missing) and a chunk of the pool (where
 * the frames' slots end); every page's mapping is checked in both
 * VSpaces, probes touch the pages, and memsrv's audit (which compares its
 * records with the kernel's tables) finds nothing before the teardown's.
 */
#include "memtest.h"

#define XA 0x40000000ULL
/* The borrower's: 8 pages below a 2 MiB boundary, in a 2 MiB it has no
 * table for yet. */
#define YR (0x50000000ULL + 5 * BLOCK - 8 * PAGE)

static volatile uint64_t *at(uint64_t ipa)
{
	return (volatile uint64_t *)(uintptr_t)ipa;
}

/* How many of pages [from, to) of the run at pa, seen at XA by memtest
 * and at YR by the borrower, are not as they should be: memtest's with
 * its tag and RW; the borrower's with its tag and rights, or unmapped
 * (btag < 0). */
static unsigned wrong(uint64_t pa, unsigned from, unsigned to, int otag, int btag,
		      unsigned brights)
{
	unsigned bad = 0;

	for (unsigned i = from; i < to; i++) {
		uint64_t q[4];

		kq(MY_VS, XA + i * PAGE, q);
		if (otag < 0 ? q[0] != 0
			     : q[0] != pa + i * PAGE || q[2] != MEMSRV_RW ||
				   q[3] != (uint64_t)otag)
			bad++;
		kq(mt.vs_b, YR + i * PAGE, q);
		if (btag < 0 ? q[0] != 0
			     : q[0] != pa + i * PAGE || q[2] != brights ||
				   q[3] != (uint64_t)btag)
			bad++;
	}
	return bad;
}

static uint64_t audit_differences(void)
{
	struct memsrv_audit a = {0};

	return memsrv_audit(EP, &a) == MEMSRV_OK ? a.differences : ~0ULL;
}

/* Pages of two chunks (600 from where allocation puts them), each with
 * its number written in it. */
static uint64_t run_alloc(unsigned n, uint64_t *pa)
{
	if (memsrv_alloc(EP, n, 1, XA, MEMSRV_RW, pa) != MEMSRV_OK)
		return 0;
	for (unsigned i = 0; i < n; i++)
		*at(XA + i * PAGE) = 0x7000 + i;
	return n;
}

/* 600 pages shared in one request, then unshared in three: the middle
 * first, so that both ends stay shared (their owner's view SHARED_OWNED)
 * while it goes back to OWNED. */
void test_runs_share_unshare(void)
{
	uint64_t pa, got, base = audit_differences();
	const unsigned n = 600;

	CHECK_EQ(run_alloc(n, &pa), n);
	CHECK_EQ(memsrv_share(EP, pa, n, mt.b, YR, MEMSRV_RW), MEMSRV_OK);
	CHECK_EQ(wrong(pa, 0, n, SEPTA_SHARED_OWNED, SEPTA_SHARED_BORROWED, MEMSRV_RW),
		 0);
	/* The borrower reads what the owner wrote, at both sides of the 2 MiB
	 * boundary and at the end; what it writes the owner reads. */
	for (unsigned i = 0; i < n; i += 7) {
		CHECK_EQ(probe(mt.tcb_b, YR + i * PAGE, 0, 0, &got), PROBE_OK);
		CHECK_EQ(got, 0x7000 + i);
	}
	CHECK_EQ(
	    probe(mt.tcb_b, YR + (n - 1) * PAGE, YR + (n - 1) * PAGE + 8, 0xb0b, &got),
	    PROBE_OK);
	CHECK_EQ(*at(XA + (n - 1) * PAGE + 8), 0xb0b);
	CHECK_EQ(audit_differences(), base);
	CHECK_EQ(memsrv_unshare(EP, pa + 100 * PAGE, 400, mt.b), MEMSRV_OK);
	CHECK_EQ(wrong(pa, 0, 100, SEPTA_SHARED_OWNED, SEPTA_SHARED_BORROWED, MEMSRV_RW),
		 0);
	CHECK_EQ(wrong(pa, 100, 500, SEPTA_OWNED, -1, 0), 0);
	CHECK_EQ(wrong(pa, 500, n, SEPTA_SHARED_OWNED, SEPTA_SHARED_BORROWED, MEMSRV_RW),
		 0);
	CHECK_EQ(probe(mt.tcb_b, YR + 100 * PAGE, 0, 0, &got), PROBE_FAULT);
	CHECK_EQ(audit_differences(), base);
	CHECK_EQ(memsrv_unshare(EP, pa, 100, mt.b), MEMSRV_OK);
	CHECK_EQ(memsrv_unshare(EP, pa + 500 * PAGE, 100, mt.b), MEMSRV_OK);
	CHECK_EQ(wrong(pa, 0, n, SEPTA_OWNED, -1, 0), 0);
	CHECK_EQ(*at(XA + 300 * PAGE), 0x7000 + 300);
	CHECK_EQ(audit_differences(), base);
	CHECK_EQ(memsrv_free(EP, pa, n), MEMSRV_OK);
}

/* Shared read-only as a run: the borrower reads, and its write faults
 * (the run's copies have no Write, their entries no W). */
void test_runs_share_read_only(void)
{
	uint64_t pa, got, base = audit_differences();
	const unsigned n = 20;

	CHECK_EQ(run_alloc(n, &pa), n);
	CHECK_EQ(memsrv_share(EP, pa, n, mt.b, YR, MEMSRV_R), MEMSRV_OK);
	CHECK_EQ(wrong(pa, 0, n, SEPTA_SHARED_OWNED, SEPTA_SHARED_BORROWED, MEMSRV_R), 0);
	CHECK_EQ(probe(mt.tcb_b, YR + 9 * PAGE, 0, 0, &got), PROBE_OK);
	CHECK_EQ(got, 0x7000 + 9);
	CHECK_EQ(probe(mt.tcb_b, YR + 9 * PAGE, YR + 9 * PAGE, 1, &got), PROBE_FAULT);
	CHECK_EQ(got, YR + 9 * PAGE);
	CHECK_EQ(*at(XA + 9 * PAGE), 0x7000 + 9);
	CHECK_EQ(audit_differences(), base);
	CHECK_EQ(memsrv_unshare(EP, pa, n, mt.b), MEMSRV_OK);
	CHECK_EQ(memsrv_free(EP, pa, n), MEMSRV_OK);
}

/* 600 pages lent in one request: the owner's mappings go, the
 * borrower's come; the borrower writes; then the owner reclaims while the
 * borrower still has them mapped (and has just used them): the borrower's
 * go, the owner's come back at its old addresses with what the borrower
 * wrote, OWNED and RW; the audit finds nothing at each step. */
void test_runs_lend_reclaim(void)
{
	uint64_t pa, got, base = audit_differences();
	const unsigned n = 600;

	CHECK_EQ(run_alloc(n, &pa), n);
	CHECK_EQ(memsrv_lend(EP, pa, n, mt.b, YR, MEMSRV_RW), MEMSRV_OK);
	CHECK_EQ(wrong(pa, 0, n, -1, SEPTA_BORROWED, MEMSRV_RW), 0);
	CHECK_EQ(probe(mt.tcb_a, XA + 7 * PAGE, 0, 0, &got), PROBE_FAULT);
	CHECK_EQ(audit_differences(), base);
	for (unsigned i = 0; i < n; i += 11) {
		CHECK_EQ(
		    probe(mt.tcb_b, YR + i * PAGE, YR + i * PAGE + 16, 0xc000 + i, &got),
		    PROBE_OK);
		CHECK_EQ(got, 0x7000 + i);
	}
	CHECK_EQ(memsrv_reclaim(EP, pa, n), MEMSRV_OK);
	CHECK_EQ(wrong(pa, 0, n, SEPTA_OWNED, -1, 0), 0);
	CHECK_EQ(probe(mt.tcb_b, YR + 11 * PAGE, 0, 0, &got), PROBE_FAULT);
	for (unsigned i = 0; i < n; i += 11)
		CHECK_EQ(*at(XA + i * PAGE + 16), 0xc000 + i);
	*at(XA + 5 * PAGE) = 5;
	CHECK_EQ(audit_differences(), base);
	/* Lent and reclaimed again: the owner's new capabilities map as the
	 * first ones did. */
	CHECK_EQ(memsrv_lend(EP, pa, n, mt.b, YR, MEMSRV_RW), MEMSRV_OK);
	CHECK_EQ(memsrv_reclaim(EP, pa, n), MEMSRV_OK);
	CHECK_EQ(wrong(pa, 0, n, SEPTA_OWNED, -1, 0), 0);
	CHECK_EQ(audit_differences(), base);
	CHECK_EQ(memsrv_free(EP, pa, n), MEMSRV_OK);
}

/* A reclaim finds one of the owner's old addresses taken, in the middle
 * of the run: refused, and the borrower keeps every page; once it is free
 * again the whole run comes back. */
void test_runs_reclaim_refused_midway(void)
{
	uint64_t pa, other, got, base = audit_differences();
	const unsigned n = 20;

	CHECK_EQ(run_alloc(n, &pa), n);
	CHECK_EQ(memsrv_lend(EP, pa, n, mt.b, YR, MEMSRV_RW), MEMSRV_OK);
	CHECK_EQ(memsrv_alloc(EP, 1, 1, XA + 13 * PAGE, MEMSRV_RW, &other), MEMSRV_OK);
	CHECK_EQ(memsrv_reclaim(EP, pa, n), MEMSRV_E_IPA_BUSY);
	CHECK_EQ(wrong(pa, 0, 13, -1, SEPTA_BORROWED, MEMSRV_RW), 0);
	CHECK_EQ(wrong(pa, 14, n, -1, SEPTA_BORROWED, MEMSRV_RW), 0);
	CHECK_EQ(probe(mt.tcb_b, YR + 19 * PAGE, 0, 0, &got), PROBE_OK);
	CHECK_EQ(got, 0x7000 + 19);
	CHECK_EQ(audit_differences(), base);
	CHECK_EQ(memsrv_free(EP, other, 1), MEMSRV_OK);
	CHECK_EQ(memsrv_reclaim(EP, pa, n), MEMSRV_OK);
	CHECK_EQ(wrong(pa, 0, n, SEPTA_OWNED, -1, 0), 0);
	CHECK_EQ(audit_differences(), base);
	CHECK_EQ(memsrv_free(EP, pa, n), MEMSRV_OK);
}
