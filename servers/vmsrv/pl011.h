/*
 * A PL011 UART as a guest sees it: the registers Linux's and the test
 * guests' drivers use. Output leaves through put (one byte at a time);
 * input waits in a small FIFO. Pure: the host tests run it.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#define PL011_FIFO 32u

struct pl011 {
	uint16_t cr, lcr_h, ibrd, fbrd, ifls, imsc, ris, dmacr;
	uint8_t rx[PL011_FIFO];
	unsigned rx_head, rx_count;
	void (*put)(void *arg, uint8_t c);
	void *arg;
};

void pl011_reset(struct pl011 *u, void (*put)(void *arg, uint8_t c), void *arg);
/* An access of size bytes (1, 2 or 4, naturally aligned) at offset off;
 * false if it is none of those or beyond the registers (the guest then gets
 * an abort). Reads fill *val. */
bool pl011_access(struct pl011 *u, uint64_t off, bool write, unsigned size,
		  uint64_t *val);
/* Queues input; false when the FIFO is full (the byte is dropped, as a
 * real UART drops it, and counted by the caller). */
bool pl011_receive(struct pl011 *u, uint8_t c);
/* The interrupt line: raised while a masked-in cause is pending. Every
 * emulated access looks at it, hence inline. */
static inline bool pl011_irq(const struct pl011 *u)
{
	return (u->ris & u->imsc) != 0;
}
