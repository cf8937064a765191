/*
 * The ranged invocations' longest entries (issue 16): VSPACE_MAP_FRAMES
 * checks and maps its whole run in one entry (SEPTA_MAP_FRAMES_MAX
 * frames, each a walk from the root of a 44-bit VSpace, four levels, and
 * a copy); VSPACE_RETAG_FRAMES and VSPACE_DELETE_FRAMES of
 * SEPTA_UNMAP_FRAMES_MAX frames run in restarted steps, each of which
 * checks all that is left.
 */
#include <septa/ipc.h>
#include "boundbench.h"

#define CN	SEPTA_CAP_INIT_CNODE
#define RW	(SEPTA_MAP_R | SEPTA_MAP_W)
#define RUN_IPA 0x40000000ULL		 /* the copies' pages, 128 of them */
#define OWN_IPA (RUN_IPA + (2ULL << 20)) /* the sources', 512: one table */

static uint64_t next;

static uint64_t take(unsigned type, unsigned bits, unsigned n)
{
	uint64_t s = next;

	for (unsigned done = 0; done < n; done += 256)
		bb_check(!septa_untyped_retype(bb_ut, type, bits, CN, 0, 0, s + done,
					       n - done < 256 ? n - done : 256),
			 "retype");
	next += n;
	return s;
}

static uint64_t table(void *arg)
{
	(void)arg;
	return take(SEPTA_OBJ_PAGE_TABLE, 0, 1);
}

static const struct septa_table_source tables = {table, NULL, NULL};

void bb_ranged_cases(void)
{
	uint64_t vs, src, dst;
	struct bb_run r;

	next = bb_bi->first_free_slot;
	vs = take(SEPTA_OBJ_VSPACE, 44, 1);
	src = take(SEPTA_OBJ_FRAME_4K, 0, SEPTA_UNMAP_FRAMES_MAX);
	dst = next;
	next += SEPTA_MAP_FRAMES_MAX;
	/* The copies' table: a map of their first page brings it. */
	bb_check(!septa_frame_map_with_tables(src, vs, RUN_IPA, RW, SEPTA_OWNED, &tables,
					      NULL),
		 "map");
	bb_check(!septa_frame_unmap(src), "unmap");
	bb_begin(&r);
	bb_check(!septa_vspace_map_frames(vs, CN, 0, 0, src, 0, 0, dst,
					  SEPTA_MAP_FRAMES_MAX, RUN_IPA, RW,
					  SEPTA_SHARED_BORROWED),
		 "map frames");
	bb_end(&r, "map 128 4 KiB frames in one call", 1);
	for (unsigned i = 0; i < SEPTA_UNMAP_FRAMES_MAX; i++)
		bb_check(!septa_frame_map_with_tables(src + i, vs, OWN_IPA + i * 4096ULL,
						      RW, SEPTA_OWNED, &tables, NULL),
			 "map");
	bb_begin(&r);
	bb_check(!septa_vspace_retag_frames(vs, CN, 0, 0, src, SEPTA_UNMAP_FRAMES_MAX,
					    SEPTA_SHARED_OWNED),
		 "retag frames");
	bb_end(&r, "retag 512 4 KiB frames", 1);
	bb_begin(&r);
	bb_check(!septa_vspace_delete_frames(vs, CN, 0, 0, dst, SEPTA_MAP_FRAMES_MAX),
		 "delete frames");
	bb_end(&r, "delete 128 mapped copies", 1);
	bb_begin(&r);
	bb_check(!septa_vspace_delete_frames(vs, CN, 0, 0, src, SEPTA_UNMAP_FRAMES_MAX),
		 "delete frames");
	bb_end(&r, "delete 512 mapped 4 KiB frames", 1);
	bb_check(!septa_cnode_revoke(CN, bb_ut, 64), "revoke");
}
