/*
 * A VM's emulated devices, by address: each device registers its range and
 * its handler once, when the VM is made, and an exit looks its address up
 * once. Pure: the host tests run it.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "config.h"

/* A PL011, a GICD and a GICR frame per vCPU. */
#define MMIO_MAX_DEVICES (2u + VMCFG_MAX_CPUS)

/* An access at off from the device's base; false if there is no register
 * of that size there (the guest then gets an abort). Reads fill *val. */
typedef bool mmio_handler(void *arg, uint64_t off, bool write, unsigned size,
			  uint64_t *val);

struct mmio_device {
	uint64_t base, size;
	mmio_handler *handler;
	void *arg;
};

struct mmio_table {
	unsigned count;
	struct mmio_device devices[MMIO_MAX_DEVICES];
};

/* 0, or -1 when the range is empty, wraps, overlaps one already there, or
 * the table is full. */
int mmio_register(struct mmio_table *t, uint64_t base, uint64_t size,
		  mmio_handler *handler, void *arg);
/* The device holding all `bytes` of an access at ipa, NULL if none: an
 * access that runs past a device's end is nobody's, so no handler has to
 * check that for itself. A handful of devices: a linear search in
 * registration order (the busiest first) beats anything cleverer, and
 * inline, as every device exit takes it. */
static inline const struct mmio_device *mmio_find(const struct mmio_table *t,
						  uint64_t ipa, unsigned bytes)
{
	for (unsigned i = 0; i < t->count; i++) {
		const struct mmio_device *d = &t->devices[i];
		uint64_t off = ipa - d->base;

		if (off < d->size) /* off + bytes cannot wrap: bytes is at most 8 */
			return off + bytes <= d->size ? d : NULL;
	}
	return NULL;
}
