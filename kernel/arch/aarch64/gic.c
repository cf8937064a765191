/*
 * A minimal GIC driver: all interrupts in group 1 at one priority, routed
 * to the boot CPU, EOI on acknowledge (EOImode 0). User-level interrupts
 * stay masked from delivery until their handler acknowledges them.
 */
#include <arch.h>
#include <core/sched.h>
#include <irq.h>
#include <object/tcb.h>
#include <plat.h>
#include "gic.h"
#include "sysreg.h"
#include "vcpu.h"

#define GICD_CTLR      0x0000
#define GICD_TYPER     0x0004
#define GICD_IGROUPR   0x0080
#define GICD_ISENABLER 0x0100
#define GICD_ICENABLER 0x0180
#define GICD_ISPENDR   0x0200
#define GICD_ITARGETSR 0x0800
#define GICD_IROUTER   0x6000
#define GICR_WAKER     0x0014
#define GICR_SGI       0x10000
#define GICC_CTLR      0x0000
#define GICC_PMR       0x0004
#define GICC_IAR       0x000c
#define GICC_EOIR      0x0010

#define ICC_PMR_EL1	S3_0_C4_C6_0
#define ICC_IAR1_EL1	S3_0_C12_C12_0
#define ICC_EOIR1_EL1	S3_0_C12_C12_1
#define ICC_CTLR_EL1	S3_0_C12_C12_4
#define ICC_IGRPEN1_EL1 S3_0_C12_C12_7

#define SPURIOUS 1023
/* Shorter than a guest kernel's tick (4 ms at Linux's HZ=250): a vCPU that
 * wakes for its timer behind a busy thread of its priority gets it no more
 * than a slice late (in the jiffies-clocked early boot, later is lost). A
 * thread that runs alone pays one EL2 timer interrupt per slice. */
#define TIME_SLICE_US 1000

static unsigned gic_version, spi_limit, user_enabled;
static uint64_t slice_ticks;
static uint64_t slice_end; /* CNTPCT at which the running thread's slice ends */

static volatile uint32_t *reg(uint64_t base, unsigned off)
{
	return (volatile uint32_t *)(uintptr_t)(base + off);
}

static void set_enabled(unsigned irq, bool on)
{
	uint32_t bit = 1u << (irq % 32);
	unsigned off = (on ? GICD_ISENABLER : GICD_ICENABLER) + 4 * (irq / 32);

	if (gic_version == 3 && irq < 32)
		*reg(plat.gicr_base + GICR_SGI, off) = bit;
	else
		*reg(plat.gicd_base, off) = bit;
	dsb(sy);
}

bool arch_irq_user_allowed(unsigned irq)
{
	/* Shared peripheral interrupts only: SGIs and PPIs belong to the CPU
	 * (timers, maintenance) and so to the kernel. */
	return irq >= 32 && irq < spi_limit;
}

void arch_irq_set_enabled(unsigned irq, bool on)
{
	bool was = false;

	if (irq < 32 || irq >= spi_limit)
		return;
	was = (*reg(plat.gicd_base, GICD_ISENABLER + 4 * (irq / 32)) >> (irq % 32)) & 1;
	if (was != on)
		user_enabled += on ? 1 : (unsigned)-1;
	if (on && gic_version == 3)
		*(volatile uint64_t *)(uintptr_t)(plat.gicd_base + GICD_IROUTER +
						  8 * irq) = 0;
	if (on && gic_version == 2)
		*((volatile uint8_t *)(uintptr_t)(plat.gicd_base + GICD_ITARGETSR) +
		  irq) = 1;
	set_enabled(irq, on);
}

void arch_irq_set_ppi(unsigned irq, bool on)
{
	if (gic_version && irq < 32)
		set_enabled(irq, on);
}

/* The EL2 timer fires at the end of the slice or when the first guest
 * waiting in WFI is due, whichever comes first. */
static void timer_program(uint64_t at)
{
	uint64_t due = vcpu_wait_deadline();

	write_sysreg(cnthp_cval_el2, due < at ? due : at);
}

/* A new turn (core/sched.c) gets a whole slice, a turn that goes on keeps
 * what is left of its own. With no guest waiting (the usual case, and
 * every IPC's) a new turn is a counter read and one register write, and a
 * turn that goes on needs none: the timer holds its end already (or an
 * earlier deadline, and timer_fired puts it back). The timer stays enabled
 * (gic_init) and the write takes effect by the ERET that follows. */
void gic_timer_arm(bool new_turn)
{
	if (new_turn) {
		slice_end = read_sysreg(cntpct_el0) + slice_ticks;
		if (!sched_waiting.head) {
			write_sysreg(cnthp_cval_el2, slice_end);
			return;
		}
	} else if (!sched_waiting.head) {
		return;
	}
	timer_program(slice_end);
}

/* Waiting guests whose timers are due become runnable; if the slice is
 * over, so is the turn: its owner goes to the back of its queue, and so
 * does the running thread (one above the owner's priority: round robin
 * among its own). The next to run starts a new turn (kernel_exit). */
