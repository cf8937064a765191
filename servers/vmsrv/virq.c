/*
 * The vGIC model (vgic.c) decides what is delivered, to which vCPU, at which
 * priority; this file is where its decisions meet the kernel.
 */
#include "virq.h"
#include "vm.h"

/* Interrupts one register write can release: every SPI (GICD_CTLR), which
 * is more than a redistributor's 32. */
#define GIC_RELEASE_MAX VGIC_SPIS

static void fire(struct vm *vm, const struct vgic_fire *f)
{
	septa_vcpu_inject_irq(vm->cpus[f->cpu].vcpu, f->intid, f->prio);
}

void virq_raise(struct vm *vm, unsigned intid, unsigned cpu)
{
	struct vgic_fire f;

	if (vgic_raise(&vm->gic, intid, cpu, &f))
		fire(vm, &f);
}

void virq_sgi(struct vcpu *c, uint64_t v)
{
	struct vm *vm = c->vm;
	unsigned intid;
	uint32_t to = vgic_sgi_targets(&vm->gic, v, c->index, &intid);

	for (unsigned i = 0; i < vm->cfg->cpus; i++)
		if (to >> i & 1 && vm->cpus[i].state == VCPU_ON)
			virq_raise(vm, intid, i);
}

/* An enable can release held interrupts: they go at once. */
static bool gic_access(struct vm *vm, unsigned cpu, uint64_t off, bool write,
		       unsigned size, uint64_t *val)
{
	struct vgic_fire fires[GIC_RELEASE_MAX];
	unsigned n;
	bool ok =
	    vgic_access(&vm->gic, cpu, off, write, size, val, fires, GIC_RELEASE_MAX, &n);

	for (unsigned i = 0; i < n; i++)
		fire(vm, &fires[i]);
	return ok;
}

static bool gicd_access(void *vm, uint64_t off, bool write, unsigned size, uint64_t *val)
{
	return gic_access(vm, VGIC_NONE, off, write, size, val);
}

static bool gicr_access(void *vcpu, uint64_t off, bool write, unsigned size,
			uint64_t *val)
{
	struct vcpu *c = vcpu;

	return gic_access(c->vm, c->index, off, write, size, val);
}

int virq_attach(struct vm *vm)
{
	if (mmio_register(&vm->mmio, VPLAT_GICD, VPLAT_GICD_SIZE, gicd_access, vm))
		return -1;
	for (unsigned i = 0; i < vm->cfg->cpus; i++)
		if (mmio_register(&vm->mmio, VPLAT_GICR + i * VPLAT_GICR_SIZE,
				  VPLAT_GICR_SIZE, gicr_access, &vm->cpus[i]))
			return -1;
	return 0;
}

void virq_reset(struct vm *vm)
{
	vgic_reset(&vm->gic, vm->cfg->cpus);
}
