/*
 * Exception routing. Traps from lower ELs are dispatched through a table
 * indexed by exception class; the kernel's own exceptions are dumped and
 * halt the machine. Nothing a thread does reaches trap_kernel.
 */
#include <arch.h>
#include <core/fastpath.h>
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

/* The faulting IPA of an abort: the page from HPFAR_EL2, the offset within
 * it from FAR_EL2. HPFAR_EL2 is written by stage-2 faults only: after
 * anything else (a native thread's alignment fault) it still holds an
 * earlier fault's page, perhaps another partition's. A native thread's
 * stage 1 is off, so its virtual address is the IPA. */
static uint64_t abort_ipa(uint64_t far, bool stage2)
{
	if (!stage2 && !sched_current->vcpu)
		return far;
	return HPFAR_PAGE(read_sysreg(hpfar_el2)) | (far & 0xfff);
}

/* A guest's exit to its VMM waiting goes straight there (the fault
 * fastpath); this returns if the full path must serve it. */
static inline void guest_exit_fast(struct tcb *t, unsigned label, const uint64_t *mr,
				   unsigned n)
{
	if (t->vcpu && !fastpath_off)
		fastpath_fault(t, label, mr, n);
}

/* Sends the decoded exception to the thread's fault endpoint. Without a
 * handler the kernel reports it first, where the registers are at hand. */
static void fault_send(struct arch_regs *r, uint64_t esr, unsigned label,
		       const uint64_t *mr, unsigned n)
{
	struct tcb *t = sched_current;

	guest_exit_fast(t, label, mr, n);
	if (t->slots[TCB_SLOT_FAULT].cap.type != CAP_ENDPOINT) {
		uint64_t far = read_sysreg(far_el2);

		kprintf("septa: thread '%s' (tcb %p) fault: %s\n", t->name, (void *)t,
			ec_name(esr));
		kprintf("  ESR_EL2 %016lx  FAR_EL2 %016lx  IPA %016lx\n", esr, far,
			abort_ipa(far, false));
		kprintf("  ELR_EL2 %016lx  SPSR_EL2 %016lx\n", r->elr, r->spsr);
		dump_regs(r);
	}
	fault_raise(t, label, mr, n);
}

/* Anything without a decoder of its own: the class and the raw syndrome. */
static void thread_fault(struct arch_regs *r, uint64_t esr)
{
	uint64_t mr[SEPTA_EXCEPTION_LEN] = {
	    [SEPTA_EXCEPTION_PC] = r->elr,
	    [SEPTA_EXCEPTION_SP] = r->sp,
	    [SEPTA_EXCEPTION_CLASS] = ESR_EC(esr),
	    [SEPTA_EXCEPTION_ESR] = esr,
	};

	fault_send(r, esr, SEPTA_FAULT_EXCEPTION, mr, SEPTA_EXCEPTION_LEN);
}

static void trap_svc(struct arch_regs *r, uint64_t esr)
{
	struct cte *slot = NULL;

	(void)esr;
	/* Each returns if the full path must serve it; a Call with its slot. */
	if (r->x[7] == SEPTA_SYS_CALL && !fastpath_off)
		slot = fastpath_call_check(sched_current);
	else if (r->x[7] == SEPTA_SYS_REPLY_RECV && !fastpath_off)
		fastpath_reply_recv_check(sched_current);
	syscall_dispatch(r, slot);
}

/* Guests' calls to the hypervisor and the secure monitor. */
static void trap_hvc(struct arch_regs *r, uint64_t esr)
{
	if (!sched_current->vcpu) {
		thread_fault(r, esr);
		return;
	}
	unsigned label = ESR_EC(esr) == EC_HVC64 ? SEPTA_FAULT_HVC : SEPTA_FAULT_SMC;

	guest_exit_fast(sched_current, label, r->x, SEPTA_HVC_LEN);
	fault_raise(sched_current, label, r->x, SEPTA_HVC_LEN);
}

/* The value of register reg that a store of 1 << size_log2 bytes writes. */
static uint64_t stored_value(const struct arch_regs *r, unsigned reg, unsigned size_log2)
{
	uint64_t v = reg == 31 ? 0 : r->x[reg];

	return size_log2 < 3 ? v & ((1ULL << (8u << size_log2)) - 1) : v;
}

/*
 * A guest's set/way data-cache operation, done here on its behalf. The
 * kernel runs on one CPU and the guest sees the real cache geometry
 * (CLIDR/CCSIDR do not trap), so its set/way value names real lines and
 * the operation itself is the right one; an invalidate is made a clean and
 * invalidate, since the set holds the kernel's and other partitions' lines
 * too, whose data it must not throw away.
 */
static bool guest_set_way(uint64_t id, uint64_t value)
{
	if (id == SYS_DC_CSW)
		__asm__ volatile("dc csw, %0" ::"r"(value) : "memory");
	else if (id == SYS_DC_ISW || id == SYS_DC_CISW)
		__asm__ volatile("dc cisw, %0" ::"r"(value) : "memory");
	else
		return false;
	dsb(sy);
	return true;
}

