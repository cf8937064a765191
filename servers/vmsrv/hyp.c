/*
 * Hypercalls: PSCI 1.1 for the VM's own vCPUs and power, the SMCCC version
 * calls, and the memory-sharing calls, which vmsrv turns into memsrv
 * requests made for the calling VM (docs/hypercalls.md).
 */
#include <septa/hypercall.h>
#include <stdio.h>
#include "exit.h"
#include "hyp.h"
#include "mem.h"
#include "virq.h"
#include "vm.h"

static long from_memsrv(long err)
{
	switch (err) {
	case MEMSRV_OK:
		return 0;
	case MEMSRV_E_NOT_OWNER:
	case MEMSRV_E_NOT_SHARED:
	case MEMSRV_E_NOT_LENT:
	case MEMSRV_E_PERM:
	case MEMSRV_E_SELF:
	case MEMSRV_E_CONSENT:
		return SEPTA_HC_E_DENIED;
	case MEMSRV_E_BUSY:
	case MEMSRV_E_ALREADY:
	case MEMSRV_E_IPA_BUSY:
	case MEMSRV_E_TOO_MANY:
	case MEMSRV_E_BLOCK:
		return SEPTA_HC_E_BUSY;
	case MEMSRV_E_NO_MEMORY:
	case MEMSRV_E_FULL:
	case MEMSRV_E_QUOTA:
		return SEPTA_HC_E_NO_MEMORY;
	default:
		return SEPTA_HC_E_INVALID;
	}
}

/*
 * The VM a call names, if the caller may name it: one of its configured
 * peers, running. Any other id (no VM has it, a VM that is not a peer, the
 * caller, past VMCFG_MAX_VMS) fails the first test, before anything looks
 * for a VM of that id: a guest cannot tell a VM that is not its peer from
 * none, in the answer or in what the call changed (docs/vm-config.md).
 */
static struct vm *peer_of(struct vm *vm, uint64_t id)
{
	struct vm *p;

	if (!vmcfg_is_peer(vm->cfg, id))
		return NULL;
	p = vm_by_id((unsigned)id);
	return p && p != vm && p->state == VM_RUNNING ? p : NULL;
}

/* SHARE, UNSHARE, LEND, RECLAIM: x1 ipa, x2 pages, x3 peer, x4 peer ipa, x5 rights. */
static long mem_call(struct vm *vm, uint64_t fn, const uint64_t *x)
{
	const struct vmcfg_vm *c = vm->cfg;
	uint64_t ipa = x[1], pages = x[2],
		 ep = MEMSRV_AS(MEMSRV_CAP_ENDPOINT, vm->client), pa;
	bool give = fn == SEPTA_HC_SHARE || fn == SEPTA_HC_LEND;
	struct vm *peer = NULL;
	struct vm_grant *g = NULL;
	long err;

	if (ipa & (SEPTA_PAGE_SIZE - 1) || pages == 0 ||
	    pages > c->share_size / SEPTA_PAGE_SIZE)
		return SEPTA_HC_E_INVALID;
	if (ipa < c->share_base ||
	    ipa - c->share_base > c->share_size - pages * SEPTA_PAGE_SIZE)
		return SEPTA_HC_E_NOT_SHAREABLE;
	if (fn != SEPTA_HC_RECLAIM && !(peer = peer_of(vm, x[3])))
		return SEPTA_HC_E_NO_VM;
	if (give) {
		/* x5 is narrowed for memsrv: high bits must not vanish. */
		if (x[4] & (SEPTA_PAGE_SIZE - 1) || x[5] != (unsigned)x[5] ||
		    !vmcfg_free_ipa(peer->cfg, x[4], pages * SEPTA_PAGE_SIZE))
			return SEPTA_HC_E_INVALID;
		if (!(g = grants_free(vm->grants, MAX_GRANTS)))
			return SEPTA_HC_E_TOO_MANY;
	} else if (!grants_can_remove(vm->grants, MAX_GRANTS, ipa, pages,
				      fn == SEPTA_HC_RECLAIM, peer ? peer->cfg->id : 0)) {
		return SEPTA_HC_E_TOO_MANY; /* no record for the rest of a cut one */
	}
	pa = vm->share_pa + (ipa - c->share_base);
	switch (fn) {
	case SEPTA_HC_SHARE:
		err = memsrv_share(ep, pa, pages, peer->client, x[4], (unsigned)x[5]);
		break;
	case SEPTA_HC_LEND:
		err = memsrv_lend(ep, pa, pages, peer->client, x[4], (unsigned)x[5]);
		break;
	case SEPTA_HC_UNSHARE:
		err = memsrv_unshare(ep, pa, pages, peer->client);
		break;
	default:
		err = memsrv_reclaim(ep, pa, pages);
		break;
	}
	if (err)
		return from_memsrv(err);
	if (give)
		*g = (struct vm_grant){ipa, pages, peer->cfg->id, fn == SEPTA_HC_LEND,
				       true};
	else
		grants_remove(vm->grants, MAX_GRANTS, ipa, pages, fn == SEPTA_HC_RECLAIM,
			      peer ? peer->cfg->id : 0);
	return 0;
}

