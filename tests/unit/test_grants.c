/*
 * vmsrv's records of a VM's shares and lends (servers/vmsrv/grants.c)
 * against a model of memsrv's pages: whatever part of a share or lend a
 * guest undoes, the records must say exactly what is left, so that the
 * teardown at a reset (one UNSHARE or RECLAIM per record, each refused by
 * memsrv unless every page of it is still shared or lent) undoes it all.
 * The attack of issue 14: share 4 pages, unshare the middle 2, reset.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "grants.h"
#include "tests.h"

#define NREC  32u /* as vmsrv's MAX_GRANTS */
#define NPAGE 64u
#define NPEER 3u
#define BASE  0x40000000ULL
#define PG    4096ULL

/* memsrv's view of the VM's shareable pages: per page, the peers it is
 * shared with (bit per peer id) or lent. */
static struct {
	unsigned shared;
	bool lent;
} page[NPAGE];
static struct vm_grant rec[NREC];

static uint64_t ipa_of(unsigned p)
{
	return BASE + p * PG;
}

static void reset(void)
{
	memset(page, 0, sizeof(page));
	memset(rec, 0, sizeof(rec));
}

/* memsrv's checks, then its change, as the hypercall makes them. */
static bool m_share(unsigned p, unsigned n, unsigned peer)
{
	for (unsigned i = p; i < p + n; i++)
		if (page[i].lent || page[i].shared & 1u << peer)
			return false;
	for (unsigned i = p; i < p + n; i++)
		page[i].shared |= 1u << peer;
	return true;
}

static bool m_lend(unsigned p, unsigned n)
{
	for (unsigned i = p; i < p + n; i++)
		if (page[i].lent || page[i].shared)
			return false;
	for (unsigned i = p; i < p + n; i++)
		page[i].lent = true;
	return true;
}

static bool m_unshare(unsigned p, unsigned n, unsigned peer)
{
	for (unsigned i = p; i < p + n; i++)
		if (!(page[i].shared & 1u << peer))
			return false;
	for (unsigned i = p; i < p + n; i++)
		page[i].shared &= ~(1u << peer);
	return true;
}

static bool m_reclaim(unsigned p, unsigned n)
{
	for (unsigned i = p; i < p + n; i++)
		if (!page[i].lent)
			return false;
	for (unsigned i = p; i < p + n; i++)
		page[i].lent = false;
	return true;
}

/* hyp.c's mem_call: 0 if done, 1 if memsrv refused, 2 if vmsrv did. */
static int give(unsigned p, unsigned n, unsigned peer, bool lend)
{
	struct vm_grant *g = grants_free(rec, NREC);

	if (!g)
		return 2;
	if (!(lend ? m_lend(p, n) : m_share(p, n, peer)))
		return 1;
	*g = (struct vm_grant){ipa_of(p), n, peer, lend, true};
	return 0;
}

static int undo(unsigned p, unsigned n, unsigned peer, bool lend)
{
	if (!grants_can_remove(rec, NREC, ipa_of(p), n, lend, peer))
		return 2;
	if (!(lend ? m_reclaim(p, n) : m_unshare(p, n, peer)))
		return 1;
	grants_remove(rec, NREC, ipa_of(p), n, lend, peer);
	return 0;
}

/* Every page shared or lent is in exactly one record of its kind. */
static bool consistent(void)
{
	for (unsigned i = 0; i < NPAGE; i++)
		for (unsigned k = 0; k <= NPEER; k++) {
			bool lend = k == NPEER,
			     in = lend ? page[i].lent : page[i].shared & 1u << k;
			unsigned n = 0;

			for (unsigned r = 0; r < NREC; r++)
				n += rec[r].used && rec[r].lent == lend &&
				     (lend || rec[r].peer == k) &&
				     rec[r].ipa <= ipa_of(i) &&
				     ipa_of(i) < rec[r].ipa + rec[r].pages * PG;
			if (n != (in ? 1u : 0u))
				return false;
		}
	return true;
}

/* mem_release: one request per record; true if every one worked and
 * nothing is left shared or lent. */
static bool teardown(void)
{
	bool ok = true;

	for (unsigned r = 0; r < NREC; r++) {
		unsigned p = (unsigned)((rec[r].ipa - BASE) / PG),
			 n = (unsigned)rec[r].pages;

		if (!rec[r].used)
			continue;
		ok &= rec[r].lent ? m_reclaim(p, n) : m_unshare(p, n, rec[r].peer);
		rec[r].used = false;
	}
	for (unsigned i = 0; i < NPAGE; i++)
		ok &= !page[i].shared && !page[i].lent;
	return ok;
}

