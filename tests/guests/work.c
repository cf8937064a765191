/*
 * The measured guest of the containment scenario: it counts blocks of a
 * busy loop over windows of its virtual counter, as tests/guests/progress.c
 * does, but for a fixed number of windows. Under -icount shift=0 the
 * counter counts the machine's instructions, so a window's count is the
 * share of the machine this guest got. Then it prints each window and
 * the median of the last ones, rings VM 2's doorbell (the storm stops on it;
 * alone, there is no VM 2) and powers off.
 *
 * With work.period=US in the bootargs it works in periods instead, as a
 * periodic task does: it waits in WFI for its virtual timer at the start
 * of each period, counts blocks until work.busy=US (default half the
 * period) after that start, and waits again. A worker above the storm's
 * priority that never waited would starve it (nothing would be left to
 * contain); this one leaves the storm the rest of each period, and what
 * the storm does then (and what it leaves behind: its vCPUs' interrupts,
 * a vmsrv exit in flight) is what the worker's next busy span pays. Each
 * period also measures the wake latency: from the timer's deadline to the
 * first instruction after the WFI.
 */
#include "lib/glib.h"
#include "../bench/icount.h"

#define BLOCK	256u /* loop iterations between two reads of the counter */
#define WINDOWS 10u
#define SKIP	2u /* the first windows: the other VM still starting */
#define PERIODS 64u
#define PSKIP	8u /* the first periods, likewise */
#define VTIMER	27u

static uint64_t count_until(uint64_t end)
{
	uint64_t blocks = 0;

	while (icount_now() < end) {
		for (unsigned i = 0; i < BLOCK; i++)
			__asm__ volatile("" ::: "memory");
		blocks++;
	}
	return blocks;
}

/* Insertion sort of v[from..n). */
static void sort(uint64_t *v, unsigned from, unsigned n)
{
	for (unsigned i = from + 1; i < n; i++)
		for (unsigned j = i; j > from && v[j - 1] > v[j]; j--) {
			uint64_t t = v[j];

			v[j] = v[j - 1];
			v[j - 1] = t;
		}
}

/* The timer's interrupt, taken once the WFI is over: off until re-armed. */
void guest_irq_hook(unsigned intid)
{
	if (intid == VTIMER)
		__asm__ volatile("msr cntv_ctl_el0, %0; isb" ::"r"(0UL));
}

/* Until the counter reaches at, in WFI with IRQs masked (the interrupt is
 * taken after, so it cannot come between the check and the WFI); the
 * counter's value once awake. */
static uint64_t wait_until(uint64_t at)
{
	uint64_t now;

	__asm__ volatile("msr daifset, #2; msr cntv_cval_el0, %0; msr cntv_ctl_el0, %1; "
			 "isb" ::"r"(at),
			 "r"(1UL)
			 : "memory");
	while ((now = icount_now()) < at)
		__asm__ volatile("dsb sy; wfi" ::: "memory");
	__asm__ volatile("msr daifclr, #2; isb" ::: "memory");
	return now;
}

static void periodic(uint64_t period_us, uint64_t busy_us)
{
	uint64_t freq = icount_frequency(), period = freq * period_us / 1000000;
	uint64_t busy = freq * busy_us / 1000000, next, counts[PERIODS], late[PERIODS];
	unsigned mid = PSKIP + (PERIODS - PSKIP - 1) / 2;

	gic_init();
	gic_enable_private(0, VTIMER);
	gprintf("work: periodic: %lu of every %lu counter ticks busy, %u periods\n", busy,
		period, PERIODS);
	next = icount_now() + period;
	for (unsigned p = 0; p < PERIODS; p++) {
		late[p] = wait_until(next) - next;
		counts[p] = count_until(next + busy);
		next += period;
	}
	sort(counts, PSKIP, PERIODS);
	sort(late, PSKIP, PERIODS);
	gprintf("work: periods %u-%u: blocks per busy span min %lu median %lu max %lu\n",
		PSKIP + 1, PERIODS, counts[PSKIP], counts[mid], counts[PERIODS - 1]);
	/* 1e9 / freq instructions per tick under -icount shift=0. */
	gprintf("work: periods %u-%u: wake latency median %lu max %lu instructions\n",
		PSKIP + 1, PERIODS, late[mid] * 1000000000 / freq,
		late[PERIODS - 1] * 1000000000 / freq);
}

void guest_main(uint64_t dtb)
{
	uint64_t window = icount_frequency() / 32;
	uint64_t end = icount_now() + window, counts[WINDOWS];
	uint64_t period_us = guest_bootarg(dtb, "work.period=", 0);
	unsigned n = WINDOWS - SKIP;

	if (period_us) {
		periodic(period_us, guest_bootarg(dtb, "work.busy=", period_us / 2));
		hvc(SEPTA_HC_DOORBELL, 2, 1, 0, 0, 0);
		return;
	}
	gprintf("work: counting blocks of %u iterations per %lu counter ticks\n", BLOCK,
		window);
	for (unsigned w = 0; w < WINDOWS; w++) {
		counts[w] = count_until(end);
		end += window;
	}
	/* Printed once all are counted: each character is an exit. */
	for (unsigned w = 0; w < WINDOWS; w++)
		gprintf("work: window %u: %lu blocks\n", w + 1, counts[w]);
	sort(counts, SKIP, WINDOWS);
	gprintf("work: median of windows %u-%u: %lu blocks\n", SKIP + 1, WINDOWS,
		counts[SKIP + (n - 1) / 2]);
	hvc(SEPTA_HC_DOORBELL, 2, 1, 0, 0, 0);
}
