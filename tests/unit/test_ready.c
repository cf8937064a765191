/*
 * memsrv's pool of ready pages (servers/memsrv/ready.c): filled from the
 * free index up to its bound and no further, handed out oldest first and
 * as the client's, given back whole when a client's allocation finds no
 * other free run, and checked by the audit.
 */
#include <string.h>
#include "../../servers/memsrv/ready.h"
#include "tests.h"

#define PAGES (2 * READY_MAX)

static struct own_page pages[PAGES];
static uint64_t index_mem[OWN_INDEX_WORDS(PAGES)];
static struct own_db db;
static struct ready r;
static unsigned drained_count;
static uint64_t drained_last;

static void drained(uint64_t page)
{
	drained_count++;
	drained_last = page;
}

static void setup(uint64_t count)
{
	own_init(&db, pages, index_mem, count);
	r = (struct ready){0};
	drained_count = 0;
}

static void test_empty(void)
{
	uint64_t p, first;

	setup(8);
	CU_ASSERT_FALSE(ready_take(&db, &r, 1, &p));
	CU_ASSERT_EQUAL_FATAL(own_alloc(&db, 1, 8, 1, &first), OWN_OK);
	CU_ASSERT_EQUAL(ready_fill(&db, &r, READY_BATCH, NULL), 0);
	CU_ASSERT_EQUAL(r.n, 0);
	CU_ASSERT_EQUAL(ready_check(&db, &r), -1);
}

static void test_bounds(void)
{
	unsigned total = 0, got;

	setup(PAGES);
	CU_ASSERT_EQUAL(ready_fill(&db, &r, READY_BATCH, NULL), READY_BATCH);
	CU_ASSERT_EQUAL(db.index.nfree, PAGES - READY_BATCH);
	total = READY_BATCH;
	while ((got = ready_fill(&db, &r, READY_BATCH, NULL)) != 0) {
		CU_ASSERT(got <= READY_BATCH);
		total += got;
	}
	CU_ASSERT_EQUAL(total, READY_MAX);
	CU_ASSERT_EQUAL(r.n, READY_MAX);
	CU_ASSERT_EQUAL(db.index.nfree, PAGES - READY_MAX);
	CU_ASSERT_EQUAL(ready_fill(&db, &r, READY_BATCH, NULL), 0); /* full */
	for (unsigned i = 0; i < READY_MAX; i++) {
		CU_ASSERT_EQUAL(ready_at(&r, i), i); /* the lowest, in order */
		CU_ASSERT_EQUAL(db.pages[i].owner, 0);
		CU_ASSERT_EQUAL(db.pages[i].state, OWN_OWNED);
	}
	CU_ASSERT_EQUAL(own_query(&db, 1, 0), OWN_VIEW_NONE);
	CU_ASSERT_EQUAL(own_check_free(&db, 1, 0, 1), OWN_E_NOT_OWNER);
	CU_ASSERT_EQUAL(ready_check(&db, &r), -1);
}

static void test_take_untake(void)
{
	uint64_t p, q;

	setup(PAGES);
	CU_ASSERT_EQUAL(ready_fill(&db, &r, 3, NULL), 3);
	CU_ASSERT_TRUE_FATAL(ready_take(&db, &r, 5, &p));
	CU_ASSERT_EQUAL(p, 0);
	CU_ASSERT_EQUAL(own_query(&db, 5, 0), OWN_VIEW_OWNED);
	CU_ASSERT_EQUAL(own_check_free(&db, 5, 0, 1), OWN_OK);
	CU_ASSERT_EQUAL(r.n, 2);
	ready_untake(&db, &r, p);
	CU_ASSERT_EQUAL(r.n, 3);
	CU_ASSERT_EQUAL(db.pages[0].owner, 0);
	CU_ASSERT_EQUAL(ready_check(&db, &r), -1);
	CU_ASSERT_TRUE(ready_take(&db, &r, 5, &q));
	CU_ASSERT_EQUAL(q, 0); /* the same page again, the oldest */
	CU_ASSERT_TRUE(ready_take(&db, &r, 5, &q));
	CU_ASSERT_EQUAL(q, 1);
	/* Round the ring: the head wraps. */
	setup(PAGES);
	for (unsigned i = 0; i < 3 * READY_MAX; i++) {
		if (r.n == 0)
			CU_ASSERT_FATAL(ready_fill(&db, &r, READY_BATCH, NULL) > 0);
		CU_ASSERT_TRUE(ready_take(&db, &r, 1, &p));
		own_commit_free(&db, p, 1);
	}
	CU_ASSERT_EQUAL(ready_check(&db, &r), -1);
}

