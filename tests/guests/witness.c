/*
 * A guest that stays up while others misbehave and then proves it was not
 * disturbed: it marks the first word of every 2 MiB block of its RAM (where
 * the isolation guest's writes would land if they reached anything), and
 * once another guest rings its doorbell it checks every mark and that it
 * was never restarted.
 */
#include "lib/glib.h"

#define RAM   0x40000000UL
#define BLOCK 0x200000UL

static volatile uint64_t booted; /* set once: would be 0 again after a reset */

void guest_main(uint64_t dtb)
{
	unsigned resets, blocks = 0, intact = 0;
	struct hvc_ret r;

	(void)dtb;
	vm_id(0, &resets);
	check(resets == 0 && !booted, "first boot");
	booted = 1;
	gic_init();
	/* RAM from the config: 16 MiB; block 0 holds this code, block 7 the
	 * device tree. */
	for (uint64_t a = RAM + BLOCK; a < RAM + 7 * BLOCK; a += BLOCK, blocks++)
		*(volatile uint64_t *)(a + 8) = 0x5e97a000 + a;
	gprintf("witness: %u blocks marked, waiting\n", blocks);
	wait_doorbell(0);
	r = hvc(SEPTA_HC_MAILBOX, 0, 0, 0, 0, 0);
	gprintf("witness: doorbell from VM %u\n", (unsigned)r.x1);
	for (uint64_t a = RAM + BLOCK; a < RAM + 7 * BLOCK; a += BLOCK)
		intact += *(volatile uint64_t *)(a + 8) == 0x5e97a000 + a;
	check(intact == blocks, "every mark in my RAM is intact");
	check(booted == 1 && vm_id(0, &resets) > 0 && resets == 0, "never restarted");
}
