/*
 * A kernel-held reference outlives no right (issue 14, item 10). memsrv
 * bound memtest's own IPC buffer (0x2000) into its TCB through a copy of
 * its grant capability. When memtest frees that page and memsrv gives it
 * to B, the kernel must no longer use it as memtest's buffer: B's page
 * stays untouched, and memtest's calls that need a buffer are refused.
 *
 * Run last: memtest's thread has no kernel IPC buffer afterwards (a TCB is
 * configured once), so calls of more than 4 message registers no longer
 * work. The harness's own output and memsrv_shutdown need none.
 */
#include <stddef.h>
#include "memtest.h"

#define XB    0x70000000ULL /* B's pages here, one per try */
#define TRIES 64u
#define MAGIC 0x5e9a0000b0b0ULL

extern char memtest_probe[], memtest_peek[];

/* probe() without a buffer: the word at addr, as thread tcb reads it. */
static int peek(uint64_t tcb, uint64_t addr, uint64_t *got)
{
	uint64_t regs[2] = {(uint64_t)(uintptr_t)memtest_peek, addr};
	struct septa_msg m = {0}, stop = {.info = septa_msginfo(1, 0, 0)};
	uint64_t label;

	if (septa_tcb_write_registers(tcb, 1, 2, regs) || septa_recv(mt.fault_ep, &m))
		return PROBE_OTHER;
	label = SEPTA_MSG_LABEL(m.info);
	if (septa_reply(&stop))
		return PROBE_OTHER;
	if (label != SEPTA_FAULT_UNKNOWN_SYSCALL)
		return label == SEPTA_FAULT_ABORT ? PROBE_FAULT : PROBE_OTHER;
	*got = m.mr[SEPTA_BADCALL_X0];
	return PROBE_OK;
}

void test_freed_ipc_buffer_is_unbound(void)
{
	uint64_t buf = SEPTA_ROOT_IPC_BUFFER, pa0 = pa_of(MY_VS, buf), pa, fresh, got;
	uint64_t held[TRIES], regs[8] = {(uint64_t)(uintptr_t)memtest_probe, 0};
	uint64_t mr4 = offsetof(struct septa_ipc_buffer, msg[SEPTA_MSG_REGS]);
	unsigned n = 0, at = TRIES;
	struct memsrv_audit a;
	long err;

	CHECK(pa0);
	for (unsigned i = 2; i < 8; i++)
		regs[i] = MAGIC + i;
	/* Registers to read back later, through a buffer (more than 4). */
	CHECK_EQ(septa_tcb_write_registers(mt.tcb_a, 0, 8, regs), 0);
	/* From here until 0x2000 is mapped again, no call may use the
	 * library's buffer: these take at most 4 message registers. */
	CHECK_EQ(memsrv_free(EP, pa0, 1), MEMSRV_OK);
	/* memsrv hands out the lowest free page first: B gets pa0 soon. */
	while (n < TRIES && at == TRIES &&
	       memsrv_alloc(MEMSRV_AS(EP, mt.b), 1, 1, XB + n * PAGE, MEMSRV_RW, &pa) ==
		   MEMSRV_OK) {
		held[n] = pa;
		if (pa == pa0)
			at = n;
		n++;
	}
	CHECK_EQ(memsrv_alloc(EP, 1, 1, buf, MEMSRV_RW, &fresh), MEMSRV_OK);
	memtest_keep(fresh); /* memtest's IPC buffer from now on */
	CHECK(at < TRIES);
	CHECK(fresh != pa0);
	/* Registers 4-7 of a reply go to the caller's kernel-bound buffer: it
	 * has none now, so the call is refused and writes nowhere. (Bound to
	 * pa0 still, the kernel would write B's page.) */
	err = septa_tcb_read_registers(mt.tcb_a, 8, regs);
	for (unsigned i = 0; i < 4 && at < TRIES; i++) {
		CHECK_EQ(peek(mt.tcb_b, XB + at * PAGE + mr4 + i * 8, &got), PROBE_OK);
		CHECK_EQ(got, 0);
	}
	CHECK_EQ(err, SEPTA_E_NO_BUFFER);
	/* Four registers need no buffer: the thread still works. */
	CHECK_EQ(septa_tcb_read_registers(mt.tcb_a, 4, regs), 0);
	CHECK_EQ(regs[2], MAGIC + 2);
	for (unsigned i = 0; i < n; i++)
		CHECK_EQ(memsrv_free(MEMSRV_AS(EP, mt.b), held[i], 1), MEMSRV_OK);
	CHECK_EQ(memsrv_audit(EP, &a), MEMSRV_OK);
	CHECK_EQ(a.differences, 0);
}
