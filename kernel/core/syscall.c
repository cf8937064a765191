/*
 * System calls. IPC calls name a capability in the caller's CSpace: on an
 * endpoint or notification they are IPC, on any other object an invocation.
 * Every call checks its arguments before it has an effect; the status comes
 * back in x0 (septa_error).
 */
#include <arch.h>
#include <core/audit.h>
#include <core/fastpath.h>
#include <core/sched.h>
#include <kernel.h>
#include <kprintf.h>
#include <object/cap.h>
#include <object/cspace.h>
#include <object/delete.h>
#include <object/endpoint.h>
#include <object/invoke.h>
#include <object/notification.h>
#include <object/tcb.h>
#include <object/vspace.h>
#include <pl011.h>
#include <plat.h>
#include <status.h>

/* The buffer must be mapped readable in the caller's own address space,
 * over RAM: the kernel reads it through its own map, which has no user
 * device in it (a read there would be a kernel data abort). */
static long check_user_readable(const struct pgt *vs, uint64_t addr, uint64_t len)
{
	uint64_t page, last;

	if (len == 0)
		return SEPTA_OK;
	if (addr + len < addr)
		return SEPTA_E_RANGE;
	last = ALIGN_DOWN(addr + len - 1, SEPTA_PAGE_SIZE);
	for (page = ALIGN_DOWN(addr, SEPTA_PAGE_SIZE);; page += SEPTA_PAGE_SIZE) {
		pte_t pte;
		unsigned level;

		if (pgt_query(vs, page, &pte, &level) != PGT_OK || !arch_s2_readable(pte))
			return SEPTA_E_FAULT;
		if (!arch_s2_normal_ram(pte))
			return SEPTA_E_NOT_RAM;
		if (page == last)
			return SEPTA_OK;
	}
}

static void sys_debug_write(struct tcb *t)
{
	const struct pgt *vs = &tcb_vspace(t)->pgt; /* it runs, so it has one */
	uint64_t addr = t->regs.x[0], len = t->regs.x[1];
	long err;

	if (len > SEPTA_DEBUG_WRITE_MAX) {
		t->regs.x[0] = (uint64_t)SEPTA_E_RANGE;
		return;
	}
	err = check_user_readable(vs, addr, len);
	if (err) {
		t->regs.x[0] = (uint64_t)err;
		return;
	}
	/* One translation per page, not per byte. */
	for (uint64_t i = 0; i < len;) {
		pte_t pte;
		unsigned level;
		uint64_t a = addr + i,
			 in_page = SEPTA_PAGE_SIZE - (a & (SEPTA_PAGE_SIZE - 1));
		const char *p;

		pgt_query(vs, a, &pte, &level);
		p = (const char *)(uintptr_t)(pte_addr(pte) |
					      (a & (pgt_granule(level) - 1)));
		for (uint64_t n = 0; n < in_page && i < len; n++, i++)
			kputc(p[n]);
	}
	t->regs.x[0] = SEPTA_OK;
	t->regs.x[1] = len;
}

/*
 * Console input is authority: whoever reads it takes it from everyone else
 * (the UART's FIFO has one reader), and it is what a user types. So it
 * goes with the console UART's IRQHandler, which the root task makes from
 * its IRQControl and hands on like any capability: x0 names it.
 */
static void sys_debug_read(struct tcb *t)
{
	uint64_t got = 0, n = 0;
	struct cte *slot;
	int c, err = cspace_lookup_cap(tcb_cspace(t), t->regs.x[0], &slot);

	if (!err && slot->cap.type != CAP_IRQ_HANDLER)
		err = SEPTA_E_CAP_TYPE;
	if (!err && slot->cap.obj != plat.uart_irq)
		err = SEPTA_E_PERM;
	if (!err && !(slot->cap.rights & SEPTA_RIGHT_READ))
		err = SEPTA_E_RIGHTS;
	if (err) {
		t->regs.x[0] = (uint64_t)(int64_t)err;
		t->regs.x[1] = t->regs.x[2] = 0;
		return;
	}
	while (n < 8 && (c = pl011_getc()) >= 0)
		got |= (uint64_t)c << (8 * n++);
	t->regs.x[0] = SEPTA_OK;
	t->regs.x[1] = n;
	t->regs.x[2] = got;
}

