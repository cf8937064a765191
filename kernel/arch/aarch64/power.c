/* Ending the machine. On a platform that says it runs under QEMU with
 * semihosting (SEPTA_SEMIHOSTING, platform.cmake) the kernel exits QEMU with
 * its status; PSCI SYSTEM_OFF, which boards have, cannot carry one. */
#include <arch.h>
#include <kprintf.h>
#include <pl011.h>
#include <status.h>
#include "cpu.h"

#define PSCI_SYSTEM_OFF 0x84000008u

#ifdef SEPTA_SEMIHOSTING
#define SEMIHOST_SYS_EXIT    0x18
#define ADP_STOPPED_APP_EXIT 0x20026

static void semihost_exit(int status)
{
	uint64_t block[2] = {ADP_STOPPED_APP_EXIT, (uint64_t)(int64_t)status};
	register uint64_t x0 __asm__("x0") = SEMIHOST_SYS_EXIT;
	register uint64_t x1 __asm__("x1") = (uintptr_t)block;

	__asm__ volatile("hlt #0xf000" : "+r"(x0) : "r"(x1) : "memory");
}
#endif

void arch_shutdown(int status)
{
	kprintf("septa: shutting down (status %d)\n", status);
#ifdef SEPTA_SEMIHOSTING
	/* QEMU started without -semihosting makes the HLT undefined: the
	 * kernel's exception report ends in arch_halt, back here, and then
	 * PSCI powers off. */
	static bool semihost_tried;

	if (!semihost_tried) {
		semihost_tried = true;
		semihost_exit(status);
	}
#endif
	arch_smc(PSCI_SYSTEM_OFF, 0, 0, 0);
	for (;;)
		__asm__ volatile("wfi");
}

void arch_halt(void)
{
	kprintf("septa: kernel halted\n");
	arch_shutdown(SEPTA_STATUS_HALT);
}

/* Called before the MMU is set up; only the UART is usable. */
void boot_not_el2(uint64_t el)
{
	pl011_console_init();
	kprintf("septa: entered at EL%lu, not EL2: the kernel needs the virtualization "
		"extensions (QEMU: -M virt,virtualization=on)\n",
		el);
#ifdef SEPTA_SEMIHOSTING
	semihost_exit(SEPTA_STATUS_BOOT);
#endif
	for (;;)
		__asm__ volatile("wfi");
}

/* Loaded somewhere other than where it was linked: absolute addresses (the
 * console sink, string tables) are wrong, so print with PC-relative code only. */
void boot_wrong_place(void)
{
	pl011_puts("septa: image loaded at the wrong address; load it at its link "
		   "address (see docs/running.md)\n");
	for (;;)
		__asm__ volatile("wfi");
}
