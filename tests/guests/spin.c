/*
 * A guest that spins with its interrupts masked and never exits to vmsrv
 * for a long while (2^28 iterations), then says so and powers off. Others
 * must get on with their work meanwhile.
 */
#include "lib/glib.h"

void guest_main(uint64_t dtb)
{
	uint64_t i;

	(void)dtb;
	gprintf("spin: spinning\n");
	for (i = 0; i < (1ULL << 28); i++)
		__asm__ volatile("" ::: "memory");
	gprintf("spin: done after %lu iterations\n", i);
}