/* Send, NBSend and Call on an endpoint or notification (slot's). Apart
 * from sys_send so that an invocation does not pay for its frame. */
static __attribute__((noinline)) void sys_send_ipc(struct tcb *t, const struct cte *slot,
						   bool is_call, bool blocking)
{
	uint64_t mi = t->regs.x[1];
	struct cte *caps[SEPTA_MSG_MAX_CAPS];
	const struct cap *c = &slot->cap;
	int err;

	if (SEPTA_MSG_LEN(mi) > SEPTA_MSG_MAX) {
		err = SEPTA_E_MSG_LENGTH;
		goto fail;
	}
	if (!(c->rights & SEPTA_RIGHT_WRITE)) {
		err = SEPTA_E_RIGHTS;
		goto fail;
	}
	/* A message that is not all there is not sent cut (the receiver's
	 * missing buffer cuts it: that one says what arrived). */
	if (c->type == CAP_ENDPOINT && SEPTA_MSG_LEN(mi) > SEPTA_MSG_REGS &&
	    !tcb_buffer(t)) {
		err = SEPTA_E_NO_BUFFER;
		goto fail;
	}
	if (c->type == CAP_NOTIFICATION) {
		if (is_call) {
			err = SEPTA_E_CAP_TYPE;
			goto fail;
		}
		notification_signal((struct notification *)(uintptr_t)c->obj, c->word);
		t->regs.x[0] = SEPTA_OK;
		return;
	}
	if (SEPTA_MSG_CAPS(mi)) {
		/* Capabilities go only with Grant, and must all exist now. */
		if (!(c->rights & SEPTA_RIGHT_GRANT)) {
			err = SEPTA_E_RIGHTS;
			goto fail;
		}
		err = msg_lookup_caps(t, SEPTA_MSG_CAPS(mi), caps);
		if (err)
			goto fail;
	}
	endpoint_send((struct endpoint *)(uintptr_t)c->obj, t, c->word,
		      c->rights & SEPTA_RIGHT_GRANT, is_call, blocking || is_call);
	return;
fail:
	ipc_set_result(t, err, 0, 0);
}

/* Send, NBSend and Call: IPC on an endpoint or notification, else an
 * invocation of the object. slot: what the lookup would find, if known. */
static void sys_send(struct tcb *t, bool is_call, bool blocking, struct cte *slot)
{
	int err = slot ? SEPTA_OK : cspace_lookup_cap(tcb_cspace(t), t->regs.x[0], &slot);

	if (cap_delete_again(t) && err)
		err = SEPTA_OK; /* its deletion was taken over (delete.c) */
	if (err || !slot) {
		ipc_set_result(t, err, 0, 0);
		return;
	}
	if (slot->cap.type != CAP_ENDPOINT && slot->cap.type != CAP_NOTIFICATION)
		invoke(t, slot, t->regs.x[1]);
	else
		sys_send_ipc(t, slot, is_call, blocking);
}

static void sys_recv(struct tcb *t, bool blocking)
{
	struct cte *slot;
	int err = cspace_lookup_cap(tcb_cspace(t), t->regs.x[0], &slot);

	if (!err && slot->cap.type != CAP_ENDPOINT && slot->cap.type != CAP_NOTIFICATION)
		err = SEPTA_E_CAP_TYPE;
	if (!err && !(slot->cap.rights & SEPTA_RIGHT_READ))
		err = SEPTA_E_RIGHTS;
	if (err) {
		ipc_set_result(t, err, 0, 0);
		return;
	}
	if (slot->cap.type == CAP_ENDPOINT)
		endpoint_recv((struct endpoint *)(uintptr_t)slot->cap.obj, t, blocking);
	else
		notification_wait((struct notification *)(uintptr_t)slot->cap.obj, t,
				  blocking);
}

#ifdef SEPTA_TEST_BUILD
/* Lets a test prove that a kernel exception is dumped: nothing at EL2
 * stage 1 maps the first 2 MiB, so this load takes a translation fault. */
