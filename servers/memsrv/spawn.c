/*
 * Starting the servers packed in the boot image (modules marked
 * BOOTARC_F_SERVER), each as a client of its own. A server's memory comes
 * from memsrv's pool like any client's (its image, stack, heap, IPC buffer
 * and boot info are pages it owns), so the ownership database covers it.
 * The boot archive is the exception: one physical copy, memsrv's, shared
 * read-only with every server (archive.c). Its address space has the root
 * task's layout (<septa/abi.h>); its CNode has the slots of enum
 * memsrv_server_slot.
 */
#include <bootfmt/bootarc.h>
#include <bootfmt/elf64.h>
#include <stdio.h>
#include <string.h>
#include "memsrv.h"

#define SERVER_PRIO 100

static unsigned nclients = 1; /* 0 is memsrv */

unsigned client_new(uint64_t vspace, const char *name)
{
	unsigned c = nclients;

	if (c == MEMSRV_MAX_CLIENTS)
		return 0;
	nclients++;
	clients[c] = (struct client){.vspace = vspace};
	snprintf(clients[c].name, sizeof(clients[c].name), "%s", name);
	return c;
}

struct fill {
	const uint8_t *src;
	uint64_t off, len;
};

static void copy_in(void *page, void *arg)
{
	const struct fill *f = arg;

	memcpy((uint8_t *)page + f->off, f->src, f->len);
}

/* Pages owned by client c covering [ipa, ipa + bytes), the first len bytes
 * from src; the rest stays zero, as every page memsrv hands out is. */
static int give_pages(unsigned c, uint64_t ipa, uint64_t bytes, unsigned rights,
		      const uint8_t *src, uint64_t len, uint64_t *first)
{
	uint64_t start = ipa & ~(SEPTA_PAGE_SIZE - 1), pa;
	uint64_t n = (ipa + bytes - start + SEPTA_PAGE_SIZE - 1) / SEPTA_PAGE_SIZE;
	int err = op_alloc(c, n, 1, start, rights, &pa);

	if (err)
		return err;
	*first = (pa - pool.base) / SEPTA_PAGE_SIZE;
	for (uint64_t p = *first, off = ipa - start; len; p++, off = 0) {
		struct fill f = {
		    src, off, len < SEPTA_PAGE_SIZE - off ? len : SEPTA_PAGE_SIZE - off};

		pool_with_page(p, copy_in, &f);
		src += f.len;
		len -= f.len;
	}
	return MEMSRV_OK;
}

static int load_image(unsigned c, const struct bootarc_module *mod, uint64_t *entry)
{
	struct elf64_image img;
	struct elf64_segment seg;
	uint64_t first;
	int err = elf64_open(&img, mod->data, mod->size);

	if (err) {
		printf("memsrv: server '%s': %s\n", mod->name, elf64_strerror(err));
		return -1;
	}
	for (unsigned i = 0; elf64_load_segment(&img, i, &seg); i++) {
		unsigned rights = MEMSRV_R | (seg.flags & ELF64_PF_W ? MEMSRV_W : 0) |
				  (seg.flags & ELF64_PF_X ? MEMSRV_X : 0);

		if ((rights & MEMSRV_W) && (rights & MEMSRV_X)) {
			printf(
			    "memsrv: server '%s': a segment is writable and executable\n",
			    mod->name);
			return -1;
		}
		err = give_pages(c, seg.vaddr, seg.memsz, rights, seg.data, seg.filesz,
				 &first);
		if (err) {
			printf("memsrv: server '%s': segment at %#llx: %s\n", mod->name,
			       (unsigned long long)seg.vaddr, memsrv_strerror(err));
			return -1;
		}
	}
	*entry = img.entry;
	return 0;
}

