/*
 * The VMs, the state every part of vmsrv shares (vm.c owns it). vmsrv is a
 * server memsrv starts: one thread serving one endpoint, on which every
 * vCPU's faults arrive under a badge naming the VM and the vCPU. Guest RAM
 * and everything shared belongs to memsrv's clients (one per VM,
 * registered by vmsrv, which acts for them).
 */
#pragma once
#include <septa/ipc.h>
#include <septa/memsrv.h>
#include <septa/syscall.h>
#include <stdbool.h>
#include <stdint.h>
#include "config.h"
#include "grants.h"
#include "image.h"
#include "mmio.h"
#include "vgic.h"
#include "vuart.h"

#define MAX_GRANTS 32u	/* sharing hypercalls a VM may have outstanding */
#define VM_MSG_LEN 256u /* a refusal's message */

/* Badges of vmsrv's endpoint: a vCPU's faults, or the console. */
#define BADGE_VCPU(vm, cpu) (1ULL << 16 | (uint64_t)(vm) << 8 | (cpu))
#define BADGE_IS_VCPU(b)    ((b) >> 16 == 1)
#define BADGE_VM(b)	    ((unsigned)((b) >> 8) & 0xff)
#define BADGE_CPU(b)	    ((unsigned)(b)&0xff)
#define BADGE_CONSOLE	    (1ULL << 20) /* the console IRQ's notification */

enum vcpu_state { VCPU_OFF, VCPU_ON };
enum vm_state { VM_RUNNING, VM_OFF, VM_CRASHED };

struct vm;
struct vcpu {
	struct vm *vm;
	unsigned index;
	uint64_t tcb, vcpu; /* vmsrv's capabilities */
	enum vcpu_state state;
	uint64_t vector_hit; /* where the last abort sent it, to spot a loop */
};

struct vm {
	const struct vmcfg_vm *cfg;
	unsigned client; /* memsrv's id for the VM's VSpace */
	uint64_t vspace;
	enum vm_state state;
	struct vcpu cpus[VMCFG_MAX_CPUS];
	struct mmio_table mmio; /* its emulated devices */
	struct vuart uart;
	struct vgic gic;
	uint64_t *block_pa; /* per 2 MiB block of RAM: its address, 0 if none */
	uint64_t *page_pa;  /* per page of the blocks around the shareable range */
	uint64_t share_pa;  /* the shareable range: one physical run */
	struct vm_grant grants[MAX_GRANTS];
	/* A mail slot per sender (hyp.c): bit n of mail_from, VM n's value
	 * in mail[n] is unread; 0: the mailbox is empty. */
	uint64_t mail[VMCFG_MAX_VMS + 1];
	uint32_t mail_from;
	unsigned mail_next; /* MAILBOX looks from this sender on (hyp.c) */
	bool abort_logged;
	unsigned rx_dropped; /* console input that found its UART's FIFO full */
	unsigned resets;
	struct exit_stats *exits; /* exit.c's, SEPTA_EXIT_KINDS of them, across resets */
};

extern struct vmcfg vm_config;
extern struct vm vms[VMCFG_MAX_VMS];
extern unsigned nvms;

struct vm *vm_by_id(unsigned id);
/* Kernel objects from vmsrv's own Untyped; 0 when it is used up. */
uint64_t vm_obj_new(unsigned type, unsigned size_bits);
uint64_t vm_slot_new(void);

struct bootarc_module;
/* The boot module of that name (from vmsrv's copy of the boot archive). */
const struct bootarc_module *vm_module(const char *name, struct bootarc_module *m);
/* c's boot modules looked up and laid out in its RAM (image.h); on an
 * error, msg says what is wrong, naming the VM and the property. */
int vm_image(const struct vmcfg_vm *c, struct image_layout *l, char *msg, size_t msglen);
/* The VM's objects, its memsrv client and its devices; vCPU faults go to ep. */
int vm_create(struct vm *vm, const struct vmcfg_vm *cfg, uint64_t ep);
int vm_boot(struct vm *vm);
void vm_stop(struct vm *vm, enum vm_state why, const char *what);
void vm_reset(struct vm *vm);
int vcpu_start(struct vcpu *c, uint64_t pc, uint64_t x0);
void vcpu_stop(struct vcpu *c);
void vm_log(struct vm *vm, const char *fmt, ...);

/* The counter vmsrv measures its exits with (SEPTA_HC_EXIT_STATS). */
static inline uint64_t vm_now(void)
{
	uint64_t v;

	__asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(v));
	return v;
}
