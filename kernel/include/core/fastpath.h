/* The IPC fastpath (core/fastpath.c). */
#pragma once
#include <object/tcb.h>

/* Serves t's Call or ReplyRecv (nr) when the plain case allows it, and
 * then does not return; returns, having changed nothing, when the full
 * path must serve it. */
void fastpath(struct tcb *t, uint64_t nr);
/* Off with the bootarg septa.nofastpath: every call takes the full path. */
extern bool fastpath_off;
void fastpath_configure(const char *bootargs, uint32_t len);
#ifdef SEPTA_TEST_BUILD
void fastpath_test_syscall(struct tcb *t); /* SEPTA_SYS_TEST_FASTPATH */
#endif
