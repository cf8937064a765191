/*
 * vmsrv: reads the VM configuration from the boot archive, creates every VM
 * and serves their exits on one endpoint, one at a time. A guest's bad
 * access is that guest's problem: it gets an abort, and vmsrv logs the
 * first one. When no VM runs any more, vmsrv asks memsrv to power off.
 */
#include <bootfmt/bootarc.h>
#include <stdio.h>
#include <string.h>
#include "vmsrv.h"

#define CONFIG_MODULE "vms.dtb"
#define ICC_SGI1R_EL1 SEPTA_SYSREG_ENC(3, 0, 12, 11, 5)

struct vmcfg vm_config;
struct vm vms[VMCFG_MAX_VMS];
unsigned nvms;
uint64_t memsrv_ep = MEMSRV_CAP_ENDPOINT;
struct exit_stats exit_stats[SEPTA_EXIT_KINDS];
unsigned exit_kind;

/* What the vGIC lets through goes to the kernel's list registers. */
static void fire(struct vm *vm, const struct vgic_fire *f)
{
	septa_vcpu_inject_irq(vm->cpus[f->cpu].vcpu, f->intid, f->prio);
}

void vm_raise(struct vm *vm, unsigned intid, unsigned cpu)
{
	struct vgic_fire f;

	if (vgic_raise(&vm->gic, intid, cpu, &f))
		fire(vm, &f);
}

void vm_uart_line(struct vm *vm)
{
	bool up = pl011_irq(&vm->uart);

	if (up && !vm->uart_line)
		vm_raise(vm, 32 + vm->cfg->uart_spi, 0);
	vm->uart_line = up;
}

/* Value v written to ICC_SGI1R_EL1 by vCPU c: INTID in bits 27:24; IRM
 * (bit 40) means everyone else, otherwise the target list (bits 15:0)
 * names Aff0 values within Aff1-Aff3 = 0. */
static void send_sgi(struct vcpu *c, uint64_t v)
{
	struct vm *vm = c->vm;
	unsigned intid = (unsigned)(v >> 24) & 0xf;

	for (unsigned i = 0; i < vm->cfg->cpus; i++) {
		bool to = v >> 40 & 1 ? i != c->index
				      : !(v & 0xff00ff00ff0000ULL) && (v >> i & 1);

		if (to && vm->cpus[i].state == VCPU_ON)
			vm_raise(vm, intid, i);
	}
}

/* An emulated device's register; false if nothing is there. */
static bool emulate(struct vcpu *c, uint64_t ipa, bool write, unsigned size,
		    uint64_t *val)
{
	struct vm *vm = c->vm;
	struct vgic_fire fires[8];
	unsigned n = 0;
	bool ok;

	if (ipa >= vm->cfg->uart_base && ipa - vm->cfg->uart_base < VPLAT_UART_SIZE) {
		ok = size == 4 &&
		     pl011_access(&vm->uart, ipa - vm->cfg->uart_base, write, val);
		vm_uart_line(vm);
		return ok;
	}
	if (ipa >= VPLAT_GICD && ipa - VPLAT_GICD < VPLAT_GICD_SIZE)
		ok = vgic_access(&vm->gic, VGIC_NONE, ipa - VPLAT_GICD, write, size, val,
				 fires, 8, &n);
	else if (ipa >= VPLAT_GICR && ipa - VPLAT_GICR < VPLAT_GICR_SIZE * vm->cfg->cpus)
		ok = vgic_access(
		    &vm->gic, (unsigned)((ipa - VPLAT_GICR) / VPLAT_GICR_SIZE),
		    (ipa - VPLAT_GICR) % VPLAT_GICR_SIZE, write, size, val, fires, 8, &n);
	else
		return false;
	for (unsigned i = 0; i < n; i++)
		fire(vm, &fires[i]);
	return ok;
}

/* What the guest gets for touching nothing: an abort, logged the first time.
 * An abort whose vector itself faults is a guest that cannot go on. */
