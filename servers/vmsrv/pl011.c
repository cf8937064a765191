/*
 * The PL011 model. Transmission is instant, so the transmit FIFO is always
 * empty and its interrupt is raised by every write, as QEMU's model does;
 * a driver that waits for it is never stuck.
 */
#include <stddef.h>
#include "pl011.h"

enum {
	DR = 0x00,
	RSR = 0x04,
	FR = 0x18,
	ILPR = 0x20,
	IBRD = 0x24,
	FBRD = 0x28,
	LCR_H = 0x2c,
	CR = 0x30,
	IFLS = 0x34,
	IMSC = 0x38,
	RIS = 0x3c,
	MIS = 0x40,
	ICR = 0x44,
	DMACR = 0x48,
};

#define FR_RXFE BIT_(4)
#define FR_TXFF BIT_(5)
#define FR_RXFF BIT_(6)
#define FR_TXFE BIT_(7)
#define INT_RX	BIT_(4)
#define INT_TX	BIT_(5)
#define INT_RT	BIT_(6)
#define BIT_(n) (1u << (n))

/* PrimeCell identification: a PL011 r1p5, as the Linux driver expects. */
static const uint8_t ids[8] = {0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1};

void pl011_reset(struct pl011 *u, void (*put)(void *arg, uint8_t c), void *arg)
{
	*u = (struct pl011){.cr = 0x300, .ifls = 0x12, .put = put, .arg = arg};
}

static uint64_t read_reg(struct pl011 *u, uint64_t off)
{
	uint64_t v;

	switch (off) {
	case DR:
		if (!u->rx_count)
			return 0;
		v = u->rx[u->rx_head];
		u->rx_head = (u->rx_head + 1) % PL011_FIFO;
		if (--u->rx_count == 0)
			u->ris &= (uint16_t) ~(INT_RX | INT_RT);
		return v;
	case RSR:
		return 0;
	case FR:
		return FR_TXFE | (u->rx_count ? 0 : FR_RXFE) |
		       (u->rx_count == PL011_FIFO ? FR_RXFF : 0);
	case IBRD:
		return u->ibrd;
	case FBRD:
		return u->fbrd;
	case LCR_H:
		return u->lcr_h;
	case CR:
		return u->cr;
	case IFLS:
		return u->ifls;
	case IMSC:
		return u->imsc;
	case RIS:
		return u->ris;
	case MIS:
		return u->ris & u->imsc;
	case DMACR:
		return u->dmacr;
	default:
		return off >= 0xfe0 && off < 0x1000 ? ids[(off - 0xfe0) / 4] : 0;
	}
}

static void write_reg(struct pl011 *u, uint64_t off, uint16_t v)
{
	switch (off) {
	case DR:
		u->put(u->arg, (uint8_t)v);
		u->ris |= INT_TX;
		break;
	case IBRD:
		u->ibrd = v;
		break;
	case FBRD:
		u->fbrd = v & 0x3f;
		break;
	case LCR_H:
		u->lcr_h = v & 0xff;
		break;
	case CR:
		u->cr = v;
		break;
	case IFLS:
		u->ifls = v & 0x3f;
		break;
	case IMSC:
		u->imsc = v & 0x7ff;
		break;
	case ICR:
		u->ris &= (uint16_t)~v;
		break;
	case DMACR:
		u->dmacr = v & 7;
		break;
	default: /* RSR (error clear), ILPR and the read-only ones: ignored */
		break;
	}
}

/*
 * The registers are at most 16 bits wide in 32-bit words, and drivers reach
 * them at any width: Linux's amba-pl011 with 16-bit accesses, its earlycon
 * with 8-bit writes to DR, others with 32. An access covers some bytes of
 * one word: a read gives those bytes (the upper half of a word reads as 0,
 * writes to it are ignored). A write of 16 or 32 bits covers the whole
 * register; a byte write replaces its byte and keeps the other, except
 * where writing is an action (DR sends, ICR and RSR clear), which takes
 * the byte alone. Reading the register back for the kept byte is safe:
 * only DR has a read side effect, and DR is an action register.
 */
__attribute__((noinline)) static bool
narrow_access(struct pl011 *u, uint64_t off, bool write, unsigned size, uint64_t *val)
{
	uint64_t reg = off & ~3ULL, shift = (off & 3) * 8, v;

	if ((size != 1 && size != 2) || off & (size - 1))
		return false;
	if (!write) {
		/* DR's other bytes are its error flags (always clear) and the
		 * reserved half: reading them must not take a byte of input. */
		*val = reg == DR && shift
			   ? 0
			   : read_reg(u, reg) >> shift & ((1ULL << (8 * size)) - 1);
		return true;
	}
	/* The upper half, and DR's error-flag byte: no data byte to send. */
	if (shift >= 16 || (reg == DR && shift))
		return true;
	v = size == 1 ? (*val & 0xff) << shift : *val;
	if (size == 1 && reg != DR && reg != ICR && reg != RSR)
		v |= read_reg(u, reg) & ~(0xffULL << shift);
	write_reg(u, reg, (uint16_t)v);
	return true;
}

bool pl011_access(struct pl011 *u, uint64_t off, bool write, unsigned size, uint64_t *val)
{
	if (off >= 0x1000)
		return false;
	if (size != 4 || off & 3) /* the whole word is the common case */
		return narrow_access(u, off, write, size, val);
	if (write)
		write_reg(u, off, (uint16_t)*val);
	else
		*val = read_reg(u, off);
	return true;
}

bool pl011_receive(struct pl011 *u, uint8_t c)
{
	if (u->rx_count == PL011_FIFO)
		return false;
	u->rx[(u->rx_head + u->rx_count++) % PL011_FIFO] = c;
	u->ris |= INT_RX | INT_RT;
	return true;
}
