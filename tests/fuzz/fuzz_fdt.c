/*
 * kernel/core/fdt.c, the kernel's reader of the boot loader's device tree:
 * what it returns points inside the bytes it may read, strings end where
 * it says, and a memory range does not wrap.
 */
#include <fdt.h>
#include <string.h>
#include "fuzz.h"

static bool within(const void *p, size_t len, const uint8_t *buf, size_t size)
{
	const uint8_t *q = p;

	return q >= buf && q <= buf + size && len <= (size_t)(buf + size - q);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = malloc(size ? size : 1);
	struct fdt_chosen c;
	uint64_t base = 0, len = 0;
	int err;

	memcpy(buf, data, size);
	(void)fdt_totalsize(buf, size);
	err = fdt_memory(buf, size, &base, &len);
	FUZZ_CHECK(err <= FDT_OK && err >= FDT_E_NOMEMORY);
	if (err == FDT_OK)
		FUZZ_CHECK(len > 0 && base + len > base);
	err = fdt_chosen(buf, size, &c);
	FUZZ_CHECK(err <= FDT_OK && err >= FDT_E_NOMEMORY);
	if (err == FDT_OK) {
		if (c.bootargs) {
			FUZZ_CHECK(within(c.bootargs, c.bootargs_len + 1ULL, buf, size));
			FUZZ_CHECK(c.bootargs[c.bootargs_len] == 0);
			FUZZ_CHECK(strlen(c.bootargs) == c.bootargs_len);
		}
		if (c.rng_seed)
			FUZZ_CHECK(c.rng_seed_len &&
				   within(c.rng_seed, c.rng_seed_len, buf, size));
		if (c.kaslr_seed)
			FUZZ_CHECK(within(c.kaslr_seed, 8, buf, size));
	}
	free(buf);
	return 0;
}
