/* Guest CPUs (vcpu.c). */
#pragma once
#include <types.h>

struct tcb;

/* The EL1 state of a guest CPU while its thread is not running; the
 * architecture's save/restore defines the order (arch/aarch64/vcpu.c). */
#define VCPU_SYSREGS 32
#define VCPU_LRS     4	/* list registers saved (QEMU's GICv3 has 4) */
#define VCPU_PENDING 16 /* virtual interrupts waiting for a list register */
struct vcpu {
	uint64_t sysreg[VCPU_SYSREGS];
	uint64_t lr[VCPU_LRS];
	uint64_t vmcr, ap0r0, ap1r0;
	uint32_t pending[VCPU_PENDING]; /* INTID | priority << 16, FIFO */
	uint8_t npending;
	bool vtimer_idle; /* false while its timer's interrupt is injected, not done */
	struct tcb *tcb;
};
_Static_assert(sizeof(struct vcpu) <= 4096, "VCPU size");

void vcpu_init(struct vcpu *v);
void vcpu_finalise(struct vcpu *v);
/* Unbinds v from its thread (if any), which is stopped and made native. */
void vcpu_unbind(struct vcpu *v);
