/* The kernel's formatter, through ksnprintf. */
#include <kprintf.h>
#include <stdint.h>
#include <string.h>
#include "tests.h"

#define EXPECT(want, ...)                                                                \
	do {                                                                             \
		char b[128];                                                             \
		int n = ksnprintf(b, sizeof(b), __VA_ARGS__);                            \
		CU_ASSERT_STRING_EQUAL(b, want);                                         \
		CU_ASSERT_EQUAL(n, (int)strlen(want));                                   \
	} while (0)

static void test_numbers(void)
{
	EXPECT("42 -7 0", "%d %i %u", 42, -7, 0u);
	EXPECT("-2147483648", "%d", INT32_MIN);
	EXPECT("ffffffffffffffff", "%lx", UINT64_MAX);
	EXPECT("-9223372036854775808", "%ld", INT64_MIN);
	EXPECT("[   42][42   ][00042]", "[%5d][%-5d][%05d]", 42, 42, 42);
	EXPECT("0000beef", "%08x", 0xbeefu);
	EXPECT("0x00000000deadbeef", "%p", (void *)(uintptr_t)0xdeadbeef);
}

/* Deliberately odd formats: what the kernel prints for them is the test. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-overflow"
static void test_strings(void)
{
	EXPECT("a b (null)", "%s %c %s", "a", 'b', (const char *)NULL);
	EXPECT("[  ab][ab  ]", "[%4s][%-4s]", "ab", "ab");
	EXPECT("100%", "100%%");
	EXPECT("%q", "%q");
}
#pragma GCC diagnostic pop

static void test_truncation(void)
{
	char b[6];
	int n = ksnprintf(b, sizeof(b), "%s", "0123456789");

	CU_ASSERT_STRING_EQUAL(b, "01234");
	CU_ASSERT_EQUAL(n, 10); /* the length it would have had */
}

void suite_kprintf(void)
{
	CU_pSuite s = CU_add_suite("kprintf", NULL, NULL);

	CU_add_test(s, "numbers, widths, fill", test_numbers);
	CU_add_test(s, "strings and characters", test_strings);
	CU_add_test(s, "truncation keeps the full length", test_truncation);
}