/* Capabilities into the server's CNode (cnode: memsrv's guarded cap). */
static long give_caps(unsigned c, uint64_t cnode, uint64_t tcb, uint64_t ep, uint64_t ut)
{
	long err = septa_cnode_copy(cnode, MEMSRV_CAP_TCB, 64, cs_top, tcb, CS_DEPTH,
				    SEPTA_RIGHTS_ALL);

	if (!err)
		err = septa_cnode_copy(cnode, MEMSRV_CAP_CNODE, 64, cs_top, cnode,
				       CS_DEPTH, SEPTA_RIGHTS_ALL);
	if (!err)
		err = septa_cnode_copy(cnode, MEMSRV_CAP_VSPACE, 64, cs_top,
				       clients[c].vspace, CS_DEPTH, SEPTA_RIGHTS_ALL);
	/* Write only: a client may call memsrv, never receive its requests. */
	if (!err)
		err = septa_cnode_mint(cnode, MEMSRV_CAP_ENDPOINT, 64, cs_top, ep,
				       CS_DEPTH, SEPTA_RIGHT_WRITE, c);
	if (!err)
		err =
		    septa_cnode_move(cnode, MEMSRV_CAP_UNTYPED, 64, cs_top, ut, CS_DEPTH);
	return err;
}

static void fill_bootinfo(struct septa_bootinfo *b, const struct septa_bootinfo *bi,
			  unsigned c, uint64_t ut_pa)
{
	*b = (struct septa_bootinfo){
	    .magic = SEPTA_BOOTINFO_MAGIC,
	    .version = SEPTA_BOOTINFO_VERSION,
	    .size = sizeof(*b),
	    .ram_base = bi->ram_base,
	    .ram_size = bi->ram_size,
	    /* What vmsrv may configure its VMs with: the rest is taken. */
	    .free_size = pool_free_pages() * SEPTA_PAGE_SIZE,
	    .heap_base = SEPTA_ROOT_HEAP_BASE,
	    .heap_size = MEMSRV_SERVER_HEAP_SIZE,
	    .stack_top = SEPTA_ROOT_STACK_TOP,
	    .stack_size = SEPTA_ROOT_STACK_SIZE,
	    .untyped_slot = MEMSRV_CAP_UNTYPED,
	    .untyped_count = 1,
	    .first_free_slot = MEMSRV_FIRST_FREE,
	    .gic_version = bi->gic_version,
	    .client_id = c,
	    .ipa_bits_max = bi->ipa_bits_max,
	    .guest_pages = bi->guest_pages,
	    .modules_base = SEPTA_ROOT_MODULES,
	    .modules_size = bi->modules_size,
	    .modules_paddr = bi->modules_paddr,
	};
	memcpy(b->platform, bi->platform, sizeof(b->platform));
	memcpy(b->bootargs, bi->bootargs, sizeof(b->bootargs));
	memcpy(b->entropy, bi->entropy, sizeof(b->entropy));
	b->entropy_size = bi->entropy_size;
	snprintf(b->root_name, sizeof(b->root_name), "%s", clients[c].name);
	b->untyped[0].paddr = ut_pa;
	b->untyped[0].size_bits = MEMSRV_SERVER_UNTYPED_BITS;
}

static void copy_bootinfo(void *page, void *arg)
{
	memcpy(page, arg, sizeof(struct septa_bootinfo));
}

