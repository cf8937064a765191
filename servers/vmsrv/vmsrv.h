/*
 * vmsrv's internal interfaces. vmsrv is a server memsrv starts: one thread
 * serving one endpoint, on which every vCPU's faults arrive under a badge
 * naming the VM and the vCPU. Guest RAM and everything shared belongs to
 * memsrv's clients (one per VM, registered by vmsrv, which acts for them).
 */
#pragma once
#include <septa/hypercall.h>
#include <septa/ipc.h>
#include <septa/memsrv.h>
#include <septa/syscall.h>
#include <stdbool.h>
#include <stdint.h>
#include "config.h"
#include "pl011.h"
#include "vgic.h"

#define PAGE_SIZE   4096ULL
#define BLOCK_PAGES 512u
#define GUEST_PRIO  50u /* below vmsrv (100): a fault is served at once */
#define MAX_GRANTS  32u /* sharing hypercalls a VM may have outstanding */
#define VM_LINE_MAX 120u

/* Badges of vmsrv's endpoint: a vCPU's faults, or the console. */
#define BADGE_VCPU(vm, cpu) (1ULL << 16 | (uint64_t)(vm) << 8 | (cpu))
#define BADGE_IS_VCPU(b)    ((b) >> 16 == 1)
#define BADGE_CONSOLE	    (1ULL << 20) /* the console IRQ's notification */

enum vcpu_state { VCPU_OFF, VCPU_ON };
enum vm_state { VM_RUNNING, VM_OFF, VM_CRASHED };

/* Something the loader puts into guest RAM. */
struct vm_blob {
	uint64_t ipa;
	const void *data;
	uint64_t len;
};

struct vm;
struct vcpu {
	struct vm *vm;
	unsigned index;
	uint64_t tcb, vcpu; /* vmsrv's capabilities */
	enum vcpu_state state;
	uint64_t vector_hit; /* where the last abort sent it, to spot a loop */
};

/* A share or lend the guest made by hypercall, undone if it resets. */
struct vm_grant {
	uint64_t ipa, pages;
	unsigned peer; /* VM id */
	bool lent, used;
};

struct vm {
	const struct vmcfg_vm *cfg;
	unsigned client; /* memsrv's id for the VM's VSpace */
	uint64_t vspace;
	enum vm_state state;
	struct vcpu cpus[VMCFG_MAX_CPUS];
	struct pl011 uart;
	bool uart_line;
	struct vgic gic;
	uint64_t *block_pa; /* per 2 MiB block of RAM: its address, 0 if none */
	uint64_t *page_pa;  /* per page of the blocks around the shareable range */
	uint64_t share_pa;  /* the shareable range: one physical run */
	struct vm_grant grants[MAX_GRANTS];
	uint64_t mail_value;
	unsigned mail_from; /* 0: the mailbox is empty */
	bool abort_logged;
	unsigned rx_dropped; /* console input that found its UART's FIFO full */
	unsigned resets;
	char line[VM_LINE_MAX + 1];
	unsigned linelen;
};

extern struct vmcfg vm_config;
extern struct vm vms[VMCFG_MAX_VMS];
extern unsigned nvms;
extern uint64_t memsrv_ep;

struct vm *vm_by_id(unsigned id);
/* Kernel objects from vmsrv's own Untyped; 0 when it is used up. */
uint64_t vm_obj_new(unsigned type, unsigned size_bits);
uint64_t vm_slot_new(void);

struct bootarc_module;
/* The boot module of that name (from vmsrv's copy of the boot archive). */
const struct bootarc_module *vm_module(const char *name, struct bootarc_module *m);
int vm_create(struct vm *vm, const struct vmcfg_vm *cfg, uint64_t ep);
int vm_boot(struct vm *vm);
void vm_stop(struct vm *vm, enum vm_state why, const char *what);
void vm_reset(struct vm *vm);
int vcpu_start(struct vcpu *c, uint64_t pc, uint64_t x0);
void vcpu_stop(struct vcpu *c);
/* The vCPU's registers x0..x(n-1), and writing them back. */
void vm_console_put(void *arg, uint8_t c);
void vm_console_flush(struct vm *vm);
void vm_log(struct vm *vm, const char *fmt, ...);

/* Memory (mem.c). */
bool mem_is_ram(const struct vm *vm, uint64_t ipa);
/* Gives the guest the memory at ipa (a block or a page); memsrv error. */
long mem_populate(struct vm *vm, uint64_t ipa);
long mem_share_range(struct vm *vm);
long mem_load(struct vm *vm, const struct vm_blob *blobs, unsigned n);
void mem_release(struct vm *vm);
long mem_regions(struct vm *vm);

/* What exits cost vmsrv, in counter ticks (SEPTA_HC_EXIT_STATS). */
struct exit_stats {
	uint64_t count, ticks, memsrv_ticks;
};
extern struct exit_stats exit_stats[SEPTA_EXIT_KINDS];
extern unsigned exit_kind; /* of the exit being handled */
static inline uint64_t vm_now(void)
{
	uint64_t v;

	__asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(v));
	return v;
}

/* The console (console.c): input to one VM at a time. */
void console_init(uint64_t ntfn_badged);
void console_input(void);
void vm_uart_line(struct vm *vm);

/* Hypercalls (hyp.c): x[0..7] in, results in x[0..3]; false stops the
 * vCPU (it was switched off or its VM went away). */
bool hyp_call(struct vcpu *c, uint64_t *x);
/* Delivers intid to the VM (held back by its vGIC if disabled); cpu is
 * the target of an SGI or PPI. */
void vm_raise(struct vm *vm, unsigned intid, unsigned cpu);
