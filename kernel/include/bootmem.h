/* Boot-time page allocator: hands out RAM for the root task's initial
 * objects. What is left is reported to the root task (and becomes its
 * Untyped memory with the capability kernel). */
#pragma once
#include <types.h>

void bootmem_init(uint64_t base, uint64_t end);
/* Zeroed, naturally aligned to align bytes; pa 0 when RAM is exhausted. */
paddr_t bootmem_alloc(uint64_t pages, uint64_t align);
uint64_t bootmem_free_base(void);
uint64_t bootmem_free_end(void);
