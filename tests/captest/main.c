#include <stdio.h>
#include <string.h>
#include "captest.h"
#include "runner.h"

#define TEST_UT_BITS 22
#define MAX_THREADS  8
#define STACK_SIZE   16384
/* Slots past a test's last that its teardown checks are empty. */
#define UNTAKEN_CHECKED 16

struct captest_ctx ct;
const struct septa_bootinfo *bi;
static uint64_t big_ut, ut_slot, first_slot;
static unsigned big_bits;
static uint8_t stacks[MAX_THREADS][STACK_SIZE] __attribute__((aligned(16)));

long pend_spi(unsigned irq)
{
	struct septa_msg m = {0};

	return septa_ipc(SEPTA_SYS_TEST_PEND_IRQ, irq, &m);
}

void yield_until(volatile uint64_t *v)
{
	for (int i = 0; i < 10000 && !*v; i++)
		septa_yield();
}

void join_lower(volatile uint64_t *v)
{
	long err = septa_tcb_set_priority(ct.self, 1);

	if (err)
		harness_fail(__FILE__, __LINE__, "dropping the suite's priority", err, 0);
	yield_until(v);
	err = septa_tcb_set_priority(ct.self, ROOT_PRIO);
	if (err)
		harness_fail(__FILE__, __LINE__, "restoring the suite's priority", err,
			     0);
}

uint64_t slot(void)
{
	return ct.slot_next++;
}

uint64_t mk(unsigned type, unsigned size_bits)
{
	uint64_t s = slot();

	if (septa_untyped_retype(ct.ut, type, size_bits, CNODE, 0, 0, s, 1) != SEPTA_OK)
		return 0;
	return s;
}

static void trampoline(void (*fn)(uint64_t), uint64_t arg, struct septa_ipc_buffer *buf)
{
	septa_set_ipc_buffer(buf);
	fn(arg);
	septa_exit(0);
}

uint64_t spawn(void (*fn)(uint64_t), uint64_t arg, unsigned prio, uint64_t fault_ep)
{
	unsigned i = ct.threads++;
	uint64_t tcb = mk(SEPTA_OBJ_TCB, 0);
	uint64_t ipa = SEPTA_ROOT_SPARE_BASE + i * 4096ULL;
	uint64_t regs[5] = {(uint64_t)(uintptr_t)trampoline,
			    (uint64_t)(uintptr_t)(stacks[i] + STACK_SIZE),
			    (uint64_t)(uintptr_t)fn, arg, ipa};

	if (!tcb || i >= MAX_THREADS)
		return 0;
	memset((void *)(uintptr_t)ipa, 0, 4096);
	if (septa_tcb_configure(tcb, fault_ep, CNODE, ct.vspace ? ct.vspace : VSPACE,
				bi->spare_frames_slot + i, ipa) ||
	    septa_tcb_set_priority(tcb, prio) ||
	    septa_tcb_write_registers(tcb, 1, 5, regs))
		return 0;
	return tcb;
}

/* Each test gets a fresh Untyped and the slots from first_slot on. */
static int before(const char *name)
{
	ct = (struct captest_ctx){.slot_next = first_slot};
	/* runner_run() makes the test's thread, ct.self. */
	if (septa_untyped_retype(big_ut, SEPTA_OBJ_UNTYPED, TEST_UT_BITS, CNODE, 0, 0,
				 ut_slot, 1) != SEPTA_OK) {
		printf("     %s: no untyped for the test\n", name);
		return -1;
	}
	ct.ut = ut_slot;
	return 0;
}

/* A slot is empty when a copy from it finds nothing there (ut_slot, empty
 * by then, is where a copy would go). */
static int slot_empty(uint64_t s)
{
	long err = septa_cnode_copy(CNODE, ut_slot, DEPTH, CNODE, s, DEPTH, 0);

	if (err == SEPTA_OK)
		septa_cnode_delete(CNODE, ut_slot, DEPTH);
	return err == SEPTA_E_MISSING_CAP;
}

/* Everything made from big_ut or from device memory (tests retype that
 * too), and every slot of the test's: the state before the first test.
 * The other Untypeds hold the root task's own objects. */
static void restore_clean(void)
{
	septa_cnode_revoke(CNODE, big_ut, DEPTH);
	for (unsigned i = 0; i < bi->untyped_count; i++)
		if (bi->untyped[i].is_device)
			septa_cnode_revoke(CNODE, bi->untyped_slot + i, DEPTH);
	for (uint64_t s = ut_slot; s < ct.slot_next + UNTAKEN_CHECKED; s++)
		septa_cnode_delete(CNODE, s, DEPTH);
}

