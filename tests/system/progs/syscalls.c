/*
 * Bad input to every system call of the foundation: each must come back
 * with its own error and change nothing. Prints one line per check and
 * "N passed, M failed"; shuts down with status 0 only if all passed.
 */
#include <septa/syscall.h>
#include <stdint.h>
#include <stdio.h>

static int passed, failed;

static void check(const char *what, long got, long want)
{
	if (got == want) {
		passed++;
		printf("ok   %s\n", what);
	} else {
		failed++;
		printf("FAIL %s: got %ld, want %ld\n", what, got, want);
	}
}

int main(void)
{
	const struct septa_bootinfo *bi = septa_bootinfo();
	/* The last bytes of the stack, followed by unmapped space. */
	const char *stack_end = (const char *)(uintptr_t)bi->stack_top;
	static const char marker[] = "LEAKED-OUTPUT";
	size_t n = 123;

	check("unknown system call", septa_syscall2(0x4242, 0, 0, NULL), SEPTA_E_SYSCALL);
	check("system call 0", septa_syscall2(0, 0, 0, NULL), SEPTA_E_SYSCALL);
	check("debug_write: unmapped buffer",
	      septa_debug_write((const void *)0x30000000, 8, &n), SEPTA_E_FAULT);
	check("debug_write: failed call reports 0 bytes", (long)n, 0);
	check("debug_write: NULL", septa_debug_write(NULL, 1, NULL), SEPTA_E_FAULT);
	check("debug_write: length over the limit",
	      septa_debug_write(marker, SEPTA_DEBUG_WRITE_MAX + 1, NULL), SEPTA_E_RANGE);
	check("debug_write: buffer wraps the address space",
	      septa_debug_write((const void *)(UINTPTR_MAX - 3), 8, NULL), SEPTA_E_RANGE);
	/* Nothing of a half-valid buffer is printed: the check comes first. */
	check("debug_write: buffer runs off the stack",
	      septa_debug_write(stack_end - 4, 8, NULL), SEPTA_E_FAULT);
	check("debug_write: zero length", septa_debug_write(marker, 0, &n), SEPTA_OK);
	check("debug_write: zero length writes 0", (long)n, 0);
	check("debug_write: good buffer", septa_debug_write("[debug_write ok]\n", 17, &n),
	      SEPTA_OK);
	check("debug_write: good buffer count", (long)n, 17);
	check("boot info: magic", bi->magic == SEPTA_BOOTINFO_MAGIC, 1);
	check("boot info: size", bi->size, sizeof(*bi));
	check("boot info: free RAM inside RAM",
	      bi->free_base >= bi->ram_base &&
		  bi->free_base + bi->free_size <= bi->ram_base + bi->ram_size,
	      1);
	printf("%d passed, %d failed\n", passed, failed);
	septa_shutdown(failed ? 1 : 0);
	return 1;
}
