/*
 * The exit room: one handler per kind of exit, each returning the kind of
 * exit it was (SEPTA_EXIT_*), recorded in one place. A guest's bad access
 * is that guest's problem: it gets an abort, and vmsrv logs the first one.
 */
#include <stdio.h>
#include <stdlib.h>
#include "exit.h"
#include "hyp.h"
#include "mem.h"
#include "virq.h"
#include "vm.h"

#define ICC_SGI1R_EL1 SEPTA_SYSREG_ENC(3, 0, 12, 11, 5)

/* The exit being handled, and what its handler found. */
struct exit {
	struct vcpu *c;
	struct septa_msg *m; /* the exit's message, then the reply */
	bool reply;	     /* false: the vCPU waits for none */
	uint64_t memsrv_ticks;
};

static void set_reply(struct septa_msg *m, uint64_t label, unsigned len)
{
	m->info = septa_msginfo(label, 0, len);
}

static unsigned exit_hvc(struct exit *e)
{
	uint64_t x[SEPTA_HVC_LEN];

	/* Every hypercall takes this: unrolled, each register is one load. */
#pragma GCC unroll 8
	for (unsigned i = 0; i < SEPTA_HVC_LEN; i++)
		x[i] = septa_mr(e->m, i);
	e->reply = hyp_call(e->c, x);
	for (unsigned i = 0; i < 4; i++)
		septa_set_mr(e->m, i, x[i]);
	set_reply(e->m, 0, 4);
	return SEPTA_EXIT_HVC;
}

/* What the guest gets for touching nothing: an abort, logged the first time.
 * An abort whose vector itself faults is a guest that cannot go on. */
static unsigned inject_abort(struct exit *e)
{
	static const char *const kind[] = {"read", "write", "fetch", "access"};
	const struct septa_msg *m = e->m;
	uint64_t vbar = 0, pc = m->mr[SEPTA_ABORT_PC], ipa = m->mr[SEPTA_ABORT_IPA];
	struct vcpu *c = e->c;
	struct vm *vm = c->vm;

	if (c->vector_hit != ~0ULL && pc - c->vector_hit < 0x800) {
		vm_stop(vm, VM_CRASHED, "crashed: its exception vector faults");
		e->reply = false;
		return SEPTA_EXIT_OTHER;
	}
	if (!vm->abort_logged)
		vm_log(vm,
		       "%s at IPA %#llx (pc %#llx) hits nothing: abort injected "
		       "(logged once)",
		       kind[SEPTA_ACCESS_KIND(m->mr[SEPTA_ABORT_ACCESS])],
		       (unsigned long long)ipa, (unsigned long long)pc);
	vm->abort_logged = true;
	septa_vcpu_read_reg(c->vcpu, SEPTA_VCPU_REG_VBAR, &vbar);
	c->vector_hit = vbar; /* the entry depends on the mode: the table counts */
	set_reply(e->m, SEPTA_REPLY_ABORT, 0);
	return SEPTA_EXIT_ABORT;
}

/* RAM the VM may not have there (a page it lent away, say) is its abort;
 * RAM memsrv cannot give stops it. Out of line, and taking what it can
 * from the message: the ordinary exit keeps its frame and registers. */
static __attribute__((noinline, cold)) unsigned ram_refused(struct exit *e, long err)
{
	uint64_t ipa = e->m->mr[SEPTA_ABORT_IPA];
	char what[VM_MSG_LEN];

	if (err == MEMSRV_E_IPA_BUSY)
		return inject_abort(e);
	if (err == MEMSRV_E_NO_MEMORY)
		snprintf(what, sizeof(what),
			 "crashed: out of memory (memsrv has none left for its RAM at "
			 "IPA %#llx)",
			 (unsigned long long)ipa);
	else
		snprintf(what, sizeof(what),
			 "crashed: memsrv refuses its RAM at IPA %#llx: %s",
			 (unsigned long long)ipa, memsrv_strerror(err));
	vm_stop(e->c->vm, VM_CRASHED, what);
	e->reply = false;
	return SEPTA_EXIT_OTHER;
}

/* Every guest abort, one decision: RAM is populated, a described access to
 * a device is emulated by the device, anything else is the guest's abort. */