static void test_middle_of_share(void)
{
	reset();
	CU_ASSERT_EQUAL(give(0, 4, 1, false), 0);
	CU_ASSERT_EQUAL(undo(1, 2, 1, false), 0);
	CU_ASSERT(consistent());
	/* The whole range again: memsrv refuses it, the records stay. */
	CU_ASSERT_EQUAL(undo(0, 4, 1, false), 1);
	CU_ASSERT(consistent());
	CU_ASSERT(teardown());
}

static void test_ends_of_lend(void)
{
	reset();
	CU_ASSERT_EQUAL(give(8, 6, 2, true), 0);
	CU_ASSERT_EQUAL(undo(8, 1, 0, true), 0);
	CU_ASSERT_EQUAL(undo(13, 1, 0, true), 0);
	CU_ASSERT(consistent());
	CU_ASSERT_EQUAL(undo(10, 2, 0, true), 0);
	CU_ASSERT(consistent());
	CU_ASSERT(teardown());
}

static void test_across_records(void)
{
	reset();
	CU_ASSERT_EQUAL(give(0, 2, 1, false), 0);
	CU_ASSERT_EQUAL(give(2, 2, 1, false), 0);
	CU_ASSERT_EQUAL(give(0, 4, 2, false), 0);
	CU_ASSERT_EQUAL(undo(1, 2, 1, false),
			0); /* the end of one, the start of the next */
	CU_ASSERT(consistent());
	CU_ASSERT_EQUAL(undo(0, 4, 2, false),
			0); /* the other peer's, untouched till now */
	CU_ASSERT(consistent());
	CU_ASSERT(teardown());
}

static void test_kinds_apart(void)
{
	reset();
	CU_ASSERT_EQUAL(give(0, 4, 1, false), 0);
	CU_ASSERT_EQUAL(give(4, 4, 2, true), 0);
	/* Unsharing with the wrong peer, or reclaiming shared pages: refused. */
	CU_ASSERT_EQUAL(undo(0, 4, 2, false), 1);
	CU_ASSERT_EQUAL(undo(0, 4, 0, true), 1);
	CU_ASSERT_EQUAL(undo(4, 4, 2, false), 1);
	CU_ASSERT(consistent());
	CU_ASSERT(teardown());
}

static void test_no_room_to_cut(void)
{
	reset();
	for (unsigned i = 0; i < NREC; i++)
		CU_ASSERT_EQUAL(give(i * 2, 2, i % NPEER, false), 0);
	CU_ASSERT_EQUAL(give(0, 1, 0, true), 2);
	/* A cut in the middle needs a record: refused before memsrv is asked. */
	reset();
	CU_ASSERT_EQUAL(give(0, 3, 0, false), 0);
	for (unsigned i = 1; i < NREC; i++)
		CU_ASSERT_EQUAL(give(2 + i, 1, 0, false), 0);
	CU_ASSERT_EQUAL(undo(1, 1, 0, false), 2);
	CU_ASSERT(consistent());
	CU_ASSERT_EQUAL(undo(0, 1, 0, false), 0); /* an end needs none */
	CU_ASSERT(consistent());
	CU_ASSERT(teardown());
}

/* Seeded random requests, as a hostile guest makes them. */
static void test_random(void)
{
	unsigned seed = 14, bad = 0;

	printf("\n  grants: seed %u\n", seed);
	srand(seed);
	for (unsigned round = 0; round < 200; round++) {
		reset();
		for (unsigned i = 0; i < 100; i++) {
			unsigned p = (unsigned)rand() % NPAGE;
			unsigned n = 1 + (unsigned)rand() % (NPAGE - p);
			unsigned peer = (unsigned)rand() % NPEER;
			bool lend = rand() % 3 == 0;

			if (n > 8 && rand() % 2)
				n = 1 + n % 8;
			if (rand() % 2)
				give(p, n, peer, lend);
			else
				undo(p, n, lend ? 0 : peer, lend);
			bad += !consistent();
		}
		bad += !teardown();
	}
	CU_ASSERT_EQUAL(bad, 0);
}

void suite_grants(void)
{
	CU_pSuite s = CU_add_suite("grants", NULL, NULL);

	CU_add_test(s, "the middle of a share undone: the ends stay, teardown clean",
		    test_middle_of_share);
	CU_add_test(s, "the ends and the middle of a lend", test_ends_of_lend);
	CU_add_test(s, "one undo across two records", test_across_records);
	CU_add_test(s, "shares, lends and peers kept apart", test_kinds_apart);
	CU_add_test(s, "no record for a cut: refused, a trim needs none",
		    test_no_room_to_cut);
	CU_add_test(s, "seeded random requests: records follow memsrv", test_random);
}
