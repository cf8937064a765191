/* The kernel's interrupt controller driver (GICv3, and GICv2 for boards)
 * and the EL2 timer that drives preemption. */
#pragma once
#include <types.h>

void gic_init(unsigned version);
/* Handles every pending interrupt; false if there was none. */
bool gic_dispatch(void);
/* Idles until an interrupt arrives, then handles it. */
void gic_wait_and_dispatch(void);
bool gic_user_irqs_enabled(void);
/* Restarts the current thread's time slice. */
void gic_timer_arm(void);
/* Enables or disables a private peripheral interrupt of the boot CPU. */
void arch_irq_set_ppi(unsigned irq, bool on);
/* Guests: their virtual timer fired; list-register maintenance (vcpu.c). */
void arch_vcpu_vtimer_fired(void);
void arch_vcpu_maintenance(void);
/* The guest's virtual GIC interface state, with its EL1 state (vgic.c). */
struct vcpu;
void vgic_init(unsigned gic_version);
void vgic_save(struct vcpu *v);
void vgic_load(struct vcpu *v);
