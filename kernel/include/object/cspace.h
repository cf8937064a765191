/* Capability lookup in a CSpace (cspace.c). */
#pragma once
#include <object/cap.h>

/* The n bits of v below bit position `top` (exclusive): a guard or an
 * index, at each step of a lookup (here and in core/fastpath.c). */
static inline uint64_t cspace_bits_at(uint64_t v, unsigned top, unsigned n)
{
	if (n == 0)
		return 0;
	return (v >> (top - n)) & (n == 64 ? ~0ULL : (1ULL << n) - 1);
}

int cspace_lookup_cap(const struct cap *root, uint64_t cptr, struct cte **out);
int cspace_lookup_slot(const struct cap *root, uint64_t index, uint64_t depth,
		       struct cte **out);
/* A CNode named as retype names its destination (untyped.c): root with
 * depth 0, else the CNode in the slot (index, depth) under root. */
int cspace_cnode_at(const struct cap *root, uint64_t index, uint64_t depth,
		    const struct cap **node);