/* A freed page is free again and the next fill pools it again (it is
 * the lowest, first in the ring): the zeroing is pool_release's,
 * tests/memtest/t_ready.c. */
static void test_free_repooled(void)
{
	uint64_t p, q;

	setup(PAGES);
	CU_ASSERT_EQUAL(ready_fill(&db, &r, 2, NULL), 2);
	CU_ASSERT_TRUE(ready_take(&db, &r, 1, &p));
	CU_ASSERT_EQUAL(own_check_free(&db, 1, p, 1), OWN_OK);
	own_commit_free(&db, p, 1);
	CU_ASSERT_TRUE(bitrun_is_free(&db.index, p));
	CU_ASSERT_EQUAL(ready_fill(&db, &r, 1, NULL), 1);
	CU_ASSERT_EQUAL(ready_at(&r, 0), p); /* below page 1: first */
	CU_ASSERT_EQUAL(ready_at(&r, 1), 1);
	CU_ASSERT_TRUE(ready_take(&db, &r, 2, &q));
	CU_ASSERT_EQUAL(q, p);
	CU_ASSERT_EQUAL(own_query(&db, 2, p), OWN_VIEW_OWNED);
}

/* The pool holds the last free pages: an allocation still gets them. */
static void test_alloc_drains(void)
{
	uint64_t first;

	setup(8);
	CU_ASSERT_EQUAL(ready_fill(&db, &r, READY_BATCH, NULL), 8);
	CU_ASSERT_EQUAL(db.index.nfree, 0);
	CU_ASSERT_EQUAL(ready_alloc(&db, &r, 1, 8, 8, &first, drained), OWN_OK);
	CU_ASSERT_EQUAL(first, 0);
	CU_ASSERT_EQUAL(drained_count, 8);
	CU_ASSERT_EQUAL(r.n, 0);
	for (unsigned i = 0; i < 8; i++)
		CU_ASSERT_EQUAL(own_query(&db, 1, i), OWN_VIEW_OWNED);
	/* Nothing left anywhere: refused as before, nothing drained. */
	CU_ASSERT_EQUAL(ready_alloc(&db, &r, 1, 1, 1, &first, drained), OWN_E_NO_MEMORY);
	CU_ASSERT_EQUAL(drained_count, 8);
	/* A run the index has: the pool stays. */
	setup(16);
	CU_ASSERT_EQUAL(ready_fill(&db, &r, 4, NULL), 4);
	CU_ASSERT_EQUAL(ready_alloc(&db, &r, 1, 4, 4, &first, drained), OWN_OK);
	CU_ASSERT_EQUAL(first, 4);
	CU_ASSERT_EQUAL(drained_count, 0);
	CU_ASSERT_EQUAL(r.n, 4);
	/* Other errors are not a reason to drain. */
	CU_ASSERT_EQUAL(ready_alloc(&db, &r, 1, 1, 3, &first, drained), OWN_E_ALIGN);
	CU_ASSERT_EQUAL(r.n, 4);
	/* Too big even with the pool: refused, the pool as it was
	 * (test_refused_keeps_pool). */
	CU_ASSERT_EQUAL(ready_alloc(&db, &r, 1, 9, 1, &first, drained), OWN_E_NO_MEMORY);
	CU_ASSERT_EQUAL(drained_count, 0);
	CU_ASSERT_EQUAL(r.n, 4);
	CU_ASSERT_EQUAL(db.index.nfree, 8);
	/* The index's run, the pool still untouched. */
	CU_ASSERT_EQUAL(ready_alloc(&db, &r, 1, 8, 8, &first, drained), OWN_OK);
	CU_ASSERT_EQUAL(first, 8);
	CU_ASSERT_EQUAL(drained_count, 0);
}

