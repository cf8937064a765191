/* memsrv's ownership database: every (state, operation, caller) against
 * the model in docs/ownership.md, then 10,000 random operations. */
#include <stdlib.h>
#include <string.h>
#include "../../servers/memsrv/own.h"
#include <septa/abi.h>
#include "tests.h"

enum { O = 1, B = 2, X = 3 }; /* owner, borrower, anybody else */

static struct own_page pages[256];
static uint64_t pages_index[OWN_INDEX_WORDS(256)];
static struct own_db db;

enum kind { K_FREE, K_SHARE, K_UNSHARE, K_LEND, K_RECLAIM, K_DONATE };

static int check(enum kind k, unsigned c, uint64_t first, uint64_t n, unsigned o,
		 unsigned r)
{
	switch (k) {
	case K_FREE:
		return own_check_free(&db, c, first, n);
	case K_SHARE:
		return own_check_share(&db, c, first, n, o, r);
	case K_UNSHARE:
		return own_check_unshare(&db, c, first, n, o);
	case K_LEND:
		return own_check_lend(&db, c, first, n, o, r);
	case K_RECLAIM:
		return own_check_reclaim(&db, c, first, n);
	default:
		return own_check_donate(&db, c, first, n, o);
	}
}

/* An operation as memsrv runs it: the check, then the commit if it passed.
 * c is the caller, o the other client and r the rights, where they apply. */
static int run(enum kind k, unsigned c, uint64_t first, uint64_t n, unsigned o,
	       unsigned r)
{
	int err = check(k, c, first, n, o, r);

	if (err)
		return err;
	switch (k) {
	case K_FREE:
		own_commit_free(&db, first, n);
		break;
	case K_SHARE:
		own_commit_share(&db, first, n, o, r);
		break;
	case K_UNSHARE:
		own_commit_unshare(&db, first, n, o);
		break;
	case K_LEND:
		own_commit_lend(&db, first, n, o, r);
		break;
	case K_RECLAIM:
		own_commit_reclaim(&db, c, first, n);
		break;
	case K_DONATE:
		own_commit_donate(&db, first, n, o);
		break;
	}
	return OWN_OK;
}

/* One page, page 0, in the given state with owner O and borrower B. */
static void make(enum own_page_state s)
{
	uint64_t first;

	own_init(&db, pages, pages_index, 1);
	if (s == OWN_FREE)
		return;
	CU_ASSERT_EQUAL_FATAL(own_alloc(&db, O, 1, 1, &first), OWN_OK);
	if (s == OWN_SHARED)
		CU_ASSERT_EQUAL_FATAL(run(K_SHARE, O, 0, 1, B, OWN_R), OWN_OK);
	if (s == OWN_LENT)
		CU_ASSERT_EQUAL_FATAL(run(K_LEND, O, 0, 1, B, OWN_RW), OWN_OK);
}

enum op {
	FREE_,
	SHARE_X_R,
	SHARE_B_R,
	SHARE_X_RW,
	UNSHARE_B,
	UNSHARE_X,
	LEND_X,
	RECLAIM,
	DONATE_X
};

static int apply(enum op op, unsigned caller)
{
	switch (op) {
	case FREE_:
		return run(K_FREE, caller, 0, 1, 0, 0);
	case SHARE_X_R:
		return run(K_SHARE, caller, 0, 1, X, OWN_R);
	case SHARE_B_R:
		return run(K_SHARE, caller, 0, 1, B, OWN_R);
	case SHARE_X_RW:
		return run(K_SHARE, caller, 0, 1, X, OWN_RW);
	case UNSHARE_B:
		return run(K_UNSHARE, caller, 0, 1, B, 0);
	case UNSHARE_X:
		return run(K_UNSHARE, caller, 0, 1, X, 0);
	case LEND_X:
		return run(K_LEND, caller, 0, 1, X, OWN_RW);
	case RECLAIM:
		return run(K_RECLAIM, caller, 0, 1, 0, 0);
	case DONATE_X:
		return run(K_DONATE, caller, 0, 1, X, 0);
	}
	return 1;
}

/* Every (state, operation) pair, 4 x 9 = 36 rows (test_table_is_complete
 * checks that none is missing or doubled): the owner's result and every
 * side's view afterwards. */