static int spawn_one(const struct septa_bootinfo *bi, const struct bootarc_module *mod,
		     uint64_t ep)
{
	uint64_t vs = kobj_new(SEPTA_OBJ_VSPACE, SEPTA_ROOT_IPA_BITS);
	uint64_t cn = kobj_new(SEPTA_OBJ_CNODE, MEMSRV_SERVER_CNODE_BITS);
	uint64_t tcb = kobj_new(SEPTA_OBJ_TCB, 0);
	uint64_t ut = kobj_new(SEPTA_OBJ_UNTYPED, MEMSRV_SERVER_UNTYPED_BITS);
	uint64_t ut_pa = kobj_last_paddr();
	uint64_t cnode = cs_alloc(1), fault = cs_alloc(1), first, entry, bip;
	static struct septa_bootinfo b;
	unsigned c;
	long err;

	if (!vs || !cn || !tcb || !ut || !cnode || !fault ||
	    !(c = client_new(vs, mod->name))) {
		printf("memsrv: server '%s': out of memory for its objects\n", mod->name);
		return -1;
	}
	quota_of_server(c);
	if (load_image(c, mod, &entry))
		return -1;
	err = give_pages(c, SEPTA_ROOT_STACK_TOP - SEPTA_ROOT_STACK_SIZE,
			 SEPTA_ROOT_STACK_SIZE, MEMSRV_RW, NULL, 0, &first);
	if (!err)
		err = give_pages(c, SEPTA_ROOT_HEAP_BASE, MEMSRV_SERVER_HEAP_SIZE,
				 MEMSRV_RW, NULL, 0, &first);
	if (!err)
		err = give_pages(c, SEPTA_ROOT_IPC_BUFFER, SEPTA_PAGE_SIZE, MEMSRV_RW,
				 NULL, 0, &first);
	if (!err)
		err = give_pages(c, SEPTA_ROOT_BOOTINFO, SEPTA_PAGE_SIZE, MEMSRV_R, NULL,
				 0, &bip);
	/* The boot archive, shared read-only (vmsrv loads guests from it). */
	if (!err)
		err = archive_share(c);
	if (err) {
		printf("memsrv: server '%s': %s\n", mod->name, memsrv_strerror(err));
		return -1;
	}
	clients[c].cnode = cnode;
	clients[c].server = true;
	clients[c].ut_pa = ut_pa;
	err = septa_cnode_mint(cs_top, cnode, CS_DEPTH, cs_top, cn, CS_DEPTH,
			       SEPTA_RIGHTS_ALL, 64 - MEMSRV_SERVER_CNODE_BITS);
	if (!err)
		err = give_caps(c, cnode, tcb, ep, ut);
	if (!err)
		err = septa_cnode_mint(cs_top, fault, CS_DEPTH, cs_top, ep, CS_DEPTH,
				       SEPTA_RIGHT_WRITE, CTRL_FAULT | c);
	fill_bootinfo(&b, bi, c, ut_pa);
	/* The console's input goes to the first server (vmsrv in the images
	 * that have one), which alone gets its IRQHandler. */
	if (!err && c == 1 && bi->console_irq &&
	    septa_irq_control_get(SEPTA_CAP_IRQ_CONTROL, bi->console_irq, cnode,
				  MEMSRV_CAP_CONSOLE_IRQ, 64) == SEPTA_OK)
		b.console_irq = bi->console_irq;
	pool_with_page(bip, copy_bootinfo, &b);
	if (!err)
		err = thread_start(
		    tcb, &(struct thread_spec){.fault_ep = fault,
					       .cspace = cnode,
					       .vspace = vs,
					       .buffer_frame = grant_find(c, first)->slot,
					       .buffer_ipa = SEPTA_ROOT_IPC_BUFFER,
					       .pc = entry,
					       .sp = SEPTA_ROOT_STACK_TOP,
					       .x0 = SEPTA_ROOT_BOOTINFO,
					       .prio = SERVER_PRIO});
	if (err) {
		printf("memsrv: server '%s': cannot start its thread (%ld)\n", mod->name,
		       err);
		return -1;
	}
	printf("memsrv: started server '%s' as client %u\n", mod->name, c);
	return 0;
}

int spawn_servers(const struct septa_bootinfo *bi, uint64_t ep)
{
	struct bootarc arc;
	struct bootarc_module mod;
	int err = bootarc_open(&arc, (const void *)(uintptr_t)bi->modules_base,
			       bi->modules_size);
	int tried = 0, started = 0;

	if (err) {
		printf("memsrv: boot archive: %s\n", bootarc_strerror(err));
		return -1;
	}
	if (!quota_load(bi))
		return -1;
	for (uint32_t i = 0; i < arc.count; i++) {
		if (bootarc_get(&arc, i, &mod) || !(mod.flags & BOOTARC_F_SERVER))
			continue;
		tried++;
		if (spawn_one(bi, &mod, ep) == 0) {
			started++;
			serve_count_server();
		}
	}
	return tried && !started ? -1 : started;
}
