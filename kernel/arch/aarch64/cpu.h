/* Calls into the CPU's firmware interface (cpu.c). */
#pragma once
#include <types.h>

/* An SMC Calling Convention call to the secure monitor (PSCI). */
uint64_t arch_smc(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3);
