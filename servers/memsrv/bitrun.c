#include "bitrun.h"
#include <string.h>

#define WORDS_PER_GROUP (BITRUN_GROUP / 64)

void bitrun_init(struct bitrun *b, uint64_t *mem, uint64_t units)
{
	uint64_t g = BITRUN_GROUPS(units);

	memset(mem, 0, BITRUN_WORDS(units) * sizeof(uint64_t));
	b->free = mem;
	b->count = (uint16_t *)(mem + g * WORDS_PER_GROUP);
	b->any = mem + g * WORDS_PER_GROUP + (g + 3) / 4;
	b->all = b->any + (g + 63) / 64;
	b->units = units;
	b->groups = g;
	b->hint = units;
	b->nfree = 0;
}

/* The first bit at or above from, below limit, that is `set`; or limit. */
static uint64_t next_bit(const uint64_t *map, uint64_t from, uint64_t limit, bool set)
{
	uint64_t w, x;

	if (from >= limit)
		return limit;
	w = from / 64;
	x = (set ? map[w] : ~map[w]) & (~0ULL << (from % 64));
	while (!x) {
		if (++w * 64 >= limit)
			return limit;
		x = set ? map[w] : ~map[w];
	}
	from = w * 64 + (uint64_t)__builtin_ctzll(x);
	return from < limit ? from : limit;
}

/* The first free unit at or above u, or b->units: groups with nothing
 * free are passed by their summary bit. */
static uint64_t next_free(const struct bitrun *b, uint64_t u)
{
	while (u < b->units) {
		uint64_t g = u >> BITRUN_GROUP_BITS;

		if (b->count[g]) {
			uint64_t w = u / 64, end = (g + 1) * WORDS_PER_GROUP;
			uint64_t x = b->free[w] & (~0ULL << (u % 64));

			for (;;) {
				if (x)
					return w * 64 + (uint64_t)__builtin_ctzll(x);
				if (++w == end)
					break;
				x = b->free[w];
			}
		}
		u = next_bit(b->any, g + 1, b->groups, true) << BITRUN_GROUP_BITS;
	}
	return b->units;
}

uint64_t bitrun_next_used(const struct bitrun *b, uint64_t u, uint64_t end)
{
	while (u < end) {
		uint64_t g = u >> BITRUN_GROUP_BITS, x;

		if (b->all[g / 64] >> (g % 64) & 1) {
			u = (g + 1) << BITRUN_GROUP_BITS;
			continue;
		}
		x = ~b->free[u / 64] & (~0ULL << (u % 64));
		if (x) {
			u = u / 64 * 64 + (uint64_t)__builtin_ctzll(x);
			return u < end ? u : end;
		}
		u = (u / 64 + 1) * 64;
	}
	return end;
}

/* u rounded up to a multiple of align, if that is at most limit. */
static bool align_within(uint64_t u, uint64_t align, uint64_t limit, uint64_t *out)
{
	uint64_t rest = u & (align - 1); /* a power of two */

	if (u > limit || (rest && align - rest > limit - u))
		return false;
	*out = rest ? u + (align - rest) : u;
	return true;
}

/* Runs of whole groups at whole groups: the summary's all-free bits. */
static bool find_groups(const struct bitrun *b, uint64_t n, uint64_t align,
			uint64_t *first)
{
	uint64_t ng = n >> BITRUN_GROUP_BITS, ga = align >> BITRUN_GROUP_BITS;
	uint64_t g = b->hint >> BITRUN_GROUP_BITS;

	for (;;) {
		uint64_t h;

		g = next_bit(b->all, g, b->groups, true);
		if (!align_within(g, ga, b->groups, &g) || ng > b->groups - g)
			return false;
		h = next_bit(b->all, g, g + ng, false);
		if (h == g + ng) {
			*first = g << BITRUN_GROUP_BITS;
			return true;
		}
		g = h + 1;
	}
}

