/*
 * vmsrv's sub-page write protection policy (servers/vmsrv/spp.c): the
 * decision for one access, against a byte-by-byte model for every offset
 * and size; the table's runs, errors (each leaving the whole table as it
 * was), capacity and the stage-2 steps a set returns.
 */
#include <septa/fault.h>
#include <stdio.h>
#include <string.h>
#include "spp.h"
#include "tests.h"

#define RAM  0x40000000ull
#define SIZE 0x1000000ull /* 16 MiB: 8 blocks, 4096 pages */

static struct spp_table t, before;

static unsigned access_word(unsigned kind, unsigned size, bool valid, unsigned reg)
{
	unsigned log = size == 1 ? 0 : size == 2 ? 1 : size == 4 ? 2 : 3;

	return kind | (valid ? SEPTA_ACCESS_VALID : 0) | log << SEPTA_ACCESS_SIZE_SHIFT |
	       reg << SEPTA_ACCESS_REG_SHIFT | (size == 8 ? SEPTA_ACCESS_WIDE : 0) |
	       SEPTA_CAUSE_PERMISSION << SEPTA_ACCESS_CAUSE_SHIFT;
}

static unsigned store(unsigned size, unsigned reg)
{
	return access_word(SEPTA_ACCESS_WRITE, size, true, reg);
}

/* The model: byte by byte, each byte's sub-page's bit. */
static enum spp_decision model(uint32_t bitmap, unsigned offset, unsigned size)
{
	if (offset % size || offset >= SPP_PAGE)
		return SPP_REFUSE_MISALIGNED;
	for (unsigned b = offset; b < offset + size; b++)
		if (!(bitmap >> (b / 128) & 1))
			return SPP_REFUSE_FORBIDDEN;
	return SPP_PERMIT;
}

static uint32_t rng_state = 12345;
static uint32_t rng(void)
{
	rng_state = rng_state * 1103515245u + 12345u;
	return rng_state >> 8 ^ rng_state << 16;
}

/* Every offset of the page, every size, for bitmap b, with register reg:
 * the number of decisions that differ from the model. */
static unsigned mismatches(uint32_t b, unsigned reg)
{
	static const unsigned sizes[] = {1, 2, 4, 8};
	unsigned bad = 0;

	for (unsigned off = 0; off < SPP_PAGE; off++)
		for (unsigned s = 0; s < 4; s++) {
			enum spp_decision d = spp_decide(b, off, store(sizes[s], reg));

			if (d != model(b, off, sizes[s]) && bad++ == 0)
				fprintf(stderr,
					"bitmap %#x offset %u size %u reg %u: %d\n", b,
					off, sizes[s], reg, d);
		}
	return bad;
}

/* All ones, all zeros, each bit alone, each bit missing, alternating,
 * random: every sub-page boundary with each side permitted or not. */
