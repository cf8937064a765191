/*
 * vmsrv: reads the VM configuration from the boot archive, creates every VM
 * and serves their exits on one endpoint, one at a time (exit.c handles
 * each). When no VM runs any more, vmsrv asks memsrv to power off.
 */
#include <bootfmt/bootarc.h>
#include <stdio.h>
#include "console.h"
#include "exit.h"
#include "mem.h"
#include "vm.h"

#define CONFIG_MODULE "vms.dtb"

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
	memsrv_shutdown(MEMSRV_CAP_ENDPOINT, (int)crashed);
}

static void serve(uint64_t ep)
{
	struct septa_msg m = {0};
	bool reply = false;

	for (;;) {
		long err = reply ? septa_reply_recv(ep, &m) : septa_recv(ep, &m);
		uint64_t b = m.badge, arrived = vm_now();
		struct vcpu *c;

		reply = false;
		if (!err && (b & BADGE_CONSOLE)) {
			console_input();
			continue;
		}
		if (err || !BADGE_IS_VCPU(b) || BADGE_VM(b) >= nvms)
			continue;
		c = &vms[BADGE_VM(b)].cpus[BADGE_CPU(b)];
		/* A message that raced a stop: the vCPU stays stopped. */
		if (c->vm->state != VM_RUNNING || c->state != VCPU_ON)
			continue;
		reply = exit_handle(c, &m, arrived);
		/* Only an exit of this VM can have stopped the last one. */
		if (!reply && c->vm->state != VM_RUNNING && !any_running())
			power_off();
	}
}

/* What each VM's kernel was found to be, for the line saying it runs. */
static struct {
	enum image_format format;
	uint64_t entry;
} kernels[VMCFG_MAX_VMS];

/* Everything that can be known before a VM exists: the configuration,
 * that memsrv has the memory for it, and every VM's images. */
static bool config_ok(const void *fdt, uint64_t size, char *msg)
{
	static struct image_layout l;
	const struct septa_bootinfo *bi = septa_bootinfo();

	if (vmcfg_parse(fdt, size, bi->ipa_bits_max, &vm_config, msg, VM_MSG_LEN) ||
	    vmcfg_check_memory(&vm_config, bi->free_size, msg, VM_MSG_LEN))
		return false;
	for (unsigned i = 0; i < vm_config.nvms; i++) {
		/* Stage 2 does not follow the bitmaps yet (docs/subpage.md): a
		 * subpage node would be a protection the guest does not get, so
		 * it is refused rather than ignored. */
		if (vm_config.vms[i].nsubpages) {
			snprintf(msg, VM_MSG_LEN,
				 "vm '%s': subpage nodes: sub-page write protection is "
				 "not enforced yet (docs/subpage.md)",
				 vm_config.vms[i].name);
			return false;
		}
		if (vm_image(&vm_config.vms[i], &l, msg, VM_MSG_LEN))
			return false;
		kernels[i].format = l.format;
		kernels[i].entry = l.entry;
	}
	return true;
}

int main(void)
{
	char msg[VM_MSG_LEN];
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
		memsrv_shutdown(MEMSRV_CAP_ENDPOINT, 1);
		return 1;
	}
	if (!fdt) {
		printf("vmsrv: no '%s' in the boot image\n", CONFIG_MODULE);
		memsrv_shutdown(MEMSRV_CAP_ENDPOINT, 1);
		return 1;
	}
	if (!config_ok(fdt, size, msg)) {
		printf("vmsrv: configuration refused: %s\n", msg);
		memsrv_shutdown(MEMSRV_CAP_ENDPOINT, 1);
		return 1;
	}
	ep = vm_obj_new(SEPTA_OBJ_ENDPOINT, 0);
	for (unsigned i = 0; i < vm_config.nvms; i++) {
		if (!ep || vm_create(&vms[i], &vm_config.vms[i], ep)) {
			memsrv_shutdown(MEMSRV_CAP_ENDPOINT, 1);
			return 1;
		}
		nvms++;
	}
	for (unsigned i = 0; i < nvms; i++)
		if (mem_consent(&vms[i]))
			vms[i].state = VM_CRASHED;
	for (unsigned i = 0; i < nvms; i++)
		if (vms[i].state != VM_CRASHED && mem_regions(&vms[i]))
			vms[i].state = VM_CRASHED;
	for (unsigned i = 0; i < nvms; i++) {
		const struct vmcfg_vm *c = vms[i].cfg;

		if (vms[i].state == VM_CRASHED)
			continue;
		if (vm_boot(&vms[i])) {
			vms[i].state = VM_CRASHED; /* counted in the exit status */
			continue;
		}
		started++;
		printf("vmsrv: vm %u '%s': %u vCPU, %llu MiB at %#llx, console at %#llx, "
		       "%s entered at %#llx\n",
		       c->id, c->name, c->cpus, (unsigned long long)(c->ram_size >> 20),
		       (unsigned long long)c->ram_base, (unsigned long long)c->uart_base,
		       image_format_name(kernels[i].format),
		       (unsigned long long)kernels[i].entry);
	}
	printf("vmsrv: %u of %u VMs running\n", started, nvms);
	console_start();
	if (!started)
		power_off();
	serve(ep);
	return 0;
}
