/*
 * The boot archive: the modules (servers, guest images, configuration) that
 * travel inside the kernel's boot image. Produced on the host by mkbootarc,
 * read by the kernel at boot. Everything in it is untrusted input until
 * bootarc_open() has checked it.
 */
#pragma once
#include <stddef.h>
#include <stdint.h>

#define BOOTARC_MAGIC	  0x3141424154504553ULL /* "SEPTABA1" little-endian */
#define BOOTARC_NAME_LEN  32
#define BOOTARC_MAX_ENTRY 64
#define BOOTARC_ALIGN	  4096u /* modules start on page boundaries */

/* The root task is the one module the kernel itself starts. */
#define BOOTARC_F_ROOT 1u
/* memsrv starts these servers, in archive order, each as its own client. */
#define BOOTARC_F_SERVER 2u

struct bootarc_header {
	uint64_t magic;
	uint32_t count;
	uint32_t reserved;
	uint64_t total_size;
};

struct bootarc_entry {
	char name[BOOTARC_NAME_LEN]; /* NUL-terminated */
	uint64_t offset;	     /* from the start of the archive */
	uint64_t size;
	uint32_t flags;
	uint32_t reserved;
	uint64_t reserved2;
};

enum bootarc_err {
	BOOTARC_OK = 0,
	BOOTARC_E_TRUNCATED = -1,  /* smaller than its header or entry table */
	BOOTARC_E_MAGIC = -2,	   /* not an archive */
	BOOTARC_E_COUNT = -3,	   /* more entries than BOOTARC_MAX_ENTRY */
	BOOTARC_E_SIZE = -4,	   /* total_size past the buffer or inside the table */
	BOOTARC_E_NAME = -5,	   /* empty or unterminated name */
	BOOTARC_E_BOUNDS = -6,	   /* a module lies outside the archive */
	BOOTARC_E_ALIGN = -7,	   /* a module does not start on a page */
	BOOTARC_E_DUPLICATE = -8,  /* two modules with one name */
	BOOTARC_E_ROOT = -9,	   /* not exactly one root module */
	BOOTARC_E_NOT_FOUND = -10, /* lookup by name found nothing */
};

struct bootarc {
	const uint8_t *base;
	uint64_t size;
	uint32_t count;
};

struct bootarc_module {
	const char *name;
	const void *data;
	uint64_t size;
	uint32_t flags;
};

int bootarc_open(struct bootarc *arc, const void *buf, uint64_t size);
int bootarc_get(const struct bootarc *arc, uint32_t index, struct bootarc_module *mod);
int bootarc_find(const struct bootarc *arc, const char *name, struct bootarc_module *mod);
int bootarc_root(const struct bootarc *arc, struct bootarc_module *mod);
const char *bootarc_strerror(int err);
