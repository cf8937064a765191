/*
 * Exception routing. Traps from lower ELs are dispatched through a table
 * indexed by exception class; the kernel's own exceptions are dumped and
 * halt the machine. Nothing a thread does reaches trap_kernel.
 */
#include <arch.h>
#include <core/sched.h>
#include <kernel.h>
#include <kprintf.h>
#include <object/cap.h>
#include <object/tcb.h>
#include <object/vcpu.h>
#include <status.h>
#include "gic.h"
#include "regs.h"
#include "sysreg.h"
#include "thread.h"
#include "vcpu.h"

typedef void (*trap_handler_fn)(struct arch_regs *r, uint64_t esr);

static const char *const ec_names[EC_MAX + 1] = {
    [EC_UNKNOWN] = "unknown/undefined instruction",
    [EC_WFX] = "WFI/WFE",
    [EC_FP] = "FP/SIMD access",
    [EC_ILLEGAL] = "illegal execution state",
    [EC_SVC64] = "SVC",
    [EC_HVC64] = "HVC",
    [EC_SMC64] = "SMC",
    [EC_SYSREG] = "system register access",
    [EC_IABT_LOW] = "instruction abort (lower EL)",
    [EC_IABT_CUR] = "instruction abort (EL2)",
    [EC_PC_ALIGN] = "PC alignment",
    [EC_DABT_LOW] = "data abort (lower EL)",
    [EC_DABT_CUR] = "data abort (EL2)",
    [EC_SP_ALIGN] = "SP alignment",
    [EC_SERROR] = "SError",
    [EC_BRK64] = "BRK",
};

static const char *ec_name(uint64_t esr)
{
	const char *n = ec_names[ESR_EC(esr)];

	return n ? n : "other";
}

static void dump_regs(const struct arch_regs *r)
{
	for (int i = 0; i < 31; i += 2) {
		if (i == 30)
			kprintf("  x30 %016lx  sp  %016lx\n", r->x[30], r->sp);
		else
			kprintf("  x%-2d %016lx  x%-2d %016lx\n", i, r->x[i], i + 1,
				r->x[i + 1]);
	}
}

/*
 * A thread's exception: a stage-2 abort becomes a VM fault, anything else
 * a user exception, both sent to its fault endpoint. Without a handler the
 * kernel reports it here, where the registers are at hand.
 */
static void thread_fault(struct arch_regs *r, uint64_t esr)
{
	struct tcb *t = sched_current;
	uint64_t ec = ESR_EC(esr);
	uint64_t far = read_sysreg(far_el2);
	uint64_t ipa = (read_sysreg(hpfar_el2) >> 4) << 12 | (far & 0xfff);
	bool abort = ec == EC_DABT_LOW || ec == EC_IABT_LOW;

	if (t->vcpu)
		t->vcpu->fault_va = far;

	if (t->slots[TCB_SLOT_FAULT].cap.type != CAP_ENDPOINT) {
		kprintf("septa: thread '%s' (tcb %p) fault: %s\n", t->name, (void *)t,
			ec_name(esr));
		kprintf("  ESR_EL2 %016lx  FAR_EL2 %016lx  IPA %016lx\n", esr, far, ipa);
		kprintf("  ELR_EL2 %016lx  SPSR_EL2 %016lx\n", r->elr, r->spsr);
		dump_regs(r);
	}
	uint64_t vm[4] = {r->elr, ipa, ec == EC_IABT_LOW, esr},
		 ex[3] = {r->elr, r->sp, esr};

	if (abort)
		fault_raise(t, SEPTA_FAULT_VM, vm, 4);
	else
		fault_raise(t, SEPTA_FAULT_USER_EXCEPTION, ex, 3);
}

static void trap_svc(struct arch_regs *r, uint64_t esr)
{
	(void)esr;
	syscall_dispatch(r);
}

/* Guests' calls to the hypervisor and the secure monitor. */
static void trap_hvc(struct arch_regs *r, uint64_t esr)
{
	if (!sched_current->vcpu) {
		thread_fault(r, esr);
		return;
	}
	fault_raise(sched_current,
		    ESR_EC(esr) == EC_HVC64 ? SEPTA_FAULT_HVC : SEPTA_FAULT_SMC, r->x, 8);
}

/* System-register traps: a guest's ID register reads are answered here;
 * everything else (PMU, debug, set/way, ...) goes to its handler. */
