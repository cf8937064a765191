/*
 * A guest that reads its console: every line it receives it echoes back,
 * until a line "q". Input reaches it only while vmsrv routes the real
 * console to it (Ctrl-] <id>). It waits for the UART's receive interrupt.
 */
#include "lib/glib.h"

#define UART(off) (*(volatile uint32_t *)(GUEST_UART + (off)))
#define FR_RXFE	  (1u << 4)

static char line[64];

static void wait_input(void)
{
	__asm__ volatile("msr daifset, #2" ::: "memory");
	while (UART(0x18) & FR_RXFE)
		__asm__ volatile("wfi; msr daifclr, #2; isb; msr daifset, #2" ::
				     : "memory");
	__asm__ volatile("msr daifclr, #2" ::: "memory");
}

void guest_main(uint64_t dtb)
{
	unsigned n = 0;

	(void)dtb;
	gic_init();
	gic_enable_spi(33);
	UART(0x38) = 1u << 4 | 1u << 6; /* receive and receive-timeout interrupts */
	gprintf("echo: ready\n");
	for (;;) {
		char c;

		wait_input();
		c = (char)UART(0x00);
		if (c != '\r' && c != '\n') {
			if (n < sizeof(line) - 1)
				line[n++] = c;
			continue;
		}
		line[n] = 0;
		gprintf("echo: got '%s'\n", line);
		if (n == 1 && line[0] == 'q')
			break;
		n = 0;
	}
	gprintf("echo: bye\n");
}