static void test_decide_model(void)
{
	static const uint32_t fixed[] = {SPP_OPEN,   0,		 0x55555555, 0xaaaaaaaa,
					 0x0000ffff, 0xffff0000, 0x80000001, 0x7ffffffe};

	for (unsigned i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		CU_ASSERT_EQUAL(mismatches(fixed[i], 1), 0);
	for (unsigned bit = 0; bit < 32; bit++) {
		CU_ASSERT_EQUAL(mismatches(1u << bit, 2), 0);
		CU_ASSERT_EQUAL(mismatches(~(1u << bit), 3), 0);
	}
	for (unsigned i = 0; i < 32; i++)
		CU_ASSERT_EQUAL(mismatches(rng(), i % 31), 0);
}

/* The cases by hand, so the model is not the only witness. */
static void test_decide_boundaries(void)
{
	/* Sub-page 1 forbidden: bytes 128..255. */
	uint32_t b = ~2u;

	CU_ASSERT_EQUAL(spp_decide(b, 127, store(1, 0)), SPP_PERMIT);
	CU_ASSERT_EQUAL(spp_decide(b, 128, store(1, 0)), SPP_REFUSE_FORBIDDEN);
	CU_ASSERT_EQUAL(spp_decide(b, 255, store(1, 0)), SPP_REFUSE_FORBIDDEN);
	CU_ASSERT_EQUAL(spp_decide(b, 256, store(1, 0)), SPP_PERMIT);
	CU_ASSERT_EQUAL(spp_decide(b, 120, store(8, 0)), SPP_PERMIT);
	/* Straddling into the forbidden one, from either side, or both sides
	 * permitted: misaligned, so refused whatever the bitmap (the kernel
	 * would not perform it). */
	CU_ASSERT_EQUAL(spp_decide(b, 121, store(8, 0)), SPP_REFUSE_MISALIGNED);
	CU_ASSERT_EQUAL(spp_decide(b, 127, store(2, 0)), SPP_REFUSE_MISALIGNED);
	CU_ASSERT_EQUAL(spp_decide(b, 254, store(4, 0)), SPP_REFUSE_MISALIGNED);
	CU_ASSERT_EQUAL(spp_decide(b, 255, store(2, 0)), SPP_REFUSE_MISALIGNED);
	CU_ASSERT_EQUAL(spp_decide(b, 256, store(8, 0)), SPP_PERMIT);
	CU_ASSERT_EQUAL(spp_decide(SPP_OPEN, 124, store(8, 0)), SPP_REFUSE_MISALIGNED);
	CU_ASSERT_EQUAL(spp_decide(SPP_OPEN, 1, store(2, 0)), SPP_REFUSE_MISALIGNED);
	CU_ASSERT_EQUAL(spp_decide(SPP_OPEN, 2, store(4, 0)), SPP_REFUSE_MISALIGNED);
	CU_ASSERT_EQUAL(spp_decide(SPP_OPEN, 4, store(8, 0)), SPP_REFUSE_MISALIGNED);
	CU_ASSERT_EQUAL(spp_decide(SPP_OPEN, 4, store(4, 0)), SPP_PERMIT);
	/* The last sub-page, and past the page's end. */
	CU_ASSERT_EQUAL(spp_decide(1u << 31, 4088, store(8, 0)), SPP_PERMIT);
	CU_ASSERT_EQUAL(spp_decide(1u << 31, 4095, store(1, 0)), SPP_PERMIT);
	CU_ASSERT_EQUAL(spp_decide(SPP_OPEN, 4095, store(2, 0)), SPP_REFUSE_MISALIGNED);
	CU_ASSERT_EQUAL(spp_decide(SPP_OPEN, 4089, store(8, 0)), SPP_REFUSE_MISALIGNED);
	CU_ASSERT_EQUAL(spp_decide(SPP_OPEN, 4094, store(4, 0)), SPP_REFUSE_MISALIGNED);
	CU_ASSERT_EQUAL(spp_decide(SPP_OPEN, 4096, store(1, 0)), SPP_REFUSE_MISALIGNED);
	CU_ASSERT_EQUAL(spp_decide(SPP_OPEN, ~0u, store(1, 0)), SPP_REFUSE_MISALIGNED);
	/* All zeros: every byte forbidden. */
	CU_ASSERT_EQUAL(spp_decide(0, 0, store(1, 0)), SPP_REFUSE_FORBIDDEN);
	CU_ASSERT_EQUAL(spp_decide(0, 4088, store(8, 0)), SPP_REFUSE_FORBIDDEN);
}

/* XZR (register 31) stores a zero; it is checked as any other store. */
static void test_decide_xzr(void)
{
	CU_ASSERT_EQUAL(mismatches(0x0f0f0f0f, 31), 0);
	CU_ASSERT_EQUAL(mismatches(0, 31), 0);
	CU_ASSERT_EQUAL(spp_decide(0, 0, store(8, 31)), SPP_REFUSE_FORBIDDEN);
	CU_ASSERT_EQUAL(spp_decide(1, 0, store(8, 31)), SPP_PERMIT);
	CU_ASSERT_EQUAL(spp_decide(1, 124, store(8, 31)), SPP_REFUSE_MISALIGNED);
	CU_ASSERT_EQUAL(spp_decide(1, 120, store(8, 31)), SPP_PERMIT);
	CU_ASSERT_EQUAL(spp_decide(1, 128, store(8, 31)), SPP_REFUSE_FORBIDDEN);
}

/* Without a valid syndrome (STP, pre/post-index, SIMD, exclusives,
 * atomics, DC ZVA, AArch32 multiples all arrive so): refused, on any
 * bitmap, all ones included, whatever else the word says. */
static void test_decide_undescribed(void)
{
	static const uint32_t bitmaps[] = {SPP_OPEN, 0, 0x12345678};

	for (unsigned i = 0; i < 3; i++)
		for (unsigned size = 1; size <= 8; size *= 2) {
			unsigned w = access_word(SEPTA_ACCESS_WRITE, size, false, 3);

			CU_ASSERT_EQUAL(spp_decide(bitmaps[i], 0, w),
					SPP_REFUSE_UNDESCRIBED);
			CU_ASSERT_EQUAL(spp_decide(bitmaps[i], 4095, w),
					SPP_REFUSE_UNDESCRIBED);
			CU_ASSERT_EQUAL(
			    spp_decide(bitmaps[i], 64, w | SEPTA_ACCESS_AARCH32),
			    SPP_REFUSE_UNDESCRIBED);
		}
	/* The access word's undefined kind 3: not a write it can check. */
	CU_ASSERT_EQUAL(spp_decide(SPP_OPEN, 0, store(1, 0) | 3u),
			SPP_REFUSE_UNDESCRIBED);
}

/* Reads and fetches are not this module's: told so, on any bitmap. */
static void test_decide_not_write(void)
{
	for (unsigned v = 0; v < 2; v++) {
		unsigned r = access_word(SEPTA_ACCESS_READ, 4, v, 1);
		unsigned f = access_word(SEPTA_ACCESS_FETCH, 4, v, 0);

		CU_ASSERT_EQUAL(spp_decide(0, 0, r), SPP_NOT_A_WRITE);
		CU_ASSERT_EQUAL(spp_decide(0, 4095, r), SPP_NOT_A_WRITE);
		CU_ASSERT_EQUAL(spp_decide(SPP_OPEN, 0, r), SPP_NOT_A_WRITE);
		CU_ASSERT_EQUAL(spp_decide(0, 128, f), SPP_NOT_A_WRITE);
	}
}

static void fresh(void)
{
	spp_init(&t, RAM, SIZE);
}

static void snap(void)
{
	before = t;
}

static bool unchanged(void)
{
	return memcmp(&t, &before, sizeof(t)) == 0;
}

static int set1(uint64_t ipa, uint32_t b, enum spp_set_mode mode)
{
	return spp_set(&t, ipa, 1, &b, mode, NULL);
}

/* A fault's lookup: the page's bitmap, the offset in it. */
static void test_fault_lookup(void)
{
	uint32_t got[3];

	fresh();
	CU_ASSERT_EQUAL(spp_fault(&t, RAM + 0x5000, store(4, 0)), SPP_NOT_PROTECTED);
	CU_ASSERT_EQUAL(set1(RAM + 0x5000, ~1u, SPP_SET_ANY), SPP_OK);
	CU_ASSERT_EQUAL(spp_lookup(&t, RAM + 0x5000), ~1u);
	CU_ASSERT_EQUAL(spp_lookup(&t, RAM + 0x5fff), ~1u);
	CU_ASSERT_EQUAL(spp_lookup(&t, RAM + 0x4fff), SPP_OPEN);
	CU_ASSERT_EQUAL(spp_lookup(&t, RAM + 0x6000), SPP_OPEN);
	CU_ASSERT_EQUAL(spp_fault(&t, RAM + 0x5000, store(4, 0)), SPP_REFUSE_FORBIDDEN);
	CU_ASSERT_EQUAL(spp_fault(&t, RAM + 0x507c, store(4, 0)), SPP_REFUSE_FORBIDDEN);
	CU_ASSERT_EQUAL(spp_fault(&t, RAM + 0x5080, store(4, 0)), SPP_PERMIT);
	CU_ASSERT_EQUAL(spp_fault(&t, RAM + 0x5ffc, store(8, 0)), SPP_REFUSE_MISALIGNED);
	CU_ASSERT_EQUAL(spp_fault(&t, RAM + 0x5080, store(4, 0) & ~SEPTA_ACCESS_VALID),
			SPP_REFUSE_UNDESCRIBED);
	CU_ASSERT_EQUAL(spp_fault(&t, RAM + 0x6000, store(4, 0)), SPP_NOT_PROTECTED);
	/* Outside RAM, nothing has a bitmap. */
	CU_ASSERT_EQUAL(spp_lookup(&t, RAM - 0x1000), SPP_OPEN);
	CU_ASSERT_EQUAL(spp_lookup(&t, RAM + SIZE), SPP_OPEN);
	CU_ASSERT_EQUAL(spp_lookup(&t, ~0ull), SPP_OPEN);
	CU_ASSERT_EQUAL(spp_get(&t, RAM + 0x4000, 3, got), SPP_OK);
	CU_ASSERT(got[0] == SPP_OPEN && got[1] == ~1u && got[2] == SPP_OPEN);
	/* All ones is no entry: setting it removes the page's. */
	CU_ASSERT_EQUAL(spp_count(&t), 1);
	CU_ASSERT_EQUAL(set1(RAM + 0x5000, SPP_OPEN, SPP_SET_ANY), SPP_OK);
	CU_ASSERT_EQUAL(spp_count(&t), 0);
	CU_ASSERT_EQUAL(set1(RAM + 0x5000, SPP_OPEN, SPP_SET_ANY), SPP_OK);
	CU_ASSERT_EQUAL(spp_count(&t), 0);
	/* All zeros is an entry. */
	CU_ASSERT_EQUAL(set1(RAM + SIZE - 0x1000, 0, SPP_SET_ANY), SPP_OK);
	CU_ASSERT_EQUAL(spp_count(&t), 1);
	CU_ASSERT_EQUAL(spp_lookup(&t, RAM + SIZE - 1), 0);
	CU_ASSERT_EQUAL(spp_fault(&t, RAM + SIZE - 8, store(8, 31)),
			SPP_REFUSE_FORBIDDEN);
}

/* Each bad run: its own error, for get and set, and the table unchanged. */
static void test_run_errors(void)
{
	static const struct {
		uint64_t ipa, npages;
		int err;
	} cases[] = {
	    {RAM, 0, SPP_E_COUNT},
	    {RAM, SPP_MAX_RUN + 1, SPP_E_COUNT},
	    {RAM, 1ull << 63, SPP_E_COUNT},
	    {RAM, ~0ull, SPP_E_COUNT},
	    {RAM + 1, 1, SPP_E_ALIGN},
	    {RAM + 0x800, 1, SPP_E_ALIGN},
	    {RAM + 0xfff, 0, SPP_E_COUNT}, /* the count is checked first */
	    {RAM - 0x1000, 1, SPP_E_RANGE},
	    {RAM - 0x1000, 2, SPP_E_RANGE}, /* half in */
	    {RAM + SIZE, 1, SPP_E_RANGE},
	    {RAM + SIZE - 0x1000, 2, SPP_E_RANGE},
	    {RAM + SIZE - SPP_MAX_RUN * 0x1000 + 0x1000, SPP_MAX_RUN, SPP_E_RANGE},
	    {0, 1, SPP_E_RANGE},
	    {~0xfffull, 2, SPP_E_RANGE}, /* wraps to 0 */
	    {~0xfffull, 1, SPP_E_RANGE},
	};
	uint32_t in[SPP_MAX_RUN + 1], out[SPP_MAX_RUN + 1];

	memset(in, 0, sizeof(in));
	fresh();
	CU_ASSERT_EQUAL(set1(RAM + 0x3000, 0x0ff0, SPP_SET_ANY), SPP_OK);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snap();
		memset(out, 0xa5, sizeof(out));
		CU_ASSERT_EQUAL(
		    spp_set(&t, cases[i].ipa, cases[i].npages, in, SPP_SET_ANY, NULL),
		    cases[i].err);
		CU_ASSERT_EQUAL(spp_set(&t, cases[i].ipa, cases[i].npages, in,
					SPP_SET_CLEAR_ONLY, NULL),
				cases[i].err);
		CU_ASSERT(unchanged());
		CU_ASSERT_EQUAL(spp_get(&t, cases[i].ipa, cases[i].npages, out),
				cases[i].err);
		CU_ASSERT_EQUAL(out[0], 0xa5a5a5a5u);
	}
	/* The edges that are fine: the whole of a maximal run at RAM's end. */
	CU_ASSERT_EQUAL(spp_set(&t, RAM + SIZE - SPP_MAX_RUN * 0x1000, SPP_MAX_RUN, in,
				SPP_SET_ANY, NULL),
			SPP_OK);
	CU_ASSERT_EQUAL(spp_get(&t, RAM + SIZE - SPP_MAX_RUN * 0x1000, SPP_MAX_RUN, out),
			SPP_OK);
	CU_ASSERT_EQUAL(out[SPP_MAX_RUN - 1], 0);
	CU_ASSERT_EQUAL(spp_count(&t), SPP_MAX_RUN + 1);
}

