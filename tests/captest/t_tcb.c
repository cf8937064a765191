/* Threads: configuration, priorities, preemption, registers, faults, IRQs. */
#include "captest.h"

static volatile uint64_t flag[4];

static void set_flag(uint64_t i)
{
	flag[i] = 1;
}

static void spin_counter(uint64_t i)
{
	for (;;)
		flag[i]++;
}

static void set_flag_and_signal(uint64_t n)
{
	flag[0] = 1;
	CHECK_EQ(septa_signal(n), 0);
}

/* A thread of the suite's own priority runs once the suite waits. When it
 * first runs is the scheduler's (a tick may switch to it at once), so the
 * suite waits for the event it signals, not for a number of yields. */
void test_thread_runs(void)
{
	uint64_t n = mk(SEPTA_OBJ_NOTIFICATION, 0), badge = 0;

	CHECK(n);
	flag[0] = 0;
	CHECK(spawn(set_flag_and_signal, n, ROOT_PRIO, 0));
	CHECK_EQ(septa_wait(n, &badge), 0);
	CHECK_EQ(flag[0], 1);
}

void test_configure_once(void)
{
	uint64_t t = spawn(set_flag, 1, LOW_PRIO, 0);

	CHECK(t);
	CHECK_EQ(septa_tcb_configure(t, 0, CNODE, VSPACE, bi->spare_frames_slot + 7,
				     SEPTA_ROOT_SPARE_BASE + 7 * 4096),
		 SEPTA_E_STATE);
}

void test_configure_bad_caps(void)
{
	uint64_t t = mk(SEPTA_OBJ_TCB, 0), ep = mk(SEPTA_OBJ_ENDPOINT, 0);
	uint64_t f = bi->spare_frames_slot, ipa = SEPTA_ROOT_SPARE_BASE;

	CHECK_EQ(septa_tcb_configure(t, 0, ep, VSPACE, f, ipa), SEPTA_E_CAP_TYPE);
	CHECK_EQ(septa_tcb_configure(t, 0, CNODE, CNODE, f, ipa), SEPTA_E_CAP_TYPE);
	CHECK_EQ(septa_tcb_configure(t, 0, CNODE, VSPACE, ep, ipa), SEPTA_E_CAP_TYPE);
	CHECK_EQ(septa_tcb_configure(t, 0, CNODE, VSPACE, f, ipa + 8), SEPTA_E_ALIGN);
	CHECK_EQ(septa_tcb_configure(t, ep | (1ULL << 50), CNODE, VSPACE, f, ipa),
		 SEPTA_E_GUARD);
	CHECK_EQ(septa_tcb_configure(t, t, CNODE, VSPACE, f, ipa), SEPTA_E_CAP_TYPE);
	CHECK_EQ(septa_tcb_resume(t), SEPTA_E_STATE); /* none of that configured it */
}

void test_fault_ep_needs_write(void)
{
	uint64_t t = mk(SEPTA_OBJ_TCB, 0), ep = mk(SEPTA_OBJ_ENDPOINT, 0), ro = slot();

	CHECK_EQ(septa_cnode_copy(CNODE, ro, DEPTH, CNODE, ep, DEPTH, SEPTA_RIGHT_READ),
		 0);
	CHECK_EQ(septa_tcb_configure(t, ro, CNODE, VSPACE, bi->spare_frames_slot,
				     SEPTA_ROOT_SPARE_BASE),
		 SEPTA_E_RIGHTS);
}

static void raise_self(uint64_t tcb)
{
	flag[0] = (uint64_t)septa_tcb_set_priority(tcb, 1);
}

void test_priority_limits(void)
{
	uint64_t t = mk(SEPTA_OBJ_TCB, 0), next = ct.slot_next;

	CHECK_EQ(septa_tcb_set_priority(t, 256), SEPTA_E_RANGE);
	CHECK_EQ(septa_tcb_set_priority(t, 254), 0);
	/* A thread the suite starts may not set any priority: its MCP is 0.
	 * spawn() puts its TCB in the next free slot; it runs at once. */
	flag[0] = 0;
	CHECK_EQ(spawn(raise_self, next, HIGH_PRIO, 0), next);
	CHECK_EQ((long)flag[0], SEPTA_E_PERM);
}

