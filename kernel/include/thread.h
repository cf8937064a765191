/* A thread at EL0. The capability kernel (issue 3) turns this into a TCB. */
#pragma once
#include <pgtable.h>
#include "../arch/aarch64/regs.h"

enum thread_state { THREAD_INACTIVE, THREAD_RUNNING, THREAD_DEAD };

struct thread {
	struct arch_regs regs; /* first: TPIDR_EL2 points here */
	struct pgt vspace;
	enum thread_state state;
	bool is_root;
	char name[32];
};

extern struct thread *thread_current;

/* The thread ended (exit or fault); runs whatever is left, or shuts down. */
__attribute__((noreturn)) void thread_end(struct thread *t, int status);
