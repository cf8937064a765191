#include <bootmem.h>
#include <klib.h>

static uint64_t next, limit;

void bootmem_init(uint64_t base, uint64_t end)
{
	next = ALIGN_UP(base, SEPTA_PAGE_SIZE);
	limit = ALIGN_DOWN(end, SEPTA_PAGE_SIZE);
}

paddr_t bootmem_alloc(uint64_t pages, uint64_t align)
{
	uint64_t at = ALIGN_UP(next, align < SEPTA_PAGE_SIZE ? SEPTA_PAGE_SIZE : align);

	if (pages == 0 || at >= limit || pages > (limit - at) / SEPTA_PAGE_SIZE)
		return pa_init(0);
	next = at + pages * SEPTA_PAGE_SIZE;
	memset((void *)(uintptr_t)at, 0, pages * SEPTA_PAGE_SIZE);
	return pa_init(at);
}

uint64_t bootmem_free_base(void)
{
	return next;
}

uint64_t bootmem_free_end(void)
{
	return limit;
}