static const struct {
	enum own_page_state state;
	enum op op;
	int err;		   /* for the owner; others always get NOT_OWNER */
	enum own_view owner_after; /* O's view afterwards */
	enum own_view b_after;	   /* B's view afterwards */
	enum own_view x_after;	   /* X's view afterwards */
} table[] = {
    {OWN_FREE, FREE_, OWN_E_NOT_OWNER, OWN_VIEW_NONE, OWN_VIEW_NONE, OWN_VIEW_NONE},
    {OWN_FREE, SHARE_X_R, OWN_E_NOT_OWNER, OWN_VIEW_NONE, OWN_VIEW_NONE, OWN_VIEW_NONE},
    {OWN_FREE, SHARE_B_R, OWN_E_NOT_OWNER, OWN_VIEW_NONE, OWN_VIEW_NONE, OWN_VIEW_NONE},
    {OWN_FREE, SHARE_X_RW, OWN_E_NOT_OWNER, OWN_VIEW_NONE, OWN_VIEW_NONE, OWN_VIEW_NONE},
    {OWN_FREE, UNSHARE_B, OWN_E_NOT_OWNER, OWN_VIEW_NONE, OWN_VIEW_NONE, OWN_VIEW_NONE},
    {OWN_FREE, UNSHARE_X, OWN_E_NOT_OWNER, OWN_VIEW_NONE, OWN_VIEW_NONE, OWN_VIEW_NONE},
    {OWN_FREE, LEND_X, OWN_E_NOT_OWNER, OWN_VIEW_NONE, OWN_VIEW_NONE, OWN_VIEW_NONE},
    {OWN_FREE, RECLAIM, OWN_E_NOT_OWNER, OWN_VIEW_NONE, OWN_VIEW_NONE, OWN_VIEW_NONE},
    {OWN_FREE, DONATE_X, OWN_E_NOT_OWNER, OWN_VIEW_NONE, OWN_VIEW_NONE, OWN_VIEW_NONE},
    {OWN_OWNED, FREE_, OWN_OK, OWN_VIEW_NONE, OWN_VIEW_NONE, OWN_VIEW_NONE},
    {OWN_OWNED, SHARE_X_R, OWN_OK, OWN_VIEW_SHARED_OWNED, OWN_VIEW_NONE,
     OWN_VIEW_SHARED_BORROWED},
    {OWN_OWNED, SHARE_B_R, OWN_OK, OWN_VIEW_SHARED_OWNED, OWN_VIEW_SHARED_BORROWED,
     OWN_VIEW_NONE},
    {OWN_OWNED, SHARE_X_RW, OWN_OK, OWN_VIEW_SHARED_OWNED, OWN_VIEW_NONE,
     OWN_VIEW_SHARED_BORROWED},
    {OWN_OWNED, UNSHARE_B, OWN_E_NOT_SHARED, OWN_VIEW_OWNED, OWN_VIEW_NONE,
     OWN_VIEW_NONE},
    {OWN_OWNED, UNSHARE_X, OWN_E_NOT_SHARED, OWN_VIEW_OWNED, OWN_VIEW_NONE,
     OWN_VIEW_NONE},
    {OWN_OWNED, LEND_X, OWN_OK, OWN_VIEW_LENT, OWN_VIEW_NONE, OWN_VIEW_BORROWED},
    {OWN_OWNED, RECLAIM, OWN_E_NOT_LENT, OWN_VIEW_OWNED, OWN_VIEW_NONE, OWN_VIEW_NONE},
    {OWN_OWNED, DONATE_X, OWN_OK, OWN_VIEW_NONE, OWN_VIEW_NONE, OWN_VIEW_OWNED},
    {OWN_SHARED, FREE_, OWN_E_BUSY, OWN_VIEW_SHARED_OWNED, OWN_VIEW_SHARED_BORROWED,
     OWN_VIEW_NONE},
    {OWN_SHARED, SHARE_X_R, OWN_OK, OWN_VIEW_SHARED_OWNED, OWN_VIEW_SHARED_BORROWED,
     OWN_VIEW_SHARED_BORROWED},
    {OWN_SHARED, SHARE_B_R, OWN_E_ALREADY, OWN_VIEW_SHARED_OWNED,
     OWN_VIEW_SHARED_BORROWED, OWN_VIEW_NONE},
    {OWN_SHARED, SHARE_X_RW, OWN_E_RIGHTS, OWN_VIEW_SHARED_OWNED,
     OWN_VIEW_SHARED_BORROWED, OWN_VIEW_NONE},
    {OWN_SHARED, UNSHARE_B, OWN_OK, OWN_VIEW_OWNED, OWN_VIEW_NONE, OWN_VIEW_NONE},
    {OWN_SHARED, UNSHARE_X, OWN_E_NOT_SHARED, OWN_VIEW_SHARED_OWNED,
     OWN_VIEW_SHARED_BORROWED, OWN_VIEW_NONE},
    {OWN_SHARED, LEND_X, OWN_E_BUSY, OWN_VIEW_SHARED_OWNED, OWN_VIEW_SHARED_BORROWED,
     OWN_VIEW_NONE},
    {OWN_SHARED, RECLAIM, OWN_E_NOT_LENT, OWN_VIEW_SHARED_OWNED, OWN_VIEW_SHARED_BORROWED,
     OWN_VIEW_NONE},
    {OWN_SHARED, DONATE_X, OWN_E_BUSY, OWN_VIEW_SHARED_OWNED, OWN_VIEW_SHARED_BORROWED,
     OWN_VIEW_NONE},
    {OWN_LENT, FREE_, OWN_E_BUSY, OWN_VIEW_LENT, OWN_VIEW_BORROWED, OWN_VIEW_NONE},
    {OWN_LENT, SHARE_X_R, OWN_E_BUSY, OWN_VIEW_LENT, OWN_VIEW_BORROWED, OWN_VIEW_NONE},
    {OWN_LENT, SHARE_B_R, OWN_E_BUSY, OWN_VIEW_LENT, OWN_VIEW_BORROWED, OWN_VIEW_NONE},
    {OWN_LENT, SHARE_X_RW, OWN_E_BUSY, OWN_VIEW_LENT, OWN_VIEW_BORROWED, OWN_VIEW_NONE},
    {OWN_LENT, UNSHARE_B, OWN_E_NOT_SHARED, OWN_VIEW_LENT, OWN_VIEW_BORROWED,
     OWN_VIEW_NONE},
    {OWN_LENT, UNSHARE_X, OWN_E_NOT_SHARED, OWN_VIEW_LENT, OWN_VIEW_BORROWED,
     OWN_VIEW_NONE},
    {OWN_LENT, LEND_X, OWN_E_BUSY, OWN_VIEW_LENT, OWN_VIEW_BORROWED, OWN_VIEW_NONE},
    {OWN_LENT, RECLAIM, OWN_OK, OWN_VIEW_OWNED, OWN_VIEW_NONE, OWN_VIEW_NONE},
    {OWN_LENT, DONATE_X, OWN_E_BUSY, OWN_VIEW_LENT, OWN_VIEW_BORROWED, OWN_VIEW_NONE},
};

