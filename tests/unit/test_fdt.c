/* The kernel's device-tree reader, on blobs dtc makes from the .dts files in
 * data/ and on deliberately broken copies of them. */
#include <fdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tests.h"

static uint8_t *load(const char *name, size_t *size)
{
	char path[512];
	FILE *f;
	uint8_t *buf;
	long n;

	snprintf(path, sizeof(path), "%s/%s.dtb", SEPTA_TEST_DATA, name);
	f = fopen(path, "rb");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n);
	CU_ASSERT_FATAL(fread(buf, 1, (size_t)n, f) == (size_t)n);
	fclose(f);
	*size = (size_t)n;
	return buf;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void test_two_cells(void)
{
	size_t n;
	uint8_t *b = load("mem-2-2", &n);
	uint64_t base = 0, size = 0;

	CU_ASSERT_EQUAL(fdt_memory(b, n, &base, &size), FDT_OK);
	CU_ASSERT_EQUAL(base, 0x40000000ULL);
	CU_ASSERT_EQUAL(size, 0x100000000ULL);
	CU_ASSERT_EQUAL(fdt_totalsize(b, n), n);
	free(b);
}

static void test_one_cell(void)
{
	size_t n;
	uint8_t *b = load("mem-1-1", &n);
	uint64_t base = 0, size = 0;

	CU_ASSERT_EQUAL(fdt_memory(b, n, &base, &size), FDT_OK);
	CU_ASSERT_EQUAL(base, 0x80000000ULL);
	CU_ASSERT_EQUAL(size, 0x08000000ULL);
	free(b);
}

static void test_no_usable_memory(void)
{
	size_t n;
	uint8_t *b = load("no-memory", &n);
	uint64_t base = 7, size = 7;

	CU_ASSERT_EQUAL(fdt_memory(b, n, &base, &size), FDT_E_NOMEMORY);
	free(b);
	b = load("mem-zero", &n);
	CU_ASSERT_EQUAL(fdt_memory(b, n, &base, &size), FDT_E_NOMEMORY);
	free(b);
}

static void test_broken_blobs(void)
{
	size_t n;
	uint8_t *b = load("mem-2-2", &n);
	uint8_t *c = malloc(n);
	uint64_t base, size;

	memcpy(c, b, n);
	c[0] ^= 0xff;
	CU_ASSERT_EQUAL(fdt_memory(c, n, &base, &size), FDT_E_MAGIC);
	CU_ASSERT_EQUAL(fdt_totalsize(c, n), 0);
	/* Readable region shorter than the header's total size. */
	CU_ASSERT_EQUAL(fdt_memory(b, n - 1, &base, &size), FDT_E_TRUNCATED);
	CU_ASSERT_EQUAL(fdt_memory(b, 20, &base, &size), FDT_E_TRUNCATED);
	/* Structure block pointing past the end. */
	memcpy(c, b, n);
	put_be32(c + 8, (uint32_t)n + 64);
	CU_ASSERT_EQUAL(fdt_memory(c, n, &base, &size), FDT_E_TRUNCATED);
	/* Structure size running past the end. */
	memcpy(c, b, n);
	put_be32(c + 36, 0xfffffff0u);
	CU_ASSERT_EQUAL(fdt_memory(c, n, &base, &size), FDT_E_TRUNCATED);
	/* Too old a version. */
	memcpy(c, b, n);
	put_be32(c + 20, 3);
	CU_ASSERT_EQUAL(fdt_memory(c, n, &base, &size), FDT_E_VERSION);
	/* A garbage token in the structure block. */
	memcpy(c, b, n);
	{
		uint32_t off = (uint32_t)c[8] << 24 | c[9] << 16 | c[10] << 8 | c[11];
		put_be32(c + off, 0x77);
	}
	CU_ASSERT_EQUAL(fdt_memory(c, n, &base, &size), FDT_E_BADSTRUCT);
	free(c);
	free(b);
}

static void test_every_truncation_is_safe(void)
{
	size_t n;
	uint8_t *b = load("mem-2-2", &n);
	uint64_t base, size;

	/* Each prefix, even with a header that claims exactly its length, is
	 * refused; under ASan any read past the buffer fails the run. */
	for (size_t len = 0; len < n; len++) {
		uint8_t *c = malloc(len ? len : 1);

		memcpy(c, b, len);
		if (len >= 8)
			put_be32(c + 4, (uint32_t)len);
		CU_ASSERT_NOT_EQUAL(fdt_memory(c, len, &base, &size), FDT_OK);
		free(c);
	}
	free(b);
}

