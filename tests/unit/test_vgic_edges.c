/*
 * vmsrv's GICv3 distributor and redistributor models at their edges: the
 * last register of each bank is the guest's, the one past it is nobody's.
 * An access past the end changes nothing in the model (the whole struct is
 * compared) and reads as zero or is refused, exactly as below; one register
 * further would land in the next field of struct vgic, where neither ASan
 * nor the guest would see it (found by tests/mutation).
 */
#include <string.h>
#include "tests.h"
#include "vgic.h"

#define LAST_SPI (32u + VGIC_SPIS - 1) /* INTID 95 */

static bool acc(struct vgic *g, unsigned cpu, uint64_t off, bool write, unsigned size,
		uint64_t *v)
{
	struct vgic_fire f[4];
	unsigned n;

	return vgic_access(g, cpu, off, write, size, v, f, 4, &n);
}

static uint64_t rd(struct vgic *g, unsigned cpu, uint64_t off, unsigned size)
{
	uint64_t v = ~0ULL;

	CU_ASSERT(acc(g, cpu, off, false, size, &v));
	return v;
}

/* A write of all ones that the model takes but that changes nothing. */
static void write_changes_nothing(struct vgic *g, unsigned cpu, uint64_t off,
				  unsigned size)
{
	struct vgic before = *g;
	uint64_t v = ~0ULL;

	CU_ASSERT(acc(g, cpu, off, true, size, &v));
	CU_ASSERT(memcmp(&before, g, sizeof(before)) == 0);
}

/* An access the model refuses, read or write, changing nothing. */
static void refused(struct vgic *g, unsigned cpu, uint64_t off, unsigned size)
{
	struct vgic before = *g;
	uint64_t v = ~0ULL;

	CU_ASSERT_FALSE(acc(g, cpu, off, true, size, &v));
	CU_ASSERT_FALSE(acc(g, cpu, off, false, size, &v));
	CU_ASSERT(memcmp(&before, g, sizeof(before)) == 0);
}

/* The bit banks: word VGIC_SPIS / 32 holds SPIs 64..95, the next none. */
static void test_bit_banks(void)
{
	static const uint64_t banks[] = {0x080, 0x100, 0x180, 0x200, 0x280};
	const uint64_t last = 4 * (VGIC_SPIS / 32), past = last + 4;
	struct vgic g;
	uint64_t v;

	vgic_reset(&g, 2);
	for (unsigned i = 0; i < sizeof(banks) / sizeof(banks[0]); i++) {
		write_changes_nothing(&g, VGIC_NONE, banks[i] + past, 4);
		CU_ASSERT_EQUAL(rd(&g, VGIC_NONE, banks[i] + past, 4), 0);
	}
	/* The last word is SPI 95's: set-enable it, read it back, clear it. */
	v = 1u << 31;
	CU_ASSERT(acc(&g, VGIC_NONE, 0x100 + last, true, 4, &v));
	CU_ASSERT_EQUAL(rd(&g, VGIC_NONE, 0x100 + last, 4), 1u << 31);
	CU_ASSERT_EQUAL(rd(&g, VGIC_NONE, 0x100 + last - 4, 4), 0);
	CU_ASSERT(acc(&g, VGIC_NONE, 0x180 + last, true, 4, &v));
	CU_ASSERT_EQUAL(rd(&g, VGIC_NONE, 0x100 + last, 4), 0);
}

