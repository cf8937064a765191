/*
 * A guest that checks what vmsrv promises every guest: its console, its
 * device tree, PSCI 1.1 and the SMCCC calls, a second vCPU started and
 * stopped with CPU_ON and CPU_OFF, and the region its configuration shares
 * (hello.regions= in its bootargs: 1, the default, or 0 for none). Then it
 * powers off. Every wait is bounded and ends in a check by name.
 */
#include "lib/glib.h"

#define UART(off) (*(volatile uint32_t *)(GUEST_UART + (off)))
#define VTIMER	  27u

/*
 * A wait takes turns: in each, the waiting vCPU sleeps (WFI) until its
 * virtual timer fires a millisecond later, so that the vCPU it waits for
 * (or any other thread) has the CPU meanwhile. It gives up after
 * WAIT_TURNS turns: a backstop, so that a vCPU that never comes shows as
 * the check that waited for it rather than as the scenario's time limit.
 * Turns are counted, not timed: what is waited for needs a turn or two
 * however loaded the host, and a host that stalls QEMU makes one turn
 * long, not many turns pass.
 */
#define WAIT_TURNS 5000u

static volatile unsigned secondary_ran, secondary_sgi, timer_ticks[2];
static uint8_t secondary_stack[4096] __attribute__((aligned(16)));

/* It only raises flags: two vCPUs printing at once would mix their lines.
 * It waits for an SGI from vCPU 0 before it goes off. */
static volatile unsigned secondary_ready;

static unsigned cpu_id(void)
{
	uint64_t mpidr;

	__asm__ volatile("mrs %0, mpidr_el1" : "=r"(mpidr));
	return (unsigned)(mpidr & 1);
}

/* The timer's tick ends a turn; disabled, its level drops. */
void guest_irq_hook(unsigned intid)
{
	if (intid != VTIMER)
		return;
	__asm__ volatile("msr cntv_ctl_el0, %0; isb" ::"r"(0UL));
	timer_ticks[cpu_id()]++;
}

/* Whether done() came true within WAIT_TURNS turns. IRQs are masked around
 * each look, as in wait_doorbell: WFI still wakes for a pending one. */
static bool wait_until(bool (*done)(void))
{
	unsigned c = cpu_id();
	uint64_t freq;

	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(freq));
	for (unsigned n = 0; n < WAIT_TURNS && !done(); n++) {
		unsigned seen = timer_ticks[c];

		__asm__ volatile("msr daifset, #2; msr cntv_tval_el0, %0; "
				 "msr cntv_ctl_el0, %1; isb" ::"r"(freq / 1000),
				 "r"(1UL)
				 : "memory");
		while (timer_ticks[c] == seen && !done())
			__asm__ volatile("wfi; msr daifclr, #2; isb; msr daifset, #2" ::
					     : "memory");
		__asm__ volatile("msr cntv_ctl_el0, %0; isb; msr daifclr, #2" ::"r"(0UL)
				 : "memory");
	}
	return done();
}

static bool sgi_taken(void)
{
	return guest_irqs[1] != 0;
}

static void finish(void);
/* Set for vCPU 1's second start, which ends the VM (finish). */
static volatile unsigned finishing;

void guest_secondary(void)
{
	gic_cpu_init(1);
	gic_enable_private(1, 1);
	gic_enable_private(1, VTIMER);
	if (finishing)
		finish();
	secondary_ready = 1;
	secondary_sgi = wait_until(sgi_taken);
	secondary_ran = 1;
	hvc(PSCI_CPU_OFF, 0, 0, 0, 0, 0);
	gprintf("hello: FAIL: CPU_OFF returned\n");
}

extern char guest_secondary_entry[];

static bool is_ready(void)
{
	return secondary_ready;
}

static bool has_ran(void)
{
	return secondary_ran;
}

/* Whether AFFINITY_INFO(1) says anything but ON (0), which it says until
 * vCPU 1's CPU_OFF; the answer is kept for the check. */
static int64_t affinity_1;

static bool not_on(void)
{
	affinity_1 = hvc(PSCI_AFFINITY_INFO, 1, 0, 0, 0, 0).x0;
	return affinity_1 != 0;
}

/* vCPU 1 started, given an SGI, and off again. A step that fails leaves
 * the waits after it out (each would use all its turns) but not their
 * checks: each prints FAIL, so the count of checks stays the same. */