static unsigned exit_abort(struct exit *e)
{
	struct septa_msg *m = e->m;
	uint64_t ipa = m->mr[SEPTA_ABORT_IPA], acc = m->mr[SEPTA_ABORT_ACCESS];
	uint64_t val = m->mr[SEPTA_ABORT_VALUE], pages;
	struct vm *vm = e->c->vm;
	const struct mmio_device *d;

	if (mem_is_ram(vm, ipa)) {
		long err = mem_populate(vm, ipa, &pages, &e->memsrv_ticks);

		if (err)
			return ram_refused(e, err);
		set_reply(m, SEPTA_REPLY_RETRY, 0);
		return pages == 1 ? SEPTA_EXIT_RAM_PAGE : SEPTA_EXIT_RAM_BLOCK;
	}
	d = mmio_find(&vm->mmio, ipa, SEPTA_ACCESS_SIZE(acc)); /* size: if VALID */
	if (!d || !(acc & SEPTA_ACCESS_VALID) ||
	    !d->handler(d->arg, ipa - d->base,
			SEPTA_ACCESS_KIND(acc) == SEPTA_ACCESS_WRITE,
			SEPTA_ACCESS_SIZE(acc), &val))
		return inject_abort(e);
	m->mr[SEPTA_REPLY_VALUE] = val;
	set_reply(m, 0, 1);
	return SEPTA_EXIT_DEVICE;
}

/* A VM that does what vmsrv cannot serve is stopped. */
static unsigned exit_crash(struct exit *e)
{
	const struct septa_msg *m = e->m;

	vm_stop(e->c->vm, VM_CRASHED, "crashed: an exit vmsrv does not handle");
	printf("vmsrv: (fault %llu, %#llx %#llx %#llx)\n",
	       (unsigned long long)SEPTA_MSG_LABEL(m->info), (unsigned long long)m->mr[0],
	       (unsigned long long)m->mr[1], (unsigned long long)m->mr[2]);
	e->reply = false;
	return SEPTA_EXIT_OTHER;
}

/* Trapped system registers (docs/hypercalls.md, "Trapped system
 * registers"): a write of ICC_SGI1R_EL1 sends SGIs; everything else
 * (debug, PMU, ACTLR, implementation-defined) is RAZ/WI: a read answers 0,
 * a write is dropped. */
static unsigned exit_sysreg(struct exit *e)
{
	struct septa_msg *m = e->m;

	if (SEPTA_ACCESS_KIND(m->mr[SEPTA_SYSREG_ACCESS]) == SEPTA_ACCESS_WRITE) {
		if (m->mr[SEPTA_SYSREG_ID] == ICC_SGI1R_EL1)
			virq_sgi(e->c, m->mr[SEPTA_SYSREG_VALUE]);
		set_reply(m, 0, 0);
	} else {
		m->mr[SEPTA_REPLY_VALUE] = 0;
		set_reply(m, 0, 1);
	}
	return SEPTA_EXIT_DEVICE;
}

static unsigned dispatch(struct exit *e)
{
	switch (SEPTA_MSG_LABEL(e->m->info)) {
	case SEPTA_FAULT_HVC:
	case SEPTA_FAULT_SMC:
		return exit_hvc(e);
	case SEPTA_FAULT_ABORT:
		return exit_abort(e);
	case SEPTA_FAULT_SYSREG:
		return exit_sysreg(e);
	default:
		return exit_crash(e);
	}
}

int exit_init(struct vm *vm)
{
	vm->exits = calloc(SEPTA_EXIT_KINDS, sizeof(*vm->exits));
	return vm->exits ? 0 : -1;
}

bool exit_handle(struct vcpu *c, struct septa_msg *m, uint64_t arrived)
{
	struct exit e = {.c = c, .m = m, .reply = true};
	struct exit_stats *s = &c->vm->exits[dispatch(&e)];

	s->count++;
	s->ticks += vm_now() - arrived;
	if (e.memsrv_ticks)
		s->memsrv_ticks += e.memsrv_ticks;
	/* A vCPU that was stopped (or restarted) waits for no reply. */
	return e.reply && c->vm->state == VM_RUNNING;
}

const struct exit_stats *exit_stats(const struct vm *vm, unsigned kind)
{
	return &vm->exits[kind];
}