static uint64_t bad_access(struct vcpu *c, const struct septa_msg *m)
{
	static const char *const kind[] = {"read", "write", "fetch", "access"};
	struct vm *vm = c->vm;
	uint64_t vbar = 0, pc = m->mr[SEPTA_ABORT_PC], ipa = m->mr[SEPTA_ABORT_IPA];

	if (c->vector_hit != ~0ULL && pc - c->vector_hit < 0x800) {
		vm_stop(vm, VM_CRASHED, "crashed: its exception vector faults");
		return 0;
	}
	exit_kind = SEPTA_EXIT_ABORT;
	if (!vm->abort_logged)
		vm_log(vm,
		       "%s at IPA %#llx (pc %#llx) hits nothing: abort injected "
		       "(logged once)",
		       kind[SEPTA_ACCESS_KIND(m->mr[SEPTA_ABORT_ACCESS])],
		       (unsigned long long)ipa, (unsigned long long)pc);
	vm->abort_logged = true;
	septa_vcpu_read_reg(c->vcpu, SEPTA_VCPU_REG_VBAR, &vbar);
	c->vector_hit = vbar; /* the entry depends on the mode: the table counts */
	return SEPTA_REPLY_ABORT;
}

/* One exit of vCPU c; returns the reply label, or 0 with *reply false. */
static uint64_t handle(struct vcpu *c, struct septa_msg *m, bool *reply)
{
	uint64_t label = SEPTA_MSG_LABEL(m->info), x[8], val;
	struct vm *vm = c->vm;

	*reply = true;
	switch (label) {
	case SEPTA_FAULT_HVC:
	case SEPTA_FAULT_SMC:
		exit_kind = SEPTA_EXIT_HVC;
		for (unsigned i = 0; i < SEPTA_HVC_LEN; i++)
			x[i] = septa_mr(m, i);
		*reply = hyp_call(c, x);
		for (unsigned i = 0; i < 4; i++)
			septa_set_mr(m, i, x[i]);
		m->info = septa_msginfo(0, 0, 4);
		return 0;
	case SEPTA_FAULT_ABORT: {
		/* RAM is populated, a described access elsewhere is a device's
		 * to emulate, anything else is the guest's abort. */
		uint64_t ipa = m->mr[SEPTA_ABORT_IPA], acc = m->mr[SEPTA_ABORT_ACCESS];

		if (mem_is_ram(vm, ipa))
			return mem_populate(vm, ipa) ? bad_access(c, m)
						     : SEPTA_REPLY_RETRY;
		if (!(acc & SEPTA_ACCESS_VALID))
			return bad_access(c, m);
		val = m->mr[SEPTA_ABORT_VALUE];
		exit_kind = SEPTA_EXIT_DEVICE;
		if (!emulate(c, ipa, SEPTA_ACCESS_KIND(acc) == SEPTA_ACCESS_WRITE,
			     SEPTA_ACCESS_SIZE(acc), &val))
			return bad_access(c, m);
		m->mr[SEPTA_REPLY_VALUE] = val;
		m->info = septa_msginfo(0, 0, 1);
		return 0;
	}
	case SEPTA_FAULT_SYSREG:
		/* SGIs are sent; the other trapped registers (debug, PMU,
		 * set/way) are ignored, a read leaving its register as it was. */
		exit_kind = SEPTA_EXIT_DEVICE;
		if (m->mr[SEPTA_SYSREG_ID] == ICC_SGI1R_EL1 &&
		    SEPTA_ACCESS_KIND(m->mr[SEPTA_SYSREG_ACCESS]) == SEPTA_ACCESS_WRITE)
			send_sgi(c, m->mr[SEPTA_SYSREG_VALUE]);
		m->info = septa_msginfo(0, 0, 0);
		return 0;
	default:
		vm_stop(vm, VM_CRASHED, "crashed: an exit vmsrv does not handle");
		printf("vmsrv: (fault %llu, %#llx %#llx %#llx)\n",
		       (unsigned long long)label, (unsigned long long)m->mr[0],
		       (unsigned long long)m->mr[1], (unsigned long long)m->mr[2]);
		*reply = false;
		return 0;
	}
}

static bool any_running(void)
{
	for (unsigned i = 0; i < nvms; i++)
		if (vms[i].state == VM_RUNNING)
			return true;
	return false;
}

static void power_off(void)
{
	unsigned crashed = 0;

	for (unsigned i = 0; i < nvms; i++)
		crashed += vms[i].state == VM_CRASHED;
	printf("vmsrv: every VM has stopped (%u crashed); powering off\n", crashed);
	memsrv_shutdown(memsrv_ep, (int)crashed);
}

