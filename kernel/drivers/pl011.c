/*
 * The PL011 UART as the kernel console: polled output, and input that
 * raises the UART's interrupt for whoever holds its IRQHandler.
 */
#include <kprintf.h>
#include <plat.h>
#include <pl011.h>

#define UART_DR	  0x00
#define UART_FR	  0x18
#define UART_IMSC 0x38
#define FR_TXFF	  (1u << 5)
#define FR_RXFE	  (1u << 4)
#define INT_RX_RT (1u << 4 | 1u << 6)

static volatile uint32_t *reg(unsigned off)
{
	return (volatile uint32_t *)(uintptr_t)(plat.uart_base + off);
}

static void raw_putc(char c)
{
	while (*reg(UART_FR) & FR_TXFF)
		;
	*reg(UART_DR) = (uint32_t)(unsigned char)c;
}

void pl011_putc(char c)
{
	if (c == '\n')
		raw_putc('\r');
	raw_putc(c);
}

void pl011_puts(const char *s)
{
	while (*s)
		pl011_putc(*s++);
}

void pl011_console_init(void)
{
	/* The boot loader (or QEMU) has set the line up; we only take it over. */
	kprintf_set_sink(pl011_putc);
	*reg(UART_IMSC) |= INT_RX_RT;
}

int pl011_getc(void)
{
	if (*reg(UART_FR) & FR_RXFE)
		return -1;
	return (int)(*reg(UART_DR) & 0xff);
}