void test_higher_priority_preempts(void)
{
	flag[0] = 0;
	CHECK(spawn(set_flag, 0, HIGH_PRIO, 0));
	/* It ran as soon as it was resumed, before spawn returned to us. */
	CHECK_EQ(flag[0], 1);
}

void test_lower_priority_waits(void)
{
	uint64_t n = mk(SEPTA_OBJ_NOTIFICATION, 0), badge;

	flag[0] = 0;
	CHECK(spawn(set_flag, 0, LOW_PRIO, 0));
	CHECK_EQ(septa_yield(), 0);
	CHECK_EQ(flag[0], 0);
	CHECK_EQ(septa_poll(n, &badge), SEPTA_E_WOULD_BLOCK);
	CHECK_EQ(flag[0], 0);
}

void test_yield_round_robin(void)
{
	flag[1] = flag[2] = 0;
	CHECK(spawn(set_flag, 1, ROOT_PRIO, 0));
	CHECK(spawn(set_flag, 2, ROOT_PRIO, 0));
	yield_until(&flag[1]);
	yield_until(&flag[2]);
	CHECK_EQ(flag[1], 1);
	CHECK_EQ(flag[2], 1);
}

void test_timer_preemption(void)
{
	uint64_t t;

	flag[3] = 0;
	t = spawn(spin_counter, 3, ROOT_PRIO, 0);
	CHECK(t);
	/* We never yield: only the timer can let the spinner run. */
	for (volatile uint64_t i = 0; flag[3] == 0 && i < 2000000000ULL; i++)
		;
	CHECK(flag[3] != 0);
	CHECK_EQ(septa_tcb_suspend(t), 0);
}

void test_suspend_stops(void)
{
	uint64_t t = spawn(spin_counter, 3, ROOT_PRIO, 0), before;

	CHECK(t);
	flag[3] = 0;
	yield_until(&flag[3]);
	CHECK_EQ(septa_tcb_suspend(t), 0);
	before = flag[3];
	CHECK_EQ(septa_yield(), 0);
	CHECK_EQ(flag[3], before);
	CHECK_EQ(septa_tcb_resume(t), 0);
	for (int i = 0; i < 10000 && flag[3] == before; i++)
		septa_yield();
	CHECK(flag[3] != before);
	CHECK_EQ(septa_tcb_suspend(t), 0);
}

void test_read_write_registers(void)
{
	uint64_t t = spawn(spin_counter, 3, LOW_PRIO, 0), regs[5], again[5];

	CHECK(t);
	CHECK_EQ(septa_tcb_suspend(t), 0);
	CHECK_EQ(septa_tcb_read_registers(t, 5, regs), 0);
	regs[3] = 1; /* x1: the argument, now flag[1] */
	flag[1] = 0;
	CHECK_EQ(septa_tcb_write_registers(t, 0, 5, regs), 0);
	CHECK_EQ(septa_tcb_read_registers(t, 5, again), 0);
	CHECK_EQ(again[0], regs[0]);
	CHECK_EQ(again[3], 1);
}

static void recovered(void)
{
	flag[0] = 2;
	septa_exit(0);
}

void test_write_registers_redirects(void)
{
	uint64_t t = spawn(spin_counter, 3, LOW_PRIO, 0), regs[2];

	CHECK(t);
	CHECK_EQ(septa_tcb_suspend(t), 0);
	CHECK_EQ(septa_tcb_read_registers(t, 2, regs), 0);
	regs[0] = (uint64_t)(uintptr_t)recovered;
	flag[0] = 0;
	CHECK_EQ(septa_tcb_set_priority(t, HIGH_PRIO), 0);
	CHECK_EQ(septa_tcb_write_registers(t, 1, 2, regs), 0);
	CHECK_EQ(flag[0], 2); /* it ran at once, from the new PC */
}