/* The test kernel's audit of the CSpace, the derivation tree and what the
 * kernel holds (kernel/core/audit.c), after each teardown: a test after
 * which it finds more violations than before fails by name (the audit
 * prints the first), and later tests are judged from there. */
static uint64_t audit_base;

static int kernel_audit(void)
{
	struct septa_msg m = {.info = SEPTA_AUDIT_STALE_OK};
	long err = septa_ipc(SEPTA_SYS_TEST_AUDIT, bi->first_free_slot, &m);

	if (err) {
		printf("     teardown: the kernel's audit: %ld\n", err);
		return 1;
	}
	if (m.info <= audit_base)
		return 0;
	printf(
	    "     teardown: the kernel's audit: %lu violations (%lu before the test)\n",
	    (unsigned long)m.info, (unsigned long)audit_base);
	audit_base = m.info;
	return 1;
}

/* Tear down: every object of the test, then every slot it used. Each step
 * must work, and afterwards the slots must be empty and nothing made from
 * big_ut left (all of it retypes as one Untyped again); if not, the test
 * fails by name, and restore_clean() gives the next test a clean start,
 * so one bug fails one test. */
static int after(const char *name)
{
	const char *what = NULL;
	uint64_t bad_slot = 0;
	long err;
	int live;

	(void)name;
	/* First with the test's threads still there, in whatever state it
	 * left them (each runnable one queued or running, core/sched.c). */
	live = kernel_audit();
	if ((err = septa_cnode_revoke(CNODE, ut_slot, DEPTH)))
		what = "revoke of the test's Untyped";
	else if ((err = septa_cnode_delete(CNODE, ut_slot, DEPTH)))
		what = "delete of the test's Untyped";
	for (uint64_t s = first_slot; !what && s < ct.slot_next; s++)
		if ((err = septa_cnode_delete(CNODE, s, DEPTH))) {
			what = "delete of a slot";
			bad_slot = s;
		}
	for (uint64_t s = first_slot; !what && s < ct.slot_next; s++)
		if (!slot_empty(s)) {
			what = "a slot still full after its delete";
			bad_slot = s;
		}
	/* Past the slots it took: one it used without slot() is a leak. */
	for (uint64_t s = ct.slot_next; !what && s < ct.slot_next + UNTAKEN_CHECKED; s++)
		if (!slot_empty(s)) {
			what = "a slot the test used without taking it";
			bad_slot = s;
		}
	if (!what && (err = septa_untyped_retype(big_ut, SEPTA_OBJ_UNTYPED, big_bits,
						 CNODE, 0, 0, ut_slot, 1)))
		what = "some of the suite's Untyped still in use";
	else if (!what && (err = septa_cnode_delete(CNODE, ut_slot, DEPTH)))
		what = "delete of the whole-Untyped probe";
	if (!what)
		return kernel_audit() | live;
	printf("     teardown: %s (slot %lu): %ld\n", what, (unsigned long)bad_slot, err);
	restore_clean();
	kernel_audit();
	return 1;
}

/* The tests that may skip, each on a machine that lacks what it needs (its
 * SKIP_UNLESS says what); tests/system pins which skip where. */
static const char *const may_skip[] = {"guest_wfi_waiter_deleted",
				       "trap_external_abort_ipa", NULL};

int main(void)
{
	struct harness_hooks hooks = {before, after, may_skip, runner_run};
	const struct harness_test *list;
	unsigned best = 0, n = 0;

	bi = septa_bootinfo();
	/* Above every test's thread: it waits for them (runner.c). */
	if (septa_tcb_set_priority(SEPTA_CAP_INIT_TCB, SEPTA_PRIO_MAX) != SEPTA_OK)
		printf("captest: cannot set own priority\n");
	for (unsigned i = 1; i < bi->untyped_count; i++)
		if (!bi->untyped[i].is_device &&
		    bi->untyped[i].size_bits > bi->untyped[best].size_bits)
			best = i;
	big_ut = bi->untyped_slot + best;
	big_bits = bi->untyped[best].size_bits;
	/* The test's thread and its endpoint first, then the test's slots. */
	runner_init(big_ut, bi->first_free_slot);
	ut_slot = bi->first_free_slot + 2;
	first_slot = ut_slot + 1;
	list = runner_selftest(&n);
	if (list) {
		printf("captest: the harness's self-test, %u tests\n", n);
		septa_shutdown(harness_run_list(&hooks, list, n));
	}
	printf("captest: %u tests, untyped of 2^%u bytes\n", harness_count,
	       bi->untyped[best].size_bits);
	septa_shutdown(harness_run(&hooks));
	return 1;
}
