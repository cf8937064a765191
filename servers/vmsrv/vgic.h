/*
 * The GICv3 distributor and redistributors a guest programs. Delivery is
 * the kernel's (list registers); this model keeps what the guest sets
 * (enables, priorities, groups, configuration, routing) and holds back an
 * interrupt raised while disabled until the guest enables it. Pure.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#define VGIC_SPIS     64u /* INTIDs 32..95 */
#define VGIC_MAX_CPUS 4u
#define VGIC_NONE     0xffffffffu
/* Affinity fields Aff3, Aff2, Aff1, Aff0, as in MPIDR and GICD_IROUTER: a
 * vCPU's is its index in Aff0. */
#define VGIC_AFFINITY 0xff00ffffffULL

struct vgic_cpu {
	uint32_t enabled, pending, group, cfg[2];
	uint8_t prio[32];
	bool awake;
};

struct vgic {
	unsigned ncpus;
	uint32_t ctlr;
	uint64_t enabled, pending, group; /* SPIs, bit n = INTID 32 + n */
	uint32_t cfg[VGIC_SPIS / 16];
	uint8_t prio[VGIC_SPIS];
	uint64_t route[VGIC_SPIS];
	struct vgic_cpu cpu[VGIC_MAX_CPUS];
};

/* An interrupt to deliver now: to vCPU cpu, at priority prio. */
struct vgic_fire {
	unsigned intid, cpu, prio;
};

void vgic_reset(struct vgic *g, unsigned ncpus);
/*
 * Accesses at off in the distributor (cpu ~0) or in vCPU cpu's
 * redistributor frames (off from RD_base). False if the access is not to a
 * register of this size (the guest gets an abort). An enable can release
 * held interrupts: up to max of them land in out, their count in *nout;
 * those beyond max stay pending.
 */
bool vgic_access(struct vgic *g, unsigned cpu, uint64_t off, bool write, unsigned size,
		 uint64_t *val, struct vgic_fire *out, unsigned max, unsigned *nout);
/* A device or the doorbell raises intid (an SPI, or a PPI of cpu): true
 * with *f filled if it is to be delivered now, false if held back. */
bool vgic_raise(struct vgic *g, unsigned intid, unsigned cpu, struct vgic_fire *f);
/* vCPU from wrote v to ICC_SGI1R_EL1: the SGI's INTID goes in *intid, the
 * vCPUs it is for come back as a mask (bit n = vCPU n). */
uint32_t vgic_sgi_targets(const struct vgic *g, uint64_t v, unsigned from,
			  unsigned *intid);
