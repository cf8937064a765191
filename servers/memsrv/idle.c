/*
 * The ready pool (ready.h) in memsrv: its pages made frames ahead of the
 * fault that takes one, and refilled only when nothing else runs.
 *
 * Idle is when the scheduler has nothing else to run: a third memsrv
 * thread at priority 0, below every client (a VM's vCPUs are at 1 or
 * more), runs only then. It does not touch memsrv's structures, which the
 * server thread alone owns: it Calls the server on memsrv's endpoint
 * under the CTRL_IDLE badge, and the server refills one batch (at most
 * READY_BATCH pages, at most two chunks cut into frames) as it would
 * serve any request, one at a time, and answers whether the pool wants
 * more. A request that arrives meanwhile waits for that batch at most,
 * as it waits today for a fault that cuts a chunk. When the pool is full
 * the thread waits on a notification, which the server signals when the
 * pool falls below READY_LOW. Polling the endpoint instead (NBRecv between
 * batches) would refill while the client the server just answered has
 * not run yet: the server is at 200, above everyone, so "no request
 * waiting" says nothing about idleness, and the guest would wait for the
 * refill.
 */
#include <stdio.h>
#include "memsrv.h"
#include "ready.h"

#define IDLE_PRIO	 0u
#define IDLE_STACK_BYTES 1024u

static struct ready ready;
static uint64_t idle_ntfn, idle_ep;
static bool idle_asleep; /* the thread waits on idle_ntfn */
static _Alignas(16) uint8_t idle_stack[IDLE_STACK_BYTES];

unsigned idle_pooled(void)
{
	return ready.n;
}

/* A page given back from the pool: never anyone's since it was free, so
 * still zero; only its chunk's count changes. */
static void drained(uint64_t page)
{
	pool_unpopulate(page);
}

/* The refill woken when the pool is low: after a take that made it so,
 * after a drain, and after a free (a pool left empty while the thread
 * sleeps would never fill again: the refill sleeps too when it found no
 * free page, and a single page taken from the index while the pool is
 * empty does not wake it, to keep that path short). */
static void wake_if_low(void)
{
	if (idle_asleep && ready.n < READY_LOW) {
		idle_asleep = false;
		septa_signal(idle_ntfn);
	}
}

int idle_alloc(unsigned client, uint64_t n, uint64_t align, uint64_t *first)
{
	int err = ready_alloc(&pool.db, &ready, client, n, align, first, drained);

	wake_if_low();
	return err;
}

void idle_freed(void)
{
	wake_if_low();
}

int idle_alloc_page(unsigned client, uint64_t *page, bool *pooled)
{
	int err = ready_alloc_page(&pool.db, &ready, client, page, pooled, drained);

	wake_if_low();
	return err;
}

void idle_untake(uint64_t page)
{
	ready_untake(&pool.db, &ready, page);
}

/* One batch; whether the pool wants more (false: full, or no memory). */
bool idle_refill(void)
{
	unsigned i;
	uint64_t p;

	for (i = 0; i < READY_BATCH && ready.n < READY_MAX; i++) {
		if (!pool_reserve(1, false) || !ready_fill(&pool.db, &ready, 1, &p))
			break;
		pool_populate(p, 1, false);
	}
	idle_asleep = i < READY_BATCH || ready.n == READY_MAX;
	return !idle_asleep;
}

/* The pool's first bad page, or -1: ready_check's, then each a 4 KiB
 * frame of a chunk cut into frames with no client's grant on it. */
static long pool_bad(void)
{
	long at = ready_check(&pool.db, &ready);

	for (unsigned i = 0; at < 0 && i < ready.n; i++) {
		uint64_t p = ready_at(&ready, i);
		bool granted = pool_chunk(p)->state != CH_PAGES;

		for (unsigned c = 1; !granted && c < MEMSRV_MAX_CLIENTS; c++)
			granted = clients[c].vspace && grant_find(c, p);
		if (granted)
			at = i;
	}
	return at;
}

void idle_audit(struct memsrv_audit *out)
{
	long at = pool_bad();

	out->checked += ready.n;
	if (at < 0)
		return;
	if (!out->differences++) {
		out->kind = MEMSRV_AUDIT_POOL;
		out->client = 0;
		out->ipa = pool.base +
			   (uint64_t)ready_at(&ready, (unsigned)at) * SEPTA_PAGE_SIZE;
	}
	printf("memsrv: audit: ready pool page %ld of %u: difference %u\n", at, ready.n,
	       MEMSRV_AUDIT_POOL);
}

static void idle_main(uint64_t arg)
{
	(void)arg;
	for (;;) {
		struct septa_msg m = {.info = septa_msginfo(0, 0, 0)};

		if (septa_call(idle_ep, &m) != SEPTA_OK || SEPTA_MSG_LABEL(m.info) == 0)
			septa_wait(idle_ntfn, NULL);
	}
}

int idle_start(uint64_t ep)
{
	uint64_t tcb = kobj_new(SEPTA_OBJ_TCB, 0), buf = kobj_new(SEPTA_OBJ_FRAME_4K, 0);
	long err;

	idle_ntfn = kobj_new(SEPTA_OBJ_NOTIFICATION, 0);
	idle_ep = cs_alloc(1);
	if (!tcb || !buf || !idle_ntfn || !idle_ep)
		return -1;
	/* Write only, as a client's: it may call, never receive requests. */
	err = septa_cnode_mint(cs_top, idle_ep, CS_DEPTH, cs_top, ep, CS_DEPTH,
			       SEPTA_RIGHT_WRITE, CTRL_IDLE);
	/* Its messages fit in registers: the buffer is never mapped, only
	 * what the kernel requires of a thread. */
	if (!err)
		err = thread_start(
		    tcb, &(struct thread_spec){
			     .cspace = cs_top,
			     .vspace = SEPTA_CAP_INIT_VSPACE,
			     .buffer_frame = buf,
			     .buffer_ipa = MS_IDLE_BUFFER_IPA,
			     .pc = (uint64_t)(uintptr_t)idle_main,
			     .sp = (uint64_t)(uintptr_t)(idle_stack + IDLE_STACK_BYTES),
			     .prio = IDLE_PRIO});
	if (err)
		printf("memsrv: no idle thread (%ld): the ready pool stays empty\n", err);
	return err ? -1 : 0;
}
