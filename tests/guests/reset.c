/*
 * A guest that restarts itself once with PSCI SYSTEM_RESET and checks that
 * it came back fresh: its RAM zeroed, vmsrv counting one reset. Then it
 * rings VM 1 (the witness), which checks it was not restarted too.
 * Before the reset it leaves part of a share behind (4 pages shared with
 * the witness, the middle 2 unshared): the reset must undo the rest, so
 * that the shareable range comes back whole and shares again.
 */
#include "lib/glib.h"

#define MARK	 0x40600000UL
#define SHARED	 0x40400000UL /* the shareable range of reset.dts */
#define PEER_IPA 0x50000000UL /* where the witness sees it */
#define RW	 (SEPTA_HC_R | SEPTA_HC_W)

void guest_main(uint64_t dtb)
{
	unsigned resets;

	(void)dtb;
	vm_id(0, &resets);
	if (resets == 0) {
		gprintf("reset: first boot, marking RAM and resetting\n");
		*(volatile uint64_t *)MARK = 0x1234;
		check(hvc(SEPTA_HC_SHARE, SHARED, 4, 1, PEER_IPA, RW).x0 == 0,
		      "SHARE 4 pages with the witness");
		check(hvc(SEPTA_HC_UNSHARE, SHARED + 0x1000, 2, 1, 0, 0).x0 == 0,
		      "UNSHARE the middle 2");
		hvc(PSCI_SYSTEM_RESET, 0, 0, 0, 0, 0);
		check(false, "SYSTEM_RESET returned");
		return;
	}
	gprintf("reset: boot %u\n", resets + 1);
	check(resets == 1, "one reset counted");
	check(*(volatile uint64_t *)MARK == 0, "RAM came back zeroed");
	check(hvc(SEPTA_HC_SHARE, SHARED, 4, 1, PEER_IPA, RW).x0 == 0,
	      "the reset undid the rest of the share: SHARE the 4 pages again");
	check(hvc(SEPTA_HC_UNSHARE, SHARED, 4, 1, 0, 0).x0 == 0, "UNSHARE them");
	hvc(SEPTA_HC_DOORBELL, 1, 0x4e5, 0, 0, 0);
}
