/*
 * The 4 KiB RAM fault as memory fills (make bench's scaling rows, issue
 * 16): the guest faults 2 MiB blocks of its RAM in until memsrv's pool is
 * 10%, 50% and 90% allocated, and at each level times 4 KiB RAM faults as
 * tests/guests/bench.c does (-icount shift=0: the counter counts
 * instructions). A fault whose cost grows with what is allocated (a
 * first-fit scan) shows as rows that grow.
 *
 * The levels are of the pool that memsrv reports at boot, 1020 MiB of
 * which 1002 are free under -m 1G; bench.vmscale checks that memsrv says
 * so (a change there must change these). What vmsrv allocates for itself
 * after that is not counted: the levels are a few MiB low.
 */
#include "lib/glib.h"
#include "../bench/icount.h"

#define MIB	    (1024UL * 1024UL)
#define POOL_MIB    1020UL
#define USED_MIB    (POOL_MIB - 1002UL) /* allocated before vmsrv runs */
#define RAM_BASE    0x40000000UL
#define RAM_SIZE    (960UL * MIB) /* tests/system/vms/bench-scale.dts */
#define BLOCK	    (2UL * MIB)
#define PAGED	    0x40400000UL /* the two blocks the shareable range touches */
#define PAGED_END   0x40800000UL
#define SHARE	    0x405ff000UL /* its two pages, allocated at boot */
#define SHARE_END   0x40601000UL
#define PAGE_ROUNDS 340u
_Static_assert(3 * PAGE_ROUNDS * 0x1000UL + (SHARE_END - SHARE) <= PAGED_END - PAGED,
	       "three levels' pages fit in the paged blocks");

/* What this VM has in memsrv: the loader's blocks (image and device
 * tree), the shareable range, and what the guest faulted in. */
static uint64_t allocated = 2 * BLOCK + (SHARE_END - SHARE);
static uint64_t next_block = PAGED_END, next_page = PAGED;

static uint64_t exit_ticks(unsigned kind, uint64_t *count, uint64_t *memsrv)
{
	struct hvc_ret r = hvc(SEPTA_HC_EXIT_STATS, kind, 0, 0, 0, 0);

	*count = r.x1;
	*memsrv = r.x3;
	return r.x2;
}

/* Faults blocks in until the pool is `percent` allocated. */
static void fill_to(unsigned percent)
{
	uint64_t want = POOL_MIB * MIB / 100 * percent - USED_MIB * MIB;

	while (allocated < want && next_block < RAM_BASE + RAM_SIZE - BLOCK) {
		*(volatile uint64_t *)next_block = next_block;
		next_block += BLOCK;
		allocated += BLOCK;
	}
	check(allocated >= want, "the pool filled to its level");
}

static void measure(unsigned percent)
{
	uint64_t n0, n1, m0, m1, t, total, memsrv;

	fill_to(percent);
	/* Idle first, as bench.c: the rounds take memsrv's ready pages. */
	guest_idle(icount_frequency() / 100);
	exit_ticks(SEPTA_EXIT_RAM_PAGE, &n0, &m0);
	t = icount_now();
	for (unsigned i = 0; i < PAGE_ROUNDS; i++) {
		if (next_page == SHARE)
			next_page = SHARE_END;
		*(volatile uint64_t *)next_page = next_page;
		next_page += 0x1000;
	}
	t = icount_now() - t;
	exit_ticks(SEPTA_EXIT_RAM_PAGE, &n1, &m1);
	allocated += PAGE_ROUNDS * 0x1000UL;
	total = icount_tenths(t, PAGE_ROUNDS);
	memsrv = icount_tenths(m1 - m0, PAGE_ROUNDS);
	/* gprintf has no %%: the sign goes in as a string. */
	gprintf("vmbench: RAM fault, 4 KiB page at %u%s allocated: %lu.%lu instructions "
		"(%u rounds)\n",
		percent, "%", total / 10, total % 10, PAGE_ROUNDS);
	gprintf(
	    "vmbench:   of which memsrv %lu.%lu; %lu MiB of the pool's %lu allocated\n",
	    memsrv / 10, memsrv % 10, (allocated >> 20) + USED_MIB, POOL_MIB);
	check(n1 - n0 == PAGE_ROUNDS, "every page a RAM fault of its own");
}

void guest_main(uint64_t dtb)
{
	(void)dtb;
	measure(10);
	measure(50);
	measure(90);
	gprintf("vmbench: done\n");
}
