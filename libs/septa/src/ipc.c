/* System-call entry for IPC, and the invocations built on them. */
#include <septa/ipc.h>

long septa_ipc(long nr, uint64_t cptr, struct septa_msg *m)
{
	register uint64_t x0 __asm__("x0") = cptr;
	register uint64_t x1 __asm__("x1") = m->info;
	register uint64_t x2 __asm__("x2") = m->mr[0];
	register uint64_t x3 __asm__("x3") = m->mr[1];
	register uint64_t x4 __asm__("x4") = m->mr[2];
	register uint64_t x5 __asm__("x5") = m->mr[3];
	register uint64_t x6 __asm__("x6") = 0;
	register uint64_t x7 __asm__("x7") = (uint64_t)nr;

	__asm__ volatile("svc #0"
			 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3), "+r"(x4), "+r"(x5),
			   "+r"(x6)
			 : "r"(x7)
			 : "memory");
	m->info = x1;
	m->mr[0] = x2;
	m->mr[1] = x3;
	m->mr[2] = x4;
	m->mr[3] = x5;
	m->badge = x6;
	return (long)x0;
}

long septa_yield(void)
{
	struct septa_msg m = {0};

	return septa_ipc(SEPTA_SYS_YIELD, 0, &m);
}

long septa_signal(uint64_t ntfn)
{
	struct septa_msg m = {0};

	return septa_send(ntfn, &m);
}

static long wait_common(long nr, uint64_t ntfn, uint64_t *badge)
{
	struct septa_msg m = {0};
	long err = septa_ipc(nr, ntfn, &m);

	if (badge)
		*badge = m.badge;
	return err;
}

long septa_wait(uint64_t ntfn, uint64_t *badge)
{
	return wait_common(SEPTA_SYS_RECV, ntfn, badge);
}

long septa_poll(uint64_t ntfn, uint64_t *badge)
{
	return wait_common(SEPTA_SYS_NBRECV, ntfn, badge);
}

/* Calls obj with label, the given arguments as message registers and the
 * given capabilities as extra caps; results land back in args. */
static long invoke(uint64_t obj, uint64_t label, unsigned ncaps, const uint64_t *caps,
		   unsigned nargs, uint64_t *args)
{
	struct septa_msg m = {.info = septa_msginfo(label, ncaps, nargs)};
	struct septa_ipc_buffer *b = septa_ipc_buffer();
	long err;

	for (unsigned i = 0; i < ncaps; i++)
		b->caps_or_badges[i] = caps[i];
	for (unsigned i = 0; i < nargs; i++)
		septa_set_mr(&m, i, args[i]);
	err = septa_call(obj, &m);
	for (unsigned i = 0; i < SEPTA_MSG_LEN(m.info) && args; i++)
		args[i] = septa_mr(&m, i);
	return err;
}

long septa_untyped_retype(uint64_t ut, unsigned type, unsigned size_bits, uint64_t root,
			  uint64_t index, unsigned depth, uint64_t offset, unsigned count)
{
	uint64_t a[] = {type, size_bits, index, depth, offset, count};

	return invoke(ut, SEPTA_UNTYPED_RETYPE, 1, &root, 6, a);
}

long septa_cnode_copy(uint64_t root, uint64_t dst, unsigned dst_depth, uint64_t src_root,
		      uint64_t src, unsigned src_depth, unsigned rights)
{
	uint64_t a[] = {dst, dst_depth, src, src_depth, rights};

	return invoke(root, SEPTA_CNODE_COPY, 1, &src_root, 5, a);
}

long septa_cnode_mint(uint64_t root, uint64_t dst, unsigned dst_depth, uint64_t src_root,
		      uint64_t src, unsigned src_depth, unsigned rights, uint64_t badge)
{
	uint64_t a[] = {dst, dst_depth, src, src_depth, rights, badge};

	return invoke(root, SEPTA_CNODE_MINT, 1, &src_root, 6, a);
}

long septa_cnode_move(uint64_t root, uint64_t dst, unsigned dst_depth, uint64_t src_root,
		      uint64_t src, unsigned src_depth)
{
	uint64_t a[] = {dst, dst_depth, src, src_depth};

	return invoke(root, SEPTA_CNODE_MOVE, 1, &src_root, 4, a);
}

long septa_cnode_mutate(uint64_t root, uint64_t dst, unsigned dst_depth,
			uint64_t src_root, uint64_t src, unsigned src_depth,
			uint64_t badge)
{
	uint64_t a[] = {dst, dst_depth, src, src_depth, badge};

	return invoke(root, SEPTA_CNODE_MUTATE, 1, &src_root, 5, a);
}

