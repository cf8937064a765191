/*
 * A VM's UART: the PL011 model (pl011.c) at the configured address in the
 * VM's device table, its interrupt line into the vGIC, its output a line at
 * a time on the real console, tagged with the VM's name.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "pl011.h"

#define VUART_LINE_MAX 120u

struct vuart {
	struct pl011 model;
	bool line; /* the interrupt line, whose rising edge raises the SPI */
	char out[VUART_LINE_MAX + 1]; /* output since the last newline */
	unsigned outlen;
};

struct vm;

/* Registers the UART in the VM's device table. */
int vuart_attach(struct vm *vm);
/* The UART as at power-on. */
void vuart_reset(struct vm *vm);
/* Console input for the VM; false when its FIFO is full (the byte is lost). */
bool vuart_receive(struct vm *vm, uint8_t c);
/* What the guest wrote since its last newline goes out now. */
void vuart_flush(struct vm *vm);
