/* The per-thread state the architecture defines: struct arch_regs, whose
 * layout C and the vectors share, and the FP/SIMD state (fpsimd.S). The
 * portable code reaches this header only through <arch.h>. */
#pragma once

#define REGS_X30  240
#define REGS_SP	  248
#define REGS_ELR  256
#define REGS_SPSR 264
#define REGS_SIZE 272

#define TRAP_KIND_SYNC	  0
#define TRAP_KIND_IRQ	  1
#define TRAP_KIND_FIQ	  2
#define TRAP_KIND_SERROR  3
#define TRAP_KIND_SP0	  4
#define TRAP_KIND_AARCH32 5

#ifndef __ASSEMBLER__
#include <types.h>

struct arch_regs {
	uint64_t x[31];
	uint64_t sp; /* SP_EL0 for threads; the interrupted SP for kernel traps */
	uint64_t elr;
	uint64_t spsr;
};

_Static_assert(sizeof(struct arch_regs) == REGS_SIZE, "arch_regs layout");
_Static_assert(__builtin_offsetof(struct arch_regs, elr) == REGS_ELR, "arch_regs elr");

struct fpsimd_state {
	uint64_t q[64];
	uint64_t fpsr, fpcr;
};
#endif