/* The guest's own set: bits may go, not come back, but where loosen
 * allows; one page of a run refused refuses the whole run. */
static void test_clear_only(void)
{
	uint32_t run[3] = {0x0f, 0x0f, 0x0f}, got[3];

	fresh();
	/* Tightening an open page makes an entry. */
	CU_ASSERT_EQUAL(set1(RAM, 0xff, SPP_SET_CLEAR_ONLY), SPP_OK);
	CU_ASSERT_EQUAL(set1(RAM, 0x0f, SPP_SET_CLEAR_ONLY), SPP_OK);
	CU_ASSERT_EQUAL(set1(RAM, 0x0f, SPP_SET_CLEAR_ONLY), SPP_OK); /* the same */
	snap();
	CU_ASSERT_EQUAL(set1(RAM, 0x1f, SPP_SET_CLEAR_ONLY), SPP_E_LOOSEN);
	CU_ASSERT_EQUAL(set1(RAM, SPP_OPEN, SPP_SET_CLEAR_ONLY), SPP_E_LOOSEN);
	CU_ASSERT_EQUAL(set1(RAM, 0x8000000f, SPP_SET_CLEAR_ONLY), SPP_E_LOOSEN);
	CU_ASSERT(unchanged());
	/* Pages 0 and 1 fine, page 2 (0x0f on 0x07) not: nothing changes. */
	CU_ASSERT_EQUAL(set1(RAM + 0x2000, 0x07, SPP_SET_ANY), SPP_OK);
	CU_ASSERT_EQUAL(set1(RAM + 0x1000, SPP_OPEN, SPP_SET_ANY), SPP_OK);
	snap();
	CU_ASSERT_EQUAL(spp_set(&t, RAM, 3, run, SPP_SET_CLEAR_ONLY, NULL), SPP_E_LOOSEN);
	CU_ASSERT(unchanged());
	/* The configuration's set may. */
	CU_ASSERT_EQUAL(spp_set(&t, RAM, 3, run, SPP_SET_ANY, NULL), SPP_OK);
	CU_ASSERT_EQUAL(spp_get(&t, RAM, 3, got), SPP_OK);
	CU_ASSERT(got[0] == 0x0f && got[1] == 0x0f && got[2] == 0x0f);
	/* A loosen run: pages 1 and 2 only. */
	CU_ASSERT_EQUAL(spp_allow_loosen(&t, RAM + 0x1000, 2), SPP_OK);
	CU_ASSERT_EQUAL(set1(RAM + 0x1000, SPP_OPEN, SPP_SET_CLEAR_ONLY), SPP_OK);
	CU_ASSERT_EQUAL(set1(RAM + 0x2000, 0xff, SPP_SET_CLEAR_ONLY), SPP_OK);
	CU_ASSERT_EQUAL(set1(RAM + 0x3000, 0x0, SPP_SET_CLEAR_ONLY), SPP_OK);
	CU_ASSERT_EQUAL(set1(RAM + 0x3000, 0x1, SPP_SET_CLEAR_ONLY), SPP_E_LOOSEN);
	CU_ASSERT_EQUAL(set1(RAM, 0xff, SPP_SET_CLEAR_ONLY), SPP_E_LOOSEN);
	/* A run from page 0: page 0 loosens outside the run, so refused. */
	run[0] = 0x1f;
	run[1] = run[2] = SPP_OPEN;
	snap();
	CU_ASSERT_EQUAL(spp_set(&t, RAM, 3, run, SPP_SET_CLEAR_ONLY, NULL), SPP_E_LOOSEN);
	CU_ASSERT(unchanged());
	run[0] = 0x0f;
	CU_ASSERT_EQUAL(spp_set(&t, RAM, 3, run, SPP_SET_CLEAR_ONLY, NULL), SPP_OK);
	CU_ASSERT_EQUAL(spp_count(&t), 2); /* pages 0 and 3 */
	/* Loosen runs are checked as runs, and bounded. */
	snap();
	CU_ASSERT_EQUAL(spp_allow_loosen(&t, RAM, 0), SPP_E_COUNT);
	CU_ASSERT_EQUAL(spp_allow_loosen(&t, RAM + 8, 1), SPP_E_ALIGN);
	CU_ASSERT_EQUAL(spp_allow_loosen(&t, RAM, SIZE / 0x1000 + 1), SPP_E_COUNT);
	CU_ASSERT_EQUAL(spp_allow_loosen(&t, RAM + 0x1000, SIZE / 0x1000), SPP_E_RANGE);
	CU_ASSERT_EQUAL(spp_allow_loosen(&t, ~0xfffull, 2), SPP_E_RANGE);
	CU_ASSERT(unchanged());
	CU_ASSERT_EQUAL(spp_allow_loosen(&t, RAM, SIZE / 0x1000), SPP_OK);
	for (unsigned i = 2; i < SPP_MAX_LOOSEN; i++)
		CU_ASSERT_EQUAL(spp_allow_loosen(&t, RAM, 1), SPP_OK);
	snap();
	CU_ASSERT_EQUAL(spp_allow_loosen(&t, RAM, 1), SPP_E_LOOSEN_FULL);
	CU_ASSERT(unchanged());
}

