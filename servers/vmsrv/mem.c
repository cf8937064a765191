/*
 * Guest memory. A VM's RAM is memsrv's, owned by the VM's own client and
 * mapped by memsrv when vmsrv asks for it on the VM's behalf: at the first
 * fault in each 2 MiB block, as one block, except in the blocks around the
 * shareable range, which come a 4 KiB page at a time so that single pages
 * can be shared and lent. The loader fills blocks in vmsrv's own address
 * space and then donates them to the VM.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mem.h"
#include "vm.h"

#define STAGE_IPA   0x80000000ULL /* where vmsrv fills a block before donating it */
#define BLOCK_PAGES (VMCFG_BLOCK / SEPTA_PAGE_SIZE)

/* The blocks that come page by page: those the shareable range touches. */
static bool paged(const struct vm *vm, uint64_t ipa, uint64_t *page)
{
	uint64_t lo, hi;

	vmcfg_paged_blocks(vm->cfg, &lo, &hi);
	if (ipa < lo || ipa >= hi)
		return false;
	*page = (ipa - lo) / SEPTA_PAGE_SIZE;
	return true;
}

int mem_init(struct vm *vm)
{
	uint64_t lo, hi;

	vmcfg_paged_blocks(vm->cfg, &lo, &hi);
	vm->block_pa = calloc(vm->cfg->ram_size / VMCFG_BLOCK, sizeof(uint64_t));
	vm->page_pa = calloc(hi > lo ? (hi - lo) / SEPTA_PAGE_SIZE : 1, sizeof(uint64_t));
	return vm->block_pa && vm->page_pa ? 0 : -1;
}

/* memsrv allocates for the VM; the time it takes is accounted apart. */
static long alloc_for(struct vm *vm, uint64_t pages, uint64_t ipa, uint64_t *pa,
		      uint64_t *ticks)
{
	uint64_t t = vm_now();
	long err = memsrv_alloc(MEMSRV_AS(MEMSRV_CAP_ENDPOINT, vm->client), pages, pages,
				ipa, MEMSRV_RWX, pa);

	*ticks += vm_now() - t;
	return err;
}

long mem_populate(struct vm *vm, uint64_t ipa, uint64_t *pages, uint64_t *memsrv_ticks)
{
	uint64_t block = (ipa - vm->cfg->ram_base) / VMCFG_BLOCK, page, pa;
	long err;

	if (paged(vm, ipa, &page)) {
		*pages = 1;
		if (vm->page_pa[page] ||
		    (ipa >= vm->cfg->share_base &&
		     ipa - vm->cfg->share_base < vm->cfg->share_size))
			return MEMSRV_E_IPA_BUSY;
		err = alloc_for(vm, 1, ipa & ~(SEPTA_PAGE_SIZE - 1), &pa, memsrv_ticks);
		if (!err)
			vm->page_pa[page] = pa;
		return err;
	}
	*pages = BLOCK_PAGES;
	if (vm->block_pa[block])
		return MEMSRV_E_IPA_BUSY;
	err = alloc_for(vm, BLOCK_PAGES, ipa & ~(VMCFG_BLOCK - 1), &pa, memsrv_ticks);
	if (!err)
		vm->block_pa[block] = pa;
	return err;
}

/* The shareable range is allocated whole when the VM boots, so that a
 * run of its pages is one physical range, as memsrv's requests take. */
long mem_share_range(struct vm *vm)
{
	const struct vmcfg_vm *c = vm->cfg;

	if (!c->share_size)
		return MEMSRV_OK;
	return memsrv_alloc(MEMSRV_AS(MEMSRV_CAP_ENDPOINT, vm->client),
			    c->share_size / SEPTA_PAGE_SIZE, 1, c->share_base, MEMSRV_RWX,
			    &vm->share_pa);
}

/* Guests run with their caches off until they turn them on: what vmsrv
 * wrote must be in memory, not only in its cache. */
static void clean_to_poc(uint64_t va, uint64_t len)
{
	for (uint64_t p = va & ~63ULL; p < va + len; p += 64)
		__asm__ volatile("dc civac, %0" ::"r"(p) : "memory");
	__asm__ volatile("dsb sy" ::: "memory");
}

