/* What core kernel code asks of the architecture layer. */
#pragma once
#include <pgtable.h>
#include <types.h>

struct tcb;

struct arch_cpu_info {
	uint64_t midr, mpidr;
	const char *cpu_name;
	unsigned pa_bits;
	unsigned vmid_bits;
	unsigned gic_version; /* 2 or 3; 0 if none was recognised */
	unsigned list_regs;
	uint64_t vtr; /* ICH_VTR_EL2 or GICH_VTR as read */
	uint32_t psci_version;
};

void arch_cpu_probe(struct arch_cpu_info *info);
/* Builds and enables the EL2 stage-1 tables: image, RAM, platform devices.
 * Returns how many table pages they took. */
unsigned arch_mmu_init(uint64_t ram_base, uint64_t ram_size);
#include <s2.h>
/* Sets EL2 up for threads and runs t, the first one; does not return. */
__attribute__((noreturn)) void arch_thread_start(struct tcb *t);
void arch_thread_init_regs(struct tcb *t, uint64_t entry, uint64_t sp, uint64_t arg);
void arch_irq_init(unsigned gic_version);
/* Ends the machine: semihosting exit in test builds, PSCI SYSTEM_OFF otherwise. */
__attribute__((noreturn)) void arch_shutdown(int status);
/* Halts after a kernel error; never returns. */
__attribute__((noreturn)) void arch_halt(void);