bool bitrun_find(struct bitrun *b, uint64_t n, uint64_t align, uint64_t *first)
{
	uint64_t u;

	if (n == 0 || n > b->units || align == 0 || (align & (align - 1)))
		return false;
	u = b->hint = next_free(b, b->hint);
	if (n == 1 && align == 1) { /* a page for a fault, a slot: the hint */
		if (u == b->units)
			return false;
		*first = u;
		return true;
	}
	/* A group that is not all free cannot hold an aligned run of groups
	 * (the last group, if partial, never is). */
	if (align >= BITRUN_GROUP && n % BITRUN_GROUP == 0)
		return find_groups(b, n, align, first);
	for (;;) {
		uint64_t end;

		if (!align_within(next_free(b, u), align, b->units, &u) ||
		    n > b->units - u)
			return false;
		end = bitrun_next_used(b, u, u + n);
		if (end == u + n) {
			*first = u;
			return true;
		}
		u = end + 1; /* every start up to the used unit takes it in */
	}
}

static void group_changed(struct bitrun *b, uint64_t g)
{
	uint64_t bit = 1ULL << (g % 64);

	if (b->count[g])
		b->any[g / 64] |= bit;
	else
		b->any[g / 64] &= ~bit;
	if (b->count[g] == BITRUN_GROUP)
		b->all[g / 64] |= bit;
	else
		b->all[g / 64] &= ~bit;
}

/* The bits of [u, end) in u's word; returns where the next word starts
 * (or end). Keeps the group's count, and its summary once the range
 * leaves the group. */
static uint64_t mark_word(struct bitrun *b, uint64_t u, uint64_t end, bool give)
{
	uint64_t w = u / 64, lo = u % 64, len = 64 - lo < end - u ? 64 - lo : end - u;
	uint64_t m = (len == 64 ? ~0ULL : (1ULL << len) - 1) << lo;
	uint64_t g = u >> BITRUN_GROUP_BITS;
	unsigned c =
	    (unsigned)__builtin_popcountll((give ? ~b->free[w] : b->free[w]) & m);

	if (give) {
		b->free[w] |= m;
		b->count[g] = (uint16_t)(b->count[g] + c);
		b->nfree += c;
	} else {
		b->free[w] &= ~m;
		b->count[g] = (uint16_t)(b->count[g] - c);
		b->nfree -= c;
	}
	u += len;
	if (u == end || u >> BITRUN_GROUP_BITS != g)
		group_changed(b, g);
	return u;
}

/* Sets (give) or clears (take) the bits of a range and keeps the counts
 * and the summary as they change. */
static void mark(struct bitrun *b, uint64_t u, uint64_t n, bool give)
{
	uint64_t end = u + n;

	if (n == 1) { /* one bit: no masks, no counting */
		uint64_t g = u >> BITRUN_GROUP_BITS, m = 1ULL << (u % 64);
		unsigned before = b->count[g];

		if (!(b->free[u / 64] & m) != give)
			return; /* already so */
		b->free[u / 64] ^= m;
		b->count[g] = (uint16_t)(give ? before + 1 : before - 1);
		b->nfree = give ? b->nfree + 1 : b->nfree - 1;
		/* The summary changes only at the ends: none, all. */
		if (before == 0 || before == BITRUN_GROUP || b->count[g] == 0 ||
		    b->count[g] == BITRUN_GROUP)
			group_changed(b, g);
		return;
	}
	while (u < end) {
		uint64_t g = u >> BITRUN_GROUP_BITS;

		if (u % BITRUN_GROUP || end - u < BITRUN_GROUP) {
			u = mark_word(b, u, end, give);
			continue;
		}
		/* A whole group (a block, a chunk's run of slots): its words at
		 * once, its count from the one it had. */
		memset(&b->free[u / 64], give ? 0xff : 0, BITRUN_GROUP / 8);
		b->nfree = give ? b->nfree + (BITRUN_GROUP - b->count[g])
				: b->nfree - b->count[g];
		b->count[g] = give ? BITRUN_GROUP : 0;
		group_changed(b, g);
		u += BITRUN_GROUP;
	}
}

void bitrun_take(struct bitrun *b, uint64_t first, uint64_t n)
{
	mark(b, first, n, false);
}

void bitrun_give(struct bitrun *b, uint64_t first, uint64_t n)
{
	mark(b, first, n, true);
	if (first < b->hint)
		b->hint = first;
}
