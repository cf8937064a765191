/*
 * A minimal flattened-device-tree reader for what the kernel learns from its
 * boot loader: where RAM is, and /chosen's bootargs and entropy. The blob is untrusted;
 * every offset is checked against both its header and the size the caller can read.
 */
#pragma once
#include <types.h>

#define FDT_MAGIC 0xd00dfeedu

enum fdt_err {
	FDT_OK = 0,
	FDT_E_MAGIC = -1,     /* no device tree here */
	FDT_E_TRUNCATED = -2, /* header or a block runs past the readable size */
	FDT_E_VERSION = -3,   /* older than version 16 */
	FDT_E_BADSTRUCT = -4, /* malformed structure block */
	FDT_E_NOMEMORY = -5,  /* no usable memory node */
};

/* Total size from the header, or 0 if buf does not start with a device tree. */
uint32_t fdt_totalsize(const void *buf, size_t readable);
/* The first memory range of the first /memory node. */
int fdt_memory(const void *buf, size_t readable, uint64_t *base, uint64_t *size);

/* What /chosen says; pointers into the blob, NULL and 0 when absent. */
struct fdt_chosen {
	const char *bootargs; /* bootargs_len bytes, then a NUL */
	uint32_t bootargs_len;
	const uint8_t *rng_seed; /* the boot loader's entropy */
	uint32_t rng_seed_len;
	const uint8_t *kaslr_seed; /* 8 bytes of it, meant for Linux's KASLR */
};

int fdt_chosen(const void *buf, size_t readable, struct fdt_chosen *c);