/* SPP_MAX_PAGES entries, then no more; a run that frees as many as it
 * takes still fits. */
static void test_table_full(void)
{
	uint32_t zeros[SPP_MAX_RUN] = {0}, two[2] = {SPP_OPEN, 0};
	uint64_t end = RAM + (uint64_t)SPP_MAX_PAGES * 0x1000;

	fresh();
	for (uint64_t ipa = RAM; ipa < end; ipa += SPP_MAX_RUN * 0x1000)
		CU_ASSERT_EQUAL(spp_set(&t, ipa, SPP_MAX_RUN, zeros, SPP_SET_ANY, NULL),
				SPP_OK);
	CU_ASSERT_EQUAL(spp_count(&t), SPP_MAX_PAGES);
	snap();
	CU_ASSERT_EQUAL(set1(end, 0, SPP_SET_ANY), SPP_E_FULL);
	CU_ASSERT_EQUAL(set1(end, 0, SPP_SET_CLEAR_ONLY), SPP_E_FULL);
	CU_ASSERT_EQUAL(spp_set(&t, end - 0x1000, 2, zeros, SPP_SET_ANY, NULL),
			SPP_E_FULL);
	CU_ASSERT(unchanged());
	/* Changing a page that has one, or opening one, needs no room. */
	CU_ASSERT_EQUAL(set1(RAM, 5, SPP_SET_ANY), SPP_OK);
	CU_ASSERT_EQUAL(spp_set(&t, end - 0x1000, 2, two, SPP_SET_ANY, NULL), SPP_OK);
	CU_ASSERT_EQUAL(spp_count(&t), SPP_MAX_PAGES);
	CU_ASSERT_EQUAL(spp_lookup(&t, end - 0x1000), SPP_OPEN);
	CU_ASSERT_EQUAL(spp_lookup(&t, end), 0);
	CU_ASSERT_EQUAL(spp_lookup(&t, RAM), 5);
}