static void psci(void)
{
	check(hvc(PSCI_VERSION, 0, 0, 0, 0, 0).x0 == 0x10001, "PSCI_VERSION is 1.1");
	check(hvc(SMCCC_VERSION, 0, 0, 0, 0, 0).x0 == 0x10001, "SMCCC_VERSION is 1.1");
	check(hvc(PSCI_FEATURES, PSCI_CPU_ON, 0, 0, 0, 0).x0 == 0, "FEATURES(CPU_ON)");
	check(hvc(PSCI_FEATURES, PSCI_SYSTEM_RESET, 0, 0, 0, 0).x0 == 0,
	      "FEATURES(SYSTEM_RESET)");
	check(hvc(PSCI_FEATURES, 0x8400001f, 0, 0, 0, 0).x0 == PSCI_NOT_SUPPORTED,
	      "FEATURES(unknown) is NOT_SUPPORTED");
	check(hvc(SMCCC_ARCH_FEATURES, 0x80008000, 0, 0, 0, 0).x0 == SMCCC_NOT_SUPPORTED,
	      "ARCH_FEATURES(WORKAROUND_1) is NOT_SUPPORTED");
	check(hvc(PSCI_MIGRATE_INFO_TYPE, 0, 0, 0, 0, 0).x0 == 2,
	      "MIGRATE_INFO_TYPE is 2");
	check(hvc(0xc2001234, 0, 0, 0, 0, 0).x0 == -1, "unknown function ID: -1");
	check(smc(PSCI_VERSION, 0, 0, 0).x0 == 0x10001, "PSCI over SMC");
	check(hvc(PSCI_AFFINITY_INFO, 0, 0, 0, 0, 0).x0 == 0, "AFFINITY_INFO(0) is ON");
	check(hvc(PSCI_CPU_ON, 0, (uint64_t)guest_secondary_entry, 0, 0, 0).x0 ==
		  PSCI_ALREADY_ON,
	      "CPU_ON(0) is ALREADY_ON");
	check(hvc(PSCI_CPU_ON, 7, (uint64_t)guest_secondary_entry, 0, 0, 0).x0 ==
		  PSCI_INVALID_PARAMETERS,
	      "CPU_ON(7) is INVALID_PARAMETERS");
	/* Every configuration runs this guest with 2 vCPUs (vCPU 1 is
	 * started below): 2 is the first that is not there. */
	check(hvc(PSCI_CPU_ON, 2, (uint64_t)guest_secondary_entry, 0, 0, 0).x0 ==
		  PSCI_INVALID_PARAMETERS,
	      "CPU_ON(2), one past the last vCPU, is INVALID_PARAMETERS");
	check(hvc(PSCI_CPU_ON, 1, 0x1000, 0, 0, 0).x0 == PSCI_INVALID_ADDRESS,
	      "CPU_ON outside RAM is INVALID_ADDRESS");
	check(hvc(PSCI_CPU_ON, 1, (uint64_t)guest_secondary_entry + 2, 0, 0, 0).x0 ==
		  PSCI_INVALID_ADDRESS,
	      "CPU_ON at an unaligned entry is INVALID_ADDRESS");
	/* With MPIDR.MT (bit 24) set, no vCPU is named (it named vCPU 1, 0). */
	check(hvc(PSCI_CPU_ON, 1ULL << 24 | 1, (uint64_t)guest_secondary_entry, 0, 0, 0)
		      .x0 == PSCI_INVALID_PARAMETERS,
	      "CPU_ON(MT | 1) is INVALID_PARAMETERS");
	check(hvc(PSCI_AFFINITY_INFO, 1ULL << 24, 0, 0, 0, 0).x0 ==
		  PSCI_INVALID_PARAMETERS,
	      "AFFINITY_INFO(MT | 0) is INVALID_PARAMETERS");
}