/*
 * A slot per sender: BUSY says only that the caller's own last mail is not
 * read yet. One slot for all would say that some other VM, a peer of the
 * peer but perhaps none of the caller's, had rung.
 */
static long doorbell(struct vm *vm, const uint64_t *x)
{
	struct vm *peer = peer_of(vm, x[1]);
	unsigned me = vm->cfg->id;

	if (!peer)
		return SEPTA_HC_E_NO_VM;
	if (peer->mail_from >> me & 1)
		return SEPTA_HC_E_BUSY;
	peer->mail_from |= 1u << me;
	peer->mail[me] = x[2];
	virq_raise(peer, VPLAT_DOORBELL, 0);
	return 0;
}

/*
 * The senders in turn: the first with mail at or after the one after the
 * last read, by id, wrapping. Lowest first let a low id that rings again
 * after every read keep a higher one's mail unread for ever. Rings that
 * came close together are one edge of the doorbell: each mail left rings
 * again, so a guest that reads once per interrupt reads them all.
 */
static void mailbox(struct vm *vm, uint64_t *x)
{
	uint32_t later = vm->mail_from & ~((1u << vm->mail_next) - 1),
		 pick = later ? later : vm->mail_from;
	unsigned from = pick ? (unsigned)__builtin_ctz(pick) : 0;

	x[1] = from;
	x[2] = from ? vm->mail[from] : 0;
	vm->mail_from &= ~(1u << from);
	if (from)
		vm->mail_next = from + 1;
	if (vm->mail_from)
		virq_raise(vm, VPLAT_DOORBELL, 0);
}

static bool supported(uint64_t fn)
{
	switch (fn) {
	case PSCI_VERSION:
	case PSCI_CPU_SUSPEND:
	case PSCI_SMC32(PSCI_CPU_SUSPEND):
	case PSCI_CPU_OFF:
	case PSCI_CPU_ON:
	case PSCI_SMC32(PSCI_CPU_ON):
	case PSCI_AFFINITY_INFO:
	case PSCI_SMC32(PSCI_AFFINITY_INFO):
	case PSCI_MIGRATE_INFO_TYPE:
	case PSCI_SYSTEM_OFF:
	case PSCI_SYSTEM_RESET:
	case PSCI_FEATURES:
	case SMCCC_VERSION:
		return true;
	default:
		return false;
	}
}

/*
 * SMCCC_ARCH_FEATURES. The speculation workarounds are calls that would
 * scrub the branch predictor (1, 3) or switch store-bypass safety (2) on
 * the guest's behalf; Septa does neither, in vmsrv or in the kernel, so the
 * true answer is NOT_SUPPORTED whatever the CPU. It is not UNAFFECTED (1):
 * a Cortex-A72 is affected by all three (Arm's list), and a guest trusting
 * that answer would drop its own mitigations. Linux then judges from its
 * own CPU lists and reports what is true in
 * /sys/devices/system/cpu/vulnerabilities: on a Cortex-A72, Spectre v2 and
 * v4 "Vulnerable", BHB mitigated by its own loop (docs/linux-guest.md).
 */
static long arch_features(uint64_t fn)
{
	switch (fn) {
	case SMCCC_VERSION:
	case SMCCC_ARCH_FEATURES:
		return 0;
	case SMCCC_ARCH_WORKAROUND_1:
	case SMCCC_ARCH_WORKAROUND_2:
	case SMCCC_ARCH_WORKAROUND_3:
	default:
		return SMCCC_NOT_SUPPORTED;
	}
}

