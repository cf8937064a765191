/*
 * Sub-page write protection, the policy (spp.h, docs/subpage.md): a sorted
 * array of the pages that have a bitmap, so a fault's lookup is a binary
 * search and a 2 MiB block's question is one too. Most pages have none,
 * and a VM's table is bounded (SPP_MAX_PAGES): a set that would need more
 * is refused, never half applied.
 */
#include <string.h>
#include <septa/fault.h>
#include "spp.h"

_Static_assert(SPP_MAX_RUN *SPP_PAGE <= SPP_BLOCK, "a run touches two blocks at most");

void spp_init(struct spp_table *t, uint64_t ram_base, uint64_t ram_size)
{
	memset(t, 0, sizeof(*t));
	t->ram_base = ram_base;
	/* An entry's page number is 32 bits: beyond, pages would alias. */
	t->ram_size = ram_size < SPP_MAX_RAM ? ram_size : SPP_MAX_RAM;
}

enum spp_decision spp_decide(uint32_t bitmap, unsigned offset, unsigned access)
{
	unsigned size;
	uint32_t need;

	if (SEPTA_ACCESS_KIND(access) == SEPTA_ACCESS_READ ||
	    SEPTA_ACCESS_KIND(access) == SEPTA_ACCESS_FETCH)
		return SPP_NOT_A_WRITE;
	/* A write, or a kind the access word does not define: only a write
	 * the syndrome describes can be checked, and performed. */
	if (SEPTA_ACCESS_KIND(access) != SEPTA_ACCESS_WRITE ||
	    !(access & SEPTA_ACCESS_VALID))
		return SPP_REFUSE_UNDESCRIBED;
	size = SEPTA_ACCESS_SIZE(access);
	/* Aligned only, as the kernel performs it (SPP_REFUSE_MISALIGNED);
	 * then it stays inside its page, and touches one sub-page. */
	if (offset >= SPP_PAGE || (offset & (size - 1)))
		return SPP_REFUSE_MISALIGNED;
	need = 1u << (offset / SPP_SUBPAGE);
	return bitmap & need ? SPP_PERMIT : SPP_REFUSE_FORBIDDEN;
}

