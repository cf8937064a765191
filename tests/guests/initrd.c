/*
 * A guest that checks the initrd vmsrv loaded for it from the boot archive
 * (the big module of tests/lib/bigmod.h): it finds the initrd in its device
 * tree's /chosen, checks every page and prints the last page's checksum,
 * which the test compares with the module's.
 */
#include "../lib/bigmod.h"
#include "lib/glib.h"

#define FDT_BEGIN_NODE 1u
#define FDT_END_NODE   2u
#define FDT_PROP       3u
#define FDT_NOP	       4u

static uint32_t be32(const volatile uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static bool same(const volatile uint8_t *s, const char *t)
{
	while (*t && *s == (uint8_t)*t)
		s++, t++;
	return !*t && !*s;
}

/* A property of /chosen as a number of one or two cells; 0 if absent. */
static uint64_t chosen(uint64_t dtb, const char *name)
{
	const volatile uint8_t *fdt = (const volatile uint8_t *)dtb;
	const volatile uint8_t *p = fdt + be32(fdt + 8), *strings = fdt + be32(fdt + 12);
	unsigned depth = 0;
	bool in_chosen = false;

	for (;;) {
		uint32_t tok = be32(p), len, n = 0;

		p += 4;
		if (tok == FDT_BEGIN_NODE) {
			in_chosen = ++depth == 2 && same(p, "chosen");
			while (p[n])
				n++;
			p += (n + 4) & ~3u;
		} else if (tok == FDT_END_NODE) {
			depth--;
			in_chosen = false;
		} else if (tok == FDT_PROP) {
			len = be32(p);
			if (in_chosen && same(strings + be32(p + 4), name))
				return len == 8
					   ? (uint64_t)be32(p + 8) << 32 | be32(p + 12)
				       : len == 4 ? be32(p + 8)
						  : 0;
			p += 8 + ((len + 3) & ~3u);
		} else if (tok != FDT_NOP) {
			return 0;
		}
	}
}

void guest_main(uint64_t dtb)
{
	uint64_t start = chosen(dtb, "linux,initrd-start"),
		 end = chosen(dtb, "linux,initrd-end"), pages = 0;
	uint32_t sum = 0;

	check(start && end - start == BIGMOD_SIZE, "the initrd is the big module's size");
	if (start && end - start == BIGMOD_SIZE)
		pages = bigmod_check((const volatile uint8_t *)start, end - start, &sum);
	gprintf("initrd: %lu of %lu pages in place, last page FNV-1a %x\n", pages,
		(end - start) / BIGMOD_PAGE, sum);
	check(pages == BIGMOD_SIZE / BIGMOD_PAGE, "every page of the initrd in place");
}
