/*
 * VMs: their kernel objects (a VSpace of the configured IPA size, a TCB and
 * a VCPU per vCPU, all from vmsrv's own Untyped), their memsrv client, and
 * booting, stopping and resetting them. A VM's objects live as long as
 * vmsrv; a reset reuses them.
 */
#include <bootfmt/bootarc.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "console.h"
#include "exit.h"
#include "guestdt.h"
#include "mem.h"
#include "seed.h"
#include "virq.h"
#include "vm.h"
#include "vuart.h"

struct vmcfg vm_config;
struct vm vms[VMCFG_MAX_VMS];
unsigned nvms;

static uint64_t next_slot = MEMSRV_FIRST_FREE;
static uint64_t guest_buffer; /* one frame all guest TCBs name (unused by them) */

uint64_t vm_slot_new(void)
{
	return next_slot < (1u << MEMSRV_SERVER_CNODE_BITS) ? next_slot++ : 0;
}

uint64_t vm_obj_new(unsigned type, unsigned size_bits)
{
	uint64_t s = vm_slot_new();

	if (!s || septa_untyped_retype(MEMSRV_CAP_UNTYPED, type, size_bits,
				       MEMSRV_CAP_CNODE, 0, 0, s, 1))
		return 0;
	return s;
}

struct vm *vm_by_id(unsigned id)
{
	for (unsigned i = 0; i < nvms; i++)
		if (vms[i].cfg->id == id)
			return &vms[i];
	return NULL;
}