static void timer_fired(void)
{
	uint64_t now = read_sysreg(cntpct_el0);

	if (sched_waiting.head)
		vcpu_wake_due(now);
	if (now < slice_end) {
		timer_program(slice_end);
		return;
	}
	sched_turn_end();
	gic_timer_arm(true); /* the interrupt is a level: off until then */
	if (sched_current && sched_current->state == TCB_RUNNABLE)
		sched_yield(sched_current);
}

static void init_v3(void)
{
	uint64_t rd = plat.gicr_base;

	*reg(plat.gicd_base, GICD_CTLR) = (1u << 4) | (1u << 1); /* ARE, group 1 */
	while (*reg(plat.gicd_base, GICD_CTLR) & (1u << 31))
		;
	*reg(rd, GICR_WAKER) &= ~(1u << 1); /* wake the boot CPU's redistributor */
	while (*reg(rd, GICR_WAKER) & (1u << 2))
		;
	*reg(rd + GICR_SGI, GICD_IGROUPR) = ~0u;
	/* Rounded up: IRQ_MAX (1020) is not a multiple of 32, and the last
	 * register holds INTIDs 992-1019 beside the reserved 1020-1023
	 * (RAZ/WI), which would otherwise stay in group 0. */
	for (unsigned i = 1; i < (spi_limit + 31) / 32; i++)
		*reg(plat.gicd_base, GICD_IGROUPR + 4 * i) = ~0u;
	write_sysreg(ICC_PMR_EL1, 0xff);
	write_sysreg(ICC_CTLR_EL1, 0);
	write_sysreg(ICC_IGRPEN1_EL1, 1);
	isb();
}

static void init_v2(void)
{
	*reg(plat.gicd_base, GICD_CTLR) = 1;
	*reg(plat.gicc_base, GICC_PMR) = 0xff;
	*reg(plat.gicc_base, GICC_CTLR) = 1;
}

void gic_init(unsigned version, unsigned list_regs)
{
	gic_version = version;
	spi_limit = ((*reg(plat.gicd_base, GICD_TYPER) & 0x1f) + 1) * 32;
	if (spi_limit > IRQ_MAX)
		spi_limit = IRQ_MAX;
	if (version == 3)
		init_v3();
	else
		init_v2();
	slice_ticks = read_sysreg(cntfrq_el0) / 1000000 * TIME_SLICE_US;
	write_sysreg(cnthp_cval_el2, UINT64_MAX);
	write_sysreg(cnthp_ctl_el2, CNT_CTL_ENABLE); /* enabled, not masked, for good */
	set_enabled(GIC_PPI_HYP_TIMER, true);
	set_enabled(GIC_PPI_MAINTENANCE, true);
	vgic_init(version, list_regs);
}

static unsigned ack(void)
{
	if (gic_version == 3)
		return (unsigned)read_sysreg(ICC_IAR1_EL1) & 0xffffff;
	return *reg(plat.gicc_base, GICC_IAR) & 0x3ff;
}

static void eoi(unsigned id)
{
	if (gic_version == 3) {
		write_sysreg(ICC_EOIR1_EL1, id);
		isb();
	} else {
		*reg(plat.gicc_base, GICC_EOIR) = id;
	}
}

bool gic_dispatch(void)
{
	bool any = false;

	if (!gic_version)
		return false;
	for (;;) {
		unsigned id = ack();

		if (id >= SPURIOUS)
			return any;
		any = true;
		if (id == GIC_PPI_HYP_TIMER) {
			timer_fired();
		} else if (id == GIC_PPI_VTIMER) {
			arch_vcpu_vtimer_fired();
		} else if (id == GIC_PPI_MAINTENANCE) {
			arch_vcpu_maintenance();
		} else {
			irq_deliver(id);
		}
		eoi(id);
	}
}

bool gic_wait_and_dispatch(void)
{
	uint64_t due = vcpu_wait_deadline();

	if (due == UINT64_MAX && !user_enabled)
		return false; /* nothing could ever end the wait */
	/* No slice runs: the EL2 timer only wakes the first waiting guest (at
	 * UINT64_MAX it never fires). */
	write_sysreg(cnthp_cval_el2, due);
	isb();
	/* WFI wakes on a pending interrupt even with PSTATE.I set. */
	__asm__ volatile("dsb sy; wfi" ::: "memory");
	gic_dispatch();
	return true;
}

void arch_irq_init(const struct arch_cpu_info *cpu)
{
	if (cpu->gic_version)
		gic_init(cpu->gic_version, cpu->list_regs);
}

#ifdef SEPTA_TEST_BUILD
/* Lets a test raise a shared peripheral interrupt without a device. */
int arch_irq_test_pend(unsigned irq)
{
	if (!arch_irq_user_allowed(irq))
		return SEPTA_E_RANGE;
	*reg(plat.gicd_base, GICD_ISPENDR + 4 * (irq / 32)) = 1u << (irq % 32);
	dsb(sy);
	return SEPTA_OK;
}
#endif
