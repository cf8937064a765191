/*
 * vmsrv's share records and PL011 model at their edges (found by
 * tests/mutation: each bound below could move by one and unit.grants and
 * unit.pl011 still passed).
 */
#include <string.h>
#include "grants.h"
#include "pl011.h"
#include "tests.h"

#define N  32u /* as vmsrv's MAX_GRANTS */
#define PG 4096ULL

/* All records used: shares of 4 pages with peer 1, 16 pages apart. */
static void fill(struct vm_grant *g)
{
	for (unsigned i = 0; i < N; i++)
		g[i] = (struct vm_grant){0x40000000 + i * 16 * PG, 4, 1, false, true};
}

/* Cutting a record at either end leaves one record: no free one needed.
 * Only a cut strictly inside takes a second. */
static void test_cut_at_the_ends(void)
{
	struct vm_grant g[N];
	const uint64_t r = 0x40000000 + 5 * 16 * PG; /* record 5 */

	fill(g);
	CU_ASSERT(grants_can_remove(g, N, r + 3 * PG, 1, false, 1)); /* the tail */
	CU_ASSERT(grants_can_remove(g, N, r + 2 * PG, 2, false, 1));
	CU_ASSERT(grants_can_remove(g, N, r, 1, false, 1));	       /* the head */
	CU_ASSERT(grants_can_remove(g, N, r, 4, false, 1));	       /* all of it */
	CU_ASSERT_FALSE(grants_can_remove(g, N, r + PG, 2, false, 1)); /* the middle */
	CU_ASSERT_FALSE(grants_can_remove(g, N, r + PG, 1, false, 1));
	grants_remove(g, N, r + 3 * PG, 1, false, 1);
	CU_ASSERT_EQUAL(g[5].ipa, r);
	CU_ASSERT_EQUAL(g[5].pages, 3);
	CU_ASSERT(g[5].used);
	/* With the one record free, the middle of another may be cut. */
	g[7].used = false;
	CU_ASSERT(grants_can_remove(g, N, r + PG, 1, false, 1));
	grants_remove(g, N, r + PG, 1, false, 1);
	CU_ASSERT_EQUAL(g[5].pages, 1);
	CU_ASSERT(g[7].used);
	CU_ASSERT_EQUAL(g[7].ipa, r + 2 * PG);
	CU_ASSERT_EQUAL(g[7].pages, 1);
	/* A range that only touches a record leaves it alone. */
	grants_remove(g, N, r + 3 * PG, 13, false, 1);
	CU_ASSERT_EQUAL(g[7].pages, 1);
	CU_ASSERT_EQUAL(g[6].pages, 4);
}

/* An unshare takes out its peer's record and no other peer's, and a
 * reclaim only lends. */
static void test_records_of_others(void)
{
	struct vm_grant g[N] = {
	    {0x40000000, 4, 1, false, true},
	    {0x40000000, 4, 2, false, true},
	    {0x40000000, 4, 2, true, false}, /* free */
	    {0x50000000, 2, 2, true, true},
	};

	CU_ASSERT(grants_can_remove(g, N, 0x40000000, 4, false, 1));
	grants_remove(g, N, 0x40000000, 4, false, 1);
	CU_ASSERT_FALSE(g[0].used);
	CU_ASSERT(g[1].used);
	CU_ASSERT_EQUAL(g[1].pages, 4);
	grants_remove(g, N, 0x50000000, 2, false, 2); /* not a share */
	CU_ASSERT(g[3].used);
	grants_remove(g, N, 0x40000000, 4, true, 0); /* not a lend */
	CU_ASSERT(g[1].used);
	grants_remove(g, N, 0x50000000, 2, true, 0);
	CU_ASSERT_FALSE(g[3].used);
}

static void nop_put(void *arg, uint8_t c)
{
	(void)arg, (void)c;
}

static uint64_t reg(struct pl011 *u, uint64_t off)
{
	uint64_t v = 0;

	CU_ASSERT(pl011_access(u, off, false, 4, &v));
	return v;
}

/* The receive interrupt stays raised while any byte is left, and the
 * FIFO takes PL011_FIFO bytes and no more. */
static void test_receive_to_the_last_byte(void)
{
	struct pl011 u;

	pl011_reset(&u, nop_put, NULL);
	CU_ASSERT(pl011_receive(&u, 'a'));
	CU_ASSERT(pl011_receive(&u, 'b'));
	CU_ASSERT_EQUAL(reg(&u, 0x3c) & 0x50, 0x50); /* RIS: RX, RT */
	CU_ASSERT_EQUAL(reg(&u, 0x00), 'a');
	CU_ASSERT_EQUAL(reg(&u, 0x3c) & 0x50, 0x50); /* 'b' is left */
	CU_ASSERT_EQUAL(reg(&u, 0x18) & 0x10, 0);    /* FR: not empty */
	CU_ASSERT_EQUAL(reg(&u, 0x00), 'b');
	CU_ASSERT_EQUAL(reg(&u, 0x3c) & 0x50, 0);
	CU_ASSERT_EQUAL(reg(&u, 0x18) & 0x10, 0x10);
	for (unsigned i = 0; i < PL011_FIFO; i++)
		CU_ASSERT(pl011_receive(&u, (uint8_t)i));
	CU_ASSERT_FALSE(pl011_receive(&u, 0xff));
	for (unsigned i = 0; i < PL011_FIFO; i++)
		CU_ASSERT_EQUAL(reg(&u, 0x00), i);
	CU_ASSERT_EQUAL(reg(&u, 0x18) & 0x10, 0x10);
	/* The ID registers end at 0xffc; the page ends at 0xfff. */
	CU_ASSERT_EQUAL(reg(&u, 0xffc), 0xb1);
	CU_ASSERT_EQUAL(reg(&u, 0xfdc), 0);
	{
		uint64_t v = 0;

		CU_ASSERT_FALSE(pl011_access(&u, 0x1000, false, 4, &v));
		CU_ASSERT_FALSE(pl011_access(&u, 0x1000, false, 1, &v));
	}
}

void suite_vmsrv_edges(void)
{
	CU_pSuite s = CU_add_suite("vmsrv_edges", NULL, NULL);

	CU_add_test(s, "a share cut at its ends needs no new record",
		    test_cut_at_the_ends);
	CU_add_test(s, "records of other peers and kinds stay", test_records_of_others);
	CU_add_test(s, "the PL011 FIFO to its last byte", test_receive_to_the_last_byte);
}
