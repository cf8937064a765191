/*
 * IPC round trip: Call from the root task to a server thread that answers
 * with ReplyRecv, a one-register message, no capability. Run under QEMU
 * with -icount shift=0, where the counter counts instructions (icount.h).
 * Then three invocations of kernel objects, the way memsrv makes them.
 */
#include <septa/ipc.h>
#include <septa/syscall.h>
#include <stdio.h>
#include "icount.h"

#define ROUNDS		  20000
#define INVOCATION_ROUNDS 2000
#define SLOT_EP		  (bi->first_free_slot)
#define SLOT_TCB	  (bi->first_free_slot + 1)
#define SLOT_TMP	  (bi->first_free_slot + 2)

static const struct septa_bootinfo *bi;
static uint8_t stack[16384] __attribute__((aligned(16)));

static void server(uint64_t ep, struct septa_ipc_buffer *buf)
{
	struct septa_msg m = {0};

	septa_set_ipc_buffer(buf);
	septa_recv(ep, &m);
	for (;;) {
		m.info = septa_msginfo(0, 0, 1);
		m.mr[0]++;
		septa_reply_recv(ep, &m);
	}
}

static uint64_t measure(uint64_t ep, int rounds, int *bad)
{
	uint64_t t0 = icount_now();

	for (int i = 0; i < rounds; i++) {
		struct septa_msg m = {.info = septa_msginfo(1, 0, 1),
				      .mr = {(uint64_t)i}};

		if (septa_call(ep, &m) != SEPTA_OK || m.mr[0] != (uint64_t)i + 1)
			(*bad)++;
	}
	return icount_now() - t0;
}

/* Invocations of kernel objects: a capability copied and deleted again, an
 * address in the root task's VSpace looked up. */
static uint64_t measure_invocations(uint64_t ep, int rounds, int *bad)
{
	uint64_t q[4], t0 = icount_now();

	for (int i = 0; i < rounds; i++)
		if (septa_cnode_copy(SEPTA_CAP_INIT_CNODE, SLOT_TMP, 64,
				     SEPTA_CAP_INIT_CNODE, ep, 64, SEPTA_RIGHTS_ALL) ||
		    septa_cnode_delete(SEPTA_CAP_INIT_CNODE, SLOT_TMP, 64) ||
		    septa_vspace_query(SEPTA_CAP_INIT_VSPACE, SEPTA_ROOT_IPC_BUFFER, q))
			(*bad)++;
	return icount_now() - t0;
}

static void print_tenths(const char *what, uint64_t x10)
{
	printf("ipcbench: %s: %llu.%llu instructions\n", what,
	       (unsigned long long)x10 / 10, (unsigned long long)x10 % 10);
}

int main(void)
{
	uint64_t ut, ipa = SEPTA_ROOT_SPARE_BASE, regs[4], ticks, empty, x10, e10;
	int bad = 0;

	bi = septa_bootinfo();
	ut = bi->untyped_slot;
	for (unsigned i = 1; i < bi->untyped_count; i++)
		if (bi->untyped[i].size_bits >
		    bi->untyped[ut - bi->untyped_slot].size_bits)
			ut = bi->untyped_slot + i;
	if (septa_untyped_retype(ut, SEPTA_OBJ_ENDPOINT, 0, SEPTA_CAP_INIT_CNODE, 0, 0,
				 SLOT_EP, 1) ||
	    septa_untyped_retype(ut, SEPTA_OBJ_TCB, 0, SEPTA_CAP_INIT_CNODE, 0, 0,
				 SLOT_TCB, 1) ||
	    septa_tcb_configure(SLOT_TCB, 0, SEPTA_CAP_INIT_CNODE, SEPTA_CAP_INIT_VSPACE,
				bi->spare_frames_slot, ipa) ||
	    septa_tcb_set_priority(SLOT_TCB, SEPTA_PRIO_MAX)) {
		printf("ipcbench: setup failed\n");
		septa_shutdown(1);
	}
	regs[0] = (uint64_t)(uintptr_t)server;
	regs[1] = (uint64_t)(uintptr_t)(stack + sizeof(stack));
	regs[2] = SLOT_EP;
	regs[3] = ipa;
	septa_tcb_write_registers(SLOT_TCB, 1, 4, regs);
	septa_yield();

	measure(SLOT_EP, 100, &bad); /* warm up */
	ticks = measure(SLOT_EP, ROUNDS, &bad);
	/* The loop without the system call, to subtract. */
	empty = icount_now();
	for (volatile int i = 0; i < ROUNDS; i++)
		;
	empty = icount_now() - empty;
	printf("ipcbench: %d round trips, %d wrong answers\n", ROUNDS, bad);
	x10 = icount_tenths(ticks, ROUNDS);
	e10 = icount_tenths(empty, ROUNDS);
	printf("ipcbench: call + replyrecv round trip: %llu.%llu instructions "
	       "(of which loop %llu.%llu)\n",
	       (unsigned long long)x10 / 10, (unsigned long long)x10 % 10,
	       (unsigned long long)e10 / 10, (unsigned long long)e10 % 10);
	measure_invocations(SLOT_EP, 10, &bad); /* warm up */
	ticks = measure_invocations(SLOT_EP, INVOCATION_ROUNDS, &bad);
	print_tenths("cnode copy + cnode delete + vspace query",
		     icount_tenths(ticks, INVOCATION_ROUNDS));
	septa_shutdown(bad ? 1 : 0);
	return 1;
}