static void secondary(void)
{
	struct hvc_ret r;
	bool up, ran, off;

	r = hvc(PSCI_CPU_ON, 1, (uint64_t)guest_secondary_entry,
		(uint64_t)(secondary_stack + sizeof(secondary_stack)), 0, 0);
	check(r.x0 == 0, "CPU_ON(1)");
	up = r.x0 == 0 && wait_until(is_ready);
	check(up, "vCPU 1 came up");
	check(up && hvc(PSCI_AFFINITY_INFO, 1, 0, 0, 0, 0).x0 == 0,
	      "AFFINITY_INFO(1) is ON while it runs");
	check(hvc(PSCI_CPU_ON, 1, (uint64_t)guest_secondary_entry, 0, 0, 0).x0 ==
		  PSCI_ALREADY_ON,
	      "CPU_ON(1) again is ALREADY_ON");
	/* ICC_SGI1R_EL1: INTID 1 to Aff0 1 (traps to vmsrv, which sends it). */
	__asm__ volatile("msr S3_0_C12_C11_5, %0; isb" ::"r"(1UL << 24 | 1UL << 1));
	ran = up && wait_until(has_ran);
	check(ran && secondary_sgi && guest_irqs[1] == 1 && guest_irq_cpu[1] == 1,
	      "an SGI from vCPU 0 to vCPU 1");
	off = ran && wait_until(not_on);
	check(off && affinity_1 == 1, "vCPU 1 ran and is OFF again");
}

static bool cpu0_off(void)
{
	return hvc(PSCI_AFFINITY_INFO, 0, 0, 0, 0, 0).x0 == 1;
}

/*
 * The VM stops when its last vCPU goes off, whichever that is: vCPU 0
 * goes off first here, and vCPU 1, on still, sees that and ends the VM.
 */
static void finish(void)
{
	check(wait_until(cpu0_off), "vCPU 0 is off, and the VM runs on with vCPU 1");
	guest_off();
}

static void hand_over(void)
{
	finishing = 1;
	check(hvc(PSCI_CPU_ON, 1, (uint64_t)guest_secondary_entry,
		  (uint64_t)(secondary_stack + sizeof(secondary_stack)), 0, 0)
		      .x0 == 0,
	      "CPU_ON(1) to finish");
	hvc(PSCI_CPU_OFF, 0, 0, 0, 0, 0);
	gprintf("hello: FAIL: CPU_OFF returned\n");
}

static void uart(void)
{
	check((UART(0x18) & (1u << 7)) && (UART(0x18) & (1u << 4)),
	      "UART: transmit FIFO empty, receive FIFO empty");
	check(UART(0xfe0) == 0x11 && UART(0xfe8) == 0x14 && UART(0xff0) == 0x0d,
	      "UART: PrimeCell PL011 identification");
	UART(0x38) = 1u << 5;
	check(UART(0x38) == 1u << 5, "UART: interrupt mask reads back");
	UART(0x38) = 0;
}

/* Whether the device tree has a node of this name (its bytes, padded). */
static bool dt_has_node(uint64_t dtb, const char *name)
{
	const uint8_t *p = (const uint8_t *)dtb;
	uint32_t size = __builtin_bswap32(*(volatile uint32_t *)(dtb + 4));

	for (uint32_t i = 0; i + 16 < size; i += 4) {
		unsigned n = 0;

		while (name[n] && p[i + n] == (uint8_t)name[n])
			n++;
		if (!name[n] && p[i + n] == 0)
			return true;
	}
	return false;
}

/* The region the configuration shares (tests/system/vms/two.dts), or none
 * (hello.regions=0): a node missing, or one there unasked, fails. Both
 * sides read and write it; the owner's mark may be seen by the borrower. */
static void region(uint64_t dtb)
{
	bool has = dt_has_node(dtb, "region@50000000");
	uint32_t v;

	if (!guest_bootarg(dtb, "hello.regions=", 1)) {
		check(!has, "no region in my device tree, as configured");
		return;
	}
	check(has && probe_write(0x50000000, 0x5e9a) && probe_read(0x50000000, &v) &&
		  v == 0x5e9a,
	      "the configured region is in my device tree, readable and writable");
}

void guest_main(uint64_t dtb)
{
	unsigned nvms;
	int64_t id = vm_id(&nvms, 0);

	gprintf("hello from VM %d of %u, device tree at %lx\n", (int)id, nvms, dtb);
	check(*(volatile uint32_t *)dtb == 0xedfe0dd0, "device tree magic in x0");
	uart();
	gic_init();
	gic_enable_private(0, VTIMER);
	psci();
	secondary();
	region(dtb);
	hand_over();
}
