/*
 * memsrv's index of free units (servers/memsrv/bitrun.c), which finds
 * pages for own_alloc and slots for cs_alloc: against a plain array of
 * booleans searched first fit from unit 0, on random takes and gives of
 * runs of every size class (within a word, across words, across groups,
 * whole groups), with its counts and summary bits checked after each.
 */
#include <stdlib.h>
#include <string.h>
#include "../../servers/memsrv/bitrun.h"
#include "tests.h"

/* Five whole groups and a partial one, whose 40 units end mid-word. */
#define UNITS 2600u

static uint64_t mem[BITRUN_WORDS(UNITS) + 1];
static bool model[UNITS];
static struct bitrun b;

static uint64_t model_first_fit(uint64_t units, uint64_t n, uint64_t align)
{
	for (uint64_t s = 0; n <= units && s <= units - n; s += align) {
		uint64_t i = 0;

		while (i < n && model[s + i])
			i++;
		if (i == n)
			return s;
	}
	return ~0ULL;
}

static uint64_t model_next_used(uint64_t u, uint64_t end)
{
	while (u < end && model[u])
		u++;
	return u;
}

/* The index says what the model says, and its counts and summary agree
 * with its bits. */
static bool consistent(uint64_t units)
{
	uint64_t nfree = 0, first = units;

	for (uint64_t u = 0; u < units; u++) {
		if (bitrun_is_free(&b, u) != model[u])
			return false;
		if (model[u] && first == units)
			first = u;
		nfree += model[u];
	}
	for (uint64_t u = units; u < b.groups * BITRUN_GROUP; u++)
		if (bitrun_is_free(&b, u))
			return false; /* past the end: never free */
	for (uint64_t g = 0; g < b.groups; g++) {
		unsigned c = 0;
		bool any, all;

		for (uint64_t u = g * BITRUN_GROUP; u < (g + 1) * BITRUN_GROUP; u++)
			c += bitrun_is_free(&b, u);
		any = b.any[g / 64] >> (g % 64) & 1;
		all = b.all[g / 64] >> (g % 64) & 1;
		if (b.count[g] != c || any != (c > 0) || all != (c == BITRUN_GROUP))
			return false;
	}
	return nfree == b.nfree && b.hint <= first;
}

static void set_model(uint64_t first, uint64_t n, bool free)
{
	for (uint64_t u = first; u < first + n; u++)
		model[u] = free;
}

static uint64_t random_length(void)
{
	static const uint64_t base[] = {1, 60, 500, 1000};
	unsigned k = (unsigned)rand() % 4;

	return base[k] + (uint64_t)rand() % (k ? 100 : 8);
}

static void test_model(void)
{
	static const uint64_t aligns[] = {1, 2, 4, 64, 256, 512, 1024, 4096};
	unsigned found = 0, missed = 0, whole = 0;

	bitrun_init(&b, mem, UNITS);
	memset(model, 0, sizeof(model));
	CU_ASSERT_FATAL(consistent(UNITS));
	srand(16);
	for (int step = 0; step < 6000; step++) {
		uint64_t n = random_length(), first = (uint64_t)rand() % UNITS, got = 0;
		int op = rand() % 10;

		if (n > UNITS - first)
			n = UNITS - first;
		if (op < 3) {
			bitrun_give(&b, first, n);
			set_model(first, n, true);
		} else if (op < 5) {
			bitrun_take(&b, first, n);
			set_model(first, n, false);
		} else if (op < 6) {
			uint64_t end = first + (uint64_t)rand() % (UNITS - first + 1);

			CU_ASSERT_EQUAL(bitrun_next_used(&b, first, end),
					model_next_used(first, end));
		} else {
			/* What memsrv asks: a page or a slot, a block, a run. */
			uint64_t align = aligns[rand() % 8], want;

			if (op == 6)
				n = 1;
			else if (op == 7)
				n = BITRUN_GROUP * (1 + (uint64_t)rand() % 2),
				align = BITRUN_GROUP;
			want = model_first_fit(UNITS, n, align);
			if (bitrun_find(&b, n, align, &got) != (want != ~0ULL) ||
			    (want != ~0ULL && got != want)) {
				CU_FAIL("not the first fit");
				break;
			}
			if (want == ~0ULL) {
				missed++;
			} else {
				found++;
				whole += n % BITRUN_GROUP == 0;
				bitrun_take(&b, got, n);
				set_model(got, n, false);
			}
		}
		if (!consistent(UNITS)) {
			CU_FAIL("the index disagrees with the model");
			break;
		}
	}
	/* Every kind of answer came up often enough to mean something. */
	CU_ASSERT(found > 500 && missed > 100 && whole > 20);
}

