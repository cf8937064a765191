/*
 * Guest exits under -icount shift=0 (the counter counts instructions, as in
 * tests/bench/icount.h): a null hypercall through vmsrv, a UART write
 * emulated by vmsrv, and RAM faults served with memory from memsrv (4 KiB
 * pages around the shareable range, 2 MiB blocks elsewhere). Each total is
 * measured here, in the guest; vmsrv's part (and memsrv's within it) comes
 * from vmsrv's own accounting (SEPTA_HC_EXIT_STATS). The rest is the
 * kernel's (exception entry, IPC, world switch) and this loop's own.
 */
#include "lib/glib.h"
#include "../bench/icount.h"

#define ROUNDS	  1000u
#define PAGED	  0x40400000UL /* the block around the shareable range */
#define SHARE_END 0x40410000UL
#define BLOCKS_AT 0x40600000UL /* 2 MiB blocks from here to the device tree */
#define BLOCKS	  28u
#define HALF	  (SHARE_END + 248 * 0x1000UL) /* of the paged block's pages */
#define IDLE_MS	  10u /* memsrv refills its ready pages meanwhile */

struct stats {
	uint64_t count, ticks, memsrv;
};

static struct stats stats(unsigned kind)
{
	struct hvc_ret r = hvc(SEPTA_HC_EXIT_STATS, kind, 0, 0, 0, 0);

	return (struct stats){r.x1, r.x2, r.x3};
}

static void report(const char *what, unsigned kind, uint64_t ticks, uint64_t n,
		   struct stats before)
{
	struct stats after = stats(kind);
	uint64_t total = icount_tenths(ticks, n);
	uint64_t vmsrv = icount_tenths(after.ticks - before.ticks, n);
	uint64_t memsrv = icount_tenths(after.memsrv - before.memsrv, n);

	gprintf("vmbench: %s: %lu.%lu instructions (%lu rounds)\n", what, total / 10,
		total % 10, n);
	gprintf("vmbench:   of which vmsrv %lu.%lu (memsrv %lu.%lu of that), kernel and "
		"guest %lu.%lu\n",
		vmsrv / 10, vmsrv % 10, memsrv / 10, memsrv % 10, (total - vmsrv) / 10,
		(total - vmsrv) % 10);
	check(after.count - before.count >= n, "vmsrv counted every exit");
}

void guest_main(uint64_t dtb)
{
	struct stats s;
	uint64_t t, a, n = 0;

	(void)dtb;
	hvc(SMCCC_VERSION, 0, 0, 0, 0, 0); /* warm */
	s = stats(SEPTA_EXIT_HVC);
	t = icount_now();
	for (unsigned i = 0; i < ROUNDS; i++)
		hvc(SMCCC_VERSION, 0, 0, 0, 0, 0);
	report("null hypercall round trip", SEPTA_EXIT_HVC, icount_now() - t, ROUNDS, s);

	s = stats(SEPTA_EXIT_DEVICE);
	t = icount_now();
	for (unsigned i = 0; i < ROUNDS; i++)
		*(volatile uint32_t *)(GUEST_UART + 0x38) = 0; /* UARTIMSC */
	report("UART register write emulated", SEPTA_EXIT_DEVICE, icount_now() - t,
	       ROUNDS, s);

	/* The paged block's 496 pages in two halves. The first back to back
	 * from boot, when memsrv has not been idle yet: its ready pages are
	 * none, each fault makes its own frame. */
	s = stats(SEPTA_EXIT_RAM_PAGE);
	t = icount_now();
	for (a = SHARE_END; a < HALF; a += 0x1000, n++)
		*(volatile uint64_t *)a = a;
	report("RAM fault, 4 KiB page, no idle time (no ready pages)",
	       SEPTA_EXIT_RAM_PAGE, icount_now() - t, n, s);
	/* A guest that idles now and then: memsrv refills meanwhile, and the
	 * faults take its ready pages (512, more than the 248 here). */
	guest_idle(icount_frequency() / 1000 * IDLE_MS);
	s = stats(SEPTA_EXIT_RAM_PAGE);
	n = 0;
	t = icount_now();
	for (; a < PAGED + 0x200000; a += 0x1000, n++)
		*(volatile uint64_t *)a = a;
	report("RAM fault, 4 KiB page from memsrv", SEPTA_EXIT_RAM_PAGE, icount_now() - t,
	       n, s);

	s = stats(SEPTA_EXIT_RAM_BLOCK);
	t = icount_now();
	for (unsigned i = 0; i < BLOCKS; i++)
		*(volatile uint64_t *)(BLOCKS_AT + i * 0x200000UL) = i;
	report("RAM fault, 2 MiB block from memsrv", SEPTA_EXIT_RAM_BLOCK,
	       icount_now() - t, BLOCKS, s);
	gprintf("vmbench: done\n");
}
