#pragma once
#include <bootfmt/bootarc.h>
#include <types.h>

struct roottask_env {
	uint64_t ram_base, ram_size;
	const char *platform;
	unsigned gic_version;
	uint64_t modules_pa, modules_size; /* the boot archive, 2 MiB aligned */
	const char *bootargs;		   /* bootargs_len bytes, NULL for none */
	uint32_t bootargs_len;
	const uint8_t *entropy; /* entropy_len bytes, NULL for none */
	uint32_t entropy_len;
};

/* Loads the root module at EL0 and runs it; returns only on failure, with
 * the reason already printed. */
int roottask_start(const struct bootarc_module *mod, const struct roottask_env *env);
