/*
 * memsrv, the root task. Its first thread builds the CSpace the server
 * thread needs (memsrv.h), starts that thread, and then only waits for the
 * word to power the machine off: the kernel lets the root task's first
 * thread alone do that. The server thread takes over the memory, starts
 * the servers packed in the boot image and serves them.
 */
#include <stdio.h>
#include <string.h>
#include "memsrv.h"

#define SERVER_THREAD_PRIO 200 /* above every client: a call is served at once */
#define STACK_BYTES	   (64 * 1024)

static const struct septa_bootinfo *bi;
static unsigned boot_ut = ~0u; /* index of the Untyped the CSpace is built from */
/* Root-CNode slots, so that both threads can name them. */
static uint64_t ep_slot, ctrl_slot;
static _Alignas(16) uint8_t server_stack[STACK_BYTES];

/* The Untyped the CSpace is built from: the largest RAM one under 2 MiB
 * (those are too small for the pool) if it holds 1 MiB, else the smallest
 * of the pool's, which the pool then leaves out. 512 KiB is not enough:
 * the top CNode and the first 256 KiB sub-CNode, aligned to its size,
 * fill it, with no room for the first thread's objects. */
static unsigned pick_boot_untyped(void)
{
	unsigned best = ~0u, big = ~0u;

	for (unsigned i = 0; i < bi->untyped_count; i++) {
		unsigned bits = bi->untyped[i].size_bits;

		if (bi->untyped[i].is_device)
			continue;
		if (bits >= 20 && bits < 21 &&
		    (best == ~0u || bits > bi->untyped[best].size_bits))
			best = i;
		if (bits >= 21 && (big == ~0u || bits < bi->untyped[big].size_bits))
			big = i;
	}
	return best != ~0u ? best : big;
}

void memsrv_power_off(int status)
{
	struct septa_msg m = {.info = septa_msginfo(CTRL_SHUTDOWN, 0, 1),
			      .mr = {(uint64_t)(int64_t)status}};

	fflush(stdout);
	septa_send(ctrl_slot, &m);
	for (;;)
		septa_recv(ep_slot, &m); /* never reached: the first thread runs first */
}

static void server_main(struct septa_ipc_buffer *buf)
{
	int n;

	septa_set_ipc_buffer(buf);
	if (pool_init(bi, boot_ut)) {
		printf("memsrv: cannot take over the memory\n");
		memsrv_power_off(1);
	}
	printf("memsrv: pool %#llx+%lluMiB in %llu chunks, %llu MiB free, database %llu "
	       "KiB\n",
	       (unsigned long long)pool.base, (unsigned long long)(pool.pages >> 8),
	       (unsigned long long)pool.nchunks,
	       (unsigned long long)(pool_free_pages() >> 8),
	       (unsigned long long)(pool.pages * sizeof(struct own_page) >> 10));
	n = spawn_servers(bi, ep_slot);
	if (n <= 0) {
		printf("memsrv: %s, powering off\n",
		       n == 0 ? "no servers in the boot image" : "no server could start");
		memsrv_power_off(n == 0 ? 0 : 1);
	}
	idle_start(ep_slot);
	serve(ep_slot);
}

int main(void)
{
	uint64_t next, tcb;
	struct septa_msg m = {0};
	long err;

	bi = septa_bootinfo();
	if (bi->magic != SEPTA_BOOTINFO_MAGIC) {
		printf("memsrv: bad boot info magic %llx\n",
		       (unsigned long long)bi->magic);
		return 1;
	}
	printf("memsrv: hello from EL0 on %s, root task '%s'\n", bi->platform,
	       bi->root_name);
	printf("memsrv: RAM %#llx+%lluMiB, free %#llx+%lluMiB\n",
	       (unsigned long long)bi->ram_base, (unsigned long long)(bi->ram_size >> 20),
	       (unsigned long long)bi->free_base,
	       (unsigned long long)(bi->free_size >> 20));
	boot_ut = pick_boot_untyped();
	if (boot_ut == ~0u) {
		printf("memsrv: no Untyped of 1 MiB or more to start from\n");
		return 1;
	}
	/* The top CNode takes first_free_slot (and the next one for a moment). */
	next = bi->first_free_slot;
	cs_init(next, bi->untyped_slot + boot_ut, bi->untyped[boot_ut].paddr,
		bi->untyped[boot_ut].size_bits);
	next += 2;
	ep_slot = next++;
	ctrl_slot = next++;
	tcb = next++;
	err = kobj_new_at(SEPTA_OBJ_ENDPOINT, 0, ep_slot) ||
		      kobj_new_at(SEPTA_OBJ_ENDPOINT, 0, ctrl_slot) ||
		      kobj_new_at(SEPTA_OBJ_TCB, 0, tcb)
		  ? -1
		  : 0;
	memset((void *)SEPTA_ROOT_SPARE_BASE, 0, SEPTA_PAGE_SIZE);
	if (!err)
		err = thread_start(
		    tcb, &(struct thread_spec){
			     .cspace = cs_top,
			     .vspace = SEPTA_CAP_INIT_VSPACE,
			     .buffer_frame = bi->spare_frames_slot,
			     .buffer_ipa = SEPTA_ROOT_SPARE_BASE,
			     .pc = (uint64_t)(uintptr_t)server_main,
			     .sp = (uint64_t)(uintptr_t)(server_stack + STACK_BYTES),
			     .x0 = SEPTA_ROOT_SPARE_BASE,
			     .prio = SERVER_THREAD_PRIO});
	if (err) {
		printf("memsrv: cannot start the server thread (%ld)\n", err);
		return 1;
	}
	/* Only the server thread sends here; it waits for nothing after. */
	while (septa_recv(ctrl_slot, &m) != SEPTA_OK ||
	       SEPTA_MSG_LABEL(m.info) != CTRL_SHUTDOWN)
		;
	septa_shutdown((int)m.mr[0]);
	return 1;
}
