/* Authority nobody granted (issue 14, item 9): console input is read only
 * with the console UART's IRQHandler, named in x0 of DEBUG_READ. */
#include <stdio.h>
#include <string.h>
#include "captest.h"

#define OTHER_SPI  40 /* an interrupt that is not the console's */
#define AUTH_STACK 4096

/* What the thread without the authority saw: per cptr, the status and the
 * bytes DEBUG_READ gave it. */
enum { NO_CAP = 1, WRONG_TYPE, OTHER_IRQ, NO_READ, AUTH_CPTRS };
static volatile long auth_err[AUTH_CPTRS];
static volatile uint64_t auth_got[AUTH_CPTRS];
static volatile uint64_t auth_done;
static uint8_t auth_stack[AUTH_STACK] __attribute__((aligned(16)));

static void reader(void)
{
	for (unsigned c = NO_CAP; c < AUTH_CPTRS; c++) {
		uint64_t bytes = ~0ULL;

		auth_err[c] = septa_debug_read(c, &bytes);
		auth_got[c] = bytes;
	}
	auth_done = 1;
	septa_exit(0);
}

/* A thread in the root task's address space with a CSpace of its own:
 * cptr n is slot n of a 16-slot CNode (a 60-bit guard), which holds what
 * the caller put there and no console handler with Read. */
static uint64_t start_reader(uint64_t cnode)
{
	unsigned i = ct.threads++;
	uint64_t tcb = mk(SEPTA_OBJ_TCB, 0), ipa = SEPTA_ROOT_SPARE_BASE + i * 4096ULL;
	uint64_t regs[2] = {(uint64_t)(uintptr_t)reader,
			    (uint64_t)(uintptr_t)(auth_stack + AUTH_STACK)};

	if (!tcb ||
	    septa_tcb_configure(tcb, 0, cnode, VSPACE, bi->spare_frames_slot + i, ipa) ||
	    septa_tcb_set_priority(tcb, HIGH_PRIO) ||
	    septa_tcb_write_registers(tcb, 1, 2, regs))
		return 0;
	return tcb;
}

void test_console_input_needs_its_handler(void)
{
	uint64_t h = slot(), other = slot(), ntfn = mk(SEPTA_OBJ_NOTIFICATION, 0),
		 cn = mk(SEPTA_OBJ_CNODE, 4), cs = slot(), bytes = 0, badge;
	long n;

	auth_done = 0;
	CHECK(ntfn && cn);
	CHECK(bi->console_irq != 0);
	CHECK_EQ(septa_irq_control_get(SEPTA_CAP_IRQ_CONTROL, bi->console_irq, CNODE, h,
				       DEPTH),
		 0);
	CHECK_EQ(
	    septa_irq_control_get(SEPTA_CAP_IRQ_CONTROL, OTHER_SPI, CNODE, other, DEPTH),
	    0);
	CHECK_EQ(septa_irq_handler_set_notification(h, ntfn), 0);
	/* The reader's CSpace: slot 1 empty, 2 a notification, 3 another
	 * interrupt's handler, 4 the console's handler without Read. */
	CHECK_EQ(
	    septa_cnode_mint(CNODE, cs, DEPTH, CNODE, cn, DEPTH, SEPTA_RIGHTS_ALL, 60),
	    0);
	CHECK_EQ(
	    septa_cnode_copy(cn, WRONG_TYPE, 4, CNODE, ntfn, DEPTH, SEPTA_RIGHTS_ALL), 0);
	CHECK_EQ(
	    septa_cnode_copy(cn, OTHER_IRQ, 4, CNODE, other, DEPTH, SEPTA_RIGHTS_ALL), 0);
	CHECK_EQ(septa_cnode_copy(cn, NO_READ, 4, CNODE, h, DEPTH,
				  SEPTA_RIGHTS_ALL & ~SEPTA_RIGHT_READ),
		 0);
	/* qemu-test.sh types "Qz" on this line (tests/system/CMakeLists.txt);
	 * the console's interrupt says it arrived. */
	printf("     captest: console input wanted\n");
	CHECK_EQ(septa_wait(ntfn, &badge), 0);
	CHECK(start_reader(cs));
	yield_until(&auth_done);
	CHECK_EQ(auth_done, 1);
	CHECK_EQ(auth_err[NO_CAP], SEPTA_E_MISSING_CAP);
	CHECK_EQ(auth_err[WRONG_TYPE], SEPTA_E_CAP_TYPE);
	CHECK_EQ(auth_err[OTHER_IRQ], SEPTA_E_PERM);
	CHECK_EQ(auth_err[NO_READ], SEPTA_E_RIGHTS);
	for (unsigned c = NO_CAP; c < AUTH_CPTRS; c++)
		CHECK_EQ(auth_got[c], 0);
	/* Even the root task needs it: what it names must be the handler. */
	CHECK_EQ(septa_debug_read(ntfn, &bytes), SEPTA_E_CAP_TYPE);
	CHECK_EQ(septa_debug_read(other, &bytes), SEPTA_E_PERM);
	CHECK_EQ(bytes, 0);
	/* Nothing was taken: the holder reads all of it. */
	n = septa_debug_read(h, &bytes);
	CHECK(n >= 1);
	CHECK_EQ(bytes & 0xff, 'Q');
	while (n > 0)
		n = septa_debug_read(h, &bytes);
	CHECK_EQ(n, 0);
	CHECK_EQ(septa_irq_handler_ack(h), 0);
}

