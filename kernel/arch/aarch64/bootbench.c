/* make bench's boot figure (bench.boot): the kernel of `make run` built with
 * SEPTA_BOOT_STATS stops the machine as it first switches to a guest's vCPU,
 * and prints the generic counter's ticks since its own first instruction
 * (head.S), in instructions under -icount shift=0 (tests/bench/icount.h);
 * QEMU enters the kernel at reset. Not the count since reset itself: QEMU's
 * virtual clock runs on in host time before the first instruction
 * (-icount sleep=on), by as much as a million instructions' worth. The few
 * instructions of the way out to the guest are not counted. Other kernels
 * have none of this, so their instruction counts stay exact. */
#ifdef SEPTA_BOOT_STATS
#include <arch.h>
#include <kprintf.h>
#include <status.h>
#include "sysreg.h"

uint64_t arch_boot_entry_ticks; /* written by head.S once the BSS is clear */

void arch_boot_first_guest(void)
{
	uint64_t ticks, freq, tenths;

	isb();
	ticks = read_sysreg(cntpct_el0) - arch_boot_entry_ticks;
	freq = read_sysreg(cntfrq_el0);
	/* Split so that neither product overflows for any count or frequency
	 * the counter can have in minutes of virtual time. */
	tenths = ticks / freq * 10000000000ULL + ticks % freq * 10000000000ULL / freq;
	kprintf("bootbench: reset to the first guest instruction: %lu.%lu instructions\n",
		tenths / 10, tenths % 10);
	arch_shutdown(SEPTA_STATUS_OK);
}
#endif
