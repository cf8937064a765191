/* The test kernels' audit of capabilities and what the kernel holds
 * (core/audit.c, SEPTA_SYS_TEST_AUDIT): for tests/kfuzz. */
#pragma once
#include <object/tcb.h>

#ifdef SEPTA_TEST_BUILD
/* Audits t's CSpace; x0 <- OK, x1 <- violations, x2 <- capabilities seen. */
void audit_syscall(struct tcb *t);
#endif
