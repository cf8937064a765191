/*
 * memsrv's benchmark, run under -icount shift=0 where the generic counter
 * counts instructions (docs/running.md): each figure is the whole
 * operation as a client sees it, the IPC round trip included.
 */
#include <stdio.h>
#include "../bench/icount.h"
#include "memtest.h"

#define XA 0x40000000ULL
#define YB 0x50000000ULL

/* Tenths of an instruction per unit. */
static void report(const char *what, uint64_t ticks, uint64_t units, unsigned rounds)
{
	uint64_t x10 = icount_tenths(ticks, units);

	printf("memsrvbench: %s: %llu.%llu instructions (%u rounds)\n", what,
	       (unsigned long long)x10 / 10, (unsigned long long)x10 % 10, rounds);
}

static void share_unshare(uint64_t pa, uint64_t n, unsigned rounds, const char *what)
{
	uint64_t t = 0;

	for (unsigned i = 0; i < rounds; i++) {
		uint64_t t0 = icount_now();
		long e = memsrv_share(EP, pa, n, mt.b, YB, MEMSRV_RW);

		e |= memsrv_unshare(EP, pa, n, mt.b);
		t += icount_now() - t0;
		harness.failed |= e != MEMSRV_OK;
	}
	report(what, t, rounds * n, rounds);
}

void memtest_bench(void)
{
	uint64_t pa, t = 0, t_alloc = 0, t_free = 0;

	if (memsrv_alloc(EP, 512, 1, XA, MEMSRV_RW, &pa)) {
		harness.failed = 1;
		return;
	}
	share_unshare(pa, 1, 200, "share + unshare, 1 page");
	share_unshare(pa, 8, 50, "share + unshare, 8 pages, per page");
	share_unshare(pa, 64, 20, "share + unshare, 64 pages, per page");
	share_unshare(pa, 512, 10, "share + unshare, 512 pages, per page");
	for (unsigned i = 0; i < 200; i++) {
		uint64_t t0 = icount_now();
		long e = memsrv_lend(EP, pa, 1, mt.b, YB, MEMSRV_RW);

		e |= memsrv_reclaim(EP, pa, 1);
		t += icount_now() - t0;
		harness.failed |= e != MEMSRV_OK;
	}
	report("lend + reclaim, 1 page", t, 200, 200);
	memsrv_free(EP, pa, 512);
	for (unsigned i = 0; i < 20; i++) {
		uint64_t t0 = icount_now(), blk;
		long e = memsrv_alloc(EP, 512, 512, XA, MEMSRV_RW, &blk);
		uint64_t t1 = icount_now();

		e |= memsrv_free(EP, blk, 512);
		t_free += icount_now() - t1;
		t_alloc += t1 - t0;
		harness.failed |= e != MEMSRV_OK;
	}
	report("allocate a 2 MiB block", t_alloc, 20, 20);
	report("free a 2 MiB block", t_free, 20, 20);
	printf("memsrvbench: done, %s\n", harness.failed ? "with errors" : "no errors");
}