static void test_router_and_priority(void)
{
	struct vgic g;
	uint64_t v;

	vgic_reset(&g, 2);
	/* IROUTER: the last SPI's is a register, the next is not. */
	v = 1;
	CU_ASSERT(acc(&g, VGIC_NONE, 0x6000 + LAST_SPI * 8, true, 8, &v));
	CU_ASSERT_EQUAL(rd(&g, VGIC_NONE, 0x6000 + LAST_SPI * 8, 8), 1);
	refused(&g, VGIC_NONE, 0x6000 + (LAST_SPI + 1) * 8, 8);
	/* IPRIORITYR: the last SPI's byte, then nothing. */
	v = 0xa0;
	CU_ASSERT(acc(&g, VGIC_NONE, 0x400 + LAST_SPI, true, 1, &v));
	CU_ASSERT_EQUAL(rd(&g, VGIC_NONE, 0x400 + LAST_SPI, 1), 0xa0);
	refused(&g, VGIC_NONE, 0x400 + LAST_SPI + 1, 1);
	/* ICFGR: two bits an interrupt, words 2..5 for the SPIs. */
	v = 0x80000000u;
	CU_ASSERT(acc(&g, VGIC_NONE, 0xc00 + 4 * (2 + VGIC_SPIS / 16 - 1), true, 4, &v));
	CU_ASSERT_EQUAL(rd(&g, VGIC_NONE, 0xc00 + 4 * (2 + VGIC_SPIS / 16 - 1), 4),
			0x80000000u);
	write_changes_nothing(&g, VGIC_NONE, 0xc00 + 4 * (2 + VGIC_SPIS / 16), 4);
	CU_ASSERT_EQUAL(rd(&g, VGIC_NONE, 0xc00 + 4 * (2 + VGIC_SPIS / 16), 4), 0);
}

/* An SPI routed to a vCPU the VM does not have goes to vCPU 0. */
static void test_route_past_last_cpu(void)
{
	struct vgic g;
	struct vgic_fire one;
	uint64_t v;

	vgic_reset(&g, 2);
	v = 2;
	CU_ASSERT(acc(&g, VGIC_NONE, 0x0, true, 4, &v)); /* distributor on */
	v = 1u << 16;
	CU_ASSERT(acc(&g, VGIC_NONE, 0x104, true, 4, &v)); /* enable SPI 48 */
	v = 1;
	CU_ASSERT(acc(&g, VGIC_NONE, 0x6000 + 48 * 8, true, 8, &v));
	CU_ASSERT(vgic_raise(&g, 48, 0, &one));
	CU_ASSERT_EQUAL(one.cpu, 1); /* the last vCPU */
	v = 2;
	CU_ASSERT(acc(&g, VGIC_NONE, 0x6000 + 48 * 8, true, 8, &v));
	CU_ASSERT(vgic_raise(&g, 48, 0, &one));
	CU_ASSERT_EQUAL(one.cpu, 0);
}

/* Redistributors: SGI/PPI priorities end at byte 31; the last vCPU's
 * frame says it is the last; there is none past it. */
static void test_redistributor_edges(void)
{
	struct vgic g;
	uint64_t v;

	vgic_reset(&g, 3);
	v = 0x60;
	CU_ASSERT(acc(&g, 2, 0x10000 + 0x400 + 31, true, 1, &v));
	CU_ASSERT_EQUAL(rd(&g, 2, 0x10000 + 0x400 + 31, 1), 0x60);
	refused(&g, 2, 0x10000 + 0x400 + 32, 1);
	write_changes_nothing(&g, 2, 0x10000 + 0x400 + 32, 4);
	CU_ASSERT_EQUAL(rd(&g, 2, 0x10000 + 0x400 + 32, 4), 0);
	CU_ASSERT_EQUAL(rd(&g, 2, 0x8, 8) & 0x10, 0x10);
	CU_ASSERT_EQUAL(rd(&g, 1, 0x8, 8) & 0x10, 0);
	CU_ASSERT_EQUAL(rd(&g, 0, 0x8, 8) & 0x10, 0);
	refused(&g, 3, 0x8, 8);
	refused(&g, 3, 0x14, 4);
}

void suite_vgic_edges(void)
{
	CU_pSuite s = CU_add_suite("vgic_edges", NULL, NULL);

	CU_add_test(s, "the bit banks end with the SPIs", test_bit_banks);
	CU_add_test(s, "IROUTER, IPRIORITYR, ICFGR end with the SPIs",
		    test_router_and_priority);
	CU_add_test(s, "an SPI routed past the last vCPU goes to vCPU 0",
		    test_route_past_last_cpu);
	CU_add_test(s, "redistributors end with the vCPUs", test_redistributor_edges);
}