/* The same class as item 10: a copy the kernel holds must not act for the
 * capability it was made from. The buffer frame bound by TCB_CONFIGURE
 * was copied with its mapping record, so deleting the TCB removed the
 * mapping the frame's own capability had made. */
void test_tcb_delete_leaves_buffer_mapped(void)
{
	uint64_t vs = slot(), f = mk(SEPTA_OBJ_FRAME_4K, 0),
		 pt2 = mk(SEPTA_OBJ_PAGE_TABLE, 0), pt3 = mk(SEPTA_OBJ_PAGE_TABLE, 0),
		 tcb = mk(SEPTA_OBJ_TCB, 0), q[4], pa;

	CHECK(f && pt2 && pt3 && tcb);
	CHECK_EQ(septa_untyped_retype(ct.ut, SEPTA_OBJ_VSPACE, 40, CNODE, 0, 0, vs, 1),
		 0);
	CHECK_EQ(septa_page_table_map(pt2, vs, 0, 2, NULL), 0);
	CHECK_EQ(septa_page_table_map(pt3, vs, 0, 3, NULL), 0);
	CHECK_EQ(septa_frame_map(f, vs, 0x1000, SEPTA_MAP_R | SEPTA_MAP_W, SEPTA_OWNED, 0,
				 NULL, NULL),
		 0);
	CHECK_EQ(septa_frame_get_address(f, &pa), 0);
	CHECK_EQ(septa_tcb_configure(tcb, 0, CNODE, vs, f, 0x1000), 0);
	CHECK_EQ(septa_cnode_delete(CNODE, tcb, DEPTH), 0);
	CHECK_EQ(septa_vspace_query(vs, 0x1000, q), 0);
	CHECK_EQ(q[0], pa);
	/* The mapping is still the frame capability's to remove. */
	CHECK_EQ(septa_frame_unmap(f), 0);
	CHECK_EQ(septa_vspace_query(vs, 0x1000, q), 0);
	CHECK_EQ(q[0], 0);
}

/* A thread whose buffer frame was revoked has no IPC buffer: what needs
 * more than 4 registers is refused with E_NO_BUFFER and does nothing, not
 * done with zeros for the registers that are nowhere. */
static volatile long nobuf_err[6];
static volatile uint64_t nobuf_done;

static void nobuf(uint64_t arg)
{
	const uint64_t *a = (const uint64_t *)(uintptr_t)arg; /* tcb, ep, src, dst */
	struct septa_msg m5 = {.info = septa_msginfo(1, 0, 5)},
			 m4 = {.info = septa_msginfo(1, 0, 4)};
	uint64_t regs[8];

	nobuf_err[0] = septa_tcb_read_registers(a[0], 8, regs);
	nobuf_err[1] =
	    septa_cnode_copy(CNODE, a[3], DEPTH, CNODE, a[2], DEPTH, SEPTA_RIGHTS_ALL);
	nobuf_err[2] = septa_ipc(SEPTA_SYS_NBSEND, a[1], &m5);
	nobuf_err[3] = septa_ipc(SEPTA_SYS_NBSEND, a[1], &m4);
	nobuf_done = 1;
	/* Answer one Call: first too long (refused, the caller keeps
	 * waiting), then with 4 registers. */
	if (septa_recv(a[1], &m4) == 0) {
		m5.info = septa_msginfo(5, 0, 5);
		nobuf_err[4] = septa_reply(&m5);
		m4.info = septa_msginfo(7, 0, 4);
		nobuf_err[5] = septa_reply(&m4);
	}
}

void test_no_buffer_refuses_long_messages(void)
{
	static uint64_t args[4];
	uint64_t frame = bi->spare_frames_slot + ct.threads, tmp = slot(), t;
	struct septa_msg call = {.info = septa_msginfo(1, 0, 1)};

	args[0] = mk(SEPTA_OBJ_TCB, 0);
	args[1] = mk(SEPTA_OBJ_ENDPOINT, 0);
	args[2] = mk(SEPTA_OBJ_NOTIFICATION, 0);
	args[3] = slot();
	nobuf_done = 0;
	CHECK(args[0] && args[1] && args[2]);
	t = spawn(nobuf, (uint64_t)(uintptr_t)args, LOW_PRIO, 0);
	CHECK(t);
	/* Its buffer's frame capability revoked: the TCB's copy goes too. */
	CHECK_EQ(septa_cnode_revoke(CNODE, frame, DEPTH), 0);
	CHECK_EQ(septa_tcb_set_priority(t, HIGH_PRIO), 0); /* runs now */
	yield_until(&nobuf_done);
	CHECK_EQ(nobuf_done, 1);
	CHECK_EQ(nobuf_err[0], SEPTA_E_NO_BUFFER);
	CHECK_EQ(nobuf_err[1], SEPTA_E_NO_BUFFER);
	CHECK_EQ(septa_cnode_move(CNODE, tmp, DEPTH, CNODE, args[3], DEPTH),
		 SEPTA_E_MISSING_CAP);
	CHECK_EQ(nobuf_err[2], SEPTA_E_NO_BUFFER);
	CHECK_EQ(nobuf_err[3], SEPTA_E_WOULD_BLOCK);
	/* It waits on the endpoint now, and answers this at once. */
	CHECK_EQ(septa_call(args[1], &call), 0);
	CHECK_EQ(nobuf_err[4], SEPTA_E_NO_BUFFER);
	CHECK_EQ(nobuf_err[5], 0);
	CHECK_EQ(SEPTA_MSG_LABEL(call.info), 7);
	CHECK_EQ(SEPTA_MSG_LEN(call.info), 4);
}
