/* Capability lookup in a CSpace (cspace.c). */
#pragma once
#include <object/cap.h>

int cspace_lookup_cap(const struct cap *root, uint64_t cptr, struct cte **out);
int cspace_lookup_slot(const struct cap *root, uint64_t index, uint64_t depth,
		       struct cte **out);
