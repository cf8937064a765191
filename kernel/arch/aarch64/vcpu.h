/* Guest CPU state between the aarch64 files (vcpu.c): switching EL1
 * owners, the ID registers guests read, the VCPU whose state is live. */
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
/* Whose EL1 state the registers hold; NULL: a native thread's. */
struct vcpu *arch_vcpu_live(void);