/* What a refusal leaves: the pool, its order and the index exactly as
 * before, nothing drained. */
static struct own_page pages_before[PAGES];
static uint64_t index_before[OWN_INDEX_WORDS(PAGES)];
static struct ready r_before;

static void snapshot(void)
{
	memcpy(pages_before, pages, sizeof(pages));
	memcpy(index_before, index_mem, sizeof(index_mem));
	r_before = r;
}

static bool unchanged(void)
{
	return !memcmp(pages_before, pages, sizeof(pages)) &&
	       !memcmp(index_before, index_mem, sizeof(index_mem)) && r_before.n == r.n &&
	       r_before.head == r.head &&
	       !memcmp(r_before.page, r.page, sizeof(r.page)) && drained_count == 0;
}

/* A hostile client (or memsrv's own kernel-object chunk, cspace.c) asks
 * for what the pool cannot complete: a run bigger than everything free,
 * or an aligned run its pages do not close. Draining the pool for it
 * (review rev3) refused the request and still cost memsrv the drain, the
 * chunks' revocation and the refill that makes them frames again, on
 * demand, and left the next clients' faults without ready pages. */
static void test_refused_keeps_pool(void)
{
	uint64_t first;

	/* Bigger than the index and the pool together. */
	setup(16);
	CU_ASSERT_EQUAL(own_claim(&db, 2, 8, 4), OWN_OK);
	CU_ASSERT_EQUAL(ready_fill(&db, &r, 4, NULL), 4);
	snapshot();
	CU_ASSERT_EQUAL(ready_alloc(&db, &r, 1, 13, 1, &first, drained), OWN_E_NO_MEMORY);
	CU_ASSERT_TRUE(unchanged());
	CU_ASSERT_EQUAL(ready_check(&db, &r), -1);
	/* Enough pages, but no aligned run even with the pool's: page 5
	 * and page 9 are clients'; pool 0..3, the index the rest. */
	setup(16);
	CU_ASSERT_EQUAL(own_claim(&db, 2, 5, 1), OWN_OK);
	CU_ASSERT_EQUAL(own_claim(&db, 2, 9, 1), OWN_OK);
	CU_ASSERT_EQUAL(ready_fill(&db, &r, 4, NULL), 4);
	CU_ASSERT_EQUAL(ready_at(&r, 3), 3);
	snapshot();
	CU_ASSERT_EQUAL(ready_alloc(&db, &r, 1, 8, 8, &first, drained), OWN_E_NO_MEMORY);
	CU_ASSERT_TRUE(unchanged());
	CU_ASSERT_EQUAL(ready_check(&db, &r), -1);
	/* A 4-page aligned run the pool does close: page 4 free, 5 not:
	 * 0..3 is the pool's whole. Drained, and the run is 0..3. */
	CU_ASSERT_EQUAL(own_claim(&db, 2, 4, 1), OWN_OK);
	CU_ASSERT_EQUAL(own_claim(&db, 2, 12, 1), OWN_OK);
	CU_ASSERT_EQUAL(ready_alloc(&db, &r, 1, 4, 4, &first, drained), OWN_OK);
	CU_ASSERT_EQUAL(first, 0);
	CU_ASSERT_EQUAL(drained_count, 4);
	CU_ASSERT_EQUAL(r.n, 0);
	for (unsigned i = 0; i < 4; i++)
		CU_ASSERT_EQUAL(own_query(&db, 1, i), OWN_VIEW_OWNED);
	/* The pool empty, the next refusal changes nothing either. */
	snapshot();
	drained_count = 0;
	CU_ASSERT_EQUAL(ready_alloc(&db, &r, 1, 4, 4, &first, drained), OWN_E_NO_MEMORY);
	CU_ASSERT_TRUE(unchanged());
}

/* A single page goes first fit as without the pool: the lowest free
 * page, pooled or in the index; a fill keeps the pool in order. */
