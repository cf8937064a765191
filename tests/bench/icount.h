/*
 * Instruction counts for the benchmarks. Under QEMU's -icount shift=0 one
 * instruction takes one nanosecond of virtual time, so the generic counter
 * counts instructions (to one counter tick, 1e9/CNTFRQ instructions, spread
 * over many rounds).
 */
#pragma once
#include <stdint.h>

static inline uint64_t icount_now(void)
{
	uint64_t v;

	__asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(v));
	return v;
}

static inline uint64_t icount_frequency(void)
{
	uint64_t v;

	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(v));
	return v;
}

/* Tenths of an instruction per unit, over `ticks` of the counter. */
static inline uint64_t icount_tenths(uint64_t ticks, uint64_t units)
{
	return ticks * 10000000000ULL / icount_frequency() / units;
}
