/* Deleting and revoking capabilities (delete.c), a bounded step at a
 * time: SEPTA_OK once done, INV_RESTART (object/invoke.h) while more is
 * left; neither can fail. */
#pragma once
#include <object/cap.h>

int cap_delete(struct cte *slot);
int cap_revoke(struct cte *slot);