void test_registers_bad_input(void)
{
	uint64_t regs[34];

	CHECK_EQ(septa_tcb_read_registers(ct.self, 2, regs), SEPTA_E_STATE);
	uint64_t t = mk(SEPTA_OBJ_TCB, 0);
	CHECK_EQ(septa_tcb_read_registers(t, 0, regs), SEPTA_E_RANGE);
	CHECK_EQ(septa_tcb_read_registers(t, 34, regs), SEPTA_E_RANGE);
	CHECK_EQ(septa_tcb_write_registers(t, 0, 34, regs), SEPTA_E_RANGE);
	CHECK_EQ(septa_tcb_write_registers(t, 1, 1, regs), SEPTA_E_STATE);
}

void test_delete_running_thread(void)
{
	uint64_t t, before;

	flag[3] = 0;
	t = spawn(spin_counter, 3, ROOT_PRIO, 0);
	CHECK(t);
	yield_until(&flag[3]);
	CHECK_EQ(septa_cnode_delete(CNODE, t, DEPTH), 0);
	before = flag[3];
	CHECK_EQ(septa_yield(), 0);
	CHECK_EQ(flag[3], before);
}

/* ---- faults ---- */

static void bad_write(uint64_t unused)
{
	(void)unused;
	*(volatile uint64_t *)UNMAPPED_IPA = 5;
	flag[0] = 1; /* only if resumed past the fault */
}

void test_vm_fault_message(void)
{
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0), b = slot();
	struct septa_msg m = {0};

	CHECK_EQ(
	    septa_cnode_mint(CNODE, b, DEPTH, CNODE, ep, DEPTH, SEPTA_RIGHTS_ALL, 77), 0);
	CHECK(spawn(bad_write, 0, LOW_PRIO, b));
	CHECK_EQ(septa_recv(ep, &m), 0);
	CHECK_EQ(SEPTA_MSG_LABEL(m.info), SEPTA_FAULT_ABORT);
	CHECK_EQ(SEPTA_MSG_LEN(m.info), SEPTA_ABORT_LEN);
	CHECK_EQ(m.badge, 77);
	CHECK_EQ(m.mr[SEPTA_ABORT_IPA], UNMAPPED_IPA);
	/* A native thread's stage 1 is off: its virtual address is the IPA. */
	CHECK_EQ(septa_mr(&m, SEPTA_ABORT_FAR), UNMAPPED_IPA);
	/* str x, [x]: an 8-byte store of 5, described by the syndrome */
	uint64_t a = m.mr[SEPTA_ABORT_ACCESS];
	CHECK_EQ(SEPTA_ACCESS_KIND(a), SEPTA_ACCESS_WRITE);
	CHECK(a & SEPTA_ACCESS_VALID);
	CHECK_EQ(SEPTA_ACCESS_SIZE(a), 8);
	CHECK_EQ(SEPTA_ACCESS_CAUSE(a), SEPTA_CAUSE_TRANSLATION);
	CHECK_EQ(m.mr[SEPTA_ABORT_VALUE], 5);
}

void test_fault_reply_resumes(void)
{
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0);
	struct septa_msg m = {0};

	flag[0] = 0;
	CHECK(spawn(bad_write, 0, HIGH_PRIO, ep));
	CHECK_EQ(septa_recv(ep, &m), 0);
	/* "Done": the store is stepped over. */
	m.info = septa_msginfo(0, 0, 0);
	CHECK_EQ(septa_reply(&m), 0);
	/* It ran on and exited: the fault endpoint stays quiet. */
	CHECK_EQ(septa_nbrecv(ep, &m), SEPTA_E_WOULD_BLOCK);
	CHECK_EQ(flag[0], 1);
}

void test_fault_reply_keeps_suspended(void)
{
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0), t;
	struct septa_msg m = {0};

	flag[0] = 0;
	t = spawn(bad_write, 0, LOW_PRIO, ep);
	CHECK(t);
	CHECK_EQ(septa_recv(ep, &m), 0);
	m.info = septa_msginfo(1, 0, 0);
	CHECK_EQ(septa_reply(&m), 0);
	CHECK_EQ(septa_nbrecv(ep, &m), SEPTA_E_WOULD_BLOCK);
	CHECK_EQ(flag[0], 0);
}