#define NSTATES 4 /* OWN_FREE .. OWN_LENT */
#define NOPS	9 /* FREE_ .. DONATE_X */

static void test_table_is_complete(void)
{
	unsigned seen[NSTATES][NOPS] = {{0}};

	CU_ASSERT_EQUAL(sizeof(table) / sizeof(table[0]), NSTATES * NOPS);
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (table[i].state < NSTATES && table[i].op < NOPS)
			seen[table[i].state][table[i].op]++;
	for (unsigned s = 0; s < NSTATES; s++)
		for (unsigned o = 0; o < NOPS; o++)
			CU_ASSERT_EQUAL(seen[s][o], 1);
}

static void test_state_table(void)
{
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		struct own_page before;

		/* Borrower and bystander: refused, nothing changes. */
		for (unsigned caller = B; caller <= X; caller++) {
			make(table[i].state);
			before = pages[0];
			CU_ASSERT_EQUAL(apply(table[i].op, caller), OWN_E_NOT_OWNER);
			CU_ASSERT_EQUAL(memcmp(&before, &pages[0], sizeof(before)), 0);
		}
		make(table[i].state);
		before = pages[0];
		CU_ASSERT_EQUAL(apply(table[i].op, O), table[i].err);
		if (table[i].err)
			CU_ASSERT_EQUAL(memcmp(&before, &pages[0], sizeof(before)), 0);
		CU_ASSERT_EQUAL(own_query(&db, O, 0), table[i].owner_after);
		CU_ASSERT_EQUAL(own_query(&db, B, 0), table[i].b_after);
		CU_ASSERT_EQUAL(own_query(&db, X, 0), table[i].x_after);
	}
}

