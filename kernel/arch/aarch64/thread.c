/*
 * Running a thread at EL0. Servers run the way seL4 runs native threads on
 * a hypervisor build: EL1&0 stage 1 off with HCR_EL2.DC (memory is normal
 * cacheable), TGE so that their SVCs and faults come to EL2, and their
 * address space is a stage-2 table walked by the same code as guests'.
 */
#include <arch.h>
#include <klib.h>
#include <thread.h>
#include "sysreg.h"

#define HCR_NATIVE    (HCR_VM | HCR_DC | HCR_TGE | HCR_RW)
#define CPTR_EL2_RES1 0x33ffULL /* TFP (bit 10) clear: FP/SIMD not trapped */

void arch_enter_user(void) __attribute__((noreturn));

void arch_thread_init_regs(struct thread *t, uint64_t entry, uint64_t sp, uint64_t arg)
{
	memset(&t->regs, 0, sizeof(t->regs));
	t->regs.elr = entry;
	t->regs.spsr = SPSR_EL0t;
	t->regs.sp = sp;
	t->regs.x[0] = arg;
}

static uint64_t vtcr_for(const struct pgt *p)
{
	uint64_t ps = read_sysreg(id_aa64mmfr0_el1) & 0x7;
	uint64_t sl0 = 2 - p->geom.start_level; /* 4 KiB granule: 0 = level 2 */

	return (64 - p->geom.ia_bits) | sl0 << 6 | 1ULL << 8 | 1ULL << 10 | 3ULL << 12 |
	       ps << 16 | BIT(31);
}

void arch_thread_start(struct thread *t)
{
	write_sysreg(vtcr_el2, vtcr_for(&t->vspace));
	write_sysreg(vttbr_el2, (uint64_t)t->vspace.vmid << 48 | pa_addr(t->vspace.root));
	write_sysreg(hcr_el2, HCR_NATIVE);
	write_sysreg(sctlr_el1,
		     SCTLR_EL1_RES1 | SCTLR_EL1_DZE | SCTLR_EL1_UCT | SCTLR_EL1_UCI);
	write_sysreg(cpacr_el1, CPACR_EL1_FPEN);
	write_sysreg(cptr_el2, CPTR_EL2_RES1);
	isb();
	__asm__ volatile("tlbi vmalls12e1" ::: "memory");
	dsb(ish);
	isb();
	write_sysreg(tpidr_el2, (uintptr_t)&t->regs);
	t->state = THREAD_RUNNING;
	thread_current = t;
	arch_enter_user();
}
