/*
 * What the kernel needs to know about a board. Each platforms/<board>/
 * provides plat.c with this data; no board address appears in kernel code.
 */
#pragma once
#include <types.h>

struct plat_region {
	uint64_t base;
	uint64_t size;
	const char *name;
};

enum plat_gic { PLAT_GICV2 = 2, PLAT_GICV3 = 3 };

struct plat_info {
	const char *name;
	uint64_t ram_base;
	uint64_t ram_size_default; /* used only when no device tree says otherwise */
	uint64_t uart_base;	   /* PL011 */
	unsigned uart_irq;	   /* its INTID, for console input */
	uint64_t gicd_base;
	uint64_t gicr_base;		   /* GICv3 redistributors */
	uint64_t gicc_base;		   /* GICv2 CPU interface */
	uint64_t gich_base;		   /* GICv2 virtual interface control */
	const struct plat_region *devices; /* mapped Device-nGnRE by the kernel */
	unsigned num_devices;
	/* Handed to the root task as device Untyped; each a power of two in
	 * size and aligned to it. */
	const struct plat_region *user_devices;
	unsigned num_user_devices;
};

extern const struct plat_info plat;
