/*
 * Guest kernel images: what format a boot module is (told by its magic
 * numbers, docs/vm-config.md) and where its parts, the initrd and the
 * device tree go in the VM's RAM. Pure, so the host tests run this same
 * code on real and hostile bytes: every size is checked against the module
 * and every address against the VM's RAM before anything is trusted.
 */
#pragma once
#include <bootfmt/bootarc.h>
#include <septa/abi.h>
#include <stddef.h>
#include <stdint.h>
#include "config.h"

#define IMAGE_MAX_SEGMENTS 8u /* an ELF's PT_LOAD segments */

enum image_format { IMAGE_FLAT, IMAGE_LINUX, IMAGE_ELF };

enum image_error {
	IMAGE_OK = 0,
	IMAGE_E_FORMAT = -1,	  /* another kind of file, or empty */
	IMAGE_E_HEADER = -2,	  /* its format's header is malformed or truncated */
	IMAGE_E_UNSUPPORTED = -3, /* well formed, but asks what vmsrv cannot give */
	IMAGE_E_FIT = -4,	  /* does not fit in the VM's RAM where it must go */
	IMAGE_E_PROPERTY = -5,	  /* a property the format decides itself is set */
};

/* Something the loader puts into guest RAM; the rest of RAM is zero. */
struct image_blob {
	uint64_t ipa;
	const void *data;
	uint64_t len;
};

struct image_layout {
	enum image_format format;
	uint64_t entry;
	uint64_t initrd_start, initrd_end; /* both 0 without an initrd */
	uint64_t dtb;			   /* the device tree: the last 2 MiB block */
	unsigned nblobs; /* the kernel's parts, the initrd, then room for one */
	struct image_blob blobs[IMAGE_MAX_SEGMENTS + 2]; /* (the device tree) */
};

/*
 * Lays out v's kernel and initrd (NULL for none), which the guest may run
 * with the page sizes in page_sizes (SEPTA_PAGES_*). On an error, msg names
 * the VM, the property and the module, and says what the module is.
 */
int image_layout(const struct vmcfg_vm *v, const struct bootarc_module *kernel,
		 const struct bootarc_module *initrd, unsigned page_sizes,
		 struct image_layout *out, char *msg, size_t msglen);
const char *image_format_name(enum image_format f);