long mem_load(struct vm *vm, const struct image_blob *blobs, unsigned n)
{
	const struct vmcfg_vm *c = vm->cfg;

	for (uint64_t b = 0; b < c->ram_size / VMCFG_BLOCK; b++) {
		uint64_t ipa = c->ram_base + b * VMCFG_BLOCK, pa;
		bool used = false;
		long err;

		for (unsigned i = 0; i < n; i++)
			used |= blobs[i].len && blobs[i].ipa < ipa + VMCFG_BLOCK &&
				ipa < blobs[i].ipa + blobs[i].len;
		if (!used)
			continue;
		/* The rights travel with the donation: the guest runs this. */
		err = memsrv_alloc(MEMSRV_CAP_ENDPOINT, BLOCK_PAGES, BLOCK_PAGES,
				   STAGE_IPA, MEMSRV_RWX, &pa);
		if (err)
			return err;
		for (unsigned i = 0; i < n; i++) {
			uint64_t lo = blobs[i].ipa > ipa ? blobs[i].ipa : ipa;
			uint64_t hi = blobs[i].ipa + blobs[i].len;

			if (hi > ipa + VMCFG_BLOCK)
				hi = ipa + VMCFG_BLOCK;
			if (lo >= hi)
				continue;
			memcpy((void *)(uintptr_t)(STAGE_IPA + lo - ipa),
			       (const uint8_t *)blobs[i].data + (lo - blobs[i].ipa),
			       hi - lo);
			clean_to_poc(STAGE_IPA + lo - ipa, hi - lo);
		}
		err =
		    memsrv_donate(MEMSRV_CAP_ENDPOINT, pa, BLOCK_PAGES, vm->client, ipa);
		if (err) {
			memsrv_free(MEMSRV_CAP_ENDPOINT, pa, BLOCK_PAGES);
			return err;
		}
		vm->block_pa[b] = pa;
	}
	return MEMSRV_OK;
}

/* Everything the VM had: its grants undone, its RAM back to memsrv. */
void mem_release(struct vm *vm)
{
	uint64_t ep = MEMSRV_AS(MEMSRV_CAP_ENDPOINT, vm->client), pa;
	const struct vmcfg_vm *c = vm->cfg;
	uint64_t page;

	for (unsigned i = 0; i < MAX_GRANTS; i++) {
		struct vm_grant *g = &vm->grants[i];
		struct vm *peer = vm_by_id(g->peer);

		if (!g->used)
			continue;
		pa = vm->share_pa + (g->ipa - c->share_base);
		if (g->lent)
			memsrv_reclaim(ep, pa, g->pages);
		else if (peer)
			memsrv_unshare(ep, pa, g->pages, peer->client);
		g->used = false;
	}
	if (vm->share_pa)
		memsrv_free(ep, vm->share_pa, c->share_size / SEPTA_PAGE_SIZE);
	vm->share_pa = 0;
	for (uint64_t b = 0; b < c->ram_size / VMCFG_BLOCK; b++) {
		uint64_t ipa = c->ram_base + b * VMCFG_BLOCK;

		if (paged(vm, ipa, &page)) {
			for (uint64_t p = 0; p < BLOCK_PAGES; p++)
				if (vm->page_pa[page + p]) {
					memsrv_free(ep, vm->page_pa[page + p], 1);
					vm->page_pa[page + p] = 0;
				}
		} else if (vm->block_pa[b]) {
			memsrv_free(ep, vm->block_pa[b], BLOCK_PAGES);
			vm->block_pa[b] = 0;
		}
	}
}

/* memsrv puts nothing into a VM's address space without its consent. The
 * VM takes pages from every other VM anywhere: vmsrv acts for all of them,
 * and which addresses a guest may share into is vmsrv's to check
 * (vmcfg_free_ipa, in hyp.c). */
long mem_consent(struct vm *vm)
{
	uint64_t ep = MEMSRV_AS(MEMSRV_CAP_ENDPOINT, vm->client);
	uint64_t pages = (1ULL << vm->cfg->ipa_bits) / SEPTA_PAGE_SIZE;

	for (unsigned i = 0; i < nvms; i++) {
		long err = &vms[i] == vm ? MEMSRV_OK
					 : memsrv_accept(ep, 0, pages, vms[i].client);

		if (err) {
			vm_log(vm, "cannot take pages from vm %u: %s", vms[i].cfg->id,
			       memsrv_strerror(err));
			return err;
		}
	}
	return MEMSRV_OK;
}

/* The configured regions this VM owns, shared with their peers. */
long mem_regions(struct vm *vm)
{
	uint64_t ep = MEMSRV_AS(MEMSRV_CAP_ENDPOINT, vm->client), pa;

	for (unsigned i = 0; i < vm->cfg->nregions; i++) {
		const struct vmcfg_region *r = &vm->cfg->regions[i];
		struct vm *peer = vm_by_id(r->peer);
		long err = memsrv_alloc(ep, r->size / SEPTA_PAGE_SIZE, 1, r->ipa,
					MEMSRV_RW, &pa);

		if (!err)
			err = memsrv_share(ep, pa, r->size / SEPTA_PAGE_SIZE,
					   peer->client, r->peer_ipa, r->rights);
		if (err) {
			vm_log(vm, "region at %#llx: %s", (unsigned long long)r->ipa,
			       memsrv_strerror(err));
			return err;
		}
	}
	return MEMSRV_OK;
}
