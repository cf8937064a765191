/*
 * The VM configuration: what a user writes (a device tree compiled by dtc,
 * docs/vm-config.md) and what vmsrv builds from it. Parsing is pure, so the
 * host tests run this same code.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VMCFG_MAX_VMS	  8u
#define VMCFG_MAX_CPUS	  4u
#define VMCFG_MAX_REGIONS 4u
#define VMCFG_MAX_PEERS	  (VMCFG_MAX_VMS - 1u)
/* subpage-<name> nodes per VM, and their pages all together (each gets a
 * bitmap in vmsrv's table, spp.h: SPP_MAX_PAGES of them). */
#define VMCFG_MAX_SUBPAGES  4u
#define VMCFG_SUBPAGE_PAGES 256u
#define VMCFG_NAME_LEN	    16u
#define VMCFG_MODULE_LEN    32u
#define VMCFG_ARGS_LEN	    256u
#define VMCFG_BLOCK	    0x200000ULL /* guest RAM comes in 2 MiB blocks */
/* A VM's vCPU threads' priority (`priority`): below vmsrv's, so that a
 * fault is served at once, whatever the guest does; 0 stays below every
 * guest (a new TCB's priority, docs/ipc-api.md). vmsrv runs at memsrv's
 * server priority, 100 (docs/ipc-api.md, "The memory server"). */
#define VMCFG_VMSRV_PRIO   100u
#define VMCFG_PRIO_MIN	   1u
#define VMCFG_PRIO_MAX	   (VMCFG_VMSRV_PRIO - 1)
#define VMCFG_PRIO_DEFAULT 50u

/* A page range shared at creation: the owner's pages, shown to the peer. */
struct vmcfg_region {
	unsigned peer; /* VM id */
	uint64_t ipa, peer_ipa, size;
	unsigned rights; /* SEPTA_MAP_R/W/X */
};

/* Pages of RAM whose writes are checked at 128-byte grain (docs/subpage.md):
 * page i's bitmap is the VM's subpage_bitmaps[first + i]. */
struct vmcfg_subpage {
	uint64_t ipa;
	unsigned pages, first;
	bool loosen; /* the guest may set bits too, not only clear them */
};

struct vmcfg_vm {
	unsigned id; /* the node's unit address, 1..VMCFG_MAX_VMS */
	char name[VMCFG_NAME_LEN];
	char kernel[VMCFG_MODULE_LEN];
	char initrd[VMCFG_MODULE_LEN]; /* "" for none */
	char bootargs[VMCFG_ARGS_LEN];
	uint64_t load, entry;
	bool load_set, entry_set; /* given, not the defaults */
	uint64_t ram_base, ram_size;
	uint64_t share_base, share_size; /* RAM mapped page by page */
	unsigned ipa_bits;
	unsigned cpus;
	unsigned priority; /* its vCPU threads', VMCFG_PRIO_MIN..VMCFG_PRIO_MAX */
	uint64_t uart_base;
	unsigned uart_spi; /* INTID - 32 */
	unsigned nregions;
	struct vmcfg_region regions[VMCFG_MAX_REGIONS];
	/* In RAM below its last 2 MiB, clear of the shareable range and of
	 * each other. */
	unsigned nsubpages, subpage_pages;
	struct vmcfg_subpage subpages[VMCFG_MAX_SUBPAGES];
	uint32_t subpage_bitmaps[VMCFG_SUBPAGE_PAGES];
	/* VM_INFO tells it how many VMs there are; otherwise that is none of
	 * its business (it reads 0). */
	bool show_vm_count;
	/* `peers`: bit n set for VM id n, which it may name in hypercalls.
	 * Mutual (n has this VM's bit too) and only other VMs that exist: to
	 * a guest, a VM that is not its peer does not exist. */
	uint32_t peers;
};

struct vmcfg {
	unsigned nvms;
	struct vmcfg_vm vms[VMCFG_MAX_VMS];
};

/* The fixed virtual platform every guest sees (QEMU virt's addresses). */
#define VPLAT_GICD	0x08000000ULL
#define VPLAT_GICD_SIZE 0x10000ULL
#define VPLAT_GICR	0x080a0000ULL
#define VPLAT_GICR_SIZE 0x20000ULL /* per vCPU */
#define VPLAT_UART_SIZE 0x1000ULL
#define VPLAT_DOORBELL	48u /* the doorbell's INTID (SPI 16) */

enum vmcfg_error {
	VMCFG_OK = 0,
	VMCFG_E_FORMAT = -1,  /* not a device tree, or not a VM configuration */
	VMCFG_E_MISSING = -2, /* a required property is absent */
	VMCFG_E_VALUE = -3,   /* a property has a bad size or value */
	VMCFG_E_OVERLAP = -4, /* two things share addresses */
	VMCFG_E_TOO_MANY = -5,
	VMCFG_E_UNKNOWN = -6, /* a property or node vmsrv does not know */
	VMCFG_E_MEMORY = -7,  /* more RAM than the machine has free */
};

/*
 * Reads a configuration; on an error, msg names the VM and the property.
 * The IPA size is checked against max_ipa_bits (the CPU's). Modules are not
 * looked up here: the caller knows its boot archive (image.h).
 */
int vmcfg_parse(const void *fdt, size_t size, unsigned max_ipa_bits, struct vmcfg *cfg,
		char *msg, size_t msglen);
/* The bytes of memory a VM owns: its RAM and its regions (memsrv's quota
 * for the VM's client). */
uint64_t vmcfg_memory(const struct vmcfg_vm *v);
/* VMCFG_E_MEMORY if the VMs' RAM and regions add up to more than free
 * bytes (what memsrv can give), the message naming the VM that tips it. */
int vmcfg_check_memory(const struct vmcfg *cfg, uint64_t free, char *msg, size_t msglen);
const struct vmcfg_vm *vmcfg_find(const struct vmcfg *cfg, unsigned id);
/* The 2 MiB blocks the shareable range touches, [*lo, *hi): their RAM comes
 * a page at a time. Empty without a shareable range. Every RAM fault asks. */
static inline void vmcfg_paged_blocks(const struct vmcfg_vm *v, uint64_t *lo,
				      uint64_t *hi)
{
	*lo = *hi = 0;
	if (!v->share_size)
		return;
	*lo = v->share_base & ~(VMCFG_BLOCK - 1);
	*hi = (v->share_base + v->share_size + VMCFG_BLOCK - 1) & ~(VMCFG_BLOCK - 1);
}
/* Whether v may name VM id (any 64-bit value a guest passes). */
static inline bool vmcfg_is_peer(const struct vmcfg_vm *v, uint64_t id)
{
	return id <= VMCFG_MAX_VMS && (v->peers >> id & 1);
}
/* [ipa, ipa + size) is in v's IPA space and clear of its RAM and devices. */
bool vmcfg_free_ipa(const struct vmcfg_vm *v, uint64_t ipa, uint64_t size);