/* The first entry at or after RAM page p. */
static unsigned lower_bound(const struct spp_table *t, uint64_t p)
{
	unsigned lo = 0, hi = t->n;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;

		if (t->e[mid].page < p)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* npages pages from ipa lie in RAM: any npages, no wrapping. Below RAM,
 * off wraps past ram_size (RAM itself does not wrap). */
static bool in_ram(const struct spp_table *t, uint64_t ipa, uint64_t npages)
{
	uint64_t off = ipa - t->ram_base;

	return off < t->ram_size && npages <= (t->ram_size - off) / SPP_PAGE;
}

uint32_t spp_lookup(const struct spp_table *t, uint64_t ipa)
{
	uint64_t p = (ipa - t->ram_base) / SPP_PAGE;
	unsigned i;

	if (!in_ram(t, ipa & ~(uint64_t)(SPP_PAGE - 1), 1))
		return SPP_OPEN;
	i = lower_bound(t, p);
	return i < t->n && t->e[i].page == p ? t->e[i].bitmap : SPP_OPEN;
}

enum spp_decision spp_fault(const struct spp_table *t, uint64_t ipa, unsigned access)
{
	uint32_t b = spp_lookup(t, ipa);

	if (b == SPP_OPEN)
		return SPP_NOT_PROTECTED;
	return spp_decide(b, (unsigned)(ipa & (SPP_PAGE - 1)), access);
}

/* The checks every run takes, in spp.h's order. */
static int check_run(const struct spp_table *t, uint64_t ipa, uint64_t npages,
		     uint64_t max)
{
	if (npages == 0 || npages > max)
		return SPP_E_COUNT;
	if (ipa & (SPP_PAGE - 1))
		return SPP_E_ALIGN;
	if (!in_ram(t, ipa, npages))
		return SPP_E_RANGE;
	return SPP_OK;
}

int spp_get(const struct spp_table *t, uint64_t ipa_base, uint64_t npages, uint32_t *out)
{
	int err = check_run(t, ipa_base, npages, SPP_MAX_RUN);

	for (uint64_t i = 0; !err && i < npages; i++)
		out[i] = spp_lookup(t, ipa_base + i * SPP_PAGE);
	return err;
}

static bool may_loosen(const struct spp_table *t, uint64_t ipa)
{
	for (unsigned i = 0; i < t->nloosen; i++)
		if (ipa >= t->loosen[i].ipa &&
		    (ipa - t->loosen[i].ipa) / SPP_PAGE < t->loosen[i].npages)
			return true;
	return false;
}

/* Page ipa (in RAM) gets bitmap b; room was checked. */
static void put(struct spp_table *t, uint64_t ipa, uint32_t b)
{
	uint32_t p = (uint32_t)((ipa - t->ram_base) / SPP_PAGE);
	unsigned i = lower_bound(t, p);
	bool there = i < t->n && t->e[i].page == p;

	if (there && b != SPP_OPEN) {
		t->e[i].bitmap = b;
	} else if (there) {
		memmove(&t->e[i], &t->e[i + 1], (t->n - i - 1) * sizeof(t->e[0]));
		t->n--;
	} else if (b != SPP_OPEN) {
		memmove(&t->e[i + 1], &t->e[i], (t->n - i) * sizeof(t->e[0]));
		t->e[i] = (struct spp_entry){.page = p, .bitmap = b};
		t->n++;
	}
}

static void step(struct spp_changes *c, enum spp_action a, uint64_t ipa)
{
	c->step[c->n++] = (struct spp_step){.action = a, .ipa = ipa};
}

/* The steps for the run, block by block: its split, its pages, its merge.
 * before[k]: block k of the run (at most two) had a bitmap before. */
static void steps(const struct spp_table *t, uint64_t ipa_base, unsigned npages,
		  const uint32_t *old, const uint32_t *new, const bool *before,
		  struct spp_changes *c)
{
	uint64_t first_block = ipa_base & ~(SPP_BLOCK - 1);
	unsigned i = 0;

	c->n = 0;
	for (unsigned k = 0; i < npages; k++) {
		uint64_t block = first_block + k * SPP_BLOCK;
		bool after = spp_block_protected(t, block);

		if (!before[k] && after)
			step(c, SPP_SPLIT, block);
		for (; i < npages &&
		       ((ipa_base + i * SPP_PAGE) & ~(SPP_BLOCK - 1)) == block;
		     i++)
			if ((old[i] == SPP_OPEN) != (new[i] == SPP_OPEN))
				step(c, new[i] == SPP_OPEN ? SPP_UNPROTECT : SPP_PROTECT,
				     ipa_base + i * SPP_PAGE);
		if (before[k] && !after)
			step(c, SPP_MERGE, block);
	}
}

int spp_set(struct spp_table *t, uint64_t ipa_base, uint64_t npages,
	    const uint32_t *bitmaps, enum spp_set_mode mode, struct spp_changes *changes)
{
	uint32_t old[SPP_MAX_RUN];
	bool before[2];
	long n = t->n;
	int err = check_run(t, ipa_base, npages, SPP_MAX_RUN);

	if (err)
		return err;
	for (unsigned i = 0; i < npages; i++) {
		uint64_t ipa = ipa_base + i * SPP_PAGE;

		old[i] = spp_lookup(t, ipa);
		if (mode == SPP_SET_CLEAR_ONLY && bitmaps[i] & ~old[i] &&
		    !may_loosen(t, ipa))
			return SPP_E_LOOSEN;
		n += (old[i] == SPP_OPEN && bitmaps[i] != SPP_OPEN) -
		     (old[i] != SPP_OPEN && bitmaps[i] == SPP_OPEN);
	}
	if (n > (long)SPP_MAX_PAGES)
		return SPP_E_FULL;
	/* 64 pages span two blocks at most. */
	before[0] = spp_block_protected(t, ipa_base);
	before[1] = spp_block_protected(t, (ipa_base & ~(SPP_BLOCK - 1)) + SPP_BLOCK);
	/* Pages that open go first: the room checked is the count at the
	 * end, and a run that protected a page before opening another would
	 * pass through a count above SPP_MAX_PAGES, writing past e[]. */
	for (int opening = 1; opening >= 0; opening--)
		for (unsigned i = 0; i < npages; i++)
			if ((bitmaps[i] == SPP_OPEN) == opening)
				put(t, ipa_base + i * SPP_PAGE, bitmaps[i]);
	if (changes)
		steps(t, ipa_base, (unsigned)npages, old, bitmaps, before, changes);
	return SPP_OK;
}

int spp_allow_loosen(struct spp_table *t, uint64_t ipa, uint64_t npages)
{
	int err = check_run(t, ipa, npages, t->ram_size / SPP_PAGE);

	if (err)
		return err;
	if (t->nloosen == SPP_MAX_LOOSEN)
		return SPP_E_LOOSEN_FULL;
	t->loosen[t->nloosen++] = (struct spp_run){.ipa = ipa, .npages = npages};
	return SPP_OK;
}

bool spp_block_protected(const struct spp_table *t, uint64_t ipa)
{
	uint64_t block = ipa & ~(SPP_BLOCK - 1), lo, hi;
	unsigned i;

	/* The block's pages, as RAM page numbers [lo, hi): entries are RAM's
	 * only, so hi may run past RAM's end. block + SPP_BLOCK - 1 does not
	 * wrap: block is aligned. */
	if (block < t->ram_base) {
		if (block + SPP_BLOCK - 1 < t->ram_base)
			return false;
		lo = 0;
		hi = (block + SPP_BLOCK - t->ram_base) / SPP_PAGE;
	} else {
		if (block - t->ram_base >= t->ram_size)
			return false;
		lo = (block - t->ram_base) / SPP_PAGE;
		hi = lo + SPP_BLOCK_PAGES;
	}
	i = lower_bound(t, lo);
	return i < t->n && t->e[i].page < hi;
}

bool spp_next(const struct spp_changes *changes, unsigned *cursor, struct spp_step *s)
{
	if (*cursor >= changes->n)
		return false;
	*s = changes->step[(*cursor)++];
	return true;
}
