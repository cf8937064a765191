/*
 * The distributor and redistributor model. Register offsets and reset
 * values follow the GICv3 architecture specification; what the kernel's
 * list registers already do (pending and active state once delivered,
 * acknowledgement, end of interrupt) is not repeated here.
 */
#include <string.h>
#include "vgic.h"

enum {
	GICD_CTLR = 0x0,
	GICD_TYPER = 0x4,
	GICD_IIDR = 0x8,
	GICD_IGROUPR = 0x80,
	GICD_ISENABLER = 0x100,
	GICD_ICENABLER = 0x180,
	GICD_ISPENDR = 0x200,
	GICD_ICPENDR = 0x280,
	GICD_ISACTIVER = 0x300,
	GICD_ICACTIVER = 0x380,
	GICD_IPRIORITYR = 0x400,
	GICD_ICFGR = 0xc00,
	GICD_IROUTER = 0x6000,
	GIC_PIDR2 = 0xffe8,
	GICR_CTLR = 0x0,
	GICR_IIDR = 0x4,
	GICR_TYPER = 0x8,
	GICR_WAKER = 0x14,
	GICR_SGI = 0x10000, /* the SGI_base frame */
};

#define IIDR_SEPTA 0x0000543bu /* implementer "Septa" in JEP106 style, made up */
#define CTLR_ARE   (1u << 4)
#define PIDR2_V3   0x3bu

void vgic_reset(struct vgic *g, unsigned ncpus)
{
	memset(g, 0, sizeof(*g));
	g->ncpus = ncpus;
	g->ctlr = CTLR_ARE;
	for (unsigned c = 0; c < ncpus; c++)
		g->cpu[c].cfg[0] = 0xaaaaaaaau; /* SGIs are edge-triggered */
}

/* A bank of 32 one-bit registers: set-enable/clear-enable style. */
static uint32_t bits_word(uint64_t bits, unsigned word)
{
	return (uint32_t)(bits >> (32 * word));
}

/* False when out is full: the interrupt then stays pending, not lost. */
static bool release(struct vgic *g, unsigned cpu, unsigned intid, struct vgic_fire *out,
		    unsigned max, unsigned *nout)
{
	if (*nout == max)
		return false;
	out[(*nout)++] = (struct vgic_fire){
	    intid, cpu, intid < 32 ? g->cpu[cpu].prio[intid] : g->prio[intid - 32]};
	return true;
}

static unsigned spi_cpu(const struct vgic *g, unsigned n)
{
	unsigned aff0 = (unsigned)(g->route[n] & 0xff);

	return aff0 < g->ncpus ? aff0 : 0;
}

/* Held SPIs among mask that may go now (enabled, distributor on) go. */
static void release_spis(struct vgic *g, uint64_t mask, struct vgic_fire *out,
			 unsigned max, unsigned *nout)
{
	uint64_t go = g->ctlr & 2 ? mask & g->pending & g->enabled : 0;

	for (unsigned n = 0; n < VGIC_SPIS; n++)
		if (go >> n & 1 && release(g, spi_cpu(g, n), 32 + n, out, max, nout))
			g->pending &= ~(1ULL << n);
}

/* SPIs: INTID 32.. in words 1 and 2 of the distributor's bit banks. */
static bool dist_bits(struct vgic *g, uint64_t off, bool write, uint32_t *v,
		      struct vgic_fire *out, unsigned max, unsigned *nout)
{
	unsigned bank = (unsigned)(off & ~0x7fu), word = (unsigned)(off & 0x7f) / 4;
	uint64_t mask;