void vm_log(struct vm *vm, const char *fmt, ...)
{
	char buf[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	vuart_flush(vm);
	printf("vmsrv: vm '%s': %s\n", vm->cfg->name, buf);
}

static int make_vcpu(struct vm *vm, unsigned i, uint64_t ep)
{
	struct vcpu *c = &vm->cpus[i];
	uint64_t fault = vm_slot_new();

	c->vm = vm;
	c->index = i;
	c->tcb = vm_obj_new(SEPTA_OBJ_TCB, 0);
	c->vcpu = vm_obj_new(SEPTA_OBJ_VCPU, 0);
	if (!c->tcb || !c->vcpu || !fault)
		return -1;
	if (septa_cnode_mint(MEMSRV_CAP_CNODE, fault, 64, MEMSRV_CAP_CNODE, ep, 64,
			     SEPTA_RIGHT_WRITE, BADGE_VCPU(vm - vms, i)) ||
	    septa_tcb_configure(c->tcb, fault, MEMSRV_CAP_CNODE, vm->vspace, guest_buffer,
				0) ||
	    septa_tcb_set_priority(c->tcb, vm->cfg->priority) ||
	    septa_vcpu_set_tcb(c->vcpu, c->tcb))
		return -1;
	return 0;
}

int vm_create(struct vm *vm, const struct vmcfg_vm *cfg, uint64_t ep)
{
	long err;

	memset(vm, 0, sizeof(*vm));
	vm->cfg = cfg;
	vm->state = VM_OFF;
	if (!guest_buffer && !(guest_buffer = vm_obj_new(SEPTA_OBJ_FRAME_4K, 0)))
		return -1;
	vm->vspace = vm_obj_new(SEPTA_OBJ_VSPACE, cfg->ipa_bits);
	if (mem_init(vm) || exit_init(vm) || !vm->vspace) {
		printf("vmsrv: vm '%s': out of memory for its objects\n", cfg->name);
		return -1;
	}
	/* It may own its configured memory and no more. */
	err = memsrv_register_quota(MEMSRV_CAP_ENDPOINT, vm->vspace,
				    vmcfg_memory(cfg) / SEPTA_PAGE_SIZE, &vm->client);
	if (err) {
		printf("vmsrv: vm '%s': memsrv refuses its VSpace: %s\n", cfg->name,
		       memsrv_strerror(err));
		return -1;
	}
	for (unsigned i = 0; i < cfg->cpus; i++)
		if (make_vcpu(vm, i, ep)) {
			printf("vmsrv: vm '%s': cannot make vCPU %u\n", cfg->name, i);
			return -1;
		}
	/* The UART first: the busiest. */
	if (vuart_attach(vm) || virq_attach(vm)) {
		printf("vmsrv: vm '%s': its devices overlap\n", cfg->name);
		return -1;
	}
	return 0;
}

int vcpu_start(struct vcpu *c, uint64_t pc, uint64_t x0)
{
	/* pc, sp, x0-x3: the arm64 boot protocol wants x1-x3 zero. */
	uint64_t regs[6] = {pc, 0, x0, 0, 0, 0};

	if (septa_vcpu_reset(c->vcpu) ||
	    septa_vcpu_write_reg(c->vcpu, SEPTA_VCPU_REG_VMPIDR, 1ULL << 31 | c->index) ||
	    septa_tcb_write_registers(c->tcb, 1, 6, regs))
		return -1;
	c->state = VCPU_ON;
	c->vector_hit = ~0ULL;
	return 0;
}

void vcpu_stop(struct vcpu *c)
{
	septa_tcb_suspend(c->tcb);
	c->state = VCPU_OFF;
}

/* A module of the boot archive: m->data points into memsrv's one copy,
 * shared read-only with vmsrv, so loading a guest reads it there. */
const struct bootarc_module *vm_module(const char *name, struct bootarc_module *m)
{
	const struct septa_bootinfo *bi = septa_bootinfo();
	struct bootarc arc;

	if (bootarc_open(&arc, (const void *)(uintptr_t)bi->modules_base,
			 bi->modules_size) ||
	    bootarc_find(&arc, name, m))
		return NULL;
	return m;
}

static bool find_module(const struct vmcfg_vm *c, const char *prop, const char *name,
			struct bootarc_module *m, char *msg, size_t msglen)
{
	if (vm_module(name, m))
		return true;
	snprintf(msg, msglen, "vm '%s': %s: no boot module '%s'", c->name, prop, name);
	return false;
}

int vm_image(const struct vmcfg_vm *c, struct image_layout *l, char *msg, size_t msglen)
{
	struct bootarc_module k, rd;
	bool has_rd = c->initrd[0];

	if (!find_module(c, "kernel", c->kernel, &k, msg, msglen) ||
	    (has_rd && !find_module(c, "initrd", c->initrd, &rd, msg, msglen)))
		return IMAGE_E_FORMAT;
	return image_layout(c, &k, has_rd ? &rd : NULL, septa_bootinfo()->guest_pages, l,
			    msg, msglen);
}

/* The key of every guest's seeds: the boot loader's entropy (QEMU's comes
 * from the host's random source), else the counter, which is guessable:
 * vmsrv says so once. */
static const uint8_t *seed_boot_key(void)
{
	static uint8_t key[SEED_KEY_LEN];
	static bool made;
	const struct septa_bootinfo *bi = septa_bootinfo();

	if (!made && bi->entropy_size) {
		seed_key(bi->entropy, bi->entropy_size, key);
	} else if (!made) {
		uint64_t t = vm_now();

		seed_key((const uint8_t *)&t, sizeof(t), key);
		printf("vmsrv: no entropy from the boot loader: the guests' kaslr-seed "
		       "and rng-seed come from the counter\n");
	}
	made = true;
	return key;
}

/* Loads the images and the device tree and starts vCPU 0. */
int vm_boot(struct vm *vm)
{
	static uint8_t dtb[GUESTDT_MAX];
	static struct image_layout l;
	const struct vmcfg_vm *c = vm->cfg;
	struct guestdt_extra x = {.gic_version = 3,
				  .more_bootargs = septa_bootinfo()->bootargs,
				  .resets = vm->resets};
	uint8_t block[SEED_BLOCK_LEN];
	char msg[VM_MSG_LEN];
	int size;
	long err;

	/* main() has checked it before creating any VM: this cannot fail. */
	if (vm_image(c, &l, msg, sizeof(msg))) {
		printf("vmsrv: %s\n", msg); /* it names the VM */
		return -1;
	}
	x.initrd_start = l.initrd_start;
	x.initrd_end = l.initrd_end;
	seed_for_boot(seed_boot_key(), c->id, vm->resets, block);
	memcpy(x.seed, block, sizeof(x.seed));
	size = guestdt_build(&vm_config, c, &x, dtb, sizeof(dtb));
	if (size < 0) {
		vm_log(vm, "cannot build its device tree (libfdt error %d)", size);
		return -1;
	}
	l.blobs[l.nblobs++] = (struct image_blob){l.dtb, dtb, (uint64_t)size};
	err = mem_load(vm, l.blobs, l.nblobs);
	if (!err)
		err = mem_share_range(vm);
	if (err == MEMSRV_E_NO_MEMORY) {
		vm_log(vm, "cannot load: out of memory (memsrv has no room for its "
			   "images)");
		return -1;
	}
	if (err) {
		vm_log(vm, "cannot load: %s", memsrv_strerror(err));
		return -1;
	}
	vuart_reset(vm);
	virq_reset(vm);
	vm->mail_from = 0;
	vm->mail_next = 0;
	vm->abort_logged = false;
	if (vcpu_start(&vm->cpus[0], l.entry, l.dtb)) {
		vm_log(vm, "cannot start vCPU 0");
		return -1;
	}
	vm->state = VM_RUNNING;
	return 0;
}

static void stop_cpus(struct vm *vm)
{
	for (unsigned i = 0; i < vm->cfg->cpus; i++)
		vcpu_stop(&vm->cpus[i]);
	vuart_flush(vm);
}

/* After a VM gave its memory back, memsrv checks every mapping it made for
 * anyone against its records: nothing of the VM may be left anywhere. */
static void audit(struct vm *vm)
{
	struct memsrv_audit a;
	long err = memsrv_audit(MEMSRV_CAP_ENDPOINT, &a);

	if (err)
		vm_log(vm, "memsrv audit refused: %s", memsrv_strerror(err));
	else
		vm_log(vm, "memsrv audit: %llu mappings checked, %llu differences",
		       (unsigned long long)a.checked, (unsigned long long)a.differences);
}

void vm_stop(struct vm *vm, enum vm_state why, const char *what)
{
	stop_cpus(vm);
	mem_release(vm);
	vm->state = why;
	vm_log(vm, "%s", what);
	audit(vm);
	console_stopped(vm, what);
}

void vm_reset(struct vm *vm)
{
	stop_cpus(vm);
	mem_release(vm);
	audit(vm);
	/* Its unread mail goes with the life that sent it, as its shares do:
	 * kept, the next life's first ring would be BUSY for a mail it never
	 * sent, and the peer would read it as the new life's. A VM that
	 * powers off leaves its last mail to be read. */
	for (unsigned i = 0; i < nvms; i++)
		vms[i].mail_from &= ~(1u << vm->cfg->id);
	vm->resets++;
	vm_log(vm, "restarts (reset %u)", vm->resets);
	if (vm_boot(vm))
		vm_stop(vm, VM_CRASHED, "cannot restart");
}
