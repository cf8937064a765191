/*
 * memtest's setup (the borrower VSpace and the probe threads) and the probe
 * itself; tests/lib/harness.c runs the tests, each in a thread of its own
 * (runner.c). Packed as "memsrvbench" it runs the benchmark instead.
 */
#include <stdio.h>
#include <string.h>
#include "memtest.h"

#define PROBE_PRIO 90	     /* below memtest: a probe runs only while memtest waits */
#define PROBE_BUF  0x3000ULL /* the probes' IPC buffer address (never used) */

struct memtest mt;
void memtest_probe(void);

uint64_t mk(unsigned type, unsigned bits)
{
	uint64_t s = mt.next_slot++;

	if (septa_untyped_retype(MEMSRV_CAP_UNTYPED, type, bits, MEMSRV_CAP_CNODE, 0, 0,
				 s, 1))
		return 0;
	return s;
}

void kq(uint64_t vspace, uint64_t ipa, uint64_t q[4])
{
	if (septa_vspace_query(vspace, ipa, q))
		q[0] = q[1] = q[2] = q[3] = ~0ULL;
}

uint64_t pa_of(uint64_t vspace, uint64_t ipa)
{
	uint64_t q[4];

	kq(vspace, ipa, q);
	return q[0] == ~0ULL ? 0 : q[0];
}

int probe(uint64_t tcb, uint64_t rd, uint64_t wr, uint64_t val, uint64_t *got)
{
	uint64_t regs[6] = {(uint64_t)(uintptr_t)memtest_probe, 0, rd, wr, 0, val};
	struct septa_msg m = {0}, stop = {.info = septa_msginfo(1, 0, 0)};
	unsigned label;

	if (septa_tcb_write_registers(tcb, 1, 6, regs) || septa_recv(mt.fault_ep, &m))
		return PROBE_OTHER;
	label = (unsigned)SEPTA_MSG_LABEL(m.info);
	if (septa_reply(&stop)) /* leaves it stopped, ready for the next probe */
		return PROBE_OTHER;
	if (label == SEPTA_FAULT_ABORT) {
		*got = m.mr[SEPTA_ABORT_IPA];
		return PROBE_FAULT;
	}
	if (label != SEPTA_FAULT_UNKNOWN_SYSCALL ||
	    septa_tcb_read_registers(tcb, 5, regs))
		return PROBE_OTHER;
	*got = regs[4];
	return PROBE_OK;
}

static uint64_t probe_thread(uint64_t vspace)
{
	uint64_t tcb = mk(SEPTA_OBJ_TCB, 0), buf = mk(SEPTA_OBJ_FRAME_4K, 0);

	if (!tcb || !buf ||
	    septa_tcb_configure(tcb, mt.fault_ep, MEMSRV_CAP_CNODE, vspace, buf,
				PROBE_BUF) ||
	    septa_tcb_set_priority(tcb, PROBE_PRIO))
		return 0;
	return tcb;
}

int memtest_setup(void)
{
	uint64_t code = (uint64_t)(uintptr_t)memtest_probe;
	long err;

	mt.me = septa_bootinfo()->client_id;
	mt.next_slot = MEMSRV_FIRST_FREE;
	mt.fault_ep = mk(SEPTA_OBJ_ENDPOINT, 0);
	mt.vs_b = mk(SEPTA_OBJ_VSPACE, 32);
	if (!mt.fault_ep || !mt.vs_b)
		return -1;
	err = memsrv_register(EP, mt.vs_b, &mt.b);
	/* B runs the same probe page, shared read-execute at the same address. */
	if (!err)
		err = memsrv_share(EP, pa_of(MY_VS, code), 1, mt.b, code, MEMSRV_RX);
	if (err) {
		printf("memtest: setup: %s (%ld)\n", memsrv_strerror(err), err);
		return -1;
	}
	mt.tcb_a = probe_thread(MY_VS);
	mt.tcb_b = probe_thread(mt.vs_b);
	return mt.tcb_a && mt.tcb_b ? 0 : -1;
}

int main(void)
{
	struct harness_hooks hooks = {.after = memtest_after, .run = memtest_run};
	const struct harness_test *list;
	unsigned n = 0;

	printf("memtest: client %u of memsrv, '%s'\n", septa_bootinfo()->client_id,
	       septa_bootinfo()->root_name);
	if (memtest_setup()) {
		printf("memtest: setup failed\n");
		memsrv_shutdown(EP, 1);
		return 1;
	}
	if (strcmp(septa_bootinfo()->root_name, "memsrvbench") == 0) {
		memtest_bench();
		memsrv_shutdown(EP, harness.failed);
		return 1;
	}
	if (memtest_runner_setup()) {
		printf("memtest: cannot make the tests' thread\n");
		memsrv_shutdown(EP, 1);
		return 1;
	}
	list = memtest_selftest(&n);
	if (list) {
		printf("memtest: the harness's self-test, %u tests\n", n);
		memsrv_shutdown(EP, harness_run_list(&hooks, list, n));
		return 1;
	}
	printf("memtest: %u tests, borrower VSpace is client %u\n", harness_count, mt.b);
	memsrv_shutdown(EP, harness_run(&hooks));
	return 1;
}