/* At capacity, a run that protects pages before it opens as many: it fits
 * (the net change is none), and no step of it holds more than
 * SPP_MAX_PAGES entries, not even for a moment: the table is followed in
 * memory by its loosen runs, here by a guard, and both stay as they were. */
static void test_full_protect_then_open(void)
{
	static struct {
		struct spp_table t;
		uint8_t guard[SPP_MAX_RUN * sizeof(struct spp_entry)];
	} g;
	static const uint8_t zero[sizeof(g.guard)];
	uint32_t zeros[SPP_MAX_RUN] = {0}, run[SPP_MAX_RUN];
	const uint64_t half = SPP_MAX_RUN / 2 * 0x1000;

	/* Pages 1..512 protected; then pages 0 (protect) and 1 (open). */
	spp_init(&g.t, RAM, SIZE);
	CU_ASSERT_EQUAL(spp_allow_loosen(&g.t, RAM + 0x800000, 4), SPP_OK);
	for (unsigned p = 1; p <= SPP_MAX_PAGES; p += SPP_MAX_RUN)
		CU_ASSERT_EQUAL(spp_set(&g.t, RAM + (uint64_t)p * 0x1000, SPP_MAX_RUN,
					zeros, SPP_SET_ANY, NULL),
				SPP_OK);
	CU_ASSERT_EQUAL_FATAL(spp_count(&g.t), SPP_MAX_PAGES);
	CU_ASSERT_EQUAL(
	    spp_set(&g.t, RAM, 2, (uint32_t[]){0x3, SPP_OPEN}, SPP_SET_ANY, NULL),
	    SPP_OK);
	CU_ASSERT_EQUAL(spp_count(&g.t), SPP_MAX_PAGES);
	CU_ASSERT_EQUAL(spp_lookup(&g.t, RAM), 0x3);
	CU_ASSERT_EQUAL(spp_lookup(&g.t, RAM + 0x1000), SPP_OPEN);
	CU_ASSERT_EQUAL(spp_lookup(&g.t, RAM + 0x2000), 0);
	CU_ASSERT_EQUAL(g.t.nloosen, 1);
	CU_ASSERT(g.t.loosen[0].ipa == RAM + 0x800000 && g.t.loosen[0].npages == 4);
	/* Pages 32..543 protected; a run of 64 from page 0 protects 0..31
	 * and opens 32..63: 32 entries more, then 32 fewer. */
	spp_init(&g.t, RAM, SIZE);
	CU_ASSERT_EQUAL(spp_allow_loosen(&g.t, RAM + 0x800000, 4), SPP_OK);
	for (unsigned p = 32; p < 32 + SPP_MAX_PAGES; p += SPP_MAX_RUN)
		CU_ASSERT_EQUAL(spp_set(&g.t, RAM + (uint64_t)p * 0x1000, SPP_MAX_RUN,
					zeros, SPP_SET_ANY, NULL),
				SPP_OK);
	CU_ASSERT_EQUAL_FATAL(spp_count(&g.t), SPP_MAX_PAGES);
	for (unsigned i = 0; i < SPP_MAX_RUN; i++)
		run[i] = i < SPP_MAX_RUN / 2 ? 0x5a5a5a5au : SPP_OPEN;
	CU_ASSERT_EQUAL(spp_set(&g.t, RAM, SPP_MAX_RUN, run, SPP_SET_ANY, NULL), SPP_OK);
	CU_ASSERT_EQUAL(spp_count(&g.t), SPP_MAX_PAGES);
	CU_ASSERT_EQUAL(spp_lookup(&g.t, RAM + half - 0x1000), 0x5a5a5a5au);
	CU_ASSERT_EQUAL(spp_lookup(&g.t, RAM + half), SPP_OPEN);
	CU_ASSERT_EQUAL(spp_lookup(&g.t, RAM + 2 * half), 0);
	CU_ASSERT_EQUAL(g.t.nloosen, 1);
	CU_ASSERT(g.t.loosen[0].ipa == RAM + 0x800000 && g.t.loosen[0].npages == 4);
	CU_ASSERT(memcmp(g.guard, zero, sizeof(zero)) == 0);
}

