/* Guest CPU state between the aarch64 files (vcpu.c): switching EL1
 * owners, the ID registers guests read, the VCPU whose state is live, and
 * what wakes a guest waiting in WFI. */
#pragma once
#include <types.h>

struct tcb;
struct vcpu;

/* Makes the EL1 registers and HCR_EL2 right for `next`. */
void arch_vcpu_switch(struct tcb *next);
/* Whether id (SEPTA_SYSREG_ENC) is an ID register the kernel answers, and
 * what a guest reads there. */
bool arch_vcpu_is_id_reg(uint64_t id);
uint64_t arch_vcpu_id_value(uint64_t id);
/* Whose EL1 state and list registers the registers hold, NULL if none's:
 * the running guest's, or the last one's while native threads run. */
struct vcpu *arch_vcpu_live(void);
/* Whether its virtual timer fires at the right time now, so that its PPI
 * may be on: its thread runs, or its CNTVOFF is 0 as native threads' is. */
bool arch_vcpu_vtimer_on_time(void);

/* Whether a WFI of v's would end now: a virtual interrupt is pending for
 * it or its virtual timer is due. */
bool vcpu_wfi_wakes(const struct vcpu *v);
/* The physical count at which v's virtual timer fires (CVAL + CNTVOFF);
 * UINT64_MAX if it is off or masked. */
uint64_t vcpu_timer_deadline(const struct vcpu *v);
/* The first deadline of the guests waiting in WFI, UINT64_MAX if none has
 * one; and the waking of those whose deadline is past, their timer's
 * interrupt injected. */
uint64_t vcpu_wait_deadline(void);
void vcpu_wake_due(uint64_t now);
/* Whether a virtual interrupt is pending (in a list register or queued). */
bool vgic_irq_pending(const struct vcpu *v);
/* v's timer is due: its interrupt goes in (once) and v wakes, whether its
 * state is live or not (the physical interrupt stays masked until the
 * guest is done with the virtual one). */
void vgic_timer_inject(struct vcpu *v);
