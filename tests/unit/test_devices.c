/* vmsrv's device models: the PL011 and the GICv3 distributor/redistributors. */
#include <string.h>
#include "pl011.h"
#include "tests.h"
#include "vgic.h"

static char out[64];
static unsigned nout;

static void put(void *arg, uint8_t c)
{
	CU_ASSERT_PTR_EQUAL(arg, out);
	if (nout < sizeof(out))
		out[nout++] = (char)c;
}

static uint64_t rd_n(struct pl011 *u, uint64_t off, unsigned size)
{
	uint64_t v = ~0ULL;

	CU_ASSERT(pl011_access(u, off, false, size, &v));
	return v;
}

static void wr_n(struct pl011 *u, uint64_t off, unsigned size, uint64_t v)
{
	CU_ASSERT(pl011_access(u, off, true, size, &v));
}

static uint64_t rd(struct pl011 *u, uint64_t off)
{
	return rd_n(u, off, 4);
}

static void wr(struct pl011 *u, uint64_t off, uint64_t v)
{
	wr_n(u, off, 4, v);
}

static void test_pl011(void)
{
	struct pl011 u;
	uint64_t v = 0;

	nout = 0;
	pl011_reset(&u, put, out);
	CU_ASSERT_EQUAL(rd(&u, 0x18), 0x90); /* TXFE | RXFE */
	CU_ASSERT_EQUAL(rd(&u, 0x30), 0x300);
	wr(&u, 0x00, 'h');
	wr(&u, 0x00, 'i');
	CU_ASSERT_EQUAL(nout, 2);
	CU_ASSERT_EQUAL(memcmp(out, "hi", 2), 0);
	CU_ASSERT_FALSE(pl011_irq(&u)); /* TX raised, but masked */
	wr(&u, 0x38, 1u << 5);
	CU_ASSERT(pl011_irq(&u));
	CU_ASSERT_EQUAL(rd(&u, 0x40), 1u << 5);
	wr(&u, 0x44, 1u << 5);
	CU_ASSERT_FALSE(pl011_irq(&u));
	/* Input: a FIFO, then drops. */
	for (unsigned i = 0; i < PL011_FIFO; i++)
		CU_ASSERT(pl011_receive(&u, (uint8_t)('a' + i % 26)));
	CU_ASSERT_FALSE(pl011_receive(&u, 'z'));
	CU_ASSERT_EQUAL(rd(&u, 0x18) & 0x50, 0x40); /* RXFF, not RXFE */
	wr(&u, 0x38, 1u << 4);
	CU_ASSERT(pl011_irq(&u));
	CU_ASSERT_EQUAL(rd(&u, 0x00), 'a');
	for (unsigned i = 1; i < PL011_FIFO; i++)
		CU_ASSERT_EQUAL(rd(&u, 0x00), (uint64_t)('a' + i % 26));
	CU_ASSERT_FALSE(pl011_irq(&u));
	CU_ASSERT_EQUAL(rd(&u, 0x18) & 0x10, 0x10);
	CU_ASSERT_EQUAL(rd(&u, 0x00), 0); /* empty */
	CU_ASSERT_EQUAL(rd(&u, 0xfe0), 0x11);
	CU_ASSERT_EQUAL(rd(&u, 0xffc), 0xb1);
	CU_ASSERT_FALSE(pl011_access(&u, 0x1000, false, 4, &v));
	CU_ASSERT_FALSE(pl011_access(&u, 0x02, true, 4, &v));
	CU_ASSERT_EQUAL(nout, 2);
}

/* Linux's amba-pl011 reads and writes 16 bits, its earlycon writes DR with
 * 8: every naturally aligned 8-, 16- and 32-bit access works on its bytes. */