static void jump_unmapped(uint64_t unused)
{
	(void)unused;
	((void (*)(void))UNMAPPED_IPA)();
}

void test_instruction_fault(void)
{
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0);
	struct septa_msg m = {0};

	CHECK(spawn(jump_unmapped, 0, LOW_PRIO, ep));
	CHECK_EQ(septa_recv(ep, &m), 0);
	CHECK_EQ(SEPTA_MSG_LABEL(m.info), SEPTA_FAULT_ABORT);
	CHECK_EQ(m.mr[SEPTA_ABORT_PC], UNMAPPED_IPA);
	CHECK_EQ(m.mr[SEPTA_ABORT_IPA], UNMAPPED_IPA);
	/* A fetch: nothing about a register or a size */
	CHECK_EQ(m.mr[SEPTA_ABORT_ACCESS] & ~(3u << SEPTA_ACCESS_CAUSE_SHIFT),
		 SEPTA_ACCESS_FETCH);
	CHECK_EQ(SEPTA_ACCESS_CAUSE(m.mr[SEPTA_ABORT_ACCESS]), SEPTA_CAUSE_TRANSLATION);
}

/* An exclusive load must be aligned: an alignment fault, not at stage 2. */
static void misaligned_exclusive(uint64_t unused)
{
	uint64_t v;

	(void)unused;
	__asm__ volatile("ldxr %0, [%1]"
			 : "=r"(v)
			 : "r"((uintptr_t)&flag[1] + 1)
			 : "memory");
	flag[0] = v;
}

/* HPFAR_EL2 holds an IPA only after a stage-2 fault: an alignment fault
 * must not report the page of another thread's earlier fault. */
void test_alignment_fault_ipa(void)
{
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0), want = (uintptr_t)&flag[1] + 1;
	struct septa_msg m = {0};

	CHECK(spawn(bad_write, 0, LOW_PRIO, ep)); /* UNMAPPED_IPA into HPFAR_EL2 */
	CHECK_EQ(septa_recv(ep, &m), 0);
	CHECK_EQ(m.mr[SEPTA_ABORT_IPA], UNMAPPED_IPA);
	m.info = septa_msginfo(1, 0, 0);
	CHECK_EQ(septa_reply(&m), 0);
	CHECK(spawn(misaligned_exclusive, 0, LOW_PRIO, ep));
	CHECK_EQ(septa_recv(ep, &m), 0);
	CHECK_EQ(SEPTA_MSG_LABEL(m.info), SEPTA_FAULT_ABORT);
	CHECK_EQ(SEPTA_ACCESS_CAUSE(m.mr[SEPTA_ABORT_ACCESS]), SEPTA_CAUSE_OTHER);
	CHECK_EQ(septa_mr(&m, SEPTA_ABORT_FAR), want);
	CHECK_EQ(m.mr[SEPTA_ABORT_IPA], want); /* stage 1 is off: the IPA is the VA */
	m.info = septa_msginfo(1, 0, 0);
	CHECK_EQ(septa_reply(&m), 0);
}

static void undefined(uint64_t unused)
{
	uint64_t el;

	(void)unused;
	__asm__ volatile("mrs %0, CurrentEL" : "=r"(el));
	flag[0] = el;
}

void test_user_exception(void)
{
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0);
	struct septa_msg m = {0};

	CHECK(spawn(undefined, 0, LOW_PRIO, ep));
	CHECK_EQ(septa_recv(ep, &m), 0);
	CHECK_EQ(SEPTA_MSG_LABEL(m.info), SEPTA_FAULT_EXCEPTION);
	CHECK_EQ(m.mr[SEPTA_EXCEPTION_CLASS], 0); /* EC: unknown reason */
	CHECK_EQ(m.mr[SEPTA_EXCEPTION_ESR] >> 26, 0);
}

static void bad_syscall(uint64_t unused)
{
	struct septa_msg m = {0};

	(void)unused;
	septa_ipc(0x5eed, 0x1234, &m);
}

