/* System-call entry for IPC, and the invocations built on them. */
#include <septa/ipc.h>

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

/* Calls obj with label, message registers mr and extra capabilities caps;
 * up to nout registers of the reply land in out. Always inlined: in the
 * generated stubs the counts are constants, so the loops over the first
 * SEPTA_MSG_REGS registers unroll into plain register moves, and the IPC
 * buffer is touched only by messages that need it (capabilities, or more
 * than SEPTA_MSG_REGS registers either way). */
static inline __attribute__((always_inline)) long
invoke(uint64_t obj, uint64_t label, unsigned ncaps, const uint64_t *caps, unsigned nmr,
       const uint64_t *mr, unsigned nout, uint64_t *out)
{
	struct septa_msg m = {.info = septa_msginfo(label, ncaps, nmr)};
	unsigned len;
	long err;

	if (ncaps || nmr > SEPTA_MSG_REGS) {
		struct septa_ipc_buffer *b = septa_ipc_buffer();

		for (unsigned i = 0; i < ncaps; i++)
			b->caps_or_badges[i] = caps[i];
		for (unsigned i = SEPTA_MSG_REGS; i < nmr; i++)
			b->msg[i] = mr[i];
	}
#pragma GCC unroll 4
	for (unsigned i = 0; i < SEPTA_MSG_REGS; i++)
		if (i < nmr)
			m.mr[i] = mr[i];
	err = septa_ipc(SEPTA_SYS_CALL, obj, &m);
	len = SEPTA_MSG_LEN(m.info);
#pragma GCC unroll 4
	for (unsigned i = 0; i < SEPTA_MSG_REGS; i++)
		if (i < nout && i < len)
			out[i] = m.mr[i];
	if (nout > SEPTA_MSG_REGS && len > SEPTA_MSG_REGS) {
		const struct septa_ipc_buffer *b = septa_ipc_buffer();

		for (unsigned i = SEPTA_MSG_REGS; i < len && i < nout; i++)
			out[i] = b->msg[i];
	}
	return err;
}

/* The message registers and capabilities of invocation NAME, from the
 * stub's parameters of the same names (a trailing 0 keeps them non-empty). */
#define STUB_MR(ctype, field, doc) (uint64_t)(field),
#define STUB_CAP(field, doc)	   (field),
#define STUB_MRS(NAME)                                                                   \
	{                                                                                \
		SEPTA_ARGS_##NAME(STUB_MR, SEPTA_ARG_NONE, SEPTA_ARG_NONE) 0             \
	}
#define STUB_CAPS(NAME)                                                                  \
	{                                                                                \
		SEPTA_ARGS_##NAME(SEPTA_ARG_NONE, STUB_CAP, SEPTA_ARG_NONE) 0            \
	}
#define STUB_CALL(NAME, obj, mr, caps, nout, out)                                        \
	invoke(obj, SEPTA_##NAME, SEPTA_INV_NCAPS(NAME), caps, SEPTA_INV_NMR(NAME), mr,  \
	       nout, out)

#define STUB_OUT(ctype, field, doc) *field = (ctype)out[nout++];
#define STUB_DEF_CUSTOM(NAME, name)
#define STUB_DEF_STUB(NAME, name)                                                        \
	long septa_##name(SEPTA_STUB_PARAMS(NAME))                                       \
	{                                                                                \
		const uint64_t mr[] = STUB_MRS(NAME), caps[] = STUB_CAPS(NAME);          \
		uint64_t out[SEPTA_INV_NOUT(NAME) + 1] = {0};                            \
		unsigned nout = 0;                                                       \
		long err = STUB_CALL(NAME, obj, mr, caps, SEPTA_INV_NOUT(NAME), out);    \
                                                                                         \
		if (!err) {                                                              \
			SEPTA_ARGS_##NAME(SEPTA_ARG_NONE, SEPTA_ARG_NONE, STUB_OUT)      \
		}                                                                        \
		(void)nout;                                                              \
		return err;                                                              \
	}
#define STUB_DEF(OBJ, NAME, name, label, stub, ...) STUB_DEF_##stub(NAME, name)
SEPTA_INVOCATIONS(STUB_DEF)

long septa_tcb_read_registers(uint64_t tcb, uint64_t count, uint64_t *regs)
{
	const uint64_t mr[] = STUB_MRS(TCB_READ_REGISTERS);

	return STUB_CALL(TCB_READ_REGISTERS, tcb, mr, NULL, count, regs);
}

long septa_tcb_write_registers(uint64_t tcb, uint64_t resume, uint64_t count,
			       const uint64_t *regs)
{
	const uint64_t head[] = STUB_MRS(TCB_WRITE_REGISTERS);
	const unsigned n = SEPTA_INV_NMR(TCB_WRITE_REGISTERS);
	struct septa_msg m = {.info =
				  septa_msginfo(SEPTA_TCB_WRITE_REGISTERS, 0, n + count)};

	/* Longer than the kernel takes (the 7-bit length would also cut it). */
	if (count > SEPTA_MSG_MAX - n)
		return SEPTA_E_MSG_LENGTH;
	for (unsigned i = 0; i < n + count; i++)
		septa_set_mr(&m, i, i < n ? head[i] : regs[i - n]);
	return septa_call(tcb, &m);
}