static long cpu_on(struct vm *vm, const uint64_t *x)
{
	uint64_t aff = x[1]; /* any bit beyond Aff0 names no vCPU of ours */
	struct vcpu *t;

	if (aff >= vm->cfg->cpus)
		return PSCI_INVALID_PARAMETERS;
	t = &vm->cpus[aff];
	if (t->state == VCPU_ON)
		return PSCI_ALREADY_ON;
	if (!mem_is_ram(vm, x[2]) || x[2] & 3)
		return PSCI_INVALID_ADDRESS;
	return vcpu_start(t, x[2], x[3]) ? PSCI_DENIED : PSCI_SUCCESS;
}

/* All vCPUs off is a VM that stopped by itself. */
static bool any_on(const struct vm *vm)
{
	for (unsigned i = 0; i < vm->cfg->cpus; i++)
		if (vm->cpus[i].state == VCPU_ON)
			return true;
	return false;
}

bool hyp_call(struct vcpu *c, uint64_t *x)
{
	struct vm *vm = c->vm;
	uint64_t fn = x[0] & 0xffffffffu, a[6];
	long r = SMCCC_NOT_SUPPORTED;

	/* Arguments in a: results go back in x. SMC32 calls use 32 bits. */
	for (unsigned i = 0; i < 6; i++)
		a[i] = fn & 0x40000000u ? x[i] : x[i] & 0xffffffffu;
	x[1] = x[2] = x[3] = 0;
	switch (fn) {
	case PSCI_VERSION:
	case SMCCC_VERSION:
		r = 0x10001; /* 1.1 */
		break;
	case PSCI_FEATURES:
		r = supported(a[1]) ? PSCI_SUCCESS : PSCI_NOT_SUPPORTED;
		break;
	case SMCCC_ARCH_FEATURES:
		r = arch_features(a[1]);
		break;
	case PSCI_CPU_SUSPEND:
	case PSCI_SMC32(PSCI_CPU_SUSPEND):
		r = PSCI_SUCCESS; /* a standby that ends at once */
		break;
	case PSCI_CPU_ON:
	case PSCI_SMC32(PSCI_CPU_ON):
		r = cpu_on(vm, a);
		break;
	case PSCI_AFFINITY_INFO:
	case PSCI_SMC32(PSCI_AFFINITY_INFO):
		r = a[1] >= vm->cfg->cpus || a[2] != 0 ? PSCI_INVALID_PARAMETERS
		    : vm->cpus[a[1]].state == VCPU_ON  ? 0
						       : 1;
		break;
	case PSCI_MIGRATE_INFO_TYPE:
		r = 2; /* no trusted OS to migrate */
		break;
	case PSCI_CPU_OFF:
		vcpu_stop(c);
		if (!any_on(vm))
			vm_stop(vm, VM_OFF, "all vCPUs are off");
		return false;
	case PSCI_SYSTEM_OFF:
		vm_stop(vm, VM_OFF, "powered off");
		return false;
	case PSCI_SYSTEM_RESET:
		vm_reset(vm);
		return false;
	case SEPTA_HC_CALL_COUNT:
		r = SEPTA_HC_COUNT;
		break;
	case SEPTA_HC_UID: /* 5e97a000-5e97-4a00-8000-000000000001, "Septa" */
		r = 0x5e97a000;
		x[1] = 0x4a005e97;
		x[2] = 0x00000080;
		x[3] = 0x01000000;
		break;
	case SEPTA_HC_REVISION:
		r = 1;
		break;
	case SEPTA_HC_VM_INFO:
		r = 0;
		x[1] = vm->cfg->id;
		x[2] = vm->cfg->show_vm_count ? nvms : 0; /* 0: not told */
		x[3] = vm->resets;
		break;
	case SEPTA_HC_SHARE:
	case SEPTA_HC_UNSHARE:
	case SEPTA_HC_LEND:
	case SEPTA_HC_RECLAIM:
		r = mem_call(vm, fn, a);
		break;
	case SEPTA_HC_DOORBELL:
		r = doorbell(vm, a);
		break;
	case SEPTA_HC_EXIT_STATS: {
		const struct exit_stats *s;

		if (a[1] >= SEPTA_EXIT_KINDS) {
			r = SEPTA_HC_E_INVALID;
			break;
		}
		s = exit_stats(vm, (unsigned)a[1]);
		r = 0;
		x[1] = s->count;
		x[2] = s->ticks;
		x[3] = s->memsrv_ticks;
		break;
	}
	case SEPTA_HC_MAILBOX:
		r = 0;
		mailbox(vm, x);
		break;
	}
	x[0] = (uint64_t)r;
	return true;
}
