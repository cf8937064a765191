/*
 * An index of free units (pages of the pool, slots of memsrv's CSpace):
 * a bitmap, a count of free units per group of 512 and two summary bits
 * per group (some free, all free), so that a first-fit search skips a
 * used or a free group in one step instead of unit by unit, and costs
 * what the fragmentation in front of the answer costs, not what is
 * allocated. Pure logic: host tests drive the very code memsrv runs.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#define BITRUN_GROUP_BITS 9u /* 512 units a group: a chunk of pages */
#define BITRUN_GROUP	  (1u << BITRUN_GROUP_BITS)
#define BITRUN_GROUPS(n)  (((uint64_t)(n) + BITRUN_GROUP - 1) / BITRUN_GROUP)
/* 64-bit words of memory an index of n units takes. */
#define BITRUN_WORDS(n)                                                                  \
	(BITRUN_GROUPS(n) * (BITRUN_GROUP / 64) + (BITRUN_GROUPS(n) + 3) / 4 +           \
	 2 * ((BITRUN_GROUPS(n) + 63) / 64))

struct bitrun {
	uint64_t *free;	 /* bit set: the unit is free */
	uint16_t *count; /* free units per group */
	uint64_t *any;	 /* bit per group: some unit free */
	uint64_t *all;	 /* bit per group: every unit free */
	uint64_t units, groups;
	uint64_t hint; /* no unit below it is free */
	uint64_t nfree;
};

/* Every unit in use; mem holds BITRUN_WORDS(units) words. */
void bitrun_init(struct bitrun *b, uint64_t *mem, uint64_t units);
/* The first run of n free units starting at a multiple of align (a power
 * of two): *first <- its first unit. False if there is none (or n is 0 or
 * more than there are units). Changes nothing but the hint. */
bool bitrun_find(struct bitrun *b, uint64_t n, uint64_t align, uint64_t *first);
/* Marks [first, first + n) used / free; the range lies within the index. */
void bitrun_take(struct bitrun *b, uint64_t first, uint64_t n);
void bitrun_give(struct bitrun *b, uint64_t first, uint64_t n);
/* The first unit in use in [first, end), or end if all are free. */
uint64_t bitrun_next_used(const struct bitrun *b, uint64_t first, uint64_t end);
static inline bool bitrun_is_free(const struct bitrun *b, uint64_t u)
{
	return b->free[u / 64] >> (u % 64) & 1;
}
