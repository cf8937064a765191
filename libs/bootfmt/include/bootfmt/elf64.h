/*
 * A reader for the ELF64 executables Septa loads (the root task now, guest
 * and server images later). It checks every offset and size against the
 * buffer before anything is read through it.
 */
#pragma once
#include <stddef.h>
#include <stdint.h>

#define ELF64_PF_X 1u
#define ELF64_PF_W 2u
#define ELF64_PF_R 4u

enum elf64_err {
	ELF64_OK = 0,
	ELF64_E_TRUNCATED = -1, /* shorter than its headers say */
	ELF64_E_MAGIC = -2,	/* not ELF */
	ELF64_E_CLASS = -3,	/* not 64-bit little-endian version 1 */
	ELF64_E_MACHINE = -4,	/* not AArch64 */
	ELF64_E_TYPE = -5,	/* not an executable */
	ELF64_E_PHDR = -6,	/* program header table malformed */
	ELF64_E_SEGMENT = -7,	/* a segment's file range or sizes are bad */
	ELF64_E_OVERFLOW = -8,	/* a segment wraps the address space */
	ELF64_E_NOLOAD = -9,	/* nothing to load */
	ELF64_E_ENTRY = -10,	/* entry point outside every executable segment */
};

struct elf64_image {
	const uint8_t *base;
	uint64_t size;
	uint64_t entry;
	uint64_t phoff;
	uint16_t phnum;
};

struct elf64_segment {
	uint64_t vaddr;
	uint64_t memsz;
	const void *data; /* filesz bytes; the rest of memsz is zero */
	uint64_t filesz;
	uint32_t flags; /* ELF64_PF_* */
};

int elf64_open(struct elf64_image *img, const void *buf, uint64_t size);
/* Fills *seg with the index-th PT_LOAD segment; returns 1, or 0 past the end. */
int elf64_load_segment(const struct elf64_image *img, unsigned index,
		       struct elf64_segment *seg);
const char *elf64_strerror(int err);
