/*
 * servers/vmsrv/vgic.c, the distributor and redistributors a guest
 * programs: random accesses of every size to both, interrupts raised, and
 * SGIs sent. Reads change nothing and fit their size; an interrupt is
 * delivered only if it is valid, enabled (and the distributor on, for an
 * SPI) and goes to a vCPU that exists, once; one held back stays pending,
 * never lost; and unless a caller's room for releases ran out, nothing
 * deliverable is ever left pending.
 */
#include <string.h>
#include "fuzz.h"
#include "vgic.h"

#define MAXOUT 128u /* more than there are interrupts */

static bool deliverable(const struct vgic *g, unsigned cpu, unsigned intid)
{
	if (intid < 32)
		return g->cpu[cpu].enabled >> intid & 1;
	return (g->ctlr & 2) && (g->enabled >> (intid - 32) & 1);
}

static bool pending(const struct vgic *g, unsigned cpu, unsigned intid)
{
	if (intid < 32)
		return g->cpu[cpu].pending >> intid & 1;
	return g->pending >> (intid - 32) & 1;
}

/* Something is held that could be delivered now: the PPIs and SGIs of
 * each vCPU, the SPIs once. As masks, a word per vCPU (a bit at a time
 * was most of the run's time). */
static bool check_held(const struct vgic *g, unsigned ncpus)
{
	for (unsigned c = 0; c < ncpus; c++)
		if (g->cpu[c].pending & g->cpu[c].enabled)
			return true;
	return (g->ctlr & 2) && (g->pending & g->enabled);
}

/* Pending state only ever leaves through a release (out) or a
 * clear-pending write: what was pending before and is not now went out. */
static void check_none_lost(const struct vgic *before, const struct vgic *g,
			    unsigned ncpus, const struct vgic_fire *out, unsigned nout)
{
	uint32_t went[VGIC_MAX_CPUS] = {0};
	uint64_t went_spi = 0;

	for (unsigned i = 0; i < nout; i++)
		if (out[i].intid >= 32)
			went_spi |= 1ULL << (out[i].intid - 32);
		else if (out[i].cpu < VGIC_MAX_CPUS)
			went[out[i].cpu] |= 1u << out[i].intid;
	for (unsigned c = 0; c < ncpus; c++)
		FUZZ_CHECK(!(before->cpu[c].pending & ~went[c] & ~g->cpu[c].pending));
	FUZZ_CHECK(!(before->pending & ~went_spi & ~g->pending));
}

static void check_fire(const struct vgic *g, const struct vgic_fire *f)
{
	FUZZ_CHECK(f->cpu < g->ncpus && f->intid < 32 + VGIC_SPIS);
	FUZZ_CHECK(deliverable(g, f->cpu, f->intid));
	FUZZ_CHECK(f->prio == (f->intid < 32 ? g->cpu[f->cpu].prio[f->intid]
					     : g->prio[f->intid - 32]));
}

