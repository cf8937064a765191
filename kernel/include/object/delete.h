/* Deleting and revoking capabilities (delete.c), a bounded step at a
 * time: SEPTA_OK once done, INV_RESTART (object/invoke.h) while more is
 * left; neither can fail. */
#pragma once
#include <object/cap.h>

int cap_delete(struct cte *slot);
int cap_revoke(struct cte *slot);
/* What is wrong with the zombie in z (NULL: nothing); a root's ring is
 * walked up to max steps. For the audits only. */
const char *cap_zombie_problem(const struct cte *z, unsigned max);
