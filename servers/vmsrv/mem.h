/* Guest memory (mem.c): RAM from memsrv, loaded, shared and given back. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "vm.h"

static inline bool mem_is_ram(const struct vm *vm, uint64_t ipa)
{
	return ipa >= vm->cfg->ram_base && ipa - vm->cfg->ram_base < vm->cfg->ram_size;
}
/* The records of what the VM's RAM is, none of it there yet; -1 if out of
 * memory. */
int mem_init(struct vm *vm);
/* Gives the guest the memory at ipa: *pages of it (a block or a page);
 * *memsrv_ticks of the time went to memsrv. A memsrv error. */
long mem_populate(struct vm *vm, uint64_t ipa, uint64_t *pages, uint64_t *memsrv_ticks);
long mem_share_range(struct vm *vm);
long mem_load(struct vm *vm, const struct image_blob *blobs, unsigned n);
void mem_release(struct vm *vm);
long mem_regions(struct vm *vm);
/* Lets every other VM share, lend and donate into this one (memsrv). */
long mem_consent(struct vm *vm);
