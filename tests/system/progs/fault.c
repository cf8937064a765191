/*
 * A root task that misbehaves on purpose, in the way its module name says.
 * Each must end this thread (or, for "kernel", the test kernel) with a
 * report; reaching the end of main means the misdeed was not caught.
 */
#include <septa/syscall.h>
#include <stdio.h>
#include <string.h>

#define UNMAPPED_IPA 0x30000000UL /* between the heap and the stack */

int main(void)
{
	const char *kind = septa_bootinfo()->root_name;

	printf("fault: attempting %s\n", kind);
	if (strcmp(kind, "fault-null") == 0) {
		*(volatile unsigned long *)UNMAPPED_IPA = 1;
	} else if (strcmp(kind, "fault-ro-write") == 0) {
		/* The boot-info page is mapped read-only. */
		*(volatile unsigned long *)septa_bootinfo() = 0;
	} else if (strcmp(kind, "fault-xn-exec") == 0) {
		/* The heap is mapped execute-never. */
		void (*fn)(void) = (void (*)(void))(uintptr_t)septa_bootinfo()->heap_base;
		fn();
	} else if (strcmp(kind, "fault-undef") == 0) {
		/* Readable at EL1 and above only: proves we run at EL0. */
		unsigned long el;
		__asm__ volatile("mrs %0, CurrentEL" : "=r"(el));
		printf("fault: CurrentEL read as %lu\n", el);
	} else if (strcmp(kind, "fault-kernel") == 0) {
		septa_syscall2(SEPTA_SYS_TEST_KERNEL_FAULT, 0, 0, NULL);
	}
	printf("fault: %s was not stopped\n", kind);
	septa_shutdown(1);
	return 1;
}
