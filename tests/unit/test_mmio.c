/* vmsrv's device table: the range a device registers is its own. */
#include "mmio.h"
#include "tests.h"

static int tag;

static bool handler(void *arg, uint64_t off, bool write, unsigned size, uint64_t *val)
{
	(void)arg, (void)off, (void)write, (void)size, (void)val;
	return true;
}

static void test_lookup(void)
{
	struct mmio_table t = {0};
	const struct mmio_device *d;

	CU_ASSERT_EQUAL(mmio_register(&t, 0x9000000, 0x1000, handler, &tag), 0);
	CU_ASSERT_EQUAL(mmio_register(&t, 0x8000000, 0x10000, handler, NULL), 0);
	d = mmio_find(&t, 0x9000000, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_EQUAL(d->base, 0x9000000);
	CU_ASSERT_PTR_EQUAL(d->arg, &tag);
	CU_ASSERT_PTR_EQUAL(mmio_find(&t, 0x9000fff, 1), d);
	CU_ASSERT_PTR_NULL(mmio_find(&t, 0x9001000, 1));
	CU_ASSERT_PTR_NULL(mmio_find(&t, 0x8ffffff, 1));
	d = mmio_find(&t, 0x800ffff, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_EQUAL(d->base, 0x8000000);
	CU_ASSERT_PTR_NULL(mmio_find(&t, 0x8010000, 1));
}

/* An access belongs to a device only if all its bytes do. */
static void test_access_inside(void)
{
	struct mmio_table t = {0};
	const struct mmio_device *d;

	CU_ASSERT_EQUAL(mmio_register(&t, 0x9000000, 0x1000, handler, NULL), 0);
	CU_ASSERT_EQUAL(mmio_register(&t, 0x9001000, 0x1000, handler, &tag), 0);
	d = mmio_find(&t, 0x9000ff8, 8);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_EQUAL(d->base, 0x9000000);
	CU_ASSERT_PTR_EQUAL(mmio_find(&t, 0x9000ffc, 4), d);
	CU_ASSERT_PTR_EQUAL(mmio_find(&t, 0x9000fff, 1), d);
	/* Across the end, even into the next device: nobody's. */
	CU_ASSERT_PTR_NULL(mmio_find(&t, 0x9000ffc, 8));
	CU_ASSERT_PTR_NULL(mmio_find(&t, 0x9000fff, 2));
	CU_ASSERT_PTR_NULL(mmio_find(&t, 0x9001ffc, 8));
	CU_ASSERT_PTR_EQUAL(mmio_find(&t, 0x9001ff8, 8)->arg, &tag);
}

static void test_refused(void)
{
	struct mmio_table t = {0};

	CU_ASSERT_EQUAL(mmio_register(&t, 0x9000000, 0x1000, handler, NULL), 0);
	/* Overlapping at either end, inside, or around. */
	CU_ASSERT_EQUAL(mmio_register(&t, 0x9000fff, 0x1000, handler, NULL), -1);
	CU_ASSERT_EQUAL(mmio_register(&t, 0x8fff000, 0x1001, handler, NULL), -1);
	CU_ASSERT_EQUAL(mmio_register(&t, 0x9000800, 0x10, handler, NULL), -1);
	CU_ASSERT_EQUAL(mmio_register(&t, 0x8000000, 0x2000000, handler, NULL), -1);
	/* Empty, or wrapping past the top of the address space. */
	CU_ASSERT_EQUAL(mmio_register(&t, 0xa000000, 0, handler, NULL), -1);
	CU_ASSERT_EQUAL(mmio_register(&t, ~0ULL - 0xfff, 0x2000, handler, NULL), -1);
	CU_ASSERT_EQUAL(t.count, 1);
	/* Adjacent on both sides is fine; the table then fills up. */
	CU_ASSERT_EQUAL(mmio_register(&t, 0x9001000, 0x1000, handler, NULL), 0);
	CU_ASSERT_EQUAL(mmio_register(&t, 0x8fff000, 0x1000, handler, NULL), 0);
	for (uint64_t a = 0x10000000; t.count < MMIO_MAX_DEVICES; a += 0x1000)
		CU_ASSERT_EQUAL(mmio_register(&t, a, 0x1000, handler, NULL), 0);
	CU_ASSERT_EQUAL(mmio_register(&t, 0x20000000, 0x1000, handler, NULL), -1);
	CU_ASSERT_EQUAL(mmio_register(&t, ~0ULL - 0xfff, 0x1000, handler, NULL), -1);
}

void suite_mmio(void)
{
	CU_pSuite s = CU_add_suite("mmio", NULL, NULL);

	CU_add_test(s, "lookup at the base, the last byte and one past", test_lookup);
	CU_add_test(s, "overlapping, empty and wrapping ranges refused", test_refused);
	CU_add_test(s, "an access is a device's only if all its bytes are",
		    test_access_inside);
}
