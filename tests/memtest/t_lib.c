/* libs/septa's own refusals, made before any kernel call: a register write
 * longer than a message, a map with more tables than it takes. Each would
 * write past what it owns (the IPC buffer's next field, the stub's array of
 * capabilities), so the test watches those fields too (found by
 * tests/mutation: lib-write-regs-max, lib-frame-map-tables). The invoked
 * capability is an empty slot: a call that reached the kernel would fail
 * with a lookup error instead. */
#include <septa/ipc.h>
#include "memtest.h"

void test_lib_write_registers_length(void)
{
	struct septa_ipc_buffer *b = septa_ipc_buffer();
	const unsigned n = SEPTA_INV_NMR(TCB_WRITE_REGISTERS);
	uint64_t regs[SEPTA_MSG_MAX + 1], keep = b->user_data;

	for (unsigned i = 0; i <= SEPTA_MSG_MAX; i++)
		regs[i] = 0x5e97a000 + i;
	b->user_data = 0x0dd;
	CHECK_EQ(septa_tcb_write_registers(mt.next_slot, 0, SEPTA_MSG_MAX - n + 1, regs),
		 SEPTA_E_MSG_LENGTH);
	CHECK_EQ(b->user_data, 0x0dd);
	CHECK_EQ(septa_tcb_write_registers(mt.next_slot, 0, SEPTA_MSG_MAX, regs),
		 SEPTA_E_MSG_LENGTH);
	/* The longest write goes to the kernel, which finds no TCB. */
	CHECK(septa_tcb_write_registers(mt.next_slot, 0, SEPTA_MSG_MAX - n, regs) !=
	      SEPTA_E_MSG_LENGTH);
	CHECK_EQ(b->user_data, 0x0dd);
	b->user_data = keep;
}

void test_lib_frame_map_tables(void)
{
	struct septa_ipc_buffer *b = septa_ipc_buffer();
	uint64_t pts[SEPTA_FRAME_MAP_TABLES + 1], keep = b->receive_cnode;
	struct septa_no_table nt = {7, 7};

	for (unsigned i = 0; i <= SEPTA_FRAME_MAP_TABLES; i++)
		pts[i] = mt.next_slot + 1 + i;
	b->receive_cnode = 0;
	CHECK_EQ(septa_frame_map(mt.next_slot, MY_VS, 0x40000000, SEPTA_MAP_R,
				 SEPTA_OWNED, SEPTA_FRAME_MAP_TABLES + 1, pts, &nt),
		 SEPTA_E_EXTRA_CAPS);
	CHECK_EQ(b->receive_cnode, 0);
	CHECK_EQ(nt.level, 7); /* not a NO_TABLE reply */
	/* As many as it takes: the kernel's answer, a lookup error. */
	CHECK(septa_frame_map(mt.next_slot, MY_VS, 0x40000000, SEPTA_MAP_R, SEPTA_OWNED,
			      SEPTA_FRAME_MAP_TABLES, pts, &nt) != SEPTA_E_EXTRA_CAPS);
	CHECK_EQ(b->receive_cnode, 0);
	b->receive_cnode = keep;
}
