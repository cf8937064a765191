/*
 * Writes the seed corpora the fuzzers start from: small valid inputs of
 * each format, made here rather than committed as binaries (the device
 * trees come from dtc). seeds DIR NAME...: one directory per fuzzer name.
 */
#include <bootfmt/bootarc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *dir;

static void put(const char *name, const char *file, const void *p, size_t n)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	mkdir(path, 0777);
	snprintf(path, sizeof(path), "%s/%s/%s", dir, name, file);
	f = fopen(path, "wb");
	if (!f || fwrite(p, 1, n, f) != n || fclose(f)) {
		perror(path);
		exit(1);
	}
}

static void le(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* An AArch64 ET_EXEC with `loads` PT_LOAD segments of 16 bytes, entered
 * at the first; 0x40 header, program headers at 0x40, data after them. */
static size_t elf(uint8_t *b, unsigned loads, uint64_t vaddr)
{
	size_t data = 0x40 + 56 * loads;

	memset(b, 0, data + 16 * loads);
	memcpy(b,
	       "\x7f"
	       "ELF\x02\x01\x01",
	       7);
	le(b + 16, 2, 2);   /* ET_EXEC */
	le(b + 18, 183, 2); /* EM_AARCH64 */
	le(b + 20, 1, 4);
	le(b + 24, vaddr, 8);
	le(b + 32, 0x40, 8);
	le(b + 52, 0x40, 2);
	le(b + 54, 56, 2);
	le(b + 56, loads, 2);
	for (unsigned i = 0; i < loads; i++) {
		uint8_t *p = b + 0x40 + 56 * i;

		le(p, 1, 4);			    /* PT_LOAD */
		le(p + 4, i ? 6 : 5, 4);	    /* RX, then RW */
		le(p + 8, data + 16 * i, 8);	    /* offset */
		le(p + 16, vaddr + 0x10000 * i, 8); /* vaddr */
		le(p + 32, 16, 8);		    /* filesz */
		le(p + 40, 0x1000, 8);		    /* memsz */
		memset(b + data + 16 * i, 0xd5, 16);
	}
	return data + 16 * loads;
}

/* Pseudo-random operation bytes, the same every build. */
static void ops(const char *name, unsigned n, uint32_t seed)
{
	uint8_t *b = malloc(n);
	char file[32];

	for (unsigned i = 0; i < n; i++) {
		seed ^= seed << 13;
		seed ^= seed >> 17;
		seed ^= seed << 5;
		b[i] = (uint8_t)seed;
	}
	snprintf(file, sizeof(file), "ops-%u-%u", n, (unsigned)(seed & 0xff));
	put(name, file, b, n);
	free(b);
}

/*
 * Regression inputs: what a long run found, once fixed, goes here (bytes
 * from the crash file, `xxd -i`) and is written into that fuzzer's seeds,
 * so every fuzz.NAME in make test runs it first (docs/fuzzing.md, "Host
 * fuzzers"). Text in the tree, not a committed binary.
 */
static const struct regress {
	const char *fuzzer, *file;
	uint8_t bytes[64];
	size_t len;
} regressions[] = {
    /* fuzz.invoke's end check took the last root CNode capability to
     * revoke through, and a minted copy with a guard looked its index up
     * without it (E_GUARD): the harness's bug; it now puts the guard in. */
    {"invoke",
     "regress-guarded-root",
     {0x42, 0x02, 0x82, 0x06, 0x1a, 0x23, 0x59, 0xff, 0x05, 0xb6, 0x2a, 0x3b, 0x70, 0x74,
      0x34, 0xc7, 0x31, 0x80, 0x3f, 0x8f, 0x38, 0x72, 0x63, 0xa6, 0xae, 0x82, 0xfe, 0x01},
     28},
};

static void regress(const char *name)
{
	for (size_t i = 0; i < sizeof(regressions) / sizeof(regressions[0]); i++)
		if (!strcmp(regressions[i].fuzzer, name))
			put(name, regressions[i].file, regressions[i].bytes,
			    regressions[i].len);
}

static void archive(void)
{
	static uint8_t b[3 * BOOTARC_ALIGN];
	struct bootarc_header *h = (void *)b;
	struct bootarc_entry *e = (void *)(h + 1);

	h->magic = BOOTARC_MAGIC;
	h->count = 2;
	h->total_size = sizeof(b);
	strcpy(e[0].name, "root");
	e[0].offset = BOOTARC_ALIGN;
	e[0].size = 100;
	e[0].flags = BOOTARC_F_ROOT;
	strcpy(e[1].name, "vmsrv");
	e[1].offset = 2 * BOOTARC_ALIGN;
	e[1].size = BOOTARC_ALIGN;
	e[1].flags = BOOTARC_F_SERVER;
	put("bootarc", "two", b, sizeof(b));
}

/* fuzz_image's input: 16 bytes of VM layout (fuzz_image.c), the initrd's
 * size, then the kernel module. */
static void image(void)
{
	static uint8_t b[4096];
	uint8_t *k = b + 20;
	size_t n;

	memset(b, 0, 20);
	b[0] = 0x20; /* RAM at block 0x20 (64 MiB) */
	b[1] = 16;   /* 18 blocks */
	b[3] = 0xff; /* every page size */
	n = elf(k, 2, 0x4000000 + 0x80000);
	put("image", "elf", b, 20 + n);
	le(b + 16, 64, 4); /* an initrd of 64 bytes */
	put("image", "elf-initrd", b, 20 + n + 64);
	memset(b + 16, 0, 4);
	memset(k, 0, 64);
	le(k + 8, 0x80000, 8);	 /* text_offset */
	le(k + 16, 0x200000, 8); /* image_size */
	le(k + 24, 2 | 8, 8);	 /* 4 KiB pages, anywhere */
	memcpy(k + 56, "ARM\x64", 4);
	put("image", "linux", b, 20 + 256);
	memset(k, 0x14, 64);
	put("image", "flat", b, 20 + 64);
}

int main(int argc, char **argv)
{
	static uint8_t b[4096];

	if (argc < 2)
		return 2;
	dir = argv[1];
	for (int i = 2; i < argc; i++) {
		const char *n = argv[i];

		regress(n);
		if (!strcmp(n, "elf64")) {
			put(n, "one", b, elf(b, 1, 0x40080000));
			put(n, "three", b, elf(b, 3, 0x80000));
		} else if (!strcmp(n, "bootarc")) {
			archive();
		} else if (!strcmp(n, "image")) {
			image();
		} else if (strcmp(n, "vmcfg") && strcmp(n, "fdt")) {
			/* Op-driven fuzzers: their bytes are a program. */
			ops(n, 64, 1);
			ops(n, 512, 2);
			ops(n, 4096, 3);
		}
	}
	return 0;
}
