/*
 * The big boot module of the archive tests (tests/system/images.cmake makes
 * it at build time, never committed): 2^22 records of 16 bytes, 64 MiB,
 * record i being i in 15 decimal digits and a newline (`seq -f %015.0f`).
 * memtest reads it through the archive memsrv shares; the initrd guest
 * reads the copy vmsrv loaded from that archive. Both check it with this.
 */
#pragma once
#include <stdint.h>

#define BIGMOD_NAME   "big"
#define BIGMOD_SIZE   (64ULL << 20)
#define BIGMOD_RECORD 16u
#define BIGMOD_PAGE   4096u

/* The index a record holds, or ~0 if it is not a record. */
static inline uint64_t bigmod_record(const volatile uint8_t *r)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < BIGMOD_RECORD - 1; i++) {
		if (r[i] < '0' || r[i] > '9')
			return ~0ULL;
		v = v * 10 + (r[i] - '0');
	}
	return r[BIGMOD_RECORD - 1] == '\n' ? v : ~0ULL;
}

/* Pages of the module in place: each page's first record, and every record
 * of the last page, hold their index. *sum gets the last page's FNV-1a. */
static inline uint64_t bigmod_check(const volatile uint8_t *m, uint64_t size,
				    uint32_t *sum)
{
	const uint64_t per_page = BIGMOD_PAGE / BIGMOD_RECORD;
	uint64_t pages = size / BIGMOD_PAGE, good = 0;
	const volatile uint8_t *last = m + (pages - 1) * BIGMOD_PAGE;
	uint32_t h = 2166136261u;
	uint64_t r = 0;

	if (!pages)
		return 0;
	for (uint64_t p = 0; p + 1 < pages; p++)
		good += bigmod_record(m + p * BIGMOD_PAGE) == p * per_page;
	while (r < per_page &&
	       bigmod_record(last + r * BIGMOD_RECORD) == (pages - 1) * per_page + r)
		r++;
	good += r == per_page;
	for (unsigned i = 0; i < BIGMOD_PAGE; i++)
		h = (h ^ last[i]) * 16777619u;
	*sum = h;
	return good;
}
