/*
 * A CPU-bound guest that reports its progress: it counts blocks of a busy
 * loop over consecutive windows of its virtual counter (an eighth of a
 * second each) and prints each window's count, for ever. Under -icount
 * shift=0 the counter counts instructions, so a window's count is the share
 * of the machine this guest got: tests/bench/linux/linux-bench.sh compares
 * it alone and beside an idle Linux.
 */
#include "lib/glib.h"
#include "../bench/icount.h"

#define BLOCK 256u /* loop iterations between two reads of the counter */

void guest_main(uint64_t dtb)
{
	uint64_t window = icount_frequency() / 8;
	uint64_t end = icount_now() + window;

	(void)dtb;
	gprintf("progress: counting blocks of %u iterations per %lu counter ticks\n",
		BLOCK, window);
	for (unsigned n = 1;; n++) {
		uint64_t blocks = 0;

		while (icount_now() < end) {
			for (unsigned i = 0; i < BLOCK; i++)
				__asm__ volatile("" ::: "memory");
			blocks++;
		}
		end += window;
		gprintf("progress: window %u: %lu blocks\n", n, blocks);
	}
}