/* Random runs against a flat array of every page's bitmap. */
static void test_against_flat(void)
{
	static uint32_t flat[SIZE / 0x1000];
	unsigned count = 0, bad = 0;

	fresh();
	for (unsigned i = 0; i < SIZE / 0x1000; i++)
		flat[i] = SPP_OPEN;
	for (unsigned round = 0; round < 4000; round++) {
		uint32_t b[SPP_MAX_RUN], got[SPP_MAX_RUN];
		unsigned n = 1 + rng() % SPP_MAX_RUN, p = rng() % (SIZE / 0x1000 - n + 1);
		int want = (int)count;
		int err;

		for (unsigned i = 0; i < n; i++) {
			/* Mostly open, so the table fills and drains. */
			b[i] = rng() % 3 ? SPP_OPEN : rng() % 2 ? 0 : rng();
			want += (flat[p + i] == SPP_OPEN && b[i] != SPP_OPEN) -
				(flat[p + i] != SPP_OPEN && b[i] == SPP_OPEN);
		}
		err = spp_set(&t, RAM + (uint64_t)p * 0x1000, n, b, SPP_SET_ANY, NULL);
		bad += err != (want > (int)SPP_MAX_PAGES ? SPP_E_FULL : SPP_OK);
		if (!err) {
			memcpy(&flat[p], b, n * sizeof(b[0]));
			count = (unsigned)want;
		}
		bad += spp_count(&t) != count;
		p = rng() % (SIZE / 0x1000 - n + 1);
		bad += spp_get(&t, RAM + (uint64_t)p * 0x1000, n, got) != SPP_OK;
		bad += memcmp(got, &flat[p], n * sizeof(got[0])) != 0;
		for (unsigned blk = 0; blk < SIZE / SPP_BLOCK; blk++) {
			bool any = false;

			for (unsigned q = 0; q < SPP_BLOCK_PAGES; q++)
				any |= flat[blk * SPP_BLOCK_PAGES + q] != SPP_OPEN;
			bad += spp_block_protected(&t, RAM + blk * SPP_BLOCK +
							   rng() % SPP_BLOCK) != any;
		}
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT(count > 0);
}

static unsigned steps_of(const struct spp_changes *c, struct spp_step *out, unsigned max)
{
	unsigned cursor = 0, n = 0;
	struct spp_step s;

	while (spp_next(c, &cursor, &s))
		if (n < max)
			out[n++] = s;
	return n;
}

static bool is(const struct spp_step *s, enum spp_action a, uint64_t ipa)
{
	return s->action == a && s->ipa == ipa;
}

/* The stage-2 steps: split before the first page of a block loses W, merge
 * after its last gets W back; nothing for a change between two protected
 * bitmaps. */
static void test_steps(void)
{
	const uint64_t b1 = RAM + SPP_BLOCK;
	struct spp_changes c;
	struct spp_step s[8];
	uint32_t four[4] = {0, 0, 0, 0},
		 open4[4] = {SPP_OPEN, SPP_OPEN, SPP_OPEN, SPP_OPEN};

	fresh();
	CU_ASSERT(!spp_block_protected(&t, b1));
	CU_ASSERT_EQUAL(spp_set(&t, b1 + 0x3000, 1, four, SPP_SET_ANY, &c), SPP_OK);
	CU_ASSERT_EQUAL_FATAL(steps_of(&c, s, 8), 2);
	CU_ASSERT(is(&s[0], SPP_SPLIT, b1) && is(&s[1], SPP_PROTECT, b1 + 0x3000));
	CU_ASSERT(spp_block_protected(&t, b1) &&
		  spp_block_protected(&t, b1 + SPP_BLOCK - 1));
	CU_ASSERT(!spp_block_protected(&t, b1 - 1) &&
		  !spp_block_protected(&t, b1 + SPP_BLOCK));
	/* A second page in the block: no split. */
	CU_ASSERT_EQUAL(set1(b1 + 0x5000, 7, SPP_SET_ANY), SPP_OK);
	CU_ASSERT_EQUAL(spp_set(&t, b1 + 0x4000, 1, four, SPP_SET_ANY, &c), SPP_OK);
	CU_ASSERT_EQUAL_FATAL(steps_of(&c, s, 8), 1);
	CU_ASSERT(is(&s[0], SPP_PROTECT, b1 + 0x4000));
	/* Protected to protected, and open to open: nothing. */
	CU_ASSERT_EQUAL(spp_set(&t, b1 + 0x4000, 1, four, SPP_SET_ANY, &c), SPP_OK);
	CU_ASSERT_EQUAL(steps_of(&c, s, 8), 0);
	CU_ASSERT_EQUAL(
	    spp_set(&t, b1 + 0x3000, 3, (uint32_t[]){5, 6, 7}, SPP_SET_ANY, &c), SPP_OK);
	CU_ASSERT_EQUAL(steps_of(&c, s, 8), 0);
	CU_ASSERT_EQUAL(spp_set(&t, b1 + 0x7000, 1, open4, SPP_SET_ANY, &c), SPP_OK);
	CU_ASSERT_EQUAL(steps_of(&c, s, 8), 0);
	/* Opening two of three: the block stays split. */
	CU_ASSERT_EQUAL(spp_set(&t, b1 + 0x3000, 2, open4, SPP_SET_ANY, &c), SPP_OK);
	CU_ASSERT_EQUAL_FATAL(steps_of(&c, s, 8), 2);
	CU_ASSERT(is(&s[0], SPP_UNPROTECT, b1 + 0x3000) &&
		  is(&s[1], SPP_UNPROTECT, b1 + 0x4000));
	CU_ASSERT(spp_block_protected(&t, b1));
	/* The last: merged back, after its page. */
	CU_ASSERT_EQUAL(spp_set(&t, b1 + 0x5000, 1, open4, SPP_SET_CLEAR_ONLY, &c),
			SPP_E_LOOSEN);
	CU_ASSERT_EQUAL(spp_set(&t, b1 + 0x5000, 1, open4, SPP_SET_ANY, &c), SPP_OK);
	CU_ASSERT_EQUAL_FATAL(steps_of(&c, s, 8), 2);
	CU_ASSERT(is(&s[0], SPP_UNPROTECT, b1 + 0x5000) && is(&s[1], SPP_MERGE, b1));
	CU_ASSERT(!spp_block_protected(&t, b1) && spp_count(&t) == 0);
	/* A run across a block boundary: each block split, then merged. */
	CU_ASSERT_EQUAL(spp_set(&t, b1 - 0x2000, 4, four, SPP_SET_ANY, &c), SPP_OK);
	CU_ASSERT_EQUAL_FATAL(steps_of(&c, s, 8), 6);
	CU_ASSERT(is(&s[0], SPP_SPLIT, RAM) && is(&s[1], SPP_PROTECT, b1 - 0x2000) &&
		  is(&s[2], SPP_PROTECT, b1 - 0x1000) && is(&s[3], SPP_SPLIT, b1) &&
		  is(&s[4], SPP_PROTECT, b1) && is(&s[5], SPP_PROTECT, b1 + 0x1000));
	/* Keep one page of the first block: only the second merges. */
	CU_ASSERT_EQUAL(spp_set(&t, b1 - 0x1000, 3, open4, SPP_SET_ANY, &c), SPP_OK);
	CU_ASSERT_EQUAL_FATAL(steps_of(&c, s, 8), 4);
	CU_ASSERT(is(&s[0], SPP_UNPROTECT, b1 - 0x1000) && is(&s[1], SPP_UNPROTECT, b1) &&
		  is(&s[2], SPP_UNPROTECT, b1 + 0x1000) && is(&s[3], SPP_MERGE, b1));
	CU_ASSERT(spp_block_protected(&t, RAM) && !spp_block_protected(&t, b1));
	CU_ASSERT_EQUAL(spp_set(&t, b1 - 0x2000, 4, open4, SPP_SET_ANY, &c), SPP_OK);
	CU_ASSERT_EQUAL_FATAL(steps_of(&c, s, 8), 2);
	CU_ASSERT(is(&s[0], SPP_UNPROTECT, b1 - 0x2000) && is(&s[1], SPP_MERGE, RAM));
	/* A refused set leaves the steps alone too: none are made up. */
	c.n = 77;
	CU_ASSERT_EQUAL(spp_set(&t, b1 + 1, 1, four, SPP_SET_ANY, &c), SPP_E_ALIGN);
	CU_ASSERT_EQUAL(spp_set(&t, b1, 1, open4, SPP_SET_ANY, &c), SPP_OK);
	CU_ASSERT_EQUAL(spp_set(&t, b1, 1, four, SPP_SET_CLEAR_ONLY, &c), SPP_OK);
	CU_ASSERT_EQUAL(spp_set(&t, b1, 1, open4, SPP_SET_CLEAR_ONLY, &c), SPP_E_LOOSEN);
	CU_ASSERT_EQUAL(c.n, 2); /* the last good set's: split, protect */
}

/* Random sets, many of them at the table's capacity and near blocks'
 * edges, their steps applied one by one to a model of stage 2 (a split
 * flag per block, W per page): a page loses W only in a split block and
 * gets it back before its block merges, and after each set stage 2 is
 * what the bitmaps say. */
static void test_steps_model(void)
{
	enum { NP = SIZE / 0x1000, NB = SIZE / SPP_BLOCK };
	static uint32_t flat[NP];
	static bool split[NB], w[NP];
	unsigned bad = 0, full = 0;

	fresh();
	for (unsigned i = 0; i < NP; i++) {
		flat[i] = SPP_OPEN;
		w[i] = true;
	}
	memset(split, 0, sizeof(split));
	for (unsigned round = 0; round < 20000; round++) {
		unsigned n = 1 + rng() % SPP_MAX_RUN, p = rng() % NP, cursor = 0;
		uint32_t b[SPP_MAX_RUN];
		struct spp_changes c;
		struct spp_step st;

		if (rng() % 2) /* around a block's start */
			p = (rng() % NB) * SPP_BLOCK_PAGES + NP - SPP_MAX_RUN +
			    rng() % 130;
		p = p % NP > NP - n ? NP - n : p % NP;
		for (unsigned i = 0; i < n; i++)
			b[i] = rng() % 2 ? SPP_OPEN : rng() % 3 ? 0 : rng();
		full += spp_count(&t) == SPP_MAX_PAGES;
		if (spp_set(&t, RAM + (uint64_t)p * 0x1000, n, b,
			    rng() % 4 ? SPP_SET_ANY : SPP_SET_CLEAR_ONLY, &c))
			continue;
		memcpy(&flat[p], b, n * sizeof(b[0]));
		while (spp_next(&c, &cursor, &st)) {
			unsigned pg = (unsigned)((st.ipa - RAM) / 0x1000);
			unsigned blk = pg / SPP_BLOCK_PAGES;

			switch (st.action) {
			case SPP_SPLIT:
				bad += split[blk] || pg % SPP_BLOCK_PAGES;
				split[blk] = true;
				break;
			case SPP_PROTECT:
			case SPP_UNPROTECT:
				bad += !split[blk] || w[pg] != (st.action == SPP_PROTECT);
				w[pg] = st.action == SPP_UNPROTECT;
				break;
			case SPP_MERGE:
				bad += !split[blk] || pg % SPP_BLOCK_PAGES;
				for (unsigned q = 0; q < SPP_BLOCK_PAGES; q++)
					bad += !w[blk * SPP_BLOCK_PAGES + q];
				split[blk] = false;
				break;
			}
		}
		for (unsigned blk = 0; blk < NB; blk++) {
			bool any = false;

			for (unsigned q = 0; q < SPP_BLOCK_PAGES; q++)
				any |= flat[blk * SPP_BLOCK_PAGES + q] != SPP_OPEN;
			bad += split[blk] != any;
		}
		for (unsigned q = p; q < p + n; q++)
			bad += w[q] != (flat[q] == SPP_OPEN) ||
			       spp_lookup(&t, RAM + (uint64_t)q * 0x1000) != flat[q];
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT(full > 0); /* the capacity was reached, and held */
	CU_ASSERT_EQUAL(t.nloosen, 0);
}

/* Blocks that RAM covers only in part (RAM need not start on one here). */
static void test_block_edges(void)
{
	/* The first and the last page of a block are its own, not the
	 * neighbours'. */
	fresh();
	CU_ASSERT_EQUAL(set1(RAM + SPP_BLOCK, 0, SPP_SET_ANY), SPP_OK);
	CU_ASSERT(!spp_block_protected(&t, RAM) &&
		  spp_block_protected(&t, RAM + SPP_BLOCK));
	CU_ASSERT_EQUAL(set1(RAM + SPP_BLOCK, SPP_OPEN, SPP_SET_ANY), SPP_OK);
	CU_ASSERT_EQUAL(set1(RAM + SPP_BLOCK - 0x1000, 0, SPP_SET_ANY), SPP_OK);
	CU_ASSERT(spp_block_protected(&t, RAM) &&
		  !spp_block_protected(&t, RAM + SPP_BLOCK));
	CU_ASSERT(!spp_block_protected(&t, RAM - 1));
	spp_init(&t, RAM + 0x100000, 0x300000); /* 1 MiB into a block, 3 MiB */
	CU_ASSERT_EQUAL(set1(RAM + 0x100000, 0, SPP_SET_ANY), SPP_OK);
	CU_ASSERT(spp_block_protected(&t, RAM));
	CU_ASSERT(!spp_block_protected(&t, RAM + SPP_BLOCK));
	CU_ASSERT(!spp_block_protected(&t, RAM - 1));
	CU_ASSERT_EQUAL(set1(RAM + 0x100000, SPP_OPEN, SPP_SET_ANY), SPP_OK);
	CU_ASSERT_EQUAL(set1(RAM + 0x3ff000, 0, SPP_SET_ANY), SPP_OK);
	CU_ASSERT(!spp_block_protected(&t, RAM));
	CU_ASSERT(spp_block_protected(&t, RAM + SPP_BLOCK));
	CU_ASSERT_EQUAL(set1(RAM + 0x400000, 0, SPP_SET_ANY), SPP_E_RANGE);
	/* RAM past the 2^32 pages an entry can number: the page 16 TiB in
	 * is refused, not taken for RAM's first page. */
	spp_init(&t, 0, 1ull << 45);
	CU_ASSERT_EQUAL(set1((1ull << 44) - 0x1000, 0, SPP_SET_ANY), SPP_OK);
	CU_ASSERT_EQUAL(set1(1ull << 44, 0, SPP_SET_ANY), SPP_E_RANGE);
	CU_ASSERT_EQUAL(spp_lookup(&t, 0), SPP_OPEN);
	CU_ASSERT_EQUAL(spp_lookup(&t, (1ull << 44) - 0x1000), 0);
	CU_ASSERT_EQUAL(spp_allow_loosen(&t, 0, (1ull << 32) + 1), SPP_E_COUNT);
	CU_ASSERT(!spp_block_protected(&t, 1ull << 44));
	/* Near the top of the address space nothing wraps. */
	spp_init(&t, ~0ull - 2 * SPP_BLOCK + 1, 2 * SPP_BLOCK);
	CU_ASSERT_EQUAL(set1(~0ull - 0xfff, 0, SPP_SET_ANY), SPP_OK);
	CU_ASSERT(spp_block_protected(&t, ~0ull));
	CU_ASSERT(!spp_block_protected(&t, ~0ull - SPP_BLOCK));
	CU_ASSERT(!spp_block_protected(&t, 0));
	CU_ASSERT_EQUAL(spp_lookup(&t, ~0ull), 0);
	CU_ASSERT_EQUAL(
	    spp_set(&t, ~0ull - 0xfff, 2, (uint32_t[]){0, 0}, SPP_SET_ANY, NULL),
	    SPP_E_RANGE);
}

void suite_spp(void)
{
	CU_pSuite s = CU_add_suite("spp", NULL, NULL);

	CU_add_test(s, "every offset and size against the byte model", test_decide_model);
	CU_add_test(s, "sub-page boundaries and the page's end", test_decide_boundaries);
	CU_add_test(s, "a store of XZR is a store", test_decide_xzr);
	CU_add_test(s, "writes without a syndrome are refused", test_decide_undescribed);
	CU_add_test(s, "reads and fetches are not its business", test_decide_not_write);
	CU_add_test(s, "a fault finds its page's bitmap", test_fault_lookup);
	CU_add_test(s, "bad runs: each its error, nothing changed", test_run_errors);
	CU_add_test(s, "the guest's set only clears, but in loosen runs",
		    test_clear_only);
	CU_add_test(s, "the table's capacity", test_table_full);
	CU_add_test(s, "at capacity, protect then open in one run",
		    test_full_protect_then_open);
	CU_add_test(s, "random runs against a flat array", test_against_flat);
	CU_add_test(s, "the stage-2 steps of a set", test_steps);
	CU_add_test(s, "random sets' steps on a model of stage 2", test_steps_model);
	CU_add_test(s, "blocks RAM covers in part", test_block_edges);
}
