/* A fake physical memory for the walker's host tests: page-table pages
 * come from FAKE_PAGES pages of it, and TLB maintenance is counted. */
#include "pgt_fake.h"
#include <stdlib.h>
#include <string.h>

#define FAKE_BASE 0x80000000ULL

uint8_t *pgt_fake_mem;
unsigned pgt_fake_next, pgt_fake_tlb_invals, pgt_fake_tlb_flushes;

void *pgt_fake_p2v(paddr_t pa)
{
	CU_ASSERT_FATAL(pa_addr(pa) >= FAKE_BASE &&
			pa_addr(pa) < FAKE_BASE + FAKE_PAGES * SEPTA_PAGE_SIZE);
	return pgt_fake_mem + (pa_addr(pa) - FAKE_BASE);
}

static void fake_tlbi(const struct pgt *p, uint64_t addr, unsigned level)
{
	(void)p;
	(void)addr;
	(void)level;
	pgt_fake_tlb_invals++;
}

static void fake_publish(void)
{
}

static void fake_tlbi_all(const struct pgt *p)
{
	(void)p;
	pgt_fake_tlb_flushes++;
}

static const struct pgt_mm_ops fake_ops = {pgt_fake_p2v, fake_tlbi, fake_publish,
					   fake_tlbi_all};

paddr_t pgt_fake_alloc(unsigned pages)
{
	paddr_t pa = pa_init(FAKE_BASE + pgt_fake_next * SEPTA_PAGE_SIZE);

	CU_ASSERT_FATAL(pgt_fake_next + pages <= FAKE_PAGES);
	pgt_fake_next += pages;
	return pa;
}

int pgt_fake_setup(void)
{
	pgt_fake_mem = aligned_alloc(SEPTA_PAGE_SIZE, FAKE_PAGES * SEPTA_PAGE_SIZE);
	return pgt_fake_mem ? 0 : -1;
}

int pgt_fake_teardown(void)
{
	free(pgt_fake_mem);
	return 0;
}

void pgt_fake_new(struct pgt *p, unsigned ia_bits)
{
	memset(pgt_fake_mem, 0, FAKE_PAGES * SEPTA_PAGE_SIZE);
	pgt_fake_next = 0;
	pgt_fake_tlb_invals = 0;
	pgt_fake_tlb_flushes = 0;
	CU_ASSERT_FATAL(pgt_geom_init(&p->geom, ia_bits, true) == PGT_OK);
	p->root = pgt_fake_alloc(p->geom.root_pages);
	p->mm = &fake_ops;
	p->vmid = 1;
}

int pgt_fake_map(struct pgt *p, uint64_t ipa, uint64_t pa, uint64_t size, bool blocks,
		 bool replace, unsigned supply, struct pgt_map_req *out)
{
	static paddr_t pages[16];
	static struct pgt_cache cache;
	struct pgt_map_req req = {.pa = pa,
				  .attrs = 0x3c0,
				  .blocks = blocks,
				  .replace = replace,
				  .cache = &cache};
	int err;

	cache.pages = pages;
	cache.count = supply;
	for (unsigned i = 0; i < supply; i++)
		pages[i] = pgt_fake_alloc(1);
	err = pgt_map(p, ipa, size, &req);
	if (out)
		*out = req;
	return err;
}

void pgt_fake_expect_leaf(struct pgt *p, uint64_t ipa, uint64_t pa, unsigned level)
{
	pte_t pte;
	unsigned lvl;

	CU_ASSERT_EQUAL_FATAL(pgt_query(p, ipa, &pte, &lvl), PGT_OK);
	CU_ASSERT(pte_valid(pte));
	CU_ASSERT_EQUAL(pte_addr(pte), pa);
	CU_ASSERT_EQUAL(lvl, level);
	CU_ASSERT_EQUAL(pte & PTE_LEAF_ATTRS & 0x3c0, 0x3c0);
}

bool pgt_fake_all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

struct pgt_map_req pgt_fake_cache_req(unsigned supply)
{
	static paddr_t pages[16];
	static struct pgt_cache cache;
	struct pgt_map_req req = {.cache = &cache};

	cache.pages = pages;
	cache.count = supply;
	for (unsigned i = 0; i < supply; i++)
		pages[i] = pgt_fake_alloc(1);
	return req;
}

void pgt_fake_expect_unmapped(struct pgt *p, uint64_t ipa)
{
	pte_t pte;
	unsigned lvl;

	CU_ASSERT_EQUAL(pgt_query(p, ipa, &pte, &lvl), PGT_OK);
	CU_ASSERT_EQUAL(pte, 0);
}