	if (word == 0 || word > VGIC_SPIS / 32) {
		if (!write)
			*v = 0; /* SGIs and PPIs live in the redistributors */
		return true;
	}
	mask = (uint64_t)(write ? *v : 0) << (32 * (word - 1));
	switch (bank) {
	case GICD_IGROUPR:
		if (write)
			g->group =
			    (g->group & ~((uint64_t)0xffffffffu << (32 * (word - 1)))) |
			    mask;
		else
			*v = bits_word(g->group, word - 1);
		return true;
	case GICD_ISENABLER:
	case GICD_ICENABLER:
		if (!write) {
			*v = bits_word(g->enabled, word - 1);
			return true;
		}
		if (bank == GICD_ICENABLER) {
			g->enabled &= ~mask;
			return true;
		}
		g->enabled |= mask;
		release_spis(g, mask, out, max, nout);
		return true;
	case GICD_ISPENDR:
		if (!write) {
			*v = bits_word(g->pending, word - 1);
			return true;
		}
		/* Pending and deliverable goes now: no later enable may come. */
		g->pending |= mask;
		release_spis(g, mask, out, max, nout);
		return true;
	case GICD_ICPENDR:
		if (!write)
			*v = bits_word(g->pending, word - 1);
		else
			g->pending &= ~mask;
		return true;
	default: /* active state is the list registers' */
		if (!write)
			*v = 0;
		return true;
	}
}

static bool rd_access(struct vgic *g, unsigned cpu, uint64_t off, bool write,
		      unsigned size, uint64_t *val, struct vgic_fire *out, unsigned max,
		      unsigned *nout)
{
	struct vgic_cpu *c = &g->cpu[cpu];
	uint32_t v = (uint32_t)*val;

	if (off == GICR_TYPER && size == 8) {
		if (!write)
			*val = (uint64_t)cpu << 32 | (uint64_t)cpu << 8 |
			       (cpu + 1 == g->ncpus ? 1u << 4 : 0);
		return true;
	}
	if (size != 4 && !(size == 1 && off >= GICR_SGI + GICD_IPRIORITYR &&
			   off < GICR_SGI + GICD_IPRIORITYR + 32))
		return false;
	if (off >= GICR_SGI + GICD_IPRIORITYR && off < GICR_SGI + GICD_IPRIORITYR + 32) {
		uint8_t *p = &c->prio[off - GICR_SGI - GICD_IPRIORITYR];

		for (unsigned i = 0; i < size; i++)
			if (write)
				p[i] = (uint8_t)(*val >> (8 * i));
			else
				*val = (i ? *val : 0) | (uint64_t)p[i] << (8 * i);
		return true;
	}
	switch (off) {
	case GICR_WAKER:
		if (write)
			c->awake = !(v & 2);
		else
			*val = c->awake ? 0 : 6;
		return true;
	case GICR_IIDR:
		*val = write ? *val : IIDR_SEPTA;
		return true;
	case GICR_TYPER + 4:
		*val = write ? *val : cpu;
		return true;
	case GIC_PIDR2:
		*val = write ? *val : PIDR2_V3;
		return true;
	case GICR_SGI + GICD_IGROUPR:
		if (write)
			c->group = v;
		else
			*val = c->group;
		return true;
	case GICR_SGI + GICD_ISENABLER:
		if (!write) {
			*val = c->enabled;
			return true;
		}
		c->enabled |= v;
		for (unsigned n = 0; n < 32; n++)
			if ((v & c->pending) >> n & 1 &&
			    release(g, cpu, n, out, max, nout))
				c->pending &= ~(1u << n);
		return true;
	case GICR_SGI + GICD_ICENABLER:
		if (write)
			c->enabled &= ~v;
		else
			*val = c->enabled;
		return true;
	case GICR_SGI + GICD_ICFGR:
	case GICR_SGI + GICD_ICFGR + 4:
		if (write)
			c->cfg[(off & 4) / 4] =
			    off & 4 ? v : 0xaaaaaaaau; /* SGIs fixed */
		else
			*val = c->cfg[(off & 4) / 4];
		return true;
	default: /* CTLR, pending and active banks, and the rest: RAZ/WI */
		if (!write)
			*val = 0;
		return true;
	}
}

