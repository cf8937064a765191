/* The device table: registration keeps every range its device's alone. */
#include "mmio.h"

int mmio_register(struct mmio_table *t, uint64_t base, uint64_t size,
		  mmio_handler *handler, void *arg)
{
	if (!size || base + size - 1 < base || t->count == MMIO_MAX_DEVICES)
		return -1;
	for (unsigned i = 0; i < t->count; i++) {
		const struct mmio_device *d = &t->devices[i];

		if (base <= d->base + d->size - 1 && d->base <= base + size - 1)
			return -1;
	}
	t->devices[t->count++] = (struct mmio_device){base, size, handler, arg};
	return 0;
}
