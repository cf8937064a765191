/* Thin wrappers over the system calls in <septa/abi.h>. */
#pragma once
#include <stddef.h>
#include <septa/abi.h>

static inline long septa_syscall2(long nr, long a0, long a1, long *r1)
{
	register long x0 __asm__("x0") = a0;
	register long x1 __asm__("x1") = a1;
	register long x7 __asm__("x7") = nr;

	__asm__ volatile("svc #0" : "+r"(x0), "+r"(x1) : "r"(x7) : "memory");
	if (r1)
		*r1 = x1;
	return x0;
}

static inline long septa_debug_write(const void *buf, size_t len, size_t *written)
{
	long n = 0;
	long err = septa_syscall2(SEPTA_SYS_DEBUG_WRITE, (long)buf, (long)len, &n);

	if (written)
		*written = err == SEPTA_OK ? (size_t)n : 0;
	return err;
}

/* Up to 8 bytes of console input, without waiting: their count (0-8),
 * the bytes in *bytes (first in the low byte); or a septa_error (< 0,
 * *bytes 0). console names the console UART's IRQHandler (the boot info's
 * console_irq), the authority to read it. */
static inline long septa_debug_read(uint64_t console, uint64_t *bytes)
{
	register long x0 __asm__("x0") = (long)console;
	register long x1 __asm__("x1") = 0;
	register long x2 __asm__("x2") = 0;
	register long x7 __asm__("x7") = SEPTA_SYS_DEBUG_READ;

	__asm__ volatile("svc #0" : "+r"(x0), "+r"(x1), "+r"(x2) : "r"(x7) : "memory");
	*bytes = (uint64_t)x2;
	return x0 == SEPTA_OK ? x1 : x0;
}

/* Returns only on refusal (SEPTA_E_PERM for anyone but the root task). */
static inline long septa_shutdown(int status)
{
	return septa_syscall2(SEPTA_SYS_SHUTDOWN, status, 0, NULL);
}

__attribute__((noreturn)) static inline void septa_exit(int status)
{
	septa_syscall2(SEPTA_SYS_EXIT, status, 0, NULL);
	__builtin_unreachable();
}

const struct septa_bootinfo *septa_bootinfo(void);