bool vgic_access(struct vgic *g, unsigned cpu, uint64_t off, bool write, unsigned size,
		 uint64_t *val, struct vgic_fire *out, unsigned max, unsigned *nout)
{
	uint32_t v = (uint32_t)*val;

	*nout = 0;
	if (off % size)
		return false;
	if (cpu != VGIC_NONE)
		return cpu < g->ncpus &&
		       rd_access(g, cpu, off, write, size, val, out, max, nout);
	if (off >= GICD_IROUTER + 32 * 8 && off < GICD_IROUTER + (32 + VGIC_SPIS) * 8) {
		if (size != 8)
			return false;
		if (write)
			g->route[(off - GICD_IROUTER) / 8 - 32] = *val & VGIC_AFFINITY;
		else
			*val = g->route[(off - GICD_IROUTER) / 8 - 32];
		return true;
	}
	if (off >= GICD_IPRIORITYR && off < GICD_IPRIORITYR + 32 + VGIC_SPIS) {
		if (size != 1 && size != 4)
			return false;
		for (unsigned i = 0; i < size; i++) {
			unsigned intid = (unsigned)(off - GICD_IPRIORITYR) + i;

			if (intid < 32)
				*val = write ? *val : 0;
			else if (write)
				g->prio[intid - 32] = (uint8_t)(*val >> (8 * i));
			else
				*val = (i ? *val : 0) | (uint64_t)g->prio[intid - 32]
							    << (8 * i);
		}
		return true;
	}
	if (size != 4)
		return false;
	if (off >= GICD_IGROUPR && off < GICD_IPRIORITYR) {
		bool ok = dist_bits(g, off, write, &v, out, max, nout);

		*val = write ? *val : v;
		return ok;
	}
	if (off >= GICD_ICFGR + 8 && off < GICD_ICFGR + 8 + VGIC_SPIS / 4) {
		if (write)
			g->cfg[(off - GICD_ICFGR - 8) / 4] = v;
		else
			*val = g->cfg[(off - GICD_ICFGR - 8) / 4];
		return true;
	}
	switch (off) {
	case GICD_CTLR:
		if (!write) {
			*val = g->ctlr;
			return true;
		}
		g->ctlr = (v & 3) | CTLR_ARE; /* affinity routing is always on */
		/* Held while the distributor was off: enabled ones go now. */
		release_spis(g, ~0ULL, out, max, nout);
		return true;
	case GICD_TYPER:
		/* ITLinesNumber, 10 INTID bits, no LPIs, no security. */
		*val = write ? *val : (VGIC_SPIS / 32) | (9u << 19);
		return true;
	case GICD_IIDR:
		*val = write ? *val : IIDR_SEPTA;
		return true;
	case GIC_PIDR2:
		*val = write ? *val : PIDR2_V3;
		return true;
	default:
		if (!write)
			*val = 0;
		return true;
	}
}

bool vgic_raise(struct vgic *g, unsigned intid, unsigned cpu, struct vgic_fire *f)
{
	if (intid < 32) {
		struct vgic_cpu *c = &g->cpu[cpu];

		if (!(c->enabled >> intid & 1)) {
			c->pending |= 1u << intid;
			return false;
		}
		*f = (struct vgic_fire){intid, cpu, c->prio[intid]};
		return true;
	}
	if (intid - 32 >= VGIC_SPIS)
		return false;
	if (!(g->ctlr & 2) || !(g->enabled >> (intid - 32) & 1)) {
		g->pending |= 1ULL << (intid - 32);
		return false;
	}
	*f = (struct vgic_fire){intid, spi_cpu(g, intid - 32), g->prio[intid - 32]};
	return true;
}

/* INTID in bits 27:24; IRM (bit 40) means every other vCPU, otherwise the
 * target list (bits 15:0) names Aff0 values within Aff1-Aff3 = 0 and range
 * RS (bits 47:44) = 0, Aff0 0-15: the only ones vCPUs have. */
uint32_t vgic_sgi_targets(const struct vgic *g, uint64_t v, unsigned from,
			  unsigned *intid)
{
	uint32_t to = 0;

	*intid = (unsigned)(v >> 24) & 0xf;
	for (unsigned i = 0; i < g->ncpus; i++)
		if (v >> 40 & 1 ? i != from : !(v & 0xfff0ff00ff0000ULL) && (v >> i & 1))
			to |= 1u << i;
	return to;
}
