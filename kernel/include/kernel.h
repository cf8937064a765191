/* Kernel entry and exit glue between the trap code and the core. */
#pragma once
#include <arch.h>

struct tcb;

/* Picks the thread to run next (waiting for interrupts if none can) and
 * makes it current; called on every way back to user level. */
void kernel_exit(void);
struct cte;
/* The system calls; r belongs to sched_current. slot: for a Call, the slot
 * its capability lookup finds, when the entry has it (core/fastpath.h's
 * fastpath_slot), else NULL and the call looks it up. */
void syscall_dispatch(struct arch_regs *r, struct cte *slot);
/* A thread's exception that is not a system call: to its fault endpoint. */
void fault_raise(struct tcb *t, unsigned label, const uint64_t *mrs, unsigned n);
/* Ends a thread that exited or faulted with nobody to handle it. */
void thread_end(struct tcb *t, int status);