static void test_views(void)
{
	make(OWN_SHARED);
	CU_ASSERT_EQUAL(own_query(&db, O, 0), OWN_VIEW_SHARED_OWNED);
	CU_ASSERT_EQUAL(own_query(&db, B, 0), OWN_VIEW_SHARED_BORROWED);
	CU_ASSERT_EQUAL(own_query(&db, X, 0), OWN_VIEW_NONE);
	make(OWN_LENT);
	CU_ASSERT_EQUAL(own_query(&db, O, 0), OWN_VIEW_LENT);
	CU_ASSERT_EQUAL(own_query(&db, B, 0), OWN_VIEW_BORROWED);
	CU_ASSERT_EQUAL(own_query(&db, O, 1), OWN_VIEW_NONE); /* outside */
}

static void test_bad_arguments(void)
{
	uint64_t first;

	make(OWN_OWNED);
	CU_ASSERT_EQUAL(run(K_SHARE, O, 0, 1, O, OWN_R), OWN_E_SELF);
	CU_ASSERT_EQUAL(run(K_LEND, O, 0, 1, O, OWN_R), OWN_E_SELF);
	CU_ASSERT_EQUAL(run(K_DONATE, O, 0, 1, O, 0), OWN_E_SELF);
	CU_ASSERT_EQUAL(run(K_SHARE, O, 0, 1, X, OWN_W), OWN_E_RIGHTS);
	CU_ASSERT_EQUAL(run(K_SHARE, O, 0, 1, X, 0), OWN_E_RIGHTS);
	CU_ASSERT_EQUAL(run(K_SHARE, O, 0, 1, OWN_MAX_CLIENTS, OWN_R), OWN_E_CLIENT);
	CU_ASSERT_EQUAL(run(K_FREE, OWN_MAX_CLIENTS, 0, 1, 0, 0), OWN_E_CLIENT);
	CU_ASSERT_EQUAL(run(K_FREE, O, 0, 0, 0, 0), OWN_E_RANGE);
	CU_ASSERT_EQUAL(run(K_FREE, O, 0, 2, 0, 0), OWN_E_RANGE);
	CU_ASSERT_EQUAL(run(K_FREE, O, UINT64_MAX, 2, 0, 0), OWN_E_RANGE);
	own_init(&db, pages, pages_index, 256);
	CU_ASSERT_EQUAL(own_alloc(&db, O, 4, 3, &first), OWN_E_ALIGN);
	CU_ASSERT_EQUAL(own_alloc(&db, O, 257, 1, &first), OWN_E_RANGE);
	CU_ASSERT_EQUAL(own_alloc(&db, O, 1, 1, &first), OWN_OK);
	CU_ASSERT_EQUAL(first, 0);
	CU_ASSERT_EQUAL(own_alloc(&db, O, 16, 16, &first), OWN_OK);
	CU_ASSERT_EQUAL(first, 16); /* 1-15 are free but not aligned */
	CU_ASSERT_EQUAL(own_alloc(&db, X, 255, 1, &first), OWN_E_NO_MEMORY);
	/* A range with one page not owned is refused whole. */
	CU_ASSERT_EQUAL(run(K_FREE, O, 0, 17, 0, 0), OWN_E_NOT_OWNER);
	CU_ASSERT_EQUAL(own_query(&db, O, 0), OWN_VIEW_OWNED);
}

static void test_too_many_borrowers(void)
{
	make(OWN_OWNED);
	for (unsigned b = 10; b < 10 + OWN_MAX_BORROWERS; b++)
		CU_ASSERT_EQUAL(run(K_SHARE, O, 0, 1, b, OWN_RX), OWN_OK);
	CU_ASSERT_EQUAL(run(K_SHARE, O, 0, 1, 40, OWN_RX), OWN_E_TOO_MANY);
	CU_ASSERT_EQUAL(pages[0].nborrowers, OWN_MAX_BORROWERS);
}