static void test_pl011_widths(void)
{
	struct pl011 u;
	uint64_t v = 0;

	nout = 0;
	pl011_reset(&u, put, out);
	wr_n(&u, 0x38, 2, 0x50); /* IMSC, as Linux's pl011_startup writes it */
	CU_ASSERT_EQUAL(rd_n(&u, 0x38, 2), 0x50);
	CU_ASSERT_EQUAL(rd(&u, 0x38), 0x50);
	wr_n(&u, 0x00, 1, 'L');
	wr_n(&u, 0x00, 2, 'x');
	CU_ASSERT_EQUAL(nout, 2);
	CU_ASSERT_EQUAL(memcmp(out, "Lx", 2), 0);
	CU_ASSERT_EQUAL(rd_n(&u, 0x18, 1), 0x90);
	CU_ASSERT_EQUAL(rd_n(&u, 0x30, 2), 0x300);
	CU_ASSERT_EQUAL(rd_n(&u, 0x31, 1), 0x03); /* CR's upper byte */
	CU_ASSERT_EQUAL(rd_n(&u, 0x32, 2), 0);	  /* a word's upper half */
	/* A byte write keeps the register's other byte. */
	wr_n(&u, 0x31, 1, 0x01);
	CU_ASSERT_EQUAL(rd(&u, 0x30), 0x100);
	wr_n(&u, 0x30, 1, 0x01);
	CU_ASSERT_EQUAL(rd(&u, 0x30), 0x101);
	wr_n(&u, 0x32, 2, 0xffff); /* reserved: ignored */
	CU_ASSERT_EQUAL(rd(&u, 0x30), 0x101);
	/* ICR clears the bits written, whatever the width. */
	CU_ASSERT_EQUAL(rd_n(&u, 0x3c, 2) & 0x20, 0x20);
	wr_n(&u, 0x44, 2, 0x20);
	CU_ASSERT_EQUAL(rd_n(&u, 0x3c, 2) & 0x20, 0);
	CU_ASSERT_EQUAL(rd_n(&u, 0xfe0, 1), 0x11);
	CU_ASSERT_EQUAL(rd_n(&u, 0xffc, 2), 0xb1);
	/* Not naturally aligned, or 64 bits: the guest gets an abort. */
	CU_ASSERT_FALSE(pl011_access(&u, 0x39, false, 2, &v));
	CU_ASSERT_FALSE(pl011_access(&u, 0x3a, true, 4, &v));
	CU_ASSERT_FALSE(pl011_access(&u, 0x38, false, 8, &v));
	CU_ASSERT_FALSE(pl011_access(&u, 0x38, false, 3, &v));
	CU_ASSERT_FALSE(pl011_access(&u, 0xfff, false, 2, &v));
	CU_ASSERT_EQUAL(nout, 2);
}

/* A hostile guest's reads of DR's other bytes (its error flags and the
 * word's reserved half) return them and take no byte from the FIFO. */
static void test_pl011_dr_bytes(void)
{
	struct pl011 u;

	pl011_reset(&u, put, out);
	CU_ASSERT(pl011_receive(&u, 'a'));
	CU_ASSERT_EQUAL(rd_n(&u, 0x01, 1), 0);
	CU_ASSERT_EQUAL(rd_n(&u, 0x02, 2), 0);
	CU_ASSERT_EQUAL(rd_n(&u, 0x03, 1), 0);
	CU_ASSERT_EQUAL(rd_n(&u, 0x18, 1) & 0x10, 0); /* FR: not empty */
	CU_ASSERT_EQUAL(rd_n(&u, 0x00, 1), 'a');
	CU_ASSERT_EQUAL(rd_n(&u, 0x18, 1) & 0x10, 0x10);
}

/* A byte written to DR's other bytes (error flags, reserved) is no data
 * byte: nothing is sent (found by fuzz.pl011). */
static void test_pl011_dr_byte_writes(void)
{
	struct pl011 u;

	pl011_reset(&u, put, out);
	nout = 0;
	wr_n(&u, 0x01, 1, 'x');
	wr_n(&u, 0x02, 2, 'y');
	wr_n(&u, 0x03, 1, 'z');
	CU_ASSERT_EQUAL(nout, 0);
	wr_n(&u, 0x00, 1, 'a');
	CU_ASSERT_EQUAL(nout, 1);
	CU_ASSERT_EQUAL(out[0], 'a');
}

static uint64_t gd(struct vgic *g, unsigned cpu, uint64_t off, unsigned size)
{
	struct vgic_fire f[4];
	unsigned n;
	uint64_t v = ~0ULL;

	CU_ASSERT(vgic_access(g, cpu, off, false, size, &v, f, 4, &n));
	return v;
}

