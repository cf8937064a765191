/* Deleting and revoking capabilities (delete.c): check, then commit. */
#pragma once
#include <object/cap.h>

int cap_delete_check(struct cte *slot);
void cap_delete(struct cte *slot);
int cap_revoke_check(struct cte *slot);
void cap_revoke(struct cte *slot);
