/*
 * The boot archive in memsrv's books. The kernel leaves it where the kernel
 * image has it and gives memsrv read-only capabilities to its 2 MiB frames
 * (bootinfo modules_*). Its pages are in the database so that nothing else
 * is made of them: they are memsrv's (client 0), never free, and only ever
 * shared read-only with the servers memsrv starts, one physical copy for
 * all. No client can name them in an operation (it owns none of them), and
 * the frames lack the write right, so not even a memsrv bug could map them
 * writable: the kernel refuses (docs/ownership.md, "The boot archive").
 */
#include "memsrv.h"

_Static_assert(CHUNK_SIZE == 1ULL << SEPTA_ARCHIVE_FRAME_BITS,
	       "an archive frame is one chunk");

static uint64_t first_page, nchunks;

void archive_init(const struct septa_bootinfo *bi)
{
	first_page = (bi->modules_paddr - pool.base) / SEPTA_PAGE_SIZE;
	nchunks = bi->modules_frames;
	for (uint64_t i = 0; i < nchunks; i++)
		*pool_chunk(first_page + i * CHUNK_PAGES) = (struct chunk){
		    .frames = bi->modules_frames_slot + i, .state = CH_BLOCK};
}

int archive_share(unsigned c)
{
	uint64_t n = nchunks * CHUNK_PAGES;
	int err;

	if (!nchunks)
		return MEMSRV_OK;
	err = own_to_memsrv(own_check_share(&pool.db, 0, first_page, n, c, OWN_R));
	if (!err)
		err = op_check_target(c, SEPTA_ROOT_MODULES, first_page, n);
	if (!err)
		err = op_reserve(nchunks, n, true);
	if (err)
		return err;
	own_commit_share(&pool.db, first_page, n, c, OWN_R);
	for (uint64_t i = 0; i < nchunks; i++)
		grant_map(c, first_page + i * CHUNK_PAGES, true,
			  SEPTA_ROOT_MODULES + i * CHUNK_SIZE, MEMSRV_R,
			  SEPTA_SHARED_BORROWED);
	return MEMSRV_OK;
}
