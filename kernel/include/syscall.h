#pragma once
#include "../arch/aarch64/regs.h"

/* Decodes and performs the system call in r (number in x7). */
void syscall_dispatch(struct arch_regs *r);
