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

/* Something is held that could be delivered now. */
static bool check_held(const struct vgic *g, unsigned ncpus)
{
	for (unsigned c = 0; c < ncpus; c++)
		for (unsigned id = 0; id < 32 + VGIC_SPIS; id++)
			if ((id < 32 || c == 0) && pending(g, c, id) &&
			    deliverable(g, c, id))
				return true;
	return false;
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

	vgic_reset(&g, ncpus);
	for (unsigned step = 0; step < 512 && in.left; step++) {
		unsigned op = fuzz_u8(&in);

		before = g;
		if (op < 64) { /* a device raises an interrupt */
			unsigned cpu = fuzz_below(&in, ncpus);
			unsigned intid = fuzz_below(&in, 32 + VGIC_SPIS + 8);
			struct vgic_fire f;
			bool now = vgic_raise(&g, intid, cpu, &f);

			if (getenv("FUZZ_TRACE"))
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

			if (getenv("FUZZ_TRACE"))
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
			/* Pending state only ever leaves through a release or a
			 * clear-pending write. */
			if (ok && write && (off & ~0x7fULL) != 0x280)
				for (unsigned c = 0; c < ncpus; c++)
					for (unsigned id = 0; id < 32 + VGIC_SPIS; id++) {
						bool went = false;

						if (id >= 32 && c)
							continue;
						for (unsigned i = 0; i < nout; i++)
							went |=
							    out[i].intid == id &&
							    (id >= 32 || out[i].cpu == c);
						if (pending(&before, c, id) && !went)
							FUZZ_CHECK(pending(&g, c, id));
					}
			/* Room ran out: what did not fit is held, legitimately. */
			overflowed |= nout == max && check_held(&g, ncpus);
		}
		/* Until a caller's room ran out, nothing that may go is held. */
		FUZZ_CHECK(overflowed || !check_held(&g, ncpus));
	}
	return 0;
}
