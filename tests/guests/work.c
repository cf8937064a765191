/*
 * The measured guest of the containment scenario: it counts blocks of a
 * busy loop over windows of its virtual counter, as tests/guests/progress.c
 * does, but for a fixed number of windows. Under -icount shift=0 the
 * counter counts the machine's instructions, so a window's count is the
 * share of the machine this guest got. Then it prints each window and
 * the median of the last ones, rings VM 2's doorbell (the storm stops on it;
 * alone, there is no VM 2) and powers off.
 */
#include "lib/glib.h"
#include "../bench/icount.h"

#define BLOCK	256u /* loop iterations between two reads of the counter */
#define WINDOWS 10u
#define SKIP	2u /* the first windows: the other VM still starting */

void guest_main(uint64_t dtb)
{
	uint64_t window = icount_frequency() / 32;
	uint64_t end = icount_now() + window, counts[WINDOWS];
	unsigned n = WINDOWS - SKIP;

	(void)dtb;
	gprintf("work: counting blocks of %u iterations per %lu counter ticks\n", BLOCK,
		window);
	for (unsigned w = 0; w < WINDOWS; w++) {
		uint64_t blocks = 0;

		while (icount_now() < end) {
			for (unsigned i = 0; i < BLOCK; i++)
				__asm__ volatile("" ::: "memory");
			blocks++;
		}
		end += window;
		counts[w] = blocks;
	}
	/* Printed once all are counted: each character is an exit. */
	for (unsigned w = 0; w < WINDOWS; w++)
		gprintf("work: window %u: %lu blocks\n", w + 1, counts[w]);
	/* Insertion sort of the counted windows; the median is the lower middle. */
	for (unsigned i = SKIP + 1; i < WINDOWS; i++)
		for (unsigned j = i; j > SKIP && counts[j - 1] > counts[j]; j--) {
			uint64_t t = counts[j];

			counts[j] = counts[j - 1];
			counts[j - 1] = t;
		}
	gprintf("work: median of windows %u-%u: %lu blocks\n", SKIP + 1, WINDOWS,
		counts[SKIP + (n - 1) / 2]);
	hvc(SEPTA_HC_DOORBELL, 2, 1, 0, 0, 0);
}