/* A guest's ID register reads and set/way operations are answered here;
 * everything else (PMU, debug, SGIs, ...) goes to its handler as an 8-byte
 * access. */
static void trap_sysreg(struct arch_regs *r, uint64_t esr)
{
	uint64_t id =
	    SEPTA_SYSREG_ENC(ISS_SYS_OP0(esr), ISS_SYS_OP1(esr), ISS_SYS_CRN(esr),
			     ISS_SYS_CRM(esr), ISS_SYS_OP2(esr));
	unsigned rt = ISS_SYS_RT(esr);
	bool read = esr & ISS_SYS_READ;

	if (sched_current->vcpu && read && arch_vcpu_is_id_reg(id)) {
		if (rt != 31)
			r->x[rt] = arch_vcpu_id_value(id);
		r->elr += 4;
		return;
	}
	if (sched_current->vcpu && !read && guest_set_way(id, stored_value(r, rt, 3))) {
		r->elr += 4;
		return;
	}
	uint64_t mr[SEPTA_SYSREG_LEN] = {
	    [SEPTA_SYSREG_PC] = r->elr,
	    [SEPTA_SYSREG_ID] = id,
	    [SEPTA_SYSREG_ACCESS] = (read ? SEPTA_ACCESS_READ : SEPTA_ACCESS_WRITE) |
				    SEPTA_ACCESS_VALID | SEPTA_ACCESS_WIDE |
				    3u << SEPTA_ACCESS_SIZE_SHIFT |
				    rt << SEPTA_ACCESS_REG_SHIFT,
	    [SEPTA_SYSREG_VALUE] = read ? 0 : stored_value(r, rt, 3),
	    [SEPTA_SYSREG_ESR] = esr,
	};

	fault_send(r, esr, SEPTA_FAULT_SYSREG, mr, SEPTA_SYSREG_LEN);
}

_Static_assert(FSC_ACCESS_FLAG - FSC_TRANSLATION == SEPTA_CAUSE_ACCESS_FLAG &&
		   FSC_PERMISSION - FSC_TRANSLATION == SEPTA_CAUSE_PERMISSION &&
		   SEPTA_CAUSE_TRANSLATION == 0,
	       "causes in the order of the fault status codes");

/* SEPTA_ACCESS_BIG_ENDIAN if the thread's data accesses are big-endian:
 * AArch32's PSTATE.E, else SCTLR_EL1's (the thread's own, still loaded)
 * EE from EL1 or E0E from EL0, one bit apart: SPSR.M[2] is the EL. */
_Static_assert(SCTLR_EL1_EE == SCTLR_EL1_E0E << 1, "EE just above E0E");
static inline unsigned access_big_endian(const struct arch_regs *r)
{
	uint64_t spsr = r->spsr;

	if (spsr & SPSR_AARCH32)
		return spsr & SPSR_A32_E ? SEPTA_ACCESS_BIG_ENDIAN : 0;
	return (unsigned)(read_sysreg(sctlr_el1) >>
			      (__builtin_ctzll(SCTLR_EL1_E0E) + (spsr >> 2 & 1)) &
			  1) *
	       SEPTA_ACCESS_BIG_ENDIAN;
}

/*
 * The one decoder of a data or instruction abort from a lower EL, a
 * guest's or a native thread's: what was accessed, how, and (when the
 * syndrome says) with which register and value. The handler decides what
 * the address is; the kernel does not guess.
 */
static void trap_abort(struct arch_regs *r, uint64_t esr)
{
	uint64_t far = read_sysreg(far_el2), value = 0;
	unsigned type = FSC_TYPE(ISS_FSC(esr));
	bool stage2 = type >= FSC_TRANSLATION && type <= FSC_PERMISSION;
	unsigned access = ESR_EC(esr) == EC_IABT_LOW ? SEPTA_ACCESS_FETCH
			  : esr & ISS_WNR	     ? SEPTA_ACCESS_WRITE
						     : SEPTA_ACCESS_READ;

	if (r->spsr & SPSR_AARCH32)
		access |= SEPTA_ACCESS_AARCH32 | (esr & ESR_IL ? 0 : SEPTA_ACCESS_SHORT);
	access |= (stage2 ? type - FSC_TRANSLATION : SEPTA_CAUSE_OTHER)
		  << SEPTA_ACCESS_CAUSE_SHIFT;
	if (SEPTA_ACCESS_KIND(access) != SEPTA_ACCESS_FETCH && (esr & ISS_ISV)) {
		unsigned reg = ISS_SRT(esr), size_log2 = (unsigned)ISS_SAS(esr);

		access |= SEPTA_ACCESS_VALID | size_log2 << SEPTA_ACCESS_SIZE_SHIFT |
			  reg << SEPTA_ACCESS_REG_SHIFT |
			  (esr & ISS_SSE ? SEPTA_ACCESS_SIGNED : 0) |
			  (esr & ISS_SF ? SEPTA_ACCESS_WIDE : 0) | access_big_endian(r);
		if (SEPTA_ACCESS_KIND(access) == SEPTA_ACCESS_WRITE)
			value = stored_value(r, reg, size_log2);
	}
	uint64_t mr[SEPTA_ABORT_LEN] = {
	    [SEPTA_ABORT_PC] = r->elr,	   [SEPTA_ABORT_IPA] = abort_ipa(far, stage2),
	    [SEPTA_ABORT_ACCESS] = access, [SEPTA_ABORT_VALUE] = value,
	    [SEPTA_ABORT_FAR] = far,	   [SEPTA_ABORT_ESR] = esr,
	};

	fault_send(r, esr, SEPTA_FAULT_ABORT, mr, SEPTA_ABORT_LEN);
}

