/* The boot archive as a server sees it: memsrv's one physical copy, shared
 * read-only (docs/ownership.md, "The boot archive"). */
#include <bootfmt/bootarc.h>
#include <stdio.h>
#include "bigmod.h"
#include "memtest.h"

#define XB 0x50000000ULL /* a free address of B's */

/* Mapped as the kernel's 2 MiB frames themselves, not a copy: the pages
 * the kernel gave the root task, read-only, tagged as borrowed. */
void test_archive_is_one_shared_copy(void)
{
	const struct septa_bootinfo *bi = septa_bootinfo();
	struct memsrv_query mq;
	uint64_t q[4];

	CHECK(bi->modules_paddr != 0);
	CHECK_EQ(bi->modules_paddr % BLOCK, 0);
	CHECK_EQ(bi->modules_frames, 0); /* no capabilities: memsrv keeps those */
	for (uint64_t off = 0; off < bi->modules_size; off += BLOCK) {
		kq(MY_VS, bi->modules_base + off, q);
		CHECK_EQ(q[0], bi->modules_paddr + off);
		CHECK_EQ(q[1], 2); /* a block */
		CHECK_EQ(q[2], SEPTA_MAP_R);
		CHECK_EQ(q[3], SEPTA_SHARED_BORROWED);
	}
	/* memsrv's books: its own pages, shared with us read-only. */
	CHECK_EQ(memsrv_query(EP, bi->modules_paddr, &mq), MEMSRV_OK);
	CHECK_EQ(mq.view, MEMSRV_VIEW_SHARED_BORROWED);
	CHECK_EQ(mq.owner, 0);
	CHECK_EQ(mq.ipa, bi->modules_base);
	CHECK_EQ(mq.rights, MEMSRV_R);
}

/* A write faults; memsrv lets no one share, lend, donate or free it. */
void test_archive_is_read_only(void)
{
	const struct septa_bootinfo *bi = septa_bootinfo();
	uint64_t last = bi->modules_base + ((bi->modules_size - 1) & ~(PAGE - 1)), got;
	uint64_t pa = bi->modules_paddr;

	CHECK_EQ(probe(mt.tcb_a, last, 0, 0, &got), PROBE_OK);
	CHECK_EQ(probe(mt.tcb_a, last, last, 0x5e9a, &got), PROBE_FAULT);
	CHECK_EQ(got, last);
	CHECK_EQ(memsrv_share(EP, pa, 1, mt.b, XB, MEMSRV_R), MEMSRV_E_NOT_OWNER);
	CHECK_EQ(memsrv_lend(EP, pa, 1, mt.b, XB, MEMSRV_RW), MEMSRV_E_NOT_OWNER);
	CHECK_EQ(memsrv_donate(EP, pa, BLOCK / PAGE, mt.b, XB), MEMSRV_E_NOT_OWNER);
	CHECK_EQ(memsrv_free(EP, pa, BLOCK / PAGE), MEMSRV_E_NOT_OWNER);
}

/* The archive reads through the shared mapping; the big module, when the
 * image has it, is all in place, to its last page. */
void test_archive_contents(void)
{
	const struct septa_bootinfo *bi = septa_bootinfo();
	struct bootarc arc;
	struct bootarc_module m;
	uint32_t sum;
	uint64_t pages;

	CHECK_EQ(bootarc_open(&arc, (const void *)(uintptr_t)bi->modules_base,
			      bi->modules_size),
		 0);
	CHECK_EQ(bootarc_find(&arc, "memtest", &m), 0);
	if (bootarc_find(&arc, BIGMOD_NAME, &m))
		return;
	CHECK_EQ(m.size, BIGMOD_SIZE);
	pages = bigmod_check(m.data, m.size, &sum);
	printf("memtest: module '%s': %llu of %llu pages in place, last page FNV-1a "
	       "%08x\n",
	       BIGMOD_NAME, (unsigned long long)pages,
	       (unsigned long long)(m.size / BIGMOD_PAGE), (unsigned)sum);
	CHECK_EQ(pages, BIGMOD_SIZE / BIGMOD_PAGE);
}