static int invariants_broken(void)
{
	uint64_t free = 0;

	for (uint64_t i = 0; i < db.count; i++) {
		const struct own_page *p = &pages[i];
		unsigned bits = (unsigned)__builtin_popcountll(p->borrowers);

		if (p->state == OWN_FREE && (p->owner != OWN_NONE || p->borrowers))
			return 1;
		if (p->state != OWN_FREE && p->owner >= OWN_MAX_CLIENTS)
			return 2;
		if (p->state == OWN_OWNED && p->borrowers)
			return 3;
		if (p->state == OWN_LENT && bits != 1)
			return 4; /* a lent page has exactly one borrower */
		if (bits != p->nborrowers)
			return 5; /* share count equals borrowers */
		if (p->borrowers & (1ULL << (p->owner & 63)) && p->state != OWN_FREE)
			return 6; /* nobody borrows from itself */
		if (bitrun_is_free(&db.index, i) != (p->state == OWN_FREE))
			return 7; /* the index has exactly the free pages */
		free += p->state == OWN_FREE;
	}
	return free == db.index.nfree ? 0 : 8;
}

/* Where first fit from page 0 puts n pages aligned to align; ~0 if nowhere:
 * what own_alloc must answer, however it searches. */
static uint64_t first_fit(uint64_t n, uint64_t align)
{
	for (uint64_t s = 0; s + n <= db.count; s += align) {
		uint64_t i = 0;

		while (i < n && pages[s + i].state == OWN_FREE)
			i++;
		if (i == n)
			return s;
	}
	return ~0ULL;
}

static void test_random_operations(void)
{
	static struct own_page before[256];
	unsigned done = 0, refused = 0;

	own_init(&db, pages, pages_index, 256);
	srand(99);
	for (int step = 0; step < 10000; step++) {
		unsigned c = (unsigned)rand() % 8, o = (unsigned)rand() % 8;
		uint64_t first = (uint64_t)rand() % 256, n = 1 + (uint64_t)rand() % 8,
			 got;
		unsigned rights =
		    (const unsigned[]){OWN_R, OWN_RW, OWN_RX, OWN_W}[rand() % 4];
		int op, err = 0;

		memcpy(before, pages, sizeof(before));
		op = rand() % 8;
		if (op == 0) {
			uint64_t align = 1u << (rand() % 3), want = first_fit(n, align);

			err = own_alloc(&db, c, n, align, &got);
			if (err ? want != ~0ULL : got != want)
				CU_FAIL("allocation is not first fit from page 0");
		} else if (op <= 6)
			err = run((enum kind)(op - 1), c, first, n, o, rights);
		/* A client only sees a page as borrowed if it borrows it. */
		else if (own_query(&db, c, first) == OWN_VIEW_BORROWED &&
			 pages[first].state != OWN_LENT)
			CU_FAIL("borrowed view of a page not lent");
		if (err) {
			refused++;
			if (memcmp(before, pages, sizeof(before)) != 0) {
				CU_FAIL("a refused operation changed the database");
				break;
			}
		} else {
			done++;
		}
		if (invariants_broken()) {
			CU_FAIL("ownership invariants broken");
			break;
		}
	}
	CU_ASSERT(done > 1000 && refused > 1000);
}

/* memsrv runs each operation's check alone first, then its own checks,
 * then the commit: the checks must agree with the commit and change
 * nothing. */
static void test_checks(void)
{
	struct own_page before[4];
	uint64_t first;

	own_init(&db, pages, pages_index, 4);
	CU_ASSERT_EQUAL_FATAL(own_alloc(&db, O, 2, 1, &first), OWN_OK);
	memcpy(before, pages, sizeof(before));
	CU_ASSERT_EQUAL(own_check_share(&db, O, 0, 2, B, OWN_RW), OWN_OK);
	CU_ASSERT_EQUAL(own_check_lend(&db, O, 0, 2, B, OWN_R), OWN_OK);
	CU_ASSERT_EQUAL(own_check_donate(&db, O, 0, 2, B), OWN_OK);
	CU_ASSERT_EQUAL(own_check_free(&db, O, 0, 2), OWN_OK);
	CU_ASSERT_EQUAL(own_check_free(&db, O, 0, 3), OWN_E_NOT_OWNER);
	CU_ASSERT_EQUAL(own_check_reclaim(&db, O, 0, 2), OWN_E_NOT_LENT);
	CU_ASSERT_EQUAL(memcmp(before, pages, sizeof(before)), 0);
	CU_ASSERT_EQUAL(run(K_SHARE, O, 0, 2, B, OWN_RW), OWN_OK);
	CU_ASSERT_EQUAL(own_query(&db, B, 1), OWN_VIEW_SHARED_BORROWED);
}