/* ITAdvance (Arm ARM, AArch32 PSTATE.IT): one instruction of an IT block
 * done. IT[1:0] are SPSR bits 26:25, IT[7:2] bits 15:10. */
static uint64_t it_advance(uint64_t spsr)
{
	unsigned it = (unsigned)(spsr >> SPSR_IT_LO_SHIFT & 3) |
		      (unsigned)(spsr >> SPSR_IT_HI_SHIFT & 0x3f) << 2;

	it = (it & 7) == 0 ? 0 : (it & 0xe0) | ((it << 1) & 0x1f);
	spsr &= ~(3ULL << SPSR_IT_LO_SHIFT | 0x3fULL << SPSR_IT_HI_SHIFT);
	return spsr | (uint64_t)(it & 3) << SPSR_IT_LO_SHIFT |
	       (uint64_t)(it >> 2) << SPSR_IT_HI_SHIFT;
}

void arch_step_aarch32(struct arch_regs *regs, uint64_t access)
{
	regs->elr += access & SEPTA_ACCESS_SHORT ? 2 : 4;
	regs->spsr = it_advance(regs->spsr);
}

/*
 * A guest's WFI blocks its thread until it has something to wake for (an
 * interrupt in its list registers or queue, or its virtual timer due), so
 * that a waiting guest costs nothing. WFE waits for an event another CPU
 * sends, typically the holder of a spinlock: yielding lets the other
 * threads of its priority (a preempted holder among them) run first.
 * Either way the guest goes on after the instruction. A native thread's
 * WFI (SCTLR_EL1.nTWI is 0) is an exception like any other.
 */
static void trap_wfx(struct arch_regs *r, uint64_t esr)
{
	struct tcb *t = sched_current;

	if (!t->vcpu) {
		thread_fault(r, esr);
		return;
	}
	if (r->spsr & SPSR_AARCH32)
		arch_step_aarch32(r, esr & ESR_IL ? 0 : SEPTA_ACCESS_SHORT);
	else
		r->elr += 4;
	if (esr & ISS_WFX_WFE)
		sched_yield(t);
	else if (!vcpu_wfi_wakes(t->vcpu))
		sched_wait(t);
}

static void trap_fp(struct arch_regs *r, uint64_t esr)
{
	(void)r;
	(void)esr;
	arch_fp_claim();
}

static const trap_handler_fn lower_sync_handlers[EC_MAX + 1] = {
    [EC_SVC64] = trap_svc,     [EC_FP] = trap_fp,	   [EC_HVC64] = trap_hvc,
    [EC_SMC64] = trap_hvc,     [EC_DABT_LOW] = trap_abort, [EC_IABT_LOW] = trap_abort,
    [EC_SYSREG] = trap_sysreg, [EC_WFX] = trap_wfx,
};

#ifdef SEPTA_ENTRY_STATS
static uint64_t entry_start, entry_max, entry_count;

void arch_entry_begin(void)
{
	entry_start = read_sysreg(cntpct_el0);
}

void arch_entry_end(void)
{
	uint64_t d = read_sysreg(cntpct_el0) - entry_start;

	if (d > entry_max)
		entry_max = d;
	entry_count++;
}

void arch_entry_stats(uint64_t *max_ticks, uint64_t *entries)
{
	*max_ticks = entry_max;
	*entries = entry_count;
	entry_max = entry_count = 0;
}
#endif

void trap_lower_sync(struct arch_regs *r)
{
	arch_entry_begin();
	uint64_t esr = read_sysreg(esr_el2);
	trap_handler_fn h;

	/* The fastpaths' exceptions without the table's indirect call. */
	if (ESR_EC(esr) == EC_SVC64) {
		trap_svc(r, esr);
		return;
	}
	if (ESR_EC(esr) == EC_HVC64) {
		trap_hvc(r, esr);
		return;
	}
	if (ESR_EC(esr) == EC_DABT_LOW) {
		trap_abort(r, esr);
		return;
	}
	h = lower_sync_handlers[ESR_EC(esr)];
	(h ? h : thread_fault)(r, esr);
}

void trap_lower_irq(struct arch_regs *r)
{
	(void)r;
	arch_entry_begin();
	gic_dispatch();
}

void trap_lower_serror(struct arch_regs *r)
{
	arch_entry_begin();
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