static void serve(uint64_t ep)
{
	struct septa_msg m = {0};
	bool reply = false;

	for (;;) {
		long err = reply ? septa_reply_recv(ep, &m) : septa_recv(ep, &m);
		uint64_t b = m.badge, label, t0 = vm_now();
		struct vcpu *c;

		reply = false;
		if (!err && (b & BADGE_CONSOLE)) {
			console_input();
			continue;
		}
		if (err || !BADGE_IS_VCPU(b) || ((b >> 8) & 0xff) >= nvms)
			continue;
		c = &vms[(b >> 8) & 0xff].cpus[b & 0xff];
		/* A message that raced a stop: the vCPU stays stopped. */
		if (c->vm->state != VM_RUNNING || c->state != VCPU_ON)
			continue;
		exit_kind = SEPTA_EXIT_OTHER;
		label = handle(c, &m, &reply);
		exit_stats[exit_kind].count++;
		exit_stats[exit_kind].ticks += vm_now() - t0;
		/* A vCPU that was stopped (or restarted) waits for no reply. */
		if (c->vm->state != VM_RUNNING)
			reply = false;
		if (reply && label)
			m.info = septa_msginfo(label, 0, 0);
		if (!any_running())
			power_off();
	}
}

/* Console input arrives as a notification bound to vmsrv's thread, so it
 * reaches vmsrv while it waits on its endpoint. */
static void console_start(void)
{
	uint64_t ntfn = vm_obj_new(SEPTA_OBJ_NOTIFICATION, 0), badged = vm_slot_new();

	if (!ntfn || !badged ||
	    septa_cnode_mint(MEMSRV_CAP_CNODE, badged, 64, MEMSRV_CAP_CNODE, ntfn, 64,
			     SEPTA_RIGHT_WRITE, BADGE_CONSOLE) ||
	    septa_tcb_bind_notification(MEMSRV_CAP_TCB, ntfn))
		return;
	console_init(badged);
}

int main(void)
{
	char msg[160];
	struct bootarc_module cfg;
	const void *fdt = vm_module(CONFIG_MODULE, &cfg) ? cfg.data : NULL;
	uint64_t size = fdt ? cfg.size : 0, ep;
	unsigned started = 0;

	/* Guests get a GICv3 (system-register CPU interface). A GICv2 host
	 * would need its GICV frame mapped into each guest: not done yet. */
	if (septa_bootinfo()->gic_version != 3) {
		printf("vmsrv: this machine has a GICv%u, and vmsrv runs guests on GICv3 "
		       "hosts only (QEMU: -M virt,gic-version=3)\n",
		       septa_bootinfo()->gic_version);
		memsrv_shutdown(memsrv_ep, 1);
		return 1;
	}
	if (!fdt) {
		printf("vmsrv: no '%s' in the boot image\n", CONFIG_MODULE);
		memsrv_shutdown(memsrv_ep, 1);
		return 1;
	}
	if (vmcfg_parse(fdt, size, septa_bootinfo()->ipa_bits_max, &vm_config, msg,
			sizeof(msg))) {
		printf("vmsrv: configuration refused: %s\n", msg);
		memsrv_shutdown(memsrv_ep, 1);
		return 1;
	}
	ep = vm_obj_new(SEPTA_OBJ_ENDPOINT, 0);
	for (unsigned i = 0; i < vm_config.nvms; i++) {
		if (!ep || vm_create(&vms[i], &vm_config.vms[i], ep)) {
			memsrv_shutdown(memsrv_ep, 1);
			return 1;
		}
		nvms++;
	}
	for (unsigned i = 0; i < nvms; i++)
		if (mem_regions(&vms[i]))
			vms[i].state = VM_CRASHED;
	for (unsigned i = 0; i < nvms; i++) {
		const struct vmcfg_vm *c = vms[i].cfg;

		if (vms[i].state == VM_CRASHED || vm_boot(&vms[i]))
			continue;
		started++;
		printf(
		    "vmsrv: vm %u '%s': %u vCPU, %llu MiB at %#llx, console at %#llx\n",
		    c->id, c->name, c->cpus, (unsigned long long)(c->ram_size >> 20),
		    (unsigned long long)c->ram_base, (unsigned long long)c->uart_base);
	}
	printf("vmsrv: %u of %u VMs running\n", started, nvms);
	console_start();
	if (!started)
		power_off();
	serve(ep);
	return 0;
}