void test_unknown_syscall_fault(void)
{
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0);
	struct septa_msg m = {0};

	CHECK(spawn(bad_syscall, 0, LOW_PRIO, ep));
	CHECK_EQ(septa_recv(ep, &m), 0);
	CHECK_EQ(SEPTA_MSG_LABEL(m.info), SEPTA_FAULT_UNKNOWN_SYSCALL);
	CHECK_EQ(m.mr[SEPTA_BADCALL_NUMBER], 0x5eed);
	CHECK_EQ(m.mr[SEPTA_BADCALL_X0], 0x1234);
}

/* Above the suite, the thread runs at once and faults before spawn returns
 * (no yield whose switch is assumed): stopped at its store, which did not
 * complete, and the suite goes on. */
void test_fault_without_handler_stops_thread(void)
{
	uint64_t t, regs[1], again[1];

	flag[0] = 0;
	t = spawn(bad_write, 0, HIGH_PRIO, 0);
	CHECK(t);
	CHECK_EQ(flag[0], 0);
	CHECK_EQ(septa_tcb_read_registers(t, 1, regs), 0);
	CHECK(regs[0] >= (uint64_t)(uintptr_t)bad_write);
	CHECK(regs[0] < (uint64_t)(uintptr_t)bad_write + 64);
	CHECK_EQ(septa_tcb_resume(t), 0); /* it runs again at once and faults again */
	CHECK_EQ(flag[0], 0);
	CHECK_EQ(septa_tcb_read_registers(t, 1, again), 0);
	CHECK_EQ(again[0], regs[0]);
}

/* ---- interrupts ---- */

#define TEST_SPI 40

void test_irq_control_get(void)
{
	uint64_t h = slot();

	CHECK_EQ(septa_irq_control_get(SEPTA_CAP_IRQ_CONTROL, TEST_SPI, CNODE, h, DEPTH),
		 0);
	CHECK_EQ(
	    septa_irq_control_get(SEPTA_CAP_IRQ_CONTROL, TEST_SPI, CNODE, slot(), DEPTH),
	    SEPTA_E_IN_USE);
	CHECK_EQ(septa_cnode_delete(CNODE, h, DEPTH), 0);
	CHECK_EQ(septa_irq_control_get(SEPTA_CAP_IRQ_CONTROL, TEST_SPI, CNODE, h, DEPTH),
		 0);
}

void test_irq_bad_numbers(void)
{
	CHECK_EQ(septa_irq_control_get(SEPTA_CAP_IRQ_CONTROL, 27, CNODE, slot(), DEPTH),
		 SEPTA_E_RANGE);
	CHECK_EQ(septa_irq_control_get(SEPTA_CAP_IRQ_CONTROL, 5000, CNODE, slot(), DEPTH),
		 SEPTA_E_RANGE);
	uint64_t busy = mk(SEPTA_OBJ_ENDPOINT, 0);
	CHECK_EQ(
	    septa_irq_control_get(SEPTA_CAP_IRQ_CONTROL, TEST_SPI, CNODE, busy, DEPTH),
	    SEPTA_E_DELETE_FIRST);
}

void test_irq_handler_ops(void)
{
	uint64_t h = slot(), n = mk(SEPTA_OBJ_NOTIFICATION, 0),
		 ep = mk(SEPTA_OBJ_ENDPOINT, 0);

	CHECK_EQ(
	    septa_irq_control_get(SEPTA_CAP_IRQ_CONTROL, TEST_SPI + 1, CNODE, h, DEPTH),
	    0);
	CHECK_EQ(septa_irq_handler_ack(h), SEPTA_E_STATE);
	CHECK_EQ(septa_irq_handler_set_notification(h, ep), SEPTA_E_CAP_TYPE);
	CHECK_EQ(septa_irq_handler_set_notification(h, n), 0);
	CHECK_EQ(septa_irq_handler_ack(h), 0);
	CHECK_EQ(septa_irq_handler_clear(h), 0);
	CHECK_EQ(septa_irq_handler_ack(h), SEPTA_E_STATE);
}

