/*
 * A guest that restarts itself once with PSCI SYSTEM_RESET and checks that
 * it came back fresh: its RAM zeroed, vmsrv counting one reset. Then it
 * rings VM 1 (the witness), which checks it was not restarted too.
 */
#include "lib/glib.h"

#define MARK 0x40600000UL

void guest_main(uint64_t dtb)
{
	unsigned resets;

	(void)dtb;
	vm_id(0, &resets);
	if (resets == 0) {
		gprintf("reset: first boot, marking RAM and resetting\n");
		*(volatile uint64_t *)MARK = 0x1234;
		hvc(PSCI_SYSTEM_RESET, 0, 0, 0, 0, 0);
		check(false, "SYSTEM_RESET returned");
		return;
	}
	gprintf("reset: boot %u\n", resets + 1);
	check(resets == 1, "one reset counted");
	check(*(volatile uint64_t *)MARK == 0, "RAM came back zeroed");
	hvc(SEPTA_HC_DOORBELL, 1, 0x4e5, 0, 0, 0);
}
