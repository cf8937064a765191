/*
 * The hostile guest of the containment scenario: both of its vCPUs storm
 * vmsrv and the kernel with every exit a guest can cause, in a fixed
 * rotation, until another VM rings its doorbell (the measured guest,
 * tests/guests/work.c, when it is done):
 *   MMIO to an emulated device (PL011 and vGIC distributor registers, read
 *   and written), accesses to IPAs nothing is mapped at (each answered with
 *   an abort), valid and unknown hypercalls, SGIs to itself and to the
 *   other vCPU, its virtual timer at the shortest period (TVAL 1, re-armed
 *   from the interrupt for a burst of ticks), WFI with that timer armed,
 *   and WFE.
 * Then it prints what each vCPU did and the exits vmsrv served it, and
 * powers off. storm.ops=N in the bootargs picks operations by bit
 * (1 << OP_*; default all); with none it is the benchmark's CPU-bound
 * guest of the same two vCPUs, which never exits.
 */
#include "lib/glib.h"

#define UART(off) (*(volatile uint32_t *)(GUEST_UART + (off)))
#define GICD(off) (*(volatile uint32_t *)(0x08000000UL + (off)))
#define UNMAPPED  0x20000000UL /* below RAM, no device there */
#define VTIMER	  27u
#define BURST	  8u /* ticks per timer burst */

enum {
	OP_DEVICE,
	OP_UNMAPPED,
	OP_HVC,
	OP_BAD_HVC,
	OP_SGI,
	OP_TIMER,
	OP_WFI,
	OP_WFE,
	OPS
};
static const char *const op_names[OPS] = {"device", "unmapped", "hvc", "bad-hvc",
					  "sgi",    "timer",	"wfi", "wfe"};

extern char guest_secondary_entry[];
static volatile uint64_t done[2][OPS];
static volatile unsigned burst[2], stop, secondary_off;
static uint64_t ops; /* which of them, by bit (storm.ops=, bootargs) */
static uint8_t secondary_stack[4096] __attribute__((aligned(16)));

static unsigned cpu_id(void)
{
	uint64_t mpidr;

	__asm__ volatile("mrs %0, mpidr_el1" : "=r"(mpidr));
	return (unsigned)(mpidr & 0xff);
}

static void timer_arm(void)
{
	__asm__ volatile("msr cntv_tval_el0, %0; msr cntv_ctl_el0, %1; isb" ::"r"(1UL),
			 "r"(1UL));
}

/* The timer's tick: again at once while the burst lasts. */
void guest_irq_hook(unsigned intid)
{
	unsigned c = cpu_id() & 1;

	if (intid != VTIMER)
		return;
	if (burst[c]) {
		burst[c]--;
		timer_arm();
	} else {
		__asm__ volatile("msr cntv_ctl_el0, %0; isb" ::"r"(0UL));
	}
}

static void storm_op(unsigned cpu, unsigned op, unsigned round)
{
	uint32_t v;

	switch (op) {
	case OP_DEVICE:
		UART(0x38) = 0; /* UARTIMSC */
		v = UART(0x18); /* UARTFR */
		v = GICD(0x4);	/* GICD_TYPER */
		GICD(0x400 + 4 * (round % 8)) =
		    GICD(0x400 + 4 * (round % 8)); /* IPRIORITYR */
		(void)v;
		break;
	case OP_UNMAPPED:
		probe_read(UNMAPPED + (round % 64) * 0x1000, &v);
		probe_write(UNMAPPED + 8 + (round % 64) * 0x1000, round);
		break;
	case OP_HVC:
		hvc(round & 1 ? SMCCC_VERSION : SEPTA_HC_VM_INFO, 0, 0, 0, 0, 0);
		hvc(PSCI_AFFINITY_INFO, round & 1, 0, 0, 0, 0);
		break;
	case OP_BAD_HVC:
		hvc(0xc6000000u + 0x100 + (round & 0xff), round, ~0UL, 0, 0, 0);
		hvc(0x84000000u + 0x20 + (round & 0x1f), 0, 0, 0, 0, 0);
		break;
	case OP_SGI:
		/* ICC_SGI1R_EL1: INTID 1 to Aff0 cpu, INTID 2 to the other. */
		__asm__ volatile(
		    "msr S3_0_C12_C11_5, %0; isb" ::"r"(1UL << 24 | 1UL << cpu));
		__asm__ volatile(
		    "msr S3_0_C12_C11_5, %0; isb" ::"r"(2UL << 24 | 1UL << (cpu ^ 1)));
		break;
	case OP_TIMER:
		burst[cpu] = BURST;
		timer_arm();
		while (burst[cpu])
			__asm__ volatile("yield" ::: "memory");
		break;
	case OP_WFI:
		/* With IRQs masked, so that the tick that wakes it cannot come
		 * (and leave the timer off) just before the WFI. */
		__asm__ volatile("msr daifset, #2" ::: "memory");
		timer_arm();
		__asm__ volatile("dsb sy; wfi; msr daifclr, #2; isb" ::: "memory");
		break;
	case OP_WFE:
		__asm__ volatile("wfe" ::: "memory");
		break;
	}
	done[cpu][op]++;
}

static void storm(unsigned cpu)
{
	gic_enable_private(cpu, 1);
	gic_enable_private(cpu, 2);
	gic_enable_private(cpu, VTIMER);
	for (unsigned round = 0; !stop; round++) {
		if (ops >> (round % OPS) & 1)
			storm_op(cpu, round % OPS, round / OPS);
		if (cpu == 0 && guest_doorbells)
			stop = 1;
	}
}

void guest_secondary(void)
{
	gic_cpu_init(1);
	storm(1);
	secondary_off = 1;
	hvc(PSCI_CPU_OFF, 0, 0, 0, 0, 0);
}

void guest_main(uint64_t dtb)
{
	uint64_t exits[SEPTA_EXIT_KINDS];
	int64_t on;

	ops = guest_bootarg(dtb, "storm.ops=", (1u << OPS) - 1);
	gic_init();
	gprintf("storm: storming on 2 vCPUs until a doorbell, operations %lx\n", ops);
	/* Checked once the storm is over: vCPU 1's first abort, which vmsrv
	 * logs, would split the line. */
	on = hvc(PSCI_CPU_ON, 1, (uint64_t)guest_secondary_entry,
		 (uint64_t)(secondary_stack + sizeof(secondary_stack)), 0, 0)
		 .x0;
	storm(0);
	while (!on && !secondary_off)
		__asm__ volatile("yield" ::: "memory");
	check(on == 0, "CPU_ON(1)");
	for (unsigned k = 0; k < SEPTA_EXIT_KINDS; k++)
		exits[k] = (uint64_t)hvc(SEPTA_HC_EXIT_STATS, k, 0, 0, 0, 0).x1;
	for (unsigned c = 0; c < 2; c++)
		for (unsigned op = 0; op < OPS; op++)
			gprintf("storm: vCPU %u: %lu %s\n", c, done[c][op], op_names[op]);
	/* vmsrv's count, which says the storm ran whatever the worker's
	 * priority (its WFI, WFE and timer never reach vmsrv). */
	gprintf("storm: vmsrv served %lu exits: %lu hvc, %lu device, %lu abort\n",
		exits[SEPTA_EXIT_HVC] + exits[SEPTA_EXIT_DEVICE] +
		    exits[SEPTA_EXIT_ABORT],
		exits[SEPTA_EXIT_HVC], exits[SEPTA_EXIT_DEVICE], exits[SEPTA_EXIT_ABORT]);
	gprintf("storm: stopped by the doorbell, %u aborts taken\n", guest_aborts);
}
