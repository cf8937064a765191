/*
 * memtest: memsrv's on-target tests, run as a server memsrv starts. It is
 * client A; it makes a second VSpace and registers it as client B, and runs
 * a probe thread in each VSpace, so every claim about access is checked by
 * touching memory through real stage-2 mappings.
 */
#pragma once
#include "harness.h"
#include <septa/ipc.h>
#include <septa/memsrv.h>
#include <septa/syscall.h>
#include <stdint.h>

#define EP    MEMSRV_CAP_ENDPOINT
#define MY_VS MEMSRV_CAP_VSPACE
#define PAGE  4096ULL
#define BLOCK (512 * PAGE)

/* Where a probe ended: the access worked, or faulted at an address. */
enum probe_result { PROBE_OK = 0, PROBE_FAULT = 1, PROBE_OTHER = 2 };

struct memtest {
	unsigned me, b;	   /* client ids: memtest, its borrower VSpace */
	uint64_t vs_b;	   /* slot of B's VSpace */
	uint64_t tcb_a;	   /* probe thread in memtest's own VSpace */
	uint64_t tcb_b;	   /* probe thread in B's VSpace */
	uint64_t fault_ep; /* where the probes report */
	uint64_t next_slot;
};
extern struct memtest mt;

int memtest_setup(void);
/* One access by thread tcb: read rd (and write val to wr if wr != 0).
 * PROBE_OK with *got = the value read, or PROBE_FAULT with *got = address. */
int probe(uint64_t tcb, uint64_t rd, uint64_t wr, uint64_t val, uint64_t *got);
/* A raw request of n message registers (t_ops.c), so that values beyond 32
 * bits, and requests too short, reach memsrv as they are: memsrv's error,
 * or 1 if the call itself failed. */
long memtest_raw(unsigned label, unsigned n, uint64_t a0, uint64_t a1, uint64_t a2,
		 uint64_t a3, uint64_t a4);
/* The first and last page memsrv manages (t_pool_end.c). */
uint64_t memtest_pool_first(void);
uint64_t memtest_pool_last(void);
/* A fresh object from memtest's own Untyped. */
uint64_t mk(unsigned type, unsigned bits);
/* The physical address behind one of memtest's own IPAs (0 if none). */
uint64_t pa_of(uint64_t vspace, uint64_t ipa);
/* What the kernel maps at ipa: q[0] pa, q[1] level, q[2] rights, q[3] tag. */
void kq(uint64_t vspace, uint64_t ipa, uint64_t q[4]);
void memtest_bench(void);
/* runner.c: each test in a thread of its own; the harness's run hook. */
int memtest_runner_setup(void);
int memtest_run(const char *name, void (*fn)(void));
/* memsrv idle until its idle thread has refilled what it would: the test's
 * thread below every other (priority 0) while it yields. */
void memtest_idle(void);
/* The list packed as "memtest-crash" runs (its n tests), or NULL. */
const struct harness_test *memtest_selftest(unsigned *n);
/* cleanup.c: every memsrv_alloc of memtest is recorded, and after each test
 * memtest_after() gives back what it left (non-zero if it left anything). */
long memtest_alloc(uint64_t ep, uint64_t pages, uint64_t align, uint64_t ipa,
		   unsigned rights, uint64_t *pa);
#define memsrv_alloc memtest_alloc
int memtest_after(const char *name);
/* The page at pa, allocated by this test, stays when it ends (on purpose). */
void memtest_keep(uint64_t pa);