static void test_claim(void)
{
	uint64_t first;

	own_init(&db, pages, pages_index, 8);
	CU_ASSERT_EQUAL(own_claim(&db, 0, 2, 2), OWN_OK);
	CU_ASSERT_EQUAL(own_query(&db, 0, 3), OWN_VIEW_OWNED);
	CU_ASSERT_EQUAL(own_claim(&db, 0, 3, 2), OWN_E_BUSY); /* page 3 is taken */
	CU_ASSERT_EQUAL(own_query(&db, 0, 4), OWN_VIEW_NONE); /* and 4 stays free */
	CU_ASSERT_EQUAL(own_claim(&db, OWN_MAX_CLIENTS, 5, 1), OWN_E_CLIENT);
	CU_ASSERT_EQUAL(own_claim(&db, 0, 7, 2), OWN_E_RANGE);
	/* Allocation goes round claimed pages. */
	CU_ASSERT_EQUAL(own_alloc(&db, O, 3, 1, &first), OWN_OK);
	CU_ASSERT_EQUAL(first, 4);
}

/* The search starts past the taken pages at the start of the pool (the
 * kernel's, the boot archive), and a free below that is found again. */
static void test_first_free(void)
{
	uint64_t first;

	own_init(&db, pages, pages_index, 16);
	CU_ASSERT_EQUAL(own_claim(&db, 0, 0, 5), OWN_OK);
	CU_ASSERT_EQUAL(own_alloc(&db, O, 1, 1, &first), OWN_OK);
	CU_ASSERT_EQUAL(first, 5);
	CU_ASSERT_EQUAL(own_alloc(&db, O, 2, 4, &first), OWN_OK);
	CU_ASSERT_EQUAL(first, 8); /* aligned, past the bound */
	CU_ASSERT_EQUAL(own_alloc(&db, O, 1, 1, &first), OWN_OK);
	CU_ASSERT_EQUAL(first, 6);
	CU_ASSERT_EQUAL(own_check_free(&db, O, 5, 1), OWN_OK);
	own_commit_free(&db, 5, 1);
	CU_ASSERT_EQUAL(own_alloc(&db, X, 1, 1, &first), OWN_OK);
	CU_ASSERT_EQUAL(first, 5);
	CU_ASSERT_EQUAL(own_query(&db, X, 5), OWN_VIEW_OWNED);
}

/* Allocation and freeing over several chunks' worth of pages, in runs of
 * every size class and alignment memsrv asks for (pages, runs, blocks):
 * first fit from page 0, and the index agrees with the records. */
#define BIG 1800u
static struct own_page big[BIG];
static uint64_t big_index[OWN_INDEX_WORDS(BIG)];

static uint64_t big_first_fit(uint64_t n, uint64_t align)
{
	for (uint64_t s = 0; n <= BIG && s <= BIG - n; s += align) {
		uint64_t i = 0;

		while (i < n && big[s + i].state == OWN_FREE)
			i++;
		if (i == n)
			return s;
	}
	return ~0ULL;
}

