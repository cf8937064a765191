/*
 * Virtual interrupts: raising one (a device's line, the doorbell, an SGI),
 * routing it to a vCPU through the VM's vGIC, and handing what the vGIC
 * lets through to the kernel's list registers. The vGIC's registers are
 * emulated here too, as the distributor and redistributors of the VM's
 * device table.
 */
#pragma once
#include <stdint.h>

struct vm;
struct vcpu;

/* Registers the GICD and one GICR frame per vCPU in the VM's device table. */
int virq_attach(struct vm *vm);
/* The vGIC as at power-on. */
void virq_reset(struct vm *vm);
/* Delivers intid to the VM (held back by its vGIC while disabled); cpu is
 * the target of an SGI or PPI. */
void virq_raise(struct vm *vm, unsigned intid, unsigned cpu);
/* vCPU c wrote v to ICC_SGI1R_EL1: the SGI goes to the running targets. */
void virq_sgi(struct vcpu *c, uint64_t v);
