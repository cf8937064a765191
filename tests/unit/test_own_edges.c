/*
 * memsrv's ownership database at its edges: the rights a borrower may get
 * are R, RW or RX and nothing else (docs/ownership.md), whichever way the
 * bits are put together; a range ends at the last page (found by
 * tests/mutation: RWX went through unit.own).
 */
#include "../../servers/memsrv/own.h"
#include "tests.h"

#define PAGES 8u

static void test_rights_sets(void)
{
	struct own_page pages[PAGES];
	uint64_t index[OWN_INDEX_WORDS(PAGES)];
	struct own_db db;
	uint64_t first;

	own_init(&db, pages, index, PAGES);
	CU_ASSERT_EQUAL_FATAL(own_alloc(&db, 1, PAGES, 1, &first), OWN_OK);
	for (unsigned r = 0; r < 16; r++) {
		int want =
		    r == OWN_R || r == OWN_RW || r == OWN_RX ? OWN_OK : OWN_E_RIGHTS;

		CU_ASSERT_EQUAL(own_check_share(&db, 1, 0, 1, 2, r), want);
		CU_ASSERT_EQUAL(own_check_lend(&db, 1, 0, 1, 2, r), want);
	}
	CU_ASSERT_EQUAL(own_check_share(&db, 1, 0, 1, 2, OWN_RW | OWN_RX), OWN_E_RIGHTS);
}

static void test_range_to_the_last_page(void)
{
	struct own_page pages[PAGES];
	uint64_t index[OWN_INDEX_WORDS(PAGES)];
	struct own_db db;
	uint64_t first;

	own_init(&db, pages, index, PAGES);
	CU_ASSERT_EQUAL_FATAL(own_alloc(&db, 1, PAGES, 1, &first), OWN_OK);
	CU_ASSERT_EQUAL(own_check_free(&db, 1, PAGES - 1, 1), OWN_OK);
	CU_ASSERT_EQUAL(own_check_free(&db, 1, PAGES - 1, 2), OWN_E_RANGE);
	CU_ASSERT_EQUAL(own_check_free(&db, 1, PAGES, 1), OWN_E_RANGE);
	CU_ASSERT_EQUAL(own_check_free(&db, 1, 0, PAGES), OWN_OK);
	CU_ASSERT_EQUAL(own_check_free(&db, 1, 0, PAGES + 1), OWN_E_RANGE);
	CU_ASSERT_EQUAL(own_check_free(&db, 1, 0, 0), OWN_E_RANGE);
	CU_ASSERT_EQUAL(own_query(&db, 1, PAGES - 1), OWN_VIEW_OWNED);
	CU_ASSERT_EQUAL(own_query(&db, 1, PAGES), OWN_VIEW_NONE);
}

void suite_own_edges(void)
{
	CU_pSuite s = CU_add_suite("own_edges", NULL, NULL);

	CU_add_test(s, "a borrower's rights are R, RW or RX", test_rights_sets);
	CU_add_test(s, "a range ends at the last page", test_range_to_the_last_page);
}
