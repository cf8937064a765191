/*
 * The witness beside the hostile fuzzer (tests/guests/fuzz.c): it marks
 * its RAM, then does a fixed amount of work in chunks and prints each one,
 * so that its lines show it kept running; then it waits for the fuzzer's
 * doorbell with the value that says it is done (the fuzzer rings it with
 * other values too: each is read and counted) and checks its marks.
 */
#include "lib/glib.h"

#define RAM	   0x40000000UL
#define BLOCK	   0x200000UL
#define CHUNKS	   8u
#define DONE_VALUE 0x5e97f022u

void guest_main(uint64_t dtb)
{
	unsigned blocks = 0, intact = 0, others = 0, seen = 0;
	struct hvc_ret r;

	(void)dtb;
	gic_init();
	/* Block 0 holds this code, block 7 the device tree. */
	for (uint64_t a = RAM + BLOCK; a < RAM + 7 * BLOCK; a += BLOCK, blocks++)
		*(volatile uint64_t *)(a + 8) = 0x5e97a000 + a;
	for (unsigned c = 1; c <= CHUNKS; c++) {
		for (unsigned i = 0; i < (1u << 22); i++)
			__asm__ volatile("" ::: "memory");
		gprintf("steady: chunk %u of %u done\n", c, CHUNKS);
	}
	for (;;) {
		wait_doorbell(seen);
		seen = guest_doorbells;
		r = hvc(SEPTA_HC_MAILBOX, 0, 0, 0, 0, 0);
		if (r.x1 == 2 && (uint32_t)r.x2 == DONE_VALUE)
			break;
		others += r.x1 != 0;
	}
	gprintf("steady: the fuzzer is done (%u other doorbells from it)\n", others);
	for (uint64_t a = RAM + BLOCK; a < RAM + 7 * BLOCK; a += BLOCK)
		intact += *(volatile uint64_t *)(a + 8) == 0x5e97a000 + a;
	check(intact == blocks, "every mark in my RAM is intact");
}