/* /chosen: bootargs and both seeds; a bootargs elsewhere is not it. */
static void test_chosen(void)
{
	size_t n;
	uint8_t *b = load("chosen", &n);
	struct fdt_chosen c;

	CU_ASSERT_EQUAL_FATAL(fdt_chosen(b, n, &c), FDT_OK);
	CU_ASSERT_FATAL(c.bootargs != NULL);
	CU_ASSERT_EQUAL(c.bootargs_len, strlen("septa.batch"));
	CU_ASSERT_STRING_EQUAL(c.bootargs, "septa.batch");
	CU_ASSERT_EQUAL_FATAL(c.rng_seed_len, 12);
	CU_ASSERT_EQUAL(c.rng_seed[0], 0x11);
	CU_ASSERT_EQUAL(c.rng_seed[11], 0x1c);
	CU_ASSERT_FATAL(c.kaslr_seed != NULL);
	CU_ASSERT_EQUAL(c.kaslr_seed[7], 0x08);
	free(b);
	/* A tree with bootargs only. */
	b = load("mem-2-2", &n);
	CU_ASSERT_EQUAL_FATAL(fdt_chosen(b, n, &c), FDT_OK);
	CU_ASSERT_STRING_EQUAL(c.bootargs, "x");
	CU_ASSERT_PTR_NULL(c.rng_seed);
	CU_ASSERT_PTR_NULL(c.kaslr_seed);
	/* Every truncation is refused, in bounds. */
	for (size_t len = 0; len < n; len++)
		CU_ASSERT_NOT_EQUAL(fdt_chosen(b, len, &c), FDT_OK);
	free(b);
}

/* A blob of one /chosen node holding a property named nameoff into the
 * strings "bootargs\0" with val (len bytes), of exactly its own size (so the
 * sanitizer sees any read past it). */
static uint8_t *chosen_blob(uint32_t nameoff, const char *val, uint32_t len, size_t *size)
{
	static const char strings[] = "bootargs";
	uint32_t off_struct = 40,
		 size_struct = 4 + 4 + 4 + 8 + 12 + ((len + 3) & ~3u) + 12;
	uint32_t total = off_struct + size_struct + sizeof(strings);
	uint8_t *b = calloc(1, total), *p = b + off_struct;

	put_be32(b, 0xd00dfeed);
	put_be32(b + 4, total);
	put_be32(b + 8, off_struct);
	put_be32(b + 12, off_struct + size_struct);
	put_be32(b + 20, 17);
	put_be32(b + 32, sizeof(strings));
	put_be32(b + 36, size_struct);
	put_be32(p, 1); /* the root, named "" */
	put_be32(p + 8, 1);
	memcpy(p + 12, "chosen", 7);
	p += 20;
	put_be32(p, 3);
	put_be32(p + 4, len);
	put_be32(p + 8, nameoff);
	memcpy(p + 12, val, len);
	p += 12 + ((len + 3) & ~3u);
	put_be32(p, 2);
	put_be32(p + 4, 2);
	put_be32(p + 8, 9);
	memcpy(b + off_struct + size_struct, strings, sizeof(strings));
	*size = total;
	return b;
}

/* The machine's /chosen is the boot loader's: bootargs of any length come
 * whole, and one not a string, or a name outside the strings, is no
 * bootargs, read in bounds. */
static void test_chosen_hostile(void)
{
	static char longest[4096];
	struct fdt_chosen c;
	size_t n;
	uint8_t *b;

	memset(longest, 'a', sizeof(longest) - 1);
	b = chosen_blob(0, longest, sizeof(longest), &n);
	CU_ASSERT_EQUAL(fdt_chosen(b, n, &c), FDT_OK);
	CU_ASSERT_EQUAL(c.bootargs_len, sizeof(longest) - 1);
	free(b);
	b = chosen_blob(0, "abcd", 4, &n); /* no NUL */
	CU_ASSERT_EQUAL(fdt_chosen(b, n, &c), FDT_OK);
	CU_ASSERT_PTR_NULL(c.bootargs);
	free(b);
	b = chosen_blob(0, "a\0b", 4, &n); /* two strings: "b" would be lost */
	CU_ASSERT_EQUAL(fdt_chosen(b, n, &c), FDT_OK);
	CU_ASSERT_PTR_NULL(c.bootargs);
	free(b);
	b = chosen_blob(0, "", 0, &n);
	CU_ASSERT_EQUAL(fdt_chosen(b, n, &c), FDT_OK);
	CU_ASSERT_PTR_NULL(c.bootargs);
	free(b);
	for (uint32_t off = 1; off < 12; off++) {
		b = chosen_blob(off, "x", 2, &n);
		CU_ASSERT_EQUAL(fdt_chosen(b, n, &c), FDT_OK);
		CU_ASSERT_PTR_NULL(c.bootargs);
		free(b);
	}
	b = chosen_blob(0xfffffff0u, "x", 2, &n);
	CU_ASSERT_EQUAL(fdt_chosen(b, n, &c), FDT_OK);
	CU_ASSERT_PTR_NULL(c.bootargs);
	free(b);
}

void suite_fdt(void)
{
	CU_pSuite s = CU_add_suite("fdt", NULL, NULL);

	CU_add_test(s, "memory node, 2 address and 2 size cells", test_two_cells);
	CU_add_test(s, "memory node, 1 and 1 cells", test_one_cell);
	CU_add_test(s, "no usable memory node", test_no_usable_memory);
	CU_add_test(s, "broken headers and structure", test_broken_blobs);
	CU_add_test(s, "every truncation reads in bounds", test_every_truncation_is_safe);
	CU_add_test(s, "/chosen: bootargs and seeds", test_chosen);
	CU_add_test(s, "/chosen: hostile bootargs", test_chosen_hostile);
}
