/* Capability lookup in a CSpace (cspace.c). */
#pragma once
#include <object/cap.h>

int cspace_lookup_cap(const struct cap *root, uint64_t cptr, struct cte **out);
int cspace_lookup_slot(const struct cap *root, uint64_t index, uint64_t depth,
		       struct cte **out);
/* A CNode named as retype names its destination (untyped.c): root with
 * depth 0, else the CNode in the slot (index, depth) under root. */
int cspace_cnode_at(const struct cap *root, uint64_t index, uint64_t depth,
		    const struct cap **node);
