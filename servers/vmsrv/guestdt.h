/* The device tree a guest boots with: exactly its virtual machine. Pure. */
#pragma once
#include <stddef.h>
#include <stdint.h>
#include "config.h"

#define GUESTDT_MAX 0x4000u

struct guestdt_extra {
	uint64_t initrd_start, initrd_end; /* both 0 for none */
	unsigned gic_version;		   /* 3 (2 is not offered to guests yet) */
};

/* Writes the tree into buf; returns its size, or a negative libfdt error. */
int guestdt_build(const struct vmcfg *cfg, const struct vmcfg_vm *v,
		  const struct guestdt_extra *x, void *buf, size_t size);
