/*
 * System calls of the foundation: debug output and ending. Each call
 * checks all of its arguments before it has any effect; a bad argument
 * gets its own error and changes nothing.
 */
#include <arch.h>
#include <kprintf.h>
#include <septa/abi.h>
#include <syscall.h>
#include <thread.h>

/* The buffer must be mapped readable in the caller's own address space. */
static long check_user_readable(const struct thread *t, uint64_t addr, uint64_t len)
{
	uint64_t page, last;

	if (len == 0)
		return SEPTA_OK;
	if (addr + len < addr)
		return SEPTA_E_RANGE;
	last = ALIGN_DOWN(addr + len - 1, PAGE_SIZE);
	for (page = ALIGN_DOWN(addr, PAGE_SIZE);; page += PAGE_SIZE) {
		pte_t pte;
		unsigned level;

		if (pgt_query(&t->vspace, page, &pte, &level) != PGT_OK ||
		    !arch_s2_readable(pte))
			return SEPTA_E_FAULT;
		if (page == last)
			return SEPTA_OK;
	}
}

static const char *user_to_kernel(const struct thread *t, uint64_t addr)
{
	pte_t pte;
	unsigned level;

	pgt_query(&t->vspace, addr, &pte, &level);
	return (const char *)(uintptr_t)(pte_addr(pte) |
					 (addr & (pgt_granule(level) - 1)));
}

static void sys_debug_write(struct arch_regs *r)
{
	uint64_t addr = r->x[0], len = r->x[1];
	long err;

	if (len > SEPTA_DEBUG_WRITE_MAX) {
		r->x[0] = (uint64_t)SEPTA_E_RANGE;
		return;
	}
	err = check_user_readable(thread_current, addr, len);
	if (err) {
		r->x[0] = (uint64_t)err;
		return;
	}
	for (uint64_t i = 0; i < len; i++)
		kprintf("%c", *user_to_kernel(thread_current, addr + i));
	r->x[0] = SEPTA_OK;
	r->x[1] = len;
}

static void sys_shutdown(struct arch_regs *r)
{
	if (!thread_current->is_root) {
		r->x[0] = (uint64_t)SEPTA_E_PERM;
		return;
	}
	arch_shutdown((int)r->x[0]);
}

static void sys_exit(struct arch_regs *r)
{
	thread_end(thread_current, (int)r->x[0]);
}

#ifdef SEPTA_TEST_BUILD
/* Lets a test prove that a kernel exception is dumped: nothing at EL2
 * stage 1 maps the first 2 MiB, so this load takes a translation fault. */
static void sys_test_kernel_fault(struct arch_regs *r)
{
	r->x[0] = *(volatile uint64_t *)(uintptr_t)0x1000;
}
#endif

void syscall_dispatch(struct arch_regs *r)
{
	switch (r->x[7]) {
	case SEPTA_SYS_DEBUG_WRITE:
		sys_debug_write(r);
		break;
	case SEPTA_SYS_SHUTDOWN:
		sys_shutdown(r);
		break;
	case SEPTA_SYS_EXIT:
		sys_exit(r);
		break;
#ifdef SEPTA_TEST_BUILD
	case SEPTA_SYS_TEST_KERNEL_FAULT:
		sys_test_kernel_fault(r);
		break;
#endif
	default:
		r->x[0] = (uint64_t)SEPTA_E_SYSCALL;
		break;
	}
}