/* Offsets that reach registers more often than a uniform pick would. */
static uint64_t pick_off(struct fuzz_in *in, bool dist)
{
	static const uint64_t dbase[] = {0x0,	0x4,   0x80,  0x100, 0x180,  0x200,
					 0x280, 0x300, 0x400, 0xc00, 0x6000, 0xffe8};
	static const uint64_t rbase[] = {0x0,	  0x4,	   0x8,	    0x14,    0xffe8,
					 0x10080, 0x10100, 0x10180, 0x10400, 0x10c00};
	unsigned sel = fuzz_u8(in);

	if (sel >= 0xf0)
		return fuzz_u32(in) & 0x1ffff;
	if (sel >= 0xe0) /* anywhere near a register */
		return (dist ? dbase[sel % 12] : rbase[sel % 10]) +
		       (fuzz_u16(in) & 0x7ff);
	if (dist)
		return dbase[sel % 12] + 4 * (fuzz_u8(in) % 24);
	return rbase[sel % 10] + 4 * (fuzz_u8(in) % 8);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = fuzz_in(data, size);
	static struct vgic g, before;
	unsigned ncpus = 1 + fuzz_below(&in, VGIC_MAX_CPUS);
	bool overflowed = false;
	static int trace = -1;

	if (trace < 0)
		trace = getenv("FUZZ_TRACE") != NULL;

	vgic_reset(&g, ncpus);
	for (unsigned step = 0; step < 512 && in.left; step++) {
		unsigned op = fuzz_u8(&in);

		before = g;
		if (op < 64) { /* a device raises an interrupt */
			unsigned cpu = fuzz_below(&in, ncpus);
			unsigned intid = fuzz_below(&in, 32 + VGIC_SPIS + 8);
			struct vgic_fire f;
			bool now = vgic_raise(&g, intid, cpu, &f);

			if (trace)
				fprintf(stderr, "raise %u on cpu %u -> %d\n", intid, cpu,
					now);

			if (now) {
				FUZZ_CHECK(intid < 32 + VGIC_SPIS && f.intid == intid);
				FUZZ_CHECK(intid >= 32 || f.cpu == cpu);
				check_fire(&g, &f);
			} else if (intid < 32 + VGIC_SPIS) {
				FUZZ_CHECK(!deliverable(&before, cpu, intid));
				FUZZ_CHECK(pending(&g, cpu, intid));
			}
		} else if (op < 80) { /* an SGI */
			unsigned from = fuzz_below(&in, ncpus), intid;
			uint64_t v = fuzz_u64(&in);
			uint32_t to = vgic_sgi_targets(&g, v, from, &intid);

			FUZZ_CHECK(intid < 16 && (to >> ncpus) == 0);
			FUZZ_CHECK(!(v >> 40 & 1) || !(to >> from & 1));
			FUZZ_CHECK(!memcmp(&g, &before, sizeof(g)));
		} else {
			static const unsigned sizes[] = {1, 2, 4, 8, 3};
			bool dist = op & 1, write = op & 2;
			unsigned cpu =
			    dist ? VGIC_NONE : fuzz_below(&in, VGIC_MAX_CPUS + 1);
			unsigned sz = sizes[fuzz_below(&in, 5)], nout = ~0u;
			uint64_t off = pick_off(&in, dist), val = fuzz_u64(&in);
			struct vgic_fire out[MAXOUT];
			unsigned max = fuzz_u8(&in) < 0xf0 ? MAXOUT : fuzz_below(&in, 4);
			bool ok =
			    vgic_access(&g, cpu, off, write, sz, &val, out, max, &nout);

			if (trace)
				fprintf(stderr,
					"%s cpu %d off %#llx size %u val %#llx -> %d, %u "
					"fired\n",
					write ? "write" : "read", (int)cpu,
					(unsigned long long)off, sz,
					(unsigned long long)val, ok, nout);

			FUZZ_CHECK(nout <= max && (ok || nout == 0));
			if (!dist && cpu >= ncpus)
				FUZZ_CHECK(!ok);
			if (!write) {
				FUZZ_CHECK(!memcmp(&g, &before, sizeof(g)));
				if (ok && sz < 8)
					FUZZ_CHECK(val >> (8 * sz) == 0);
			}
			for (unsigned i = 0; i < nout; i++) {
				check_fire(&g, &out[i]);
				/* Released: it was held (or just set pending), and is
				 * no longer. */
				FUZZ_CHECK(pending(&before, out[i].cpu, out[i].intid) ||
					   (dist && (off & ~0x7fULL) == 0x200));
				FUZZ_CHECK(!pending(&g, out[i].cpu, out[i].intid));
				for (unsigned j = 0; j < i; j++)
					FUZZ_CHECK(out[j].intid != out[i].intid ||
						   out[j].cpu != out[i].cpu);
			}
			if (ok && write && (off & ~0x7fULL) != 0x280)
				check_none_lost(&before, &g, ncpus, out, nout);
			/* Room ran out: what did not fit is held, legitimately. */
			overflowed |= nout == max && check_held(&g, ncpus);
		}
		/* Until a caller's room ran out, nothing that may go is held. */
		FUZZ_CHECK(overflowed || !check_held(&g, ncpus));
	}
	return 0;
}
