/*
 * servers/vmsrv/config.c, the VM configuration parser, on arbitrary device
 * tree blobs (libfdt underneath), and guestdt.c on what it accepts. An
 * accepted configuration keeps every promise config.h makes: ids, names,
 * RAM, load and entry addresses, the UART and the regions are in range and
 * clear of each other, peers are other VMs and mutual, sub-page nodes lie in
 * RAM below the device tree, clear of each other and of the shareable
 * range, and fit the VM's bitmap table; each VM's guest device tree then
 * builds and is a well-formed tree. A refusal names what it refused.
 */
#include <libfdt.h>
#include <string.h>
#include "config.h"
#include "fuzz.h"
#include "guestdt.h"
#include "spp.h"
#include "vgic.h"

static bool overlaps(uint64_t a, uint64_t asz, uint64_t b, uint64_t bsz)
{
	return a < b + bsz && b < a + asz;
}

static bool inside(uint64_t a, uint64_t asz, uint64_t b, uint64_t bsz)
{
	return a >= b && asz <= bsz && a - b <= bsz - asz;
}

static bool clean_string(const char *s, size_t cap, bool empty_ok)
{
	size_t n = fuzz_strnlen(s, cap);

	if (n == cap || (!n && !empty_ok))
		return false;
	for (size_t i = 0; i < n; i++)
		if ((uint8_t)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

static void check_vm(const struct vmcfg *cfg, const struct vmcfg_vm *v)
{
	uint64_t dtb = v->ram_base + v->ram_size - VMCFG_BLOCK;

	FUZZ_CHECK(v->id >= 1 && v->id <= VMCFG_MAX_VMS && vmcfg_find(cfg, v->id) == v);
	FUZZ_CHECK(clean_string(v->name, VMCFG_NAME_LEN, false));
	FUZZ_CHECK(clean_string(v->kernel, VMCFG_MODULE_LEN, false));
	FUZZ_CHECK(clean_string(v->initrd, VMCFG_MODULE_LEN, true));
	FUZZ_CHECK(clean_string(v->bootargs, VMCFG_ARGS_LEN, true));
	FUZZ_CHECK(v->ipa_bits >= 32 && v->ipa_bits <= 44);
	FUZZ_CHECK(v->cpus >= 1 && v->cpus <= VMCFG_MAX_CPUS);
	FUZZ_CHECK(((v->ram_base | v->ram_size) & (VMCFG_BLOCK - 1)) == 0);
	FUZZ_CHECK(v->ram_size >= 2 * VMCFG_BLOCK);
	FUZZ_CHECK(inside(v->ram_base, v->ram_size, 0, 1ULL << v->ipa_bits));
	FUZZ_CHECK(!overlaps(v->ram_base, v->ram_size, VPLAT_GICD, VPLAT_GICD_SIZE));
	FUZZ_CHECK(!overlaps(v->ram_base, v->ram_size, VPLAT_GICR,
			     VPLAT_GICR_SIZE * VMCFG_MAX_CPUS));
	FUZZ_CHECK(v->load >= v->ram_base && v->load < dtb);
	FUZZ_CHECK(v->entry >= v->ram_base && v->entry + 4 <= dtb && !(v->entry & 3));
	FUZZ_CHECK(!(v->uart_base & 0xfff));
	FUZZ_CHECK(inside(v->uart_base, VPLAT_UART_SIZE, 0, 1ULL << v->ipa_bits));
	FUZZ_CHECK(!overlaps(v->uart_base, VPLAT_UART_SIZE, v->ram_base, v->ram_size));
	FUZZ_CHECK(!overlaps(v->uart_base, VPLAT_UART_SIZE, VPLAT_GICD, VPLAT_GICD_SIZE));
	FUZZ_CHECK(!overlaps(v->uart_base, VPLAT_UART_SIZE, VPLAT_GICR,
			     VPLAT_GICR_SIZE * VMCFG_MAX_CPUS));
	FUZZ_CHECK(v->uart_spi < VGIC_SPIS && v->uart_spi + 32 != VPLAT_DOORBELL);
	if (v->share_size) {
		FUZZ_CHECK(!((v->share_base | v->share_size) & 0xfff));
		FUZZ_CHECK(
		    inside(v->share_base, v->share_size, v->ram_base, dtb - v->ram_base));
	}
	/* Peers: other VMs that exist, each naming this one back. */
	FUZZ_CHECK(!(v->peers & ~(((1u << VMCFG_MAX_VMS) - 1) << 1)) &&
		   !vmcfg_is_peer(v, v->id));
	for (unsigned id = 1; id <= VMCFG_MAX_VMS; id++)
		FUZZ_CHECK(
		    !vmcfg_is_peer(v, id) ||
		    (vmcfg_find(cfg, id) && vmcfg_is_peer(vmcfg_find(cfg, id), v->id)));
	FUZZ_CHECK(v->nregions <= VMCFG_MAX_REGIONS);
	for (unsigned r = 0; r < v->nregions; r++) {
		const struct vmcfg_region *g = &v->regions[r];
		const struct vmcfg_vm *p = vmcfg_find(cfg, g->peer);

		FUZZ_CHECK(p && p != v);
		FUZZ_CHECK(vmcfg_is_peer(v, g->peer));
		FUZZ_CHECK(g->size && !((g->size | g->ipa | g->peer_ipa) & 0xfff));
		FUZZ_CHECK(g->rights == 1 || g->rights == 3 || g->rights == 5);
		FUZZ_CHECK(vmcfg_free_ipa(v, g->ipa, g->size));
		FUZZ_CHECK(vmcfg_free_ipa(p, g->peer_ipa, g->size));
	}
}

/* subpage-<name> nodes: in RAM below the device tree's block, clear of
 * the shareable range and of each other, their bitmaps laid end to end;
 * and vmsrv's table takes every one of them. */
static void check_subpages(const struct vmcfg_vm *v)
{
	static struct spp_table t;
	uint64_t dtb = v->ram_base + v->ram_size - VMCFG_BLOCK;
	unsigned first = 0, protected = 0;

	FUZZ_CHECK(v->nsubpages <= VMCFG_MAX_SUBPAGES);
	FUZZ_CHECK(v->subpage_pages <= VMCFG_SUBPAGE_PAGES);
	spp_init(&t, v->ram_base, v->ram_size);
	for (unsigned i = 0; i < v->nsubpages; i++) {
		const struct vmcfg_subpage *s = &v->subpages[i];
		uint64_t size = (uint64_t)s->pages * 4096;

		FUZZ_CHECK(s->pages >= 1 && s->first == first && !(s->ipa & 0xfff));
		first += s->pages;
		FUZZ_CHECK(inside(s->ipa, size, v->ram_base, dtb - v->ram_base));
		FUZZ_CHECK(!v->share_size ||
			   !overlaps(s->ipa, size, v->share_base, v->share_size));
		for (unsigned j = 0; j < i; j++)
			FUZZ_CHECK(!overlaps(s->ipa, size, v->subpages[j].ipa,
					     (uint64_t)v->subpages[j].pages * 4096));
		for (unsigned p = 0; p < s->pages; p += SPP_MAX_RUN) {
			unsigned n =
			    s->pages - p < SPP_MAX_RUN ? s->pages - p : SPP_MAX_RUN;

			FUZZ_CHECK(spp_set(&t, s->ipa + (uint64_t)p * 4096, n,
					   &v->subpage_bitmaps[s->first + p], SPP_SET_ANY,
					   NULL) == SPP_OK);
		}
		for (unsigned p = 0; p < s->pages; p++) {
			uint32_t b = v->subpage_bitmaps[s->first + p];

			protected += b != SPP_OPEN;
			FUZZ_CHECK(spp_lookup(&t, s->ipa + (uint64_t)p * 4096) == b);
		}
		if (s->loosen)
			FUZZ_CHECK(spp_allow_loosen(&t, s->ipa, s->pages) == SPP_OK);
	}
	FUZZ_CHECK(first == v->subpage_pages && spp_count(&t) == protected);
}

/* No two regions lie on the same addresses of one VM, owned or borrowed. */
static void check_claims(const struct vmcfg *cfg)
{
	for (unsigned i = 0; i < cfg->nvms; i++)
		for (unsigned r = 0; r < cfg->vms[i].nregions; r++)
			for (unsigned j = 0; j < cfg->nvms; j++)
				for (unsigned q = 0; q < cfg->vms[j].nregions; q++) {
					const struct vmcfg_region *a =
					    &cfg->vms[i].regions[r];
					const struct vmcfg_region *b =
					    &cfg->vms[j].regions[q];
					unsigned avm[2] = {cfg->vms[i].id, a->peer};
					unsigned bvm[2] = {cfg->vms[j].id, b->peer};
					uint64_t aipa[2] = {a->ipa, a->peer_ipa};
					uint64_t bipa[2] = {b->ipa, b->peer_ipa};

					for (int s = 0; s < 2; s++)
						for (int t = 0; t < 2; t++) {
							if ((i == j && r == q &&
							     s == t) ||
							    avm[s] != bvm[t])
								continue;
							FUZZ_CHECK(
							    !overlaps(aipa[s], a->size,
								      bipa[t], b->size));
						}
				}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vmcfg cfg;
	static uint8_t dt[GUESTDT_MAX];
	uint8_t *buf = malloc(size ? size : 1);
	char msg[512];
	int err;

	memcpy(buf, data, size);
	err = vmcfg_parse(buf, size, 44, &cfg, msg, sizeof(msg));
	FUZZ_CHECK(err <= VMCFG_OK && err >= VMCFG_E_MEMORY);
	if (err) {
		FUZZ_CHECK(memchr(msg, 0, sizeof(msg)) && msg[0]);
		free(buf);
		return 0;
	}
	FUZZ_CHECK(cfg.nvms >= 1 && cfg.nvms <= VMCFG_MAX_VMS);
	/* Every cell the parser read was on a 32-bit boundary. */
	FUZZ_CHECK(!(fdt_off_dt_struct(buf) & 3));
	for (unsigned i = 0; i < cfg.nvms; i++) {
		for (unsigned j = 0; j < i; j++)
			FUZZ_CHECK(strcmp(cfg.vms[i].name, cfg.vms[j].name) != 0);
		check_vm(&cfg, &cfg.vms[i]);
		check_subpages(&cfg.vms[i]);
	}
	check_claims(&cfg);
	err = vmcfg_check_memory(&cfg, 1ULL << 30, msg, sizeof(msg));
	FUZZ_CHECK(err == VMCFG_OK || err == VMCFG_E_MEMORY);
	for (unsigned i = 0; i < cfg.nvms; i++) {
		struct guestdt_extra x = {.gic_version = 3, .more_bootargs = "fuzz=1"};
		int n = guestdt_build(&cfg, &cfg.vms[i], &x, dt, sizeof(dt));

		if (n < 0)
			continue; /* a libfdt error: no room, reported as such */
		FUZZ_CHECK((size_t)n <= sizeof(dt));
		FUZZ_CHECK(fdt_check_full(dt, (size_t)n) == 0);
	}
	free(buf);
	return 0;
}
