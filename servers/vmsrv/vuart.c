/*
 * The PL011's glue: its model is pure; here its line is edge-detected into
 * an SPI and its output is collected into lines.
 */
#include <stdio.h>
#include "virq.h"
#include "vm.h"
#include "vuart.h"

void vuart_flush(struct vm *vm)
{
	if (!vm->uart.outlen)
		return;
	vm->uart.out[vm->uart.outlen] = 0;
	printf("[%s] %s\n", vm->cfg->name, vm->uart.out);
	vm->uart.outlen = 0;
}

static void put(void *arg, uint8_t c)
{
	struct vm *vm = arg;

	if (c == '\n') {
		if (!vm->uart.outlen)
			printf("[%s]\n", vm->cfg->name);
		vuart_flush(vm);
		return;
	}
	if (c == '\r')
		return;
	vm->uart.out[vm->uart.outlen++] = (char)(c >= 0x20 && c < 0x7f ? c : '?');
	if (vm->uart.outlen == VUART_LINE_MAX)
		vuart_flush(vm); /* a long line goes out in pieces, none lost */
}

/* The SPI is raised when the line goes up; the vGIC keeps it pending. */
static void line(struct vm *vm)
{
	bool up = pl011_irq(&vm->uart.model);

	if (up && !vm->uart.line)
		virq_raise(vm, 32 + vm->cfg->uart_spi, 0);
	vm->uart.line = up;
}

static bool uart_access(void *arg, uint64_t off, bool write, unsigned size, uint64_t *val)
{
	struct vm *vm = arg;
	bool ok = pl011_access(&vm->uart.model, off, write, size, val);

	line(vm);
	return ok;
}

int vuart_attach(struct vm *vm)
{
	return mmio_register(&vm->mmio, vm->cfg->uart_base, VPLAT_UART_SIZE, uart_access,
			     vm);
}

void vuart_reset(struct vm *vm)
{
	pl011_reset(&vm->uart.model, put, vm);
	vm->uart.line = false;
}

bool vuart_receive(struct vm *vm, uint8_t c)
{
	bool ok = pl011_receive(&vm->uart.model, c);

	line(vm);
	return ok;
}