static void sys_test_kernel_fault(struct tcb *t)
{
	t->regs.x[0] = *(volatile uint64_t *)(uintptr_t)0x1000;
}
#endif

static __attribute__((noinline)) void syscall_other(struct tcb *t, struct arch_regs *r);

void syscall_dispatch(struct arch_regs *r, struct cte *slot)
{
	/* A Call the fastpath did not serve is nearly always an invocation:
	 * it goes first, without the frame the rest's fault_raise needs. */
	if (r->x[7] == SEPTA_SYS_CALL)
		sys_send(sched_current, true, true, slot);
	else
		syscall_other(sched_current, r);
}

/* Every system call but Call (syscall_dispatch). */
static void syscall_other(struct tcb *t, struct arch_regs *r)
{
	uint64_t nr = r->x[7];

	switch (nr) {
	case SEPTA_SYS_DEBUG_WRITE:
		sys_debug_write(t);
		return;
	case SEPTA_SYS_DEBUG_READ:
		sys_debug_read(t);
		return;
	case SEPTA_SYS_SHUTDOWN:
		if (!t->is_root) {
			t->regs.x[0] = (uint64_t)SEPTA_E_PERM;
			return;
		}
		arch_shutdown((int)r->x[0]);
		return;
	case SEPTA_SYS_EXIT:
		thread_end(t, (int)r->x[0]);
		return;
	case SEPTA_SYS_SEND:
		sys_send(t, false, true, NULL);
		return;
	case SEPTA_SYS_NBSEND:
		sys_send(t, false, false, NULL);
		return;
	case SEPTA_SYS_RECV:
		sys_recv(t, true);
		return;
	case SEPTA_SYS_NBRECV:
		sys_recv(t, false);
		return;
	case SEPTA_SYS_REPLY:
		t->regs.x[0] = (uint64_t)(int64_t)ipc_reply(t);
		return;
	case SEPTA_SYS_REPLY_RECV:
		/* Nobody to answer is fine: just receive. A reply refused (for its
		 * length, or its fault reply's injection) changed nothing and its
		 * caller still waits: say so instead of receiving, or the replier
		 * would never learn. */
		{
			int err = ipc_reply(t);

			if (err && t->reply_to) {
				t->regs.x[0] = (uint64_t)(int64_t)err;
				return;
			}
		}
		sys_recv(t, true);
		return;
	case SEPTA_SYS_YIELD:
		sched_yield(t);
		t->regs.x[0] = SEPTA_OK;
		return;
#ifdef SEPTA_TEST_BUILD
	case SEPTA_SYS_TEST_KERNEL_FAULT:
		sys_test_kernel_fault(t);
		return;
	case SEPTA_SYS_TEST_PEND_IRQ:
		t->regs.x[0] = (uint64_t)(int64_t)arch_irq_test_pend((unsigned)r->x[0]);
		return;
#ifdef SEPTA_ENTRY_STATS
	case SEPTA_SYS_TEST_ENTRY_MAX:
		arch_entry_stats(&r->x[1], &r->x[2]);
		r->x[0] = SEPTA_OK;
		return;
#endif
	case SEPTA_SYS_TEST_AUDIT:
		audit_syscall(t);
		return;
	case SEPTA_SYS_TEST_FASTPATH:
		fastpath_test_syscall(t);
		return;
	case SEPTA_SYS_TEST_ZERO:
		t->regs.x[1] = arch_zero_test_stores(r->x[0] != 0);
		t->regs.x[0] = SEPTA_OK;
		return;
#endif
	}
	if (t->slots[TCB_SLOT_FAULT].cap.type == CAP_ENDPOINT)
		fault_raise(t, SEPTA_FAULT_UNKNOWN_SYSCALL,
			    (uint64_t[]){[SEPTA_BADCALL_PC] = r->elr,
					 [SEPTA_BADCALL_SP] = r->sp,
					 [SEPTA_BADCALL_NUMBER] = nr,
					 [SEPTA_BADCALL_X0] = r->x[0]},
			    SEPTA_BADCALL_LEN);
	else
		t->regs.x[0] = (uint64_t)SEPTA_E_SYSCALL;
}
