#include <arch.h>
#include <object/cap.h>
#include <object/cspace.h>
#include <object/delete.h>
#include <object/invoke.h>
#include <object/tcb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kfix.h"

struct kfix kf;

/* Architecture hooks the object code calls. */
void arch_tcb_forget(struct tcb *t)
{
	(void)t;
}

void arch_thread_make_native(struct tcb *t)
{
	t->regs.spsr = 0; /* EL0t */
}

bool arch_irq_user_allowed(unsigned irq)
{
	return irq >= 32 && irq < 256;
}

void arch_irq_set_enabled(unsigned irq, bool on)
{
	(void)irq;
	(void)on;
}

/* Stage 2 over host memory: addresses are host pointers. */
static void *host_p2v(paddr_t pa)
{
	return (void *)(uintptr_t)pa_addr(pa);
}

static void host_tlbi(const struct pgt *p, uint64_t addr, unsigned level)
{
	(void)p;
	(void)addr;
	(void)level;
}

static void host_publish(void)
{
}

static void host_tlbi_all(const struct pgt *p)
{
	arch_vmid_flush(p->vmid);
}

const struct pgt_mm_ops arch_s2_mm_ops = {host_p2v, host_tlbi, host_publish,
					  host_tlbi_all};

unsigned arch_pa_bits(void)
{
	return 44; /* QEMU's Cortex-A72 */
}

pte_t arch_s2_attrs(bool read, bool write, bool exec)
{
	return (0xfULL << 2) | PTE_AF | (read ? 1u << 6 : 0) | (write ? 1u << 7 : 0) |
	       (exec ? 0 : 1ULL << 54);
}

pte_t arch_s2_device_attrs(bool read, bool write)
{
	return (0x1ULL << 2) | PTE_AF | (read ? 1u << 6 : 0) | (write ? 1u << 7 : 0) |
	       1ULL << 54;
}

unsigned arch_s2_rights(pte_t pte)
{
	return ((pte >> 6) & 1 ? SEPTA_MAP_R : 0) | ((pte >> 7) & 1 ? SEPTA_MAP_W : 0) |
	       ((pte >> 54) & 1 ? 0 : SEPTA_MAP_X);
}

bool arch_s2_readable(pte_t pte)
{
	return (pte >> 6) & 1;
}

bool arch_s2_normal_ram(pte_t pte)
{
	return ((pte >> 2) & 0xf) == 0xf;
}

/* Host memory: the store at its size, as the kernel's one instruction. */
void arch_fault_store(void *p, unsigned size_log2, uint64_t v)
{
	memcpy(p, &v, 1u << size_log2); /* little-endian, as AArch64 */
}

unsigned kfix_vmid_flushes;

void arch_vmid_flush(uint16_t vmid)
{
	(void)vmid;
	kfix_vmid_flushes++;
}

void arch_vspace_forget(struct vspace *vs)
{
	(void)vs;
}

int arch_vcpu_reg_index(unsigned reg)
{
	return reg < SEPTA_VCPU_REG_COUNT ? (int)reg : -1;
}

void arch_vcpu_reset(struct vcpu *v)
{
	(void)v;
}

uint64_t arch_vcpu_entry_spsr(void)
{
	return 0x3c5;
}

void arch_vcpu_forget(struct vcpu *v)
{
	(void)v;
}

void arch_vcpu_unload(struct vcpu *v)
{
	(void)v;
}

int arch_vcpu_inject_check(const struct vcpu *v, uint64_t intid, uint64_t prio)
{
	(void)v;
	(void)intid;
	(void)prio;
	return SEPTA_OK;
}

int arch_vcpu_inject(struct vcpu *v, uint64_t intid, uint64_t prio)
{
	(void)v;
	(void)intid;
	(void)prio;
	return SEPTA_OK;
}

void arch_step_aarch32(struct arch_regs *regs, uint64_t access)
{
	regs->elr += access & SEPTA_ACCESS_SHORT ? 2 : 4;
}

void arch_syscall_restart(struct arch_regs *regs)
{
	regs->elr -= 4;
}

void arch_vcpu_inject_abort(struct vcpu *v, struct arch_regs *regs, uint64_t access,
			    uint64_t far)
{
	(void)v;
	(void)regs;
	(void)access;
	(void)far;
}

void kfix_setup(void)
{
	struct cap ut = {
	    .type = CAP_UNTYPED, .rights = SEPTA_RIGHTS_ALL, .size_bits = KFIX_UT_BITS};

	kf.root = aligned_alloc(64, sizeof(struct cte) << KFIX_ROOT_BITS);
	memset(kf.root, 0, sizeof(struct cte) << KFIX_ROOT_BITS);
	kf.root_cap = (struct cap){.type = CAP_CNODE,
				   .rights = SEPTA_RIGHTS_ALL,
				   .size_bits = KFIX_ROOT_BITS,
				   .guard_bits = 64 - KFIX_ROOT_BITS,
				   .obj = (uintptr_t)kf.root};
	kf.caller = aligned_alloc(1u << SEPTA_TCB_BITS, 1u << SEPTA_TCB_BITS);
	memset(kf.caller, 0, 1u << SEPTA_TCB_BITS);
	kf.caller->prio = kf.caller->mcp = SEPTA_PRIO_MAX;
	kf.buf = aligned_alloc(4096, 4096);
	memset(kf.buf, 0, 4096);
	cdt_insert(NULL, &kf.caller->slots[TCB_SLOT_CSPACE], &kf.root_cap);
	cdt_insert(
	    NULL, &kf.caller->slots[TCB_SLOT_BUFFER],
	    &(struct cap){.type = CAP_FRAME, .size_bits = 12, .obj = (uintptr_t)kf.buf});
	kf.ut_mem = aligned_alloc(1u << KFIX_UT_BITS, 1u << KFIX_UT_BITS);
	ut.obj = (uintptr_t)kf.ut_mem;
	kf.ut_slot = 1;
	cdt_insert(NULL, &kf.root[kf.ut_slot], &ut);
	/* The root CNode's own capability, at cptr 0, to invoke it with. */
	cdt_insert(NULL, &kf.root[0], &kf.root_cap);
}

