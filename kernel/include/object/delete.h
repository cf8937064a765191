/* Deleting and revoking capabilities (delete.c), a bounded step at a
 * time: SEPTA_OK once done, INV_RESTART (object/invoke.h) while more is
 * left; neither can fail. */
#pragma once
#include <object/cap.h>

int cap_delete(struct cte *slot);
struct tcb;
/* t's CNODE_DELETE of slot stopped for a restart: noted if the slot holds
 * a zombie, whose capability is gone for good. */
void cap_delete_note_restart(struct tcb *t, const struct cte *slot);
/* At each send-type call of t: whether it repeats the noted delete (then
 * a lookup that fails on the way to its slot means the deletion was taken
 * over, or the path went, and the call has done its part: SEPTA_OK). */
bool cap_delete_again(struct tcb *t);
int cap_revoke(struct cte *slot);
/* What is wrong with the zombie in z (NULL: nothing); a root's ring is
 * walked up to max steps. For the audits only. */
const char *cap_zombie_problem(const struct cte *z, unsigned max);
