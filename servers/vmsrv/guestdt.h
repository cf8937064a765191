/* The device tree a guest boots with: exactly its virtual machine. Pure. */
#pragma once
#include <stddef.h>
#include <stdint.h>
#include "config.h"

#define GUESTDT_MAX 0x4000u

#define GUESTDT_KASLR_SEED 8u	/* bytes of /chosen/kaslr-seed */
#define GUESTDT_RNG_SEED   32u	/* bytes of /chosen/rng-seed */
#define GUESTDT_MORE_ARGS  256u /* room for more_bootargs */

struct guestdt_extra {
	uint64_t initrd_start, initrd_end; /* both 0 for none */
	unsigned gic_version;		   /* 3 (2 is not offered to guests yet) */
	const char *more_bootargs;	   /* after the configuration's; NULL for none */
	unsigned resets; /* this VM's resets so far: /hypervisor/septa,resets */
	/* kaslr-seed, then rng-seed: fresh for every boot of every VM. */
	uint8_t seed[GUESTDT_KASLR_SEED + GUESTDT_RNG_SEED];
};

/* Writes the tree into buf; returns its size, or a negative libfdt error. */
int guestdt_build(const struct vmcfg *cfg, const struct vmcfg_vm *v,
		  const struct guestdt_extra *x, void *buf, size_t size);