/* What a test made from the Untyped may sit in the kernel's own lists (a
 * TCB in a run queue, a thread waiting on an endpoint): its memory is
 * freed only after the kernel let go of all of it, by a revoke of the
 * Untyped through the kernel's own code, with the tree left sound. A test
 * that broke the kernel's state (a bug under test) leaves its memory
 * allocated instead, so that whatever still points into it finds what it
 * left there, never freed or reused memory: the next test starts afresh
 * all the same, and one bug fails one test. */
void kfix_teardown(void)
{
	bool clean;

	kf.step_limit = 0;
	clean = kfix_revoke(kf.ut_slot) == SEPTA_OK && kfix_tree_problems() == 0;
	if (!clean) {
		fprintf(stderr, "kfix: the kernel still holds what the test made; its "
				"memory is kept\n");
		kf = (struct kfix){0};
		return;
	}
	free(kf.root);
	free(kf.caller);
	free(kf.buf);
	free(kf.ut_mem);
	kf = (struct kfix){0};
}

long kfix_call(uint64_t cptr, uint64_t label, unsigned ncaps, const uint64_t *caps,
	       unsigned nargs, const uint64_t *args)
{
	struct cte *slot;
	int err;

	for (unsigned i = 0; i < ncaps; i++)
		kf.buf->caps_or_badges[i] = caps[i];
	for (unsigned i = 0; i < nargs; i++)
		msg_set(kf.caller, i, args[i]);
	/* A call that restarts (ELR back on its SVC) is made again, within
	 * a bound: one that restarts for ever is a bug, and its test fails
	 * on the result instead of hanging. */
	kf.steps = 0;
	do {
		if (kf.steps == (kf.step_limit ? kf.step_limit : KFIX_RESTARTS_MAX))
			return INV_RESTART;
		err = cspace_lookup_cap(&kf.root_cap, cptr, &slot);
		if (err)
			return err;
		kf.caller->regs.elr = 4;
		kf.steps++;
		invoke(kf.caller, slot, septa_msginfo(label, ncaps, nargs));
	} while (kf.caller->regs.elr == 0);
	return (long)kf.caller->regs.x[0];
}

long kfix_retype(unsigned type, unsigned bits, uint64_t slot, unsigned count)
{
	uint64_t root = 0, a[] = {type, bits, 0, 0, slot, count};

	return kfix_call(kf.ut_slot, SEPTA_UNTYPED_RETYPE, 1, &root, 6, a);
}

long kfix_copy(uint64_t dst, uint64_t src, unsigned rights)
{
	uint64_t root = 0, a[] = {dst, 64, src, 64, rights};

	return kfix_call(0, SEPTA_CNODE_COPY, 1, &root, 5, a);
}

long kfix_delete(uint64_t slot)
{
	uint64_t a[] = {slot, 64};

	return kfix_call(0, SEPTA_CNODE_DELETE, 0, NULL, 2, a);
}

long kfix_revoke(uint64_t slot)
{
	uint64_t a[] = {slot, 64};

	return kfix_call(0, SEPTA_CNODE_REVOKE, 0, NULL, 2, a);
}

static int slot_problems(const struct cte *c)
{
	int bad = 0;

	if (c->cap.type == CAP_NULL)
		return c->parent || c->first_child || c->next || c->prev;
	if (c->cap.type == CAP_ZOMBIE && cap_zombie_problem(c, 1u << 20))
		bad++;
	if (c->prev && c->prev->next != c)
		bad++;
	if (c->next && c->next->prev != c)
		bad++;
	if (!c->prev && c->parent && c->parent->first_child != c)
		bad++;
	for (const struct cte *ch = c->first_child; ch; ch = ch->next)
		if (ch->parent != c)
			bad++;
	/* Children of anything but an Untyped are copies of it. */
	if (c->parent && c->parent->cap.type != CAP_UNTYPED &&
	    !cap_same_object(&c->parent->cap, &c->cap))
		bad++;
	/* Objects made from an Untyped lie in its used part. */
	if (c->parent && c->parent->cap.type == CAP_UNTYPED &&
	    (c->cap.obj < c->parent->cap.obj ||
	     c->cap.obj >= c->parent->cap.obj + c->parent->cap.word))
		bad++;
	return bad;
}

int kfix_tree_problems(void)
{
	int bad = 0;

	for (unsigned i = 0; i < 1u << KFIX_ROOT_BITS; i++) {
		const struct cte *c = &kf.root[i];

		bad += slot_problems(c);
		if ((c->cap.type == CAP_CNODE ||
		     (c->cap.type == CAP_ZOMBIE && c->cap.was == CAP_CNODE)) &&
		    c->cap.obj != (uintptr_t)kf.root)
			for (unsigned j = 0; j < 1u << c->cap.size_bits; j++)
				bad += slot_problems(
				    (const struct cte *)(uintptr_t)c->cap.obj + j);
	}
	return bad;
}

void arch_zero(void *p, size_t n)
{
	memset(p, 0, n);
}

int kfix_suite_init(void)
{
	kfix_setup();
	return 0;
}

int kfix_suite_clean(void)
{
	kfix_teardown();
	return 0;
}

void kfix_reset(void)
{
	kfix_teardown();
	kfix_setup();
}
