/* Thread switching between the aarch64 files: FP/SIMD state (fpsimd.S,
 * claimed lazily by trap.c), the return to user level (vectors.S) and the
 * EL1 setup of native threads (thread.c). */
#pragma once
#include <arch.h>

void fpsimd_save(struct fpsimd_state *s);
void fpsimd_restore(const struct fpsimd_state *s);
/* The current thread traps on FP/SIMD: gives it the registers. */
void arch_fp_claim(void);
void arch_enter_user(void) __attribute__((noreturn));
/* The EL1 values native threads run with (EL0 under TGE still reads some). */
void arch_native_el1(void);
