/* Helpers of the hostile-input tests: see t_hostile.h. */
#include "t_hostile.h"

long raw_invoke(uint64_t obj, uint64_t label, unsigned ncaps, const uint64_t *caps,
		unsigned len, const uint64_t *mr)
{
	struct septa_msg m = {.info = septa_msginfo(label, ncaps, len)};
	struct septa_ipc_buffer *b = septa_ipc_buffer();

	for (unsigned i = 0; i < ncaps && i < SEPTA_MSG_MAX_CAPS; i++)
		b->caps_or_badges[i] = caps[i];
	for (unsigned i = 0; i < len && i < SEPTA_MSG_MAX; i++)
		septa_set_mr(&m, i, mr ? mr[i] : 0);
	return septa_call(obj, &m);
}

long probe(uint64_t s)
{
	struct septa_msg m = {0};

	return septa_nbsend(s, &m);
}

uint64_t sub_ut(unsigned bits)
{
	return mk(SEPTA_OBJ_UNTYPED, bits);
}

long ut_whole(uint64_t ut, unsigned bits)
{
	return septa_untyped_retype(ut, SEPTA_OBJ_UNTYPED, bits, CNODE, 0, 0, slot(), 1);
}

uint64_t slots(unsigned n)
{
	uint64_t first = ct.slot_next;

	ct.slot_next += n;
	return first;
}

uint64_t frames(unsigned n)
{
	uint64_t run = slots(n);

	/* Retype makes at most 256 at once. */
	for (unsigned i = 0; i < n; i += 256)
		if (septa_untyped_retype(ct.ut, SEPTA_OBJ_FRAME_4K, 0, CNODE, 0, 0,
					 run + i, n - i > 256 ? 256 : n - i))
			return 0;
	return run;
}

uint64_t mapped_frames(uint64_t vs, unsigned n, uint64_t ipa, uint64_t step)
{
	uint64_t run = frames(n);

	for (unsigned i = 0; run && i < n; i++)
		if (septa_frame_map(run + i, vs, ipa + i * step,
				    SEPTA_MAP_R | SEPTA_MAP_W, SEPTA_OWNED, 0, NULL,
				    NULL))
			return 0;
	return run;
}

long map_run(uint64_t vs, uint64_t src, uint64_t dst, uint64_t n, uint64_t ipa,
	     uint64_t rights, uint64_t tag)
{
	return septa_vspace_map_frames(vs, CNODE, 0, 0, src, 0, 0, dst, n, ipa, rights,
				       tag);
}

uint64_t hostile_vspace32(void)
{
	uint64_t vs = mk(SEPTA_OBJ_VSPACE, 32), pt = mk(SEPTA_OBJ_PAGE_TABLE, 0);

	if (!vs || !pt || septa_page_table_map(pt, vs, 0, 3, NULL))
		return 0;
	return vs;
}

uint64_t small_cnode(void)
{
	uint64_t c = mk(SEPTA_OBJ_CNODE, 2), ep = mk(SEPTA_OBJ_ENDPOINT, 0);

	if (!c || !ep || septa_cnode_copy(c, 0, 2, CNODE, ep, DEPTH, SEPTA_RIGHTS_ALL))
		return 0;
	return c;
}

long small_cnode_intact(uint64_t c)
{
	uint64_t s = slot();
	long err = septa_cnode_copy(CNODE, s, DEPTH, c, 0, 2, SEPTA_RIGHTS_ALL);

	if (err)
		return err;
	if (probe(s) != SEPTA_E_WOULD_BLOCK)
		return SEPTA_E_CAP_TYPE;
	for (uint64_t i = 1; i < 4; i++)
		if (septa_cnode_copy(CNODE, slot(), DEPTH, c, i, 2, SEPTA_RIGHTS_ALL) !=
		    SEPTA_E_MISSING_CAP)
			return SEPTA_E_DELETE_FIRST;
	return SEPTA_OK;
}