/* Sets d31, yields, and reads d31 back, all in one asm block. */
static uint64_t fp_across_yield(uint64_t v)
{
	register uint64_t x7 __asm__("x7") = SEPTA_SYS_YIELD;
	uint64_t out;

	__asm__ volatile("fmov d31, %2\n\tsvc #0\n\tfmov %0, d31"
			 : "=r"(out), "+r"(x7)
			 : "r"(v)
			 : "x0", "x1", "x2", "x3", "x4", "x5", "x6", "v31", "memory");
	return out;
}

static void fp_worker(uint64_t base)
{
	for (uint64_t i = 0; i < 20; i++)
		if (fp_across_yield(base + i) != base + i)
			flag[2]++;
	flag[1] = 1;
}

void test_fp_state_preserved(void)
{
	flag[1] = flag[2] = 0;
	CHECK(spawn(fp_worker, 0xa000, ROOT_PRIO, 0));
	for (uint64_t i = 0; i < 20; i++)
		CHECK_EQ(fp_across_yield(0xb000 + i), 0xb000 + i);
	while (!flag[1])
		septa_yield();
	CHECK_EQ(flag[2], 0);
}

/* A real interrupt through the GIC: signalled once, then masked until Ack. */
void test_irq_delivery(void)
{
	uint64_t h = slot(), n = mk(SEPTA_OBJ_NOTIFICATION, 0), nb = slot(), badge = 0;

	CHECK_EQ(
	    septa_cnode_mint(CNODE, nb, DEPTH, CNODE, n, DEPTH, SEPTA_RIGHTS_ALL, 0x40),
	    0);
	CHECK_EQ(
	    septa_irq_control_get(SEPTA_CAP_IRQ_CONTROL, TEST_SPI + 2, CNODE, h, DEPTH),
	    0);
	CHECK_EQ(septa_irq_handler_set_notification(h, nb), 0);
	CHECK_EQ(pend_spi(TEST_SPI + 2), 0);
	CHECK_EQ(septa_wait(n, &badge), 0);
	CHECK_EQ(badge, 0x40);
	/* Not acknowledged yet: a second edge stays pending at the GIC. */
	CHECK_EQ(pend_spi(TEST_SPI + 2), 0);
	CHECK_EQ(septa_poll(n, &badge), SEPTA_E_WOULD_BLOCK);
	CHECK_EQ(septa_irq_handler_ack(h), 0);
	CHECK_EQ(septa_wait(n, &badge), 0);
	CHECK_EQ(badge, 0x40);
	CHECK_EQ(pend_spi(5), SEPTA_E_RANGE);
}

void test_thread_loses_vspace(void)
{
	uint64_t vs = slot(), t;

	CHECK_EQ(
	    septa_cnode_copy(CNODE, vs, DEPTH, CNODE, VSPACE, DEPTH, SEPTA_RIGHTS_ALL),
	    0);
	ct.vspace = vs;
	flag[3] = 0;
	t = spawn(spin_counter, 3, ROOT_PRIO, 0);
	CHECK(t);
	yield_until(&flag[3]);
	CHECK(flag[3] != 0);
	/* Its VSpace capability (a child of vs) goes: it must stop, we go on. */
	CHECK_EQ(septa_cnode_revoke(CNODE, vs, DEPTH), 0);
	CHECK_EQ(septa_yield(), 0);
	uint64_t before = flag[3];
	CHECK_EQ(septa_yield(), 0);
	CHECK_EQ(flag[3], before);
	/* Without a VSpace it is no longer configured: it cannot be resumed. */
	CHECK_EQ(septa_tcb_resume(t), SEPTA_E_STATE);
}

void test_device_frame_not_ipc_buffer(void)
{
	unsigned dev = bi->untyped_count;
	uint64_t f = slot(), t = mk(SEPTA_OBJ_TCB, 0);

	for (unsigned i = 0; i < bi->untyped_count; i++)
		if (bi->untyped[i].is_device)
			dev = i;
	CHECK(dev < bi->untyped_count);
	CHECK_EQ(septa_untyped_retype(bi->untyped_slot + dev, SEPTA_OBJ_FRAME_4K, 0,
				      CNODE, 0, 0, f, 1),
		 0);
	CHECK_EQ(septa_tcb_configure(t, 0, CNODE, VSPACE, f, SEPTA_ROOT_SPARE_BASE),
		 SEPTA_E_CAP_TYPE);
	CHECK_EQ(septa_cnode_revoke(CNODE, bi->untyped_slot + dev, DEPTH), 0);
}