static void test_alloc_first_fit_big(void)
{
	static const uint64_t sizes[] = {1, 1, 1, 3, 64, 100, 512, 700};
	static const uint64_t aligns[] = {1, 1, 4, 64, 512};
	struct own_db d;
	uint64_t runs[64][2];
	unsigned nruns = 0, found = 0, missed = 0;

	own_init(&d, big, big_index, BIG);
	CU_ASSERT_EQUAL(own_claim(&d, 0, 0, 37), OWN_OK); /* the pool's start */
	srand(7);
	for (int step = 0; step < 3000; step++) {
		uint64_t n = sizes[rand() % 8], align = aligns[rand() % 5], got = 0,
			 free = 0;

		if (rand() % 3 == 0 && nruns) {
			unsigned k = (unsigned)rand() % nruns;

			CU_ASSERT_EQUAL(own_check_free(&d, 1, runs[k][0], runs[k][1]),
					OWN_OK);
			own_commit_free(&d, runs[k][0], runs[k][1]);
			runs[k][0] = runs[--nruns][0];
			runs[k][1] = runs[nruns][1];
		} else {
			uint64_t want = big_first_fit(n, align);
			int err = own_alloc(&d, 1, n, align, &got);

			if (err ? err != OWN_E_NO_MEMORY || want != ~0ULL : got != want) {
				CU_FAIL("allocation is not first fit from page 0");
				break;
			}
			if (err) {
				missed++;
			} else {
				found++;
				if (nruns < 64) {
					runs[nruns][0] = got;
					runs[nruns++][1] = n;
				} else {
					own_commit_free(&d, got, n);
				}
			}
		}
		for (uint64_t i = 0; i < BIG; i++) {
			if (bitrun_is_free(&d.index, i) != (big[i].state == OWN_FREE)) {
				CU_FAIL("the index disagrees with the records");
				return;
			}
			free += big[i].state == OWN_FREE;
		}
		CU_ASSERT_EQUAL_FATAL(free, d.index.nfree);
	}
	CU_ASSERT(found > 500 && missed > 100);
}

/* One mapping against the kernel's view of it, for each kind of result. */
static void test_audit_mapping(void)
{
	const uint64_t pa = 0x41000000;
	struct own_kernel_view k = {pa, OWN_RW, SEPTA_SHARED_OWNED};

	CU_ASSERT_EQUAL(own_audit_mapping(OWN_VIEW_SHARED_OWNED, pa, OWN_RW, &k),
			OWN_AUDIT_OK);
	CU_ASSERT_EQUAL(own_audit_mapping(OWN_VIEW_OWNED, pa, OWN_RW, &k), OWN_AUDIT_TAG);
	CU_ASSERT_EQUAL(own_audit_mapping(OWN_VIEW_SHARED_OWNED, pa, OWN_R, &k),
			OWN_AUDIT_RIGHTS);
	CU_ASSERT_EQUAL(own_audit_mapping(OWN_VIEW_SHARED_OWNED, pa + 4096, OWN_RW, &k),
			OWN_AUDIT_WRONG_PAGE);
	CU_ASSERT_EQUAL(own_audit_mapping(OWN_VIEW_LENT, pa, OWN_RW, &k),
			OWN_AUDIT_STALE);
	CU_ASSERT_EQUAL(own_audit_mapping(OWN_VIEW_NONE, pa, OWN_RW, &k),
			OWN_AUDIT_STALE);
	k.pa = 0;
	CU_ASSERT_EQUAL(own_audit_mapping(OWN_VIEW_LENT, pa, OWN_RW, &k), OWN_AUDIT_OK);
	CU_ASSERT_EQUAL(own_audit_mapping(OWN_VIEW_BORROWED, pa, OWN_RW, &k),
			OWN_AUDIT_MISSING);
	CU_ASSERT_EQUAL(own_view_tag(OWN_VIEW_BORROWED), SEPTA_BORROWED);
	CU_ASSERT_EQUAL(own_view_tag(OWN_VIEW_LENT), -1);
}

void suite_own(void)
{
	CU_pSuite s = CU_add_suite("own", NULL, NULL);

	CU_add_test(s, "the table has every (state, operation) once",
		    test_table_is_complete);
	CU_add_test(s, "every (state, operation, caller)", test_state_table);
	CU_add_test(s, "views of each side", test_views);
	CU_add_test(s, "bad arguments", test_bad_arguments);
	CU_add_test(s, "too many borrowers", test_too_many_borrowers);
	CU_add_test(s, "10000 random operations by 8 clients", test_random_operations);
	CU_add_test(s, "checks alone change nothing", test_checks);
	CU_add_test(s, "claimed pages", test_claim);
	CU_add_test(s, "the search starts at the first free page", test_first_free);
	CU_add_test(s, "first fit over many chunks, with its index",
		    test_alloc_first_fit_big);
	CU_add_test(s, "audit of one mapping", test_audit_mapping);
}
