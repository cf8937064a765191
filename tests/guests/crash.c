/*
 * A guest that crashes: it throws its exception vectors away and touches
 * nothing, so the abort vmsrv injects lands on a vector that faults too.
 */
#include "lib/glib.h"

void guest_main(uint64_t dtb)
{
	(void)dtb;
	gprintf("crash: about to crash\n");
	__asm__ volatile("msr vbar_el1, xzr; isb; mov x0, #0x10; ldr x0, [x0]" ::
			     : "x0", "memory");
	gprintf("crash: FAIL: still alive\n");
}