long septa_cnode_delete(uint64_t root, uint64_t index, unsigned depth)
{
	uint64_t a[] = {index, depth};

	return invoke(root, SEPTA_CNODE_DELETE, 0, NULL, 2, a);
}

long septa_cnode_revoke(uint64_t root, uint64_t index, unsigned depth)
{
	uint64_t a[] = {index, depth};

	return invoke(root, SEPTA_CNODE_REVOKE, 0, NULL, 2, a);
}

long septa_tcb_configure(uint64_t tcb, uint64_t fault_ep, uint64_t cspace,
			 uint64_t vspace, uint64_t buffer_frame, uint64_t buffer_ipa)
{
	uint64_t caps[] = {cspace, vspace, buffer_frame};
	uint64_t a[] = {fault_ep, buffer_ipa};

	return invoke(tcb, SEPTA_TCB_CONFIGURE, 3, caps, 2, a);
}

long septa_tcb_set_priority(uint64_t tcb, unsigned prio)
{
	uint64_t a[] = {prio};

	return invoke(tcb, SEPTA_TCB_SET_PRIORITY, 0, NULL, 1, a);
}

long septa_tcb_set_mcp(uint64_t tcb, unsigned mcp)
{
	uint64_t a[] = {mcp};

	return invoke(tcb, SEPTA_TCB_SET_MCP, 0, NULL, 1, a);
}

long septa_tcb_suspend(uint64_t tcb)
{
	return invoke(tcb, SEPTA_TCB_SUSPEND, 0, NULL, 0, NULL);
}

long septa_tcb_resume(uint64_t tcb)
{
	return invoke(tcb, SEPTA_TCB_RESUME, 0, NULL, 0, NULL);
}

long septa_tcb_read_registers(uint64_t tcb, unsigned count, uint64_t *regs)
{
	struct septa_msg m = {.info = septa_msginfo(SEPTA_TCB_READ_REGISTERS, 0, 1),
			      .mr = {count}};
	long err = septa_call(tcb, &m);

	for (unsigned i = 0; !err && i < SEPTA_MSG_LEN(m.info); i++)
		regs[i] = septa_mr(&m, i);
	return err;
}

long septa_tcb_write_registers(uint64_t tcb, int resume, unsigned count,
			       const uint64_t *regs)
{
	struct septa_msg m = {.info =
				  septa_msginfo(SEPTA_TCB_WRITE_REGISTERS, 0, 2 + count)};

	m.mr[0] = (uint64_t)resume;
	m.mr[1] = count;
	for (unsigned i = 0; i < count; i++)
		septa_set_mr(&m, 2 + i, regs[i]);
	return septa_call(tcb, &m);
}

long septa_tcb_bind_notification(uint64_t tcb, uint64_t ntfn)
{
	return invoke(tcb, SEPTA_TCB_BIND_NOTIFICATION, 1, &ntfn, 0, NULL);
}

long septa_tcb_unbind_notification(uint64_t tcb)
{
	return invoke(tcb, SEPTA_TCB_UNBIND_NOTIFICATION, 0, NULL, 0, NULL);
}

long septa_irq_control_get(uint64_t ctl, unsigned irq, uint64_t root, uint64_t index,
			   unsigned depth)
{
	uint64_t a[] = {irq, index, depth};

	return invoke(ctl, SEPTA_IRQ_CONTROL_GET, 1, &root, 3, a);
}

long septa_irq_handler_set_notification(uint64_t handler, uint64_t ntfn)
{
	return invoke(handler, SEPTA_IRQ_HANDLER_SET_NOTIFICATION, 1, &ntfn, 0, NULL);
}

long septa_irq_handler_ack(uint64_t handler)
{
	return invoke(handler, SEPTA_IRQ_HANDLER_ACK, 0, NULL, 0, NULL);
}

long septa_irq_handler_clear(uint64_t handler)
{
	return invoke(handler, SEPTA_IRQ_HANDLER_CLEAR, 0, NULL, 0, NULL);
}

long septa_frame_get_address(uint64_t frame, uint64_t *paddr)
{
	uint64_t a[1] = {0};
	long err = invoke(frame, SEPTA_FRAME_GET_ADDRESS, 0, NULL, 0, a);

	if (!err)
		*paddr = a[0];
	return err;
}

/* Where an E_NO_TABLE reply (in args) says the walk stopped. */
static long no_table(long err, const uint64_t *args, struct septa_no_table *nt)
{
	if (err == SEPTA_E_NO_TABLE && nt)
		*nt = (struct septa_no_table){(unsigned)args[SEPTA_NO_TABLE_LEVEL],
					      (unsigned)args[SEPTA_NO_TABLE_MISSING]};
	return err;
}