/* Where an E_NO_TABLE reply (septa_no_table_mr, in out) says the walk
 * stopped. */
static long no_table(long err, const uint64_t *out, struct septa_no_table *nt)
{
	if (err == SEPTA_E_NO_TABLE && nt)
		*nt = (struct septa_no_table){(unsigned)out[SEPTA_NO_TABLE_LEVEL],
					      (unsigned)out[SEPTA_NO_TABLE_MISSING]};
	return err;
}

long septa_frame_map(uint64_t frame, uint64_t vspace, uint64_t ipa, uint64_t rights,
		     uint64_t owner, unsigned npt, const uint64_t *pts,
		     struct septa_no_table *nt)
{
	const uint64_t mr[] = STUB_MRS(FRAME_MAP), head[] = STUB_CAPS(FRAME_MAP);
	const unsigned n = SEPTA_INV_NCAPS(FRAME_MAP);
	uint64_t caps[SEPTA_MSG_MAX_CAPS], out[SEPTA_NO_TABLE_LEN] = {0};

	if (npt > SEPTA_FRAME_MAP_TABLES)
		return SEPTA_E_EXTRA_CAPS;
	for (unsigned i = 0; i < n + npt; i++)
		caps[i] = i < n ? head[i] : pts[i - n];
	return no_table(invoke(frame, SEPTA_FRAME_MAP, n + npt, caps,
			       SEPTA_INV_NMR(FRAME_MAP), mr, SEPTA_NO_TABLE_LEN, out),
			out, nt);
}

/* Gives back the tables src made that nothing linked. */
static void drop_tables(const struct septa_table_source *src, const uint64_t *pts,
			unsigned n)
{
	for (unsigned i = 0; src->drop && i < n; i++)
		src->drop(src->arg, pts[i]);
}

long septa_frame_map_with_tables(uint64_t frame, uint64_t vspace, uint64_t ipa,
				 uint64_t rights, uint64_t owner,
				 const struct septa_table_source *src,
				 struct septa_no_table *nt)
{
	struct septa_no_table need = {0, 0};
	uint64_t pts[SEPTA_FRAME_MAP_TABLES];
	unsigned made = 0;
	long err = septa_frame_map(frame, vspace, ipa, rights, owner, 0, NULL, &need);

	if (err != SEPTA_E_NO_TABLE)
		goto out;
	err = SEPTA_OK;
	/* More than one call can carry (a page under an empty level-0 entry):
	 * the top ones are linked first, and stay linked: they are the
	 * VSpace's now, as after any PAGE_TABLE_MAP. */
	while (!err && need.missing > SEPTA_FRAME_MAP_TABLES) {
		uint64_t pt = src->make(src->arg);

		err = pt ? septa_page_table_map(pt, vspace,
						ipa & ~(septa_level_size(need.level) - 1),
						need.level + 1, NULL)
			 : SEPTA_E_NO_MEMORY;
		if (err && pt)
			drop_tables(src, &pt, 1);
		need.missing--;
		need.level++;
	}
	while (!err && made < need.missing) {
		uint64_t pt = src->make(src->arg);

		if (pt)
			pts[made++] = pt;
		else
			err = SEPTA_E_NO_MEMORY;
	}
	if (!err)
		err = septa_frame_map(frame, vspace, ipa, rights, owner, need.missing,
				      pts, &need);
	if (err)
		drop_tables(src, pts, made);
out:
	if (nt)
		*nt = need;
	return err;
}

long septa_page_table_map(uint64_t pt, uint64_t vspace, uint64_t ipa, uint64_t level,
			  struct septa_no_table *nt)
{
	const uint64_t mr[] = STUB_MRS(PAGE_TABLE_MAP),
		       caps[] = STUB_CAPS(PAGE_TABLE_MAP);
	uint64_t out[SEPTA_NO_TABLE_LEN] = {0};

	return no_table(STUB_CALL(PAGE_TABLE_MAP, pt, mr, caps, SEPTA_NO_TABLE_LEN, out),
			out, nt);
}

long septa_vspace_query(uint64_t vspace, uint64_t ipa, uint64_t out[4])
{
	const uint64_t mr[] = STUB_MRS(VSPACE_QUERY);

	return STUB_CALL(VSPACE_QUERY, vspace, mr, NULL, SEPTA_INV_NOUT(VSPACE_QUERY),
			 out);
}

long septa_vspace_protect(uint64_t vspace, uint64_t ipa, uint64_t size, uint64_t keep,
			  unsigned npt, const uint64_t *pts, struct septa_no_table *nt)
{
	const uint64_t mr[] = STUB_MRS(VSPACE_PROTECT);
	uint64_t out[SEPTA_NO_TABLE_LEN] = {0};

	/* The message info would cut the count; the buffer has no more slots. */
	if (npt > SEPTA_MSG_MAX_CAPS)
		return SEPTA_E_EXTRA_CAPS;
	return no_table(invoke(vspace, SEPTA_VSPACE_PROTECT, npt, pts,
			       SEPTA_INV_NMR(VSPACE_PROTECT), mr, SEPTA_NO_TABLE_LEN,
			       out),
			out, nt);
}
