/*
 * What a test leaves when a check fails half-way: pages memtest allocated
 * and still owns, perhaps shared or lent, in the addresses the next test
 * wants. Every memsrv_alloc of a test goes through memtest_alloc
 * (memtest.h renames it), which records the range and for whom (memtest,
 * or a client it speaks for with MEMSRV_AS); after the test,
 * memtest_after() gives back what that client still owns of each:
 * unshared from every client, reclaimed, freed. So one bug fails one test.
 * A test that passed and still left pages behind leaked them: it fails
 * too, unless it said it keeps them (memtest_keep). Then memsrv's audit:
 * a test after which memsrv's books and the kernel's mappings differ more
 * than before it fails by name (and later tests are judged from there).
 */
#include <stdio.h>
#include "memtest.h"
#undef memsrv_alloc

#define MAX_RANGES 64

static struct {
	uint64_t ep, pa, pages;
} ranges[MAX_RANGES];
static unsigned nranges, unrecorded;
static uint64_t audit_base; /* differences the tests before left */

long memtest_alloc(uint64_t ep, uint64_t pages, uint64_t align, uint64_t ipa,
		   unsigned rights, uint64_t *pa)
{
	long err = memsrv_alloc(ep, pages, align, ipa, rights, pa);

	if (err == MEMSRV_OK && nranges < MAX_RANGES) {
		ranges[nranges].ep = ep;
		ranges[nranges].pa = *pa;
		ranges[nranges].pages = pages;
		nranges++;
	} else if (err == MEMSRV_OK) {
		unrecorded++;
	}
	return err;
}

void memtest_keep(uint64_t pa)
{
	for (unsigned r = 0; r < nranges; r++)
		if (ranges[r].pa == pa)
			ranges[r--] = ranges[--nranges];
}

/* Whether the client ep speaks for owns the page at pa. */
static int owns(uint64_t ep, uint64_t pa)
{
	unsigned who = ep >> 32 ? (unsigned)(ep >> 32) : mt.me;
	struct memsrv_query q;

	return memsrv_query(ep, pa, &q) == MEMSRV_OK && q.owner == who &&
	       q.view != MEMSRV_VIEW_NONE;
}

/* Undoes every share and loan of [pa, pa + n pages) and frees it; the
 * results are not checked: what is not shared, say, refuses to be
 * unshared, and what is left over is counted by the caller. */
static void give_back(uint64_t ep, uint64_t pa, uint64_t n)
{
	for (unsigned c = 1; c < MEMSRV_MAX_CLIENTS; c++)
		(void)memsrv_unshare(ep, pa, n, c);
	(void)memsrv_reclaim(ep, pa, n);
	(void)memsrv_free(ep, pa, n);
}

static int audit_after(void)
{
	struct memsrv_audit a;
	long err = memsrv_audit(EP, &a);

	if (err) {
		printf("     teardown: memsrv's audit: %s (%ld)\n", memsrv_strerror(err),
		       err);
		return 1;
	}
	if (a.differences <= audit_base)
		return 0;
	printf("     teardown: memsrv's audit: %lu differences (%lu before the test), "
	       "the first of kind %u, client %u, IPA %#lx\n",
	       (unsigned long)a.differences, (unsigned long)audit_base, a.kind, a.client,
	       (unsigned long)a.ipa);
	audit_base = a.differences;
	return 1;
}

int memtest_after(const char *name)
{
	unsigned left = 0, still = 0;

	(void)name;
	for (unsigned r = 0; r < nranges; r++) {
		uint64_t ep = ranges[r].ep, pa = ranges[r].pa, n = ranges[r].pages,
			 owned = 0;

		for (uint64_t i = 0; i < n; i++)
			owned += owns(ep, pa + i * PAGE);
		if (!owned)
			continue;
		left += (unsigned)owned;
		/* The whole range first (a 2 MiB block goes only whole), then
		 * page by page what a part of it kept. */
		give_back(ep, pa, n);
		for (uint64_t i = 0; i < n; i++)
			if (owns(ep, pa + i * PAGE))
				give_back(ep, pa + i * PAGE, 1);
		for (uint64_t i = 0; i < n; i++)
			still += owns(ep, pa + i * PAGE);
	}
	nranges = 0;
	if (unrecorded)
		printf("     teardown: %u allocations past the %u recorded\n", unrecorded,
		       MAX_RANGES);
	if (left)
		printf("     teardown: the test left %u pages; %u of them would not go\n",
		       left, still);
	left += unrecorded;
	unrecorded = 0;
	return (left != 0) | audit_after();
}