/* The PageTables test_debug_write_device_memory's map made. */
static uint64_t dw_tables[4];
static unsigned dw_ntables;

static uint64_t dw_make_table(void *arg)
{
	uint64_t pt = dw_ntables < 4 ? mk(SEPTA_OBJ_PAGE_TABLE, 0) : 0;

	(void)arg;
	if (pt)
		dw_tables[dw_ntables++] = pt;
	return pt;
}

/* DEBUG_WRITE over a device frame mapped readable: the kernel reads user
 * buffers through its own map of RAM, which has no user device in it, so
 * it must refuse rather than take a data abort at EL2. */
void test_debug_write_device_memory(void)
{
	static const struct septa_table_source tables = {dw_make_table, NULL, NULL};
	const uint64_t ipa = UNMAPPED_IPA + 0x400000;
	unsigned dev = bi->untyped_count;
	uint64_t f = slot(), ram = mk(SEPTA_OBJ_FRAME_4K, 0);
	size_t n;

	dw_ntables = 0;
	for (unsigned i = 0; i < bi->untyped_count; i++)
		if (bi->untyped[i].is_device)
			dev = i;
	CHECK(ram && dev < bi->untyped_count);
	CHECK_EQ(septa_untyped_retype(bi->untyped_slot + dev, SEPTA_OBJ_FRAME_4K, 0,
				      CNODE, 0, 0, f, 1),
		 0);
	CHECK_EQ(septa_frame_map_with_tables(f, VSPACE, ipa, SEPTA_MAP_R, SEPTA_OWNED,
					     &tables, NULL),
		 0);
	CHECK_EQ(septa_frame_map(ram, VSPACE, ipa + 4096, SEPTA_MAP_R | SEPTA_MAP_W,
				 SEPTA_OWNED, 0, NULL, NULL),
		 0);
	*(volatile char *)(ipa + 4096) = '\n';
	CHECK_EQ(septa_debug_write((const void *)ipa, 1, &n), SEPTA_E_NOT_RAM);
	/* A buffer that starts in RAM and runs into the device page: refused
	 * whole, before a byte is written. */
	CHECK_EQ(septa_debug_write((const void *)(ipa + 4095), 2, &n), SEPTA_E_NOT_RAM);
	CHECK_EQ(septa_debug_write((const void *)(ipa + 4096), 1, &n), 0);
	CHECK_EQ(n, 1);
	CHECK_EQ(septa_cnode_revoke(CNODE, bi->untyped_slot + dev, DEPTH), 0);
	CHECK_EQ(septa_cnode_delete(CNODE, ram, DEPTH), 0);
	for (unsigned i = 0; i < dw_ntables; i++)
		CHECK_EQ(septa_cnode_delete(CNODE, dw_tables[i], DEPTH), 0);
}

/* A VCPU bound to a thread and deleted leaves a native thread: it must
 * run at EL0 from the PC it is given, not with the guest's EL1 SPSR (an
 * illegal return with TGE set, which stays at EL2 at that PC). */
void test_vcpu_deleted_thread_runs_native(void)
{
	uint64_t t = spawn(set_flag, 2, LOW_PRIO, 0), v = mk(SEPTA_OBJ_VCPU, 0), regs[2];

	CHECK(t && v);
	flag[2] = 0;
	CHECK_EQ(septa_vcpu_set_tcb(v, t), 0);
	CHECK_EQ(septa_cnode_delete(CNODE, v, DEPTH), 0);
	CHECK_EQ(septa_tcb_read_registers(t, 2, regs), 0);
	CHECK_EQ(septa_tcb_set_priority(t, HIGH_PRIO), 0);
	CHECK_EQ(septa_tcb_write_registers(t, 1, 2, regs), 0);
	CHECK_EQ(flag[2], 1); /* it ran at once, at EL0, and we are still here */
}