static void test_bad_requests(void)
{
	uint64_t first = 7;

	bitrun_init(&b, mem, UNITS);
	CU_ASSERT_FALSE(bitrun_find(&b, 1, 1, &first)); /* nothing free yet */
	bitrun_give(&b, 0, UNITS);
	CU_ASSERT_FALSE(bitrun_find(&b, 0, 1, &first));
	CU_ASSERT_FALSE(bitrun_find(&b, UNITS + 1, 1, &first));
	CU_ASSERT_FALSE(bitrun_find(&b, 1, 0, &first));
	CU_ASSERT_FALSE(bitrun_find(&b, 1, 3, &first));
	CU_ASSERT_EQUAL(first, 7); /* untouched when refused */
	/* An alignment past the end leaves only unit 0, and no wrap. */
	CU_ASSERT_TRUE(bitrun_find(&b, 1, 1ULL << 63, &first));
	CU_ASSERT_EQUAL(first, 0);
	bitrun_take(&b, 0, 1);
	CU_ASSERT_FALSE(bitrun_find(&b, 1, 1ULL << 63, &first));
	CU_ASSERT_FALSE(bitrun_find(&b, BITRUN_GROUP, 1ULL << 63, &first));
	/* All of it, then the partial last group is never a whole group. */
	CU_ASSERT_TRUE(bitrun_find(&b, UNITS - 1, 1, &first));
	CU_ASSERT_EQUAL(first, 1);
	CU_ASSERT_FALSE(bitrun_find(&b, 5 * BITRUN_GROUP, BITRUN_GROUP, &first));
	CU_ASSERT_TRUE(bitrun_find(&b, 4 * BITRUN_GROUP, BITRUN_GROUP, &first));
	CU_ASSERT_EQUAL(first, BITRUN_GROUP);
}

/* Whole groups: a free group too few, a used one, then two free ones:
 * the run starts right after the used group. */
static void test_whole_groups(void)
{
	uint64_t first = 0;

	bitrun_init(&b, mem, UNITS);
	bitrun_give(&b, 0, UNITS);
	bitrun_take(&b, 1 * BITRUN_GROUP + 5, 1);
	bitrun_take(&b, 4 * BITRUN_GROUP + 511, 1);
	CU_ASSERT_TRUE(bitrun_find(&b, 2 * BITRUN_GROUP, BITRUN_GROUP, &first));
	CU_ASSERT_EQUAL(first, 2 * BITRUN_GROUP);
	CU_ASSERT_FALSE(bitrun_find(&b, 3 * BITRUN_GROUP, BITRUN_GROUP, &first));
	CU_ASSERT_TRUE(bitrun_find(&b, BITRUN_GROUP, 2 * BITRUN_GROUP, &first));
	CU_ASSERT_EQUAL(first, 0);
	/* Not whole groups: the same pages found unit by unit. */
	CU_ASSERT_TRUE(bitrun_find(&b, 3 * BITRUN_GROUP - 6, 1, &first));
	CU_ASSERT_EQUAL(first, BITRUN_GROUP + 6);
}

/* cs_alloc's runs of slots: 192 slots aligned to 256 in a CNode of 4096
 * whose last run is the only one free. The old search stepped by three
 * words up to the bitmap's last and read two words past it. */
static void test_slot_runs(void)
{
	static uint64_t slot_mem[BITRUN_WORDS(2 * 4096)];
	uint64_t first = 0;

	bitrun_init(&b, slot_mem, 2 * 4096);
	bitrun_give(&b, 4096, 4096); /* sub-CNode 1 */
	bitrun_take(&b, 4096, 4096 - 256);
	bitrun_take(&b, 4096 + 4096 - 255, 1);
	CU_ASSERT_FALSE(bitrun_find(&b, 192, 256, &first));
	bitrun_give(&b, 4096 + 4096 - 255, 1);
	CU_ASSERT_TRUE(bitrun_find(&b, 192, 256, &first));
	CU_ASSERT_EQUAL(first, 2 * 4096 - 256);
	CU_ASSERT_TRUE(bitrun_find(&b, 1, 1, &first));
	CU_ASSERT_EQUAL(first, 2 * 4096 - 256);
	CU_ASSERT_EQUAL(b.nfree, 256);
}

void suite_bitrun(void)
{
	CU_pSuite s = CU_add_suite("bitrun", NULL, NULL);

	CU_add_test(s, "first fit as a plain array's, on random runs", test_model);
	CU_add_test(s, "refused requests and the ends", test_bad_requests);
	CU_add_test(s, "runs of whole groups", test_whole_groups);
	CU_add_test(s, "slot runs stay in their CNode", test_slot_runs);
}