long septa_frame_map(uint64_t frame, uint64_t vspace, uint64_t ipa, unsigned rights,
		     unsigned owner, unsigned npt, const uint64_t *pts,
		     struct septa_no_table *nt)
{
	uint64_t a[] = {ipa, rights, owner}, caps[1 + SEPTA_FRAME_MAP_TABLES] = {vspace};

	if (npt > SEPTA_FRAME_MAP_TABLES)
		return SEPTA_E_EXTRA_CAPS;
	for (unsigned i = 0; i < npt; i++)
		caps[1 + i] = pts[i];
	return no_table(invoke(frame, SEPTA_FRAME_MAP, 1 + npt, caps, 3, a), a, nt);
}

long septa_frame_map_with_tables(uint64_t frame, uint64_t vspace, uint64_t ipa,
				 unsigned rights, unsigned owner,
				 uint64_t (*new_table)(void *arg), void *arg,
				 struct septa_no_table *nt)
{
	struct septa_no_table need = {0, 0};
	uint64_t pts[SEPTA_FRAME_MAP_TABLES];
	long err = septa_frame_map(frame, vspace, ipa, rights, owner, 0, NULL, &need);

	if (err != SEPTA_E_NO_TABLE)
		goto out;
	err = SEPTA_OK;
	/* More than one call can carry (a page under an empty level-0 entry):
	 * the top ones are linked first. */
	while (!err && need.missing > SEPTA_FRAME_MAP_TABLES) {
		uint64_t pt = new_table(arg);

		err = pt ? septa_page_table_map(pt, vspace,
						ipa & ~(septa_level_size(need.level) - 1),
						need.level + 1, NULL)
			 : SEPTA_E_NO_MEMORY;
		need.missing--;
		need.level++;
	}
	for (unsigned i = 0; !err && i < need.missing; i++)
		if (!(pts[i] = new_table(arg)))
			err = SEPTA_E_NO_MEMORY;
	if (!err)
		err = septa_frame_map(frame, vspace, ipa, rights, owner, need.missing,
				      pts, &need);
out:
	if (nt)
		*nt = need;
	return err;
}

long septa_frame_unmap(uint64_t frame)
{
	return invoke(frame, SEPTA_FRAME_UNMAP, 0, NULL, 0, NULL);
}

long septa_page_table_map(uint64_t pt, uint64_t vspace, uint64_t ipa, unsigned level,
			  struct septa_no_table *nt)
{
	uint64_t a[] = {ipa, level};

	return no_table(invoke(pt, SEPTA_PAGE_TABLE_MAP, 1, &vspace, 2, a), a, nt);
}

long septa_page_table_unmap(uint64_t pt)
{
	return invoke(pt, SEPTA_PAGE_TABLE_UNMAP, 0, NULL, 0, NULL);
}

long septa_vspace_query(uint64_t vspace, uint64_t ipa, uint64_t out[4])
{
	out[0] = ipa;
	return invoke(vspace, SEPTA_VSPACE_QUERY, 0, NULL, 1, out);
}

long septa_vcpu_set_tcb(uint64_t vcpu, uint64_t tcb)
{
	return invoke(vcpu, SEPTA_VCPU_SET_TCB, 1, &tcb, 0, NULL);
}

long septa_vcpu_read_reg(uint64_t vcpu, unsigned reg, uint64_t *value)
{
	uint64_t a[] = {reg};
	long err = invoke(vcpu, SEPTA_VCPU_READ_REG, 0, NULL, 1, a);

	if (!err)
		*value = a[0];
	return err;
}

long septa_vcpu_write_reg(uint64_t vcpu, unsigned reg, uint64_t value)
{
	uint64_t a[] = {reg, value};

	return invoke(vcpu, SEPTA_VCPU_WRITE_REG, 0, NULL, 2, a);
}

long septa_vcpu_reset(uint64_t vcpu)
{
	return invoke(vcpu, SEPTA_VCPU_RESET, 0, NULL, 0, NULL);
}

long septa_vcpu_inject_irq(uint64_t vcpu, unsigned intid, unsigned prio)
{
	uint64_t a[] = {intid, prio};

	return invoke(vcpu, SEPTA_VCPU_INJECT_IRQ, 0, NULL, 2, a);
}

long septa_vspace_protect(uint64_t vspace, uint64_t ipa, uint64_t size, unsigned keep,
			  unsigned npt, const uint64_t *pts, struct septa_no_table *nt)
{
	uint64_t a[] = {ipa, size, keep};

	return no_table(invoke(vspace, SEPTA_VSPACE_PROTECT, npt, pts, 3, a), a, nt);
}
