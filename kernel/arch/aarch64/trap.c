/*
 * Exception routing. Traps from lower ELs are dispatched through a table
 * indexed by exception class; the kernel's own exceptions are dumped and
 * halt the machine. Nothing a thread does reaches trap_kernel.
 */
#include <arch.h>
#include <kprintf.h>
#include <status.h>
#include <kernel.h>
#include "gic.h"
#include "regs.h"
#include "sysreg.h"

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

	if (t->slots[TCB_SLOT_FAULT].cap.type != CAP_ENDPOINT) {
		kprintf("septa: thread '%s' (tcb %p) fault: %s\n", t->name, (void *)t,
			ec_name(esr));
		kprintf("  ESR_EL2 %016lx  FAR_EL2 %016lx  IPA %016lx\n", esr, far, ipa);
		kprintf("  ELR_EL2 %016lx  SPSR_EL2 %016lx\n", r->elr, r->spsr);
		dump_regs(r);
	}
	if (abort)
		fault_raise(t, SEPTA_FAULT_VM, r->elr, ipa, ec == EC_IABT_LOW, esr);
	else
		fault_raise(t, SEPTA_FAULT_USER_EXCEPTION, r->elr, r->sp, esr, 0);
}

static void trap_svc(struct arch_regs *r, uint64_t esr)
{
	(void)esr;
	syscall_dispatch(r);
}

void arch_fp_claim(void);

static void trap_fp(struct arch_regs *r, uint64_t esr)
{
	(void)r;
	(void)esr;
	arch_fp_claim();
}

static const trap_handler_fn lower_sync_handlers[EC_MAX + 1] = {
    [EC_SVC64] = trap_svc,
    [EC_FP] = trap_fp,
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
