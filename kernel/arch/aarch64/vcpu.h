/* Guest CPU state between the aarch64 files (vcpu.c): switching EL1
 * owners, the ID registers guests read, the VCPU whose state is live. */
#pragma once
#include <types.h>

struct tcb;
struct vcpu;

/* Makes the EL1 registers and HCR_EL2 right for `next`. */
void arch_vcpu_switch(struct tcb *next);
bool arch_vcpu_is_id_read(uint64_t esr);
uint64_t arch_vcpu_id_value(uint64_t esr);
/* Whose EL1 state the registers hold; NULL: a native thread's. */
struct vcpu *arch_vcpu_live(void);
