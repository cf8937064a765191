/*
 * The architecture interface: every hook the portable kernel (core/,
 * object/, mm/) calls, and the per-thread state the architecture defines.
 * Portable code includes no arch/ header but this one. The host tests
 * provide their own versions of the object code's hooks (tests/unit/kfix.c).
 */
#pragma once
#include <pgtable.h>
#include <types.h>
#include "../arch/aarch64/regs.h" /* struct arch_regs, struct fpsimd_state */

struct tcb;
struct vcpu;
struct vspace;

/* ---- boot and power ---- */
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
/* Ends the machine: semihosting exit in test builds, PSCI SYSTEM_OFF otherwise. */
__attribute__((noreturn)) void arch_shutdown(int status);
/* Halts after a kernel error; never returns. */
__attribute__((noreturn)) void arch_halt(void);

/* ---- threads ---- */
/* Sets EL2 up for threads and runs t, the first one; does not return. */
__attribute__((noreturn)) void arch_thread_start(struct tcb *t);
void arch_thread_init_regs(struct tcb *t, uint64_t entry, uint64_t sp, uint64_t arg);
/* t stops being a guest CPU: its next return is to a native thread's EL0. */
void arch_thread_make_native(struct tcb *t);
/* Runs next, which the scheduler would choose, in place of the current
 * thread, without the scheduler's turn and timer work (core/fastpath.c). */
__attribute__((noreturn)) void arch_fastpath_switch(struct tcb *next);
/* Called when a TCB goes away: the architecture forgets its FP state. */
void arch_tcb_forget(struct tcb *t);
/* Moves regs past the AArch32 instruction that an abort of `access` (its
 * SEPTA_ACCESS_* word, with SEPTA_ACCESS_AARCH32) stopped: its length, and
 * an IT block on by one. An AArch64 instruction is 4 bytes. */
void arch_step_aarch32(struct arch_regs *regs, uint64_t access);
/* Makes the system call regs stopped at run again when they resume: ELR
 * points past the SVC, which is 4 bytes. */
void arch_syscall_restart(struct arch_regs *regs);

#ifdef SEPTA_ENTRY_STATS
/* The bound benchmark's kernel (septa_kernel_stats) times every kernel
 * entry (SEPTA_SYS_TEST_ENTRY_MAX): begin on an exception from below and
 * again after idling, end on the way out. Other kernels do not, so that
 * their instruction counts stay exact. */
void arch_entry_begin(void);
void arch_entry_end(void);
void arch_entry_stats(uint64_t *max_ticks, uint64_t *entries);
#else
static inline void arch_entry_begin(void)
{
}
static inline void arch_entry_end(void)
{
}
#endif

#ifdef SEPTA_BOOT_STATS
/* bench.boot's kernel: at the first switch to a guest's vCPU, prints the
 * instructions since reset and ends the machine (arch/aarch64/bootbench.c). */
__attribute__((noreturn)) void arch_boot_first_guest(void);
#endif

/* ---- interrupts ---- */
void arch_irq_init(const struct arch_cpu_info *cpu);
bool arch_irq_user_allowed(unsigned irq);
void arch_irq_set_enabled(unsigned irq, bool on);
int arch_irq_test_pend(unsigned irq); /* test kernels only */

/* ---- stage 2 ---- */
extern const struct pgt_mm_ops arch_s2_mm_ops;
unsigned arch_pa_bits(void);
/* Fills [p, p + n) with zeros, fast where the CPU has a way (retype clears
 * every object it makes: the whole of RAM at boot, 2 MiB per guest block). */
void arch_zero(void *p, size_t n);
void arch_zero_init(void); /* reads the DC ZVA block size, once at boot */
uint64_t arch_zero_test_stores(bool stores); /* test kernels only */
/* Leaf attributes for normal memory / device memory with the given rights. */
pte_t arch_s2_attrs(bool read, bool write, bool exec);
pte_t arch_s2_device_attrs(bool read, bool write);
/* SEPTA_MAP_* rights of a leaf. */
unsigned arch_s2_rights(pte_t pte);
bool arch_s2_readable(pte_t pte);
/* A valid leaf over normal RAM, which the kernel's own map covers. */
bool arch_s2_normal_ram(pte_t pte);
/* A SEPTA_REPLY_STORE's store at p, the kernel's address of RAM: one
 * store of 2^size_log2 bytes of v (single-copy atomic when aligned), then
 * cleaned to the point of coherency for a guest whose caches are off. */
void arch_fault_store(void *p, unsigned size_log2, uint64_t v);
/* Drops every TLB entry tagged with vmid. */
void arch_vmid_flush(uint16_t vmid);
/* The VSpace is going away: the CPU must not keep using it. */
void arch_vspace_forget(struct vspace *vs);

/* ---- guest CPUs ---- */
/* Register numbers of enum septa_vcpu_reg in vcpu->sysreg. */
int arch_vcpu_reg_index(unsigned reg);
void arch_vcpu_reset(struct vcpu *v);
uint64_t arch_vcpu_entry_spsr(void);
/* SEPTA_PAGES_*: the stage-1 page sizes guests' ID registers offer. */
unsigned arch_vcpu_page_sizes(void);
/* The VCPU goes away: its state must not stay live in the registers. */
void arch_vcpu_forget(struct vcpu *v);
/* v's state goes to memory if the registers hold it (lazily, while a
 * native thread runs): before the kernel reads or writes its saved state. */
void arch_vcpu_unload(struct vcpu *v);
/* Enters the guest's EL1 vector with a synchronous external abort for the
 * abort it took at regs->elr (access: its SEPTA_ACCESS_* word, far: its
 * virtual address); its registers are saved. */
void arch_vcpu_inject_abort(struct vcpu *v, struct arch_regs *regs, uint64_t access,
			    uint64_t far);
/* Whether v can take virtual interrupt intid at priority prio now, the one
 * check of every injection: E_RANGE a reserved INTID (>= 1020) or a
 * priority above 255, E_STATE without a virtual CPU interface, E_IN_USE
 * when nothing can hold it (an INTID already held needs no room). */
int arch_vcpu_inject_check(const struct vcpu *v, uint64_t intid, uint64_t prio);
/* Queues a virtual interrupt for v, merged into the same INTID if a list
 * register or the queue holds it; fails as arch_vcpu_inject_check says,
 * changing nothing. */
int arch_vcpu_inject(struct vcpu *v, uint64_t intid, uint64_t prio);
