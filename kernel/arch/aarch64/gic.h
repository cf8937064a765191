/* The kernel's interrupt controller driver (GICv3, and GICv2 for boards)
 * and the EL2 timer that drives preemption. */
#pragma once
#include <types.h>

/* Private interrupts the kernel itself takes. */
#define GIC_PPI_MAINTENANCE 25 /* the virtual CPU interface needs attention */
#define GIC_PPI_HYP_TIMER   26 /* CNTHP, the EL2 physical timer */
#define GIC_PPI_VTIMER	    27 /* CNTV: the running guest's own timer */

/* GICv2: the distributor's ICPIDR2 (ArchRev in bits 7:4), and the virtual
 * interface control frame GICH. */
#define GICD_ICPIDR2	    0xfe8
#define GICD_ICPIDR2_REV(v) (((v) >> 4) & 0xf)
#define GICH_HCR	    0x000
#define GICH_VTR	    0x004
#define GICH_VMCR	    0x008
#define GICH_APR	    0x0f0
#define GICH_LR0	    0x100
#define GICH_VTR_LRS(v)	    ((unsigned)((v)&0x3f) + 1)
#define ICH_VTR_LRS(v)	    ((unsigned)((v)&0x1f) + 1) /* GICv3's ICH_VTR_EL2 */
/* ICH_HCR_EL2 and GICH_HCR alike. */
#define ICH_HCR_EN  BIT(0)
#define ICH_HCR_UIE BIT(1) /* maintenance interrupt when the LRs run dry */

void gic_init(unsigned version, unsigned list_regs);
/* Handles every pending interrupt; false if there was none. */
bool gic_dispatch(void);
/* Idles until an interrupt arrives, then handles it; false at once if no
 * interrupt can come (no user-level interrupt enabled, no waiting guest's
 * timer armed). */
bool gic_wait_and_dispatch(void);
/* Arms the EL2 timer for the slice: a whole one for a new turn, else
 * what is left of it (and for the first waiting guest's deadline). */
void gic_timer_arm(bool new_turn);
/* Enables or disables a private peripheral interrupt of the boot CPU. */
void arch_irq_set_ppi(unsigned irq, bool on);
/* Guests: their virtual timer fired; list-register maintenance (vcpu.c). */
void arch_vcpu_vtimer_fired(void);
void arch_vcpu_maintenance(void);
/* The guest's virtual GIC interface state, with its EL1 state (vgic.c). */
struct vcpu;
void vgic_init(unsigned gic_version, unsigned list_regs);
void vgic_save(struct vcpu *v);
void vgic_load(const struct vcpu *v);
/* Switches the virtual interface off (its list registers are left). */
void vgic_off(void);