static void test_vgic_distributor(void)
{
	struct vgic g;
	struct vgic_fire f[4], one;
	uint64_t v;
	unsigned n;

	vgic_reset(&g, 2);
	CU_ASSERT_EQUAL(gd(&g, VGIC_NONE, 0x4, 4) & 0x1f, VGIC_SPIS / 32);
	CU_ASSERT_EQUAL(gd(&g, VGIC_NONE, 0xffe8, 4), 0x3b);
	/* Raised while disabled: held, then delivered when enabled. */
	CU_ASSERT_FALSE(vgic_raise(&g, 48, 0, &one));
	CU_ASSERT_EQUAL(gd(&g, VGIC_NONE, 0x204, 4), 1u << 16);
	v = 2;
	CU_ASSERT(vgic_access(&g, VGIC_NONE, 0x0, true, 4, &v, f, 4, &n));
	v = 0xc0;
	CU_ASSERT(vgic_access(&g, VGIC_NONE, 0x400 + 48, true, 1, &v, f, 4, &n));
	v = 1; /* route SPI 48 to vCPU 1 */
	CU_ASSERT(vgic_access(&g, VGIC_NONE, 0x6000 + 48 * 8, true, 8, &v, f, 4, &n));
	v = 1u << 16;
	CU_ASSERT(vgic_access(&g, VGIC_NONE, 0x104, true, 4, &v, f, 4, &n));
	CU_ASSERT_EQUAL_FATAL(n, 1);
	CU_ASSERT_EQUAL(f[0].intid, 48);
	CU_ASSERT_EQUAL(f[0].cpu, 1);
	CU_ASSERT_EQUAL(f[0].prio, 0xc0);
	CU_ASSERT_EQUAL(gd(&g, VGIC_NONE, 0x204, 4), 0);
	CU_ASSERT(vgic_raise(&g, 48, 0, &one));
	CU_ASSERT_EQUAL(one.cpu, 1);
	v = 1u << 16;
	CU_ASSERT(vgic_access(&g, VGIC_NONE, 0x184, true, 4, &v, f, 4, &n));
	CU_ASSERT_EQUAL(gd(&g, VGIC_NONE, 0x104, 4), 0);
	CU_ASSERT_FALSE(vgic_raise(&g, 48, 0, &one));
	/* Sizes the architecture does not allow are refused. */
	CU_ASSERT_FALSE(vgic_access(&g, VGIC_NONE, 0x104, false, 1, &v, f, 4, &n));
	CU_ASSERT_FALSE(
	    vgic_access(&g, VGIC_NONE, 0x6000 + 48 * 8, false, 4, &v, f, 4, &n));
	CU_ASSERT_FALSE(vgic_access(&g, VGIC_NONE, 0x102, false, 4, &v, f, 4, &n));
	CU_ASSERT_FALSE(vgic_raise(&g, 32 + VGIC_SPIS, 0, &one));
	/* Enabled, but raised while the distributor is off: goes when it is on. */
	v = 0;
	CU_ASSERT(vgic_access(&g, VGIC_NONE, 0x0, true, 4, &v, f, 4, &n));
	v = 1u << 16;
	CU_ASSERT(vgic_access(&g, VGIC_NONE, 0x104, true, 4, &v, f, 4, &n));
	CU_ASSERT_EQUAL(n, 0);
	CU_ASSERT_FALSE(vgic_raise(&g, 48, 0, &one));
	v = 2;
	CU_ASSERT(vgic_access(&g, VGIC_NONE, 0x0, true, 4, &v, f, 4, &n));
	CU_ASSERT_EQUAL_FATAL(n, 1);
	CU_ASSERT_EQUAL(f[0].intid, 48);
}

/* Set-pending on an enabled SPI with the distributor on delivers it, as
 * GICD_ISPENDR does (Linux retriggers interrupts so); it is not held for a
 * later enable (found by fuzz.vgic). */
static void test_vgic_set_pending(void)
{
	struct vgic g;
	struct vgic_fire f[4];
	uint64_t v;
	unsigned n;

	vgic_reset(&g, 1);
	v = 2;
	CU_ASSERT(vgic_access(&g, VGIC_NONE, 0x0, true, 4, &v, f, 4, &n));
	v = 1u << 16;
	CU_ASSERT(vgic_access(&g, VGIC_NONE, 0x104, true, 4, &v, f, 4, &n));
	CU_ASSERT_EQUAL(n, 0);
	v = 1u << 16 | 1u << 17; /* SPI 48 enabled, SPI 49 not */
	CU_ASSERT(vgic_access(&g, VGIC_NONE, 0x204, true, 4, &v, f, 4, &n));
	CU_ASSERT_EQUAL_FATAL(n, 1);
	CU_ASSERT_EQUAL(f[0].intid, 48);
	CU_ASSERT_EQUAL(gd(&g, VGIC_NONE, 0x204, 4), 1u << 17);
}