static void trap_sysreg(struct arch_regs *r, uint64_t esr)
{
	unsigned rt = (unsigned)(esr >> 5) & 0x1f;
	if (sched_current->vcpu && arch_vcpu_is_id_read(esr)) {
		if (rt != 31)
			r->x[rt] = arch_vcpu_id_value(esr);
		r->elr += 4;
		return;
	}
	thread_fault(r, esr);
}

#define ISS_ISV	     BIT(24)
#define ISS_WNR	     BIT(6)
#define ISS_DFSC(e)  ((e)&0x3f)
#define DFSC_TRANS_0 0x04 /* translation faults are 0x04-0x07 by level */

/*
 * A guest's load or store to an IPA with nothing mapped, which the CPU
 * describes fully (ISV), is device emulation: the handler gets the
 * address, size, direction, register and the value stored. Anything else
 * is an ordinary VM fault.
 */
static void trap_dabt(struct arch_regs *r, uint64_t esr)
{
	uint64_t far = read_sysreg(far_el2);
	uint64_t ipa = (read_sysreg(hpfar_el2) >> 4) << 12 | (far & 0xfff);
	unsigned reg = (unsigned)(esr >> 16) & 0x1f;
	bool write = esr & ISS_WNR;

	if (!sched_current->vcpu || !(esr & ISS_ISV) ||
	    (ISS_DFSC(esr) & 0x3c) != DFSC_TRANS_0) {
		thread_fault(r, esr);
		return;
	}
	sched_current->vcpu->fault_va = far;
	fault_raise(
	    sched_current, SEPTA_FAULT_MMIO,
	    (uint64_t[]){ipa, r->elr, esr,
			 (uint64_t)write | ((esr >> 22) & 3) << 1 | (uint64_t)reg << 4,
			 write && reg != 31 ? r->x[reg] : 0},
	    5);
}

static void trap_fp(struct arch_regs *r, uint64_t esr)
{
	(void)r;
	(void)esr;
	arch_fp_claim();
}

static const trap_handler_fn lower_sync_handlers[EC_MAX + 1] = {
    [EC_SVC64] = trap_svc, [EC_FP] = trap_fp,	      [EC_HVC64] = trap_hvc,
    [EC_SMC64] = trap_hvc, [EC_DABT_LOW] = trap_dabt, [EC_SYSREG] = trap_sysreg,
};

void trap_lower_sync(struct arch_regs *r)
{
	uint64_t esr = read_sysreg(esr_el2);
	trap_handler_fn h = lower_sync_handlers[ESR_EC(esr)];

	(h ? h : thread_fault)(r, esr);
}

void trap_lower_irq(struct arch_regs *r)
{
	(void)r;
	gic_dispatch();
}

void trap_lower_serror(struct arch_regs *r)
{
	kprintf("septa: SError while a thread ran\n");
	thread_fault(r, read_sysreg(esr_el2));
}

extern char boot_stack_top[];
#define KERNEL_STACK_SIZE 16384

/* Frame records (x29 chain) as long as they stay inside the kernel stack. */
static void backtrace(const struct arch_regs *r)
{
	uint64_t top = (uintptr_t)boot_stack_top, bottom = top - KERNEL_STACK_SIZE;
	uint64_t fp = r->x[29];

	kprintf("  backtrace: %016lx", r->elr);
	for (int depth = 0;
	     depth < 16 && fp >= bottom && fp + 16 <= top && IS_ALIGNED(fp, 16);
	     depth++) {
		const uint64_t *frame = (const uint64_t *)(uintptr_t)fp;

		kprintf(" %016lx", frame[1]);
		fp = frame[0];
	}
	kprintf("\n");
}

static const char *const kind_names[] = {"synchronous", "IRQ",	     "FIQ",
					 "SError",	"on SP_EL0", "from AArch32"};

void trap_kernel(struct arch_regs *r, unsigned kind)
{
	uint64_t esr = read_sysreg(esr_el2);

	kprintf("\nsepta: KERNEL EXCEPTION (%s) at EL2: %s\n", kind_names[kind],
		ec_name(esr));
	kprintf("  ESR_EL2 %016lx  FAR_EL2 %016lx\n", esr, read_sysreg(far_el2));
	kprintf("  ELR_EL2 %016lx  SPSR_EL2 %016lx\n", r->elr, r->spsr);
	dump_regs(r);
	backtrace(r);
	arch_halt();
}