static void test_alloc_page_first_fit(void)
{
	uint64_t p, last;
	bool pooled;

	setup(PAGES);
	CU_ASSERT_EQUAL(ready_alloc_page(&db, &r, 1, &p, &pooled, drained), OWN_OK);
	CU_ASSERT_FALSE(pooled); /* empty pool: the index */
	CU_ASSERT_EQUAL(p, 0);
	CU_ASSERT_EQUAL(ready_fill(&db, &r, 4, &last), 4);
	CU_ASSERT_EQUAL(last, 4);
	CU_ASSERT_EQUAL(ready_alloc_page(&db, &r, 2, &p, &pooled, drained), OWN_OK);
	CU_ASSERT_TRUE(pooled);
	CU_ASSERT_EQUAL(p, 1);
	CU_ASSERT_EQUAL(own_query(&db, 2, 1), OWN_VIEW_OWNED);
	own_commit_free(&db, 0, 1); /* below the pool now */
	CU_ASSERT_EQUAL(ready_alloc_page(&db, &r, 3, &p, &pooled, drained), OWN_OK);
	CU_ASSERT_FALSE(pooled);
	CU_ASSERT_EQUAL(p, 0);
	CU_ASSERT_EQUAL(ready_alloc_page(&db, &r, 3, &p, &pooled, drained), OWN_OK);
	CU_ASSERT_TRUE(pooled);
	CU_ASSERT_EQUAL(p, 2);
	/* A page freed below the pool and filled: first in the ring. */
	own_commit_free(&db, 1, 1);
	CU_ASSERT_EQUAL(ready_fill(&db, &r, 1, &last), 1);
	CU_ASSERT_EQUAL(last, 1);
	CU_ASSERT_EQUAL(ready_at(&r, 0), 1);
	CU_ASSERT_EQUAL(ready_at(&r, 1), 3);
	CU_ASSERT_EQUAL(ready_check(&db, &r), -1);
	/* The pool's last pages against the index's next. */
	for (unsigned i = 0; i < 5; i++) {
		static const uint64_t want[] = {1, 3, 4, 5, 6};

		CU_ASSERT_EQUAL(ready_alloc_page(&db, &r, 3, &p, &pooled, drained),
				OWN_OK);
		CU_ASSERT_EQUAL(p, want[i]);
		CU_ASSERT_EQUAL(pooled, i < 3);
	}
	CU_ASSERT_EQUAL(r.n, 0);
	CU_ASSERT_EQUAL(drained_count, 0);
}

static void test_audit(void)
{
	setup(PAGES);
	CU_ASSERT_EQUAL(ready_fill(&db, &r, 4, NULL), 4);
	CU_ASSERT_EQUAL(ready_check(&db, &r), -1);
	db.pages[2].owner = 1;
	CU_ASSERT_EQUAL(ready_check(&db, &r), 2);
	db.pages[2].owner = 0;
	bitrun_give(&db.index, 3, 1); /* free and pooled at once */
	CU_ASSERT_EQUAL(ready_check(&db, &r), 3);
	bitrun_take(&db.index, 3, 1);
	db.pages[1].nborrowers = 1;
	CU_ASSERT_EQUAL(ready_check(&db, &r), 1);
	db.pages[1].nborrowers = 0;
	r.page[(r.head + 3) % READY_MAX] = 0; /* pooled twice */
	CU_ASSERT_EQUAL(ready_check(&db, &r), 3);
	r.page[(r.head + 3) % READY_MAX] = PAGES; /* not a page */
	CU_ASSERT_EQUAL(ready_check(&db, &r), 3);
	r.page[(r.head + 3) % READY_MAX] = 3;
	CU_ASSERT_EQUAL(ready_check(&db, &r), -1);
}

void suite_ready(void)
{
	CU_pSuite s = CU_add_suite("ready", NULL, NULL);

	CU_add_test(s, "an empty pool gives nothing", test_empty);
	CU_add_test(s, "a refill takes a batch at most, the pool its bound", test_bounds);
	CU_add_test(s, "taken oldest first, as the client's; untaken back",
		    test_take_untake);
	CU_add_test(s, "a freed page is pooled again", test_free_repooled);
	CU_add_test(s, "an allocation drains the pool rather than fail",
		    test_alloc_drains);
	CU_add_test(s, "a refused allocation leaves the pool and the index as they were",
		    test_refused_keeps_pool);
	CU_add_test(s, "a single page goes first fit, pooled or not",
		    test_alloc_page_first_fit);
	CU_add_test(s, "the audit's check of pooled pages", test_audit);
}