static void test_vgic_redistributor(void)
{
	struct vgic g;
	struct vgic_fire f[4], one;
	uint64_t v;
	unsigned n;

	vgic_reset(&g, 2);
	CU_ASSERT_EQUAL(gd(&g, 1, 0x8, 8) >> 32, 1);	 /* affinity */
	CU_ASSERT_EQUAL(gd(&g, 1, 0x8, 8) & 0x10, 0x10); /* the last one */
	CU_ASSERT_EQUAL(gd(&g, 0, 0x8, 8) & 0x10, 0);
	CU_ASSERT_EQUAL(gd(&g, 0, 0x14, 4), 6); /* asleep */
	v = 0;
	CU_ASSERT(vgic_access(&g, 0, 0x14, true, 4, &v, f, 4, &n));
	CU_ASSERT_EQUAL(gd(&g, 0, 0x14, 4), 0);
	CU_ASSERT_FALSE(vgic_raise(&g, 27, 0, &one));
	v = 1u << 27;
	CU_ASSERT(vgic_access(&g, 0, 0x10100, true, 4, &v, f, 4, &n));
	CU_ASSERT_EQUAL_FATAL(n, 1);
	CU_ASSERT_EQUAL(f[0].intid, 27);
	CU_ASSERT_EQUAL(f[0].cpu, 0);
	CU_ASSERT(vgic_raise(&g, 27, 0, &one));
	CU_ASSERT_FALSE(vgic_raise(&g, 27, 1, &one)); /* vCPU 1's own PPI 27 */
	CU_ASSERT_FALSE(vgic_access(&g, 2, 0x14, false, 4, &v, f, 4, &n)); /* no vCPU 2 */
}

static void test_vgic_sgi(void)
{
	struct vgic g;
	unsigned intid;

	vgic_reset(&g, 3);
	CU_ASSERT_EQUAL(vgic_sgi_targets(&g, 5ULL << 24 | 0x6, 0, &intid), 0x6);
	CU_ASSERT_EQUAL(intid, 5);
	CU_ASSERT_EQUAL(vgic_sgi_targets(&g, 1ULL << 40 | 0x1, 1, &intid), 0x5); /* IRM */
	CU_ASSERT_EQUAL(intid, 0);
	CU_ASSERT_EQUAL(vgic_sgi_targets(&g, 0xff, 0, &intid), 0x7); /* only vCPUs 0-2 */
	CU_ASSERT_EQUAL(vgic_sgi_targets(&g, 1ULL << 16 | 0x1, 0, &intid), 0); /* Aff1 */
	/* RS (bits 47:44) = 1: the list names Aff0 16-31, which no vCPU has. */
	CU_ASSERT_EQUAL(vgic_sgi_targets(&g, 1ULL << 44 | 0x1, 0, &intid), 0);
}

/* An enable that releases more held interrupts than the caller has room
 * for: those it cannot hand back stay pending, none is lost. */
static void test_vgic_release_overflow(void)
{
	struct vgic g;
	struct vgic_fire f[4];
	uint64_t v;
	unsigned n;

	vgic_reset(&g, 1);
	v = 0xffffffff; /* SPIs 32-63 enabled and pending, distributor off */
	CU_ASSERT(vgic_access(&g, VGIC_NONE, 0x104, true, 4, &v, f, 4, &n));
	CU_ASSERT(vgic_access(&g, VGIC_NONE, 0x204, true, 4, &v, f, 4, &n));
	v = 2;
	CU_ASSERT(vgic_access(&g, VGIC_NONE, 0x0, true, 4, &v, f, 4, &n));
	CU_ASSERT_EQUAL(n, 4);
	CU_ASSERT_EQUAL(gd(&g, VGIC_NONE, 0x204, 4), 0xfffffff0u);
	/* The same in a redistributor: SGIs pending while disabled. */
	for (unsigned i = 0; i < 8; i++)
		CU_ASSERT_FALSE(vgic_raise(&g, i, 0, &f[0]));
	v = 0xff;
	CU_ASSERT(vgic_access(&g, 0, 0x10100, true, 4, &v, f, 4, &n));
	CU_ASSERT_EQUAL(n, 4);
	v = 0xff; /* enabling again hands over the rest */
	CU_ASSERT(vgic_access(&g, 0, 0x10100, true, 4, &v, f, 4, &n));
	CU_ASSERT_EQUAL(n, 4);
	CU_ASSERT_EQUAL(f[0].intid, 4);
}

void suite_pl011(void)
{
	CU_pSuite s = CU_add_suite("pl011", NULL, NULL);

	CU_add_test(s, "registers, output, input and its interrupt", test_pl011);
	CU_add_test(s, "8-, 16- and 32-bit accesses", test_pl011_widths);
	CU_add_test(s, "reads of DR's other bytes keep the input", test_pl011_dr_bytes);
	CU_add_test(s, "writes to DR's other bytes send nothing",
		    test_pl011_dr_byte_writes);
}

void suite_vgic(void)
{
	CU_pSuite s = CU_add_suite("vgic", NULL, NULL);

	CU_add_test(s, "distributor", test_vgic_distributor);
	CU_add_test(s, "set-pending of an enabled SPI delivers it",
		    test_vgic_set_pending);
	CU_add_test(s, "redistributors", test_vgic_redistributor);
	CU_add_test(s, "SGI targets", test_vgic_sgi);
	CU_add_test(s, "releases beyond the caller's room stay pending",
		    test_vgic_release_overflow);
}
