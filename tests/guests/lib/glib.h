/*
 * The test guests' runtime: the console (the PL011 their device tree
 * names, at QEMU virt's address), hypercalls, the doorbell and probes
 * that report whether an access faulted.
 */
#pragma once
#include <septa/hypercall.h>
#include <stdbool.h>
#include <stdint.h>

#define GUEST_UART 0x09000000UL

void gputs(const char *s);
/* printf for %s, %d, %u, %x, %lx, %llx (no width or flags). */
void gprintf(const char *fmt, ...);

struct hvc_ret {
	int64_t x0;
	uint64_t x1, x2, x3;
};
struct hvc_ret hvc(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
		   uint64_t a5);
struct hvc_ret smc(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3);
void guest_off(void) __attribute__((noreturn));

/* Reads and writes that report an injected abort instead of returning. */
extern volatile unsigned guest_aborts;
extern volatile uint64_t guest_last_esr, guest_last_far;
bool probe_read(uint64_t addr, uint32_t *val);
bool probe_write(uint64_t addr, uint32_t val);

/* The GIC: enables the distributor, the doorbell and vCPU 0's interface;
 * IRQs on. */
void gic_init(void);
void gic_cpu_init(unsigned cpu); /* another vCPU's, run on that vCPU */
void gic_enable_spi(unsigned intid);
void gic_enable_private(unsigned cpu, unsigned intid); /* an SGI or PPI */
/* Called from the IRQ handler, after the EOI and the counts;
 * weak: a guest may define it. */
void guest_irq_hook(unsigned intid);
extern volatile unsigned guest_irqs[64];    /* taken, by INTID */
extern volatile unsigned guest_irq_cpu[64]; /* by whom (Aff0), the last time */
/* Doorbells taken so far; waits (WFI) until there are more than seen. */
extern volatile unsigned guest_doorbells;
void wait_doorbell(unsigned seen);
/* In WFI until the virtual counter has gone `ticks` further: the vCPU
 * blocked in vmsrv, so that what runs only when nothing else does (memsrv's
 * refill of its ready pages) runs. */
void guest_idle(uint64_t ticks);
/* DOORBELL to a peer, again while its last mail is unread (BUSY): a
 * check that the ring went in. */
void guest_ring(unsigned peer, uint64_t value);
/* The next mail, waiting for its doorbell: a check that it is from
 * `from`; returns its value. */
uint64_t guest_next_mail(unsigned from);

/* A check: prints PASS or FAIL with what, and counts failures. */
extern unsigned guest_failures;
void check(bool ok, const char *what);
int64_t vm_id(unsigned *nvms, unsigned *resets);
/* The decimal value of the last "name" (say "fuzz.seed=") in the bootargs
 * of the device tree at dtb, or def if there is none. */
uint64_t guest_bootarg(uint64_t dtb, const char *name, uint64_t def);
