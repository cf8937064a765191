/*
 * servers/vmsrv/pl011.c, the UART a guest programs: random accesses of
 * every size and offset, and input arriving, against a model of the
 * receive FIFO and of what goes out. Input comes back in order and only
 * through DR's data byte; only a write covering DR's data byte sends, and
 * sends exactly that byte; reads fit their size; an access is refused
 * exactly when it is not a naturally aligned 1, 2 or 4 bytes inside the
 * 4 KiB frame; registers stay within their widths; the interrupt line is
 * the masked raw status.
 */
#include <string.h>
#include "fuzz.h"
#include "pl011.h"

static uint8_t sent[16];
static unsigned nsent;

static void put(void *arg, uint8_t c)
{
	(void)arg;
	FUZZ_CHECK(nsent < sizeof(sent));
	sent[nsent++] = c;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = fuzz_in(data, size);
	struct pl011 u;
	uint8_t fifo[PL011_FIFO];
	unsigned head = 0, count = 0;

	pl011_reset(&u, put, NULL);
	for (unsigned step = 0; step < 512 && in.left; step++) {
		unsigned op = fuzz_u8(&in);

		nsent = 0;
		if (op < 48) { /* a byte arrives */
			uint8_t c = fuzz_u8(&in);
			bool ok = pl011_receive(&u, c);

			FUZZ_CHECK(ok == (count < PL011_FIFO));
			if (ok)
				fifo[(head + count++) % PL011_FIFO] = c;
		} else {
			static const unsigned sizes[] = {1, 2, 4, 8, 3, 0};
			unsigned sz = sizes[fuzz_below(&in, op & 1 ? 3 : 6)];
			uint64_t off =
			    op & 2 ? fuzz_u8(&in) & 0x4c : fuzz_u16(&in) & 0x1fff;
			bool write = op & 4, ok;
			uint64_t val = fuzz_u64(&in), v = val;
			bool pops = !write && (off & ~3ULL) == 0 && !(off & 3);
			bool sends = write && (off & ~3ULL) == 0 && !(off & 3);

			ok = pl011_access(&u, off, write, sz, &v);
			FUZZ_CHECK(ok ==
				   (off < 0x1000 && (sz == 1 || sz == 2 || sz == 4) &&
				    !(off & (sz - 1))));
			if (!ok) {
				FUZZ_CHECK(nsent == 0);
				continue;
			}
			if (!write && sz < 8)
				FUZZ_CHECK(v >> (8 * sz) == 0);
			if (pops) {
				FUZZ_CHECK(v == (count ? fifo[head] : 0));
				if (count) {
					head = (head + 1) % PL011_FIFO;
					count--;
				}
			}
			FUZZ_CHECK(nsent == (sends ? 1u : 0u));
			if (sends)
				FUZZ_CHECK(sent[0] == (uint8_t)val);
		}
		FUZZ_CHECK(u.rx_count == count && u.rx_head < PL011_FIFO);
		FUZZ_CHECK(!count || u.rx_head == head);
		FUZZ_CHECK(count || !(u.ris & 0x50)); /* RX and RT clear when empty */
		FUZZ_CHECK(u.fbrd <= 0x3f && u.lcr_h <= 0xff && u.ifls <= 0x3f);
		FUZZ_CHECK(u.imsc <= 0x7ff && u.dmacr <= 7);
		FUZZ_CHECK(pl011_irq(&u) == ((u.ris & u.imsc) != 0));
		for (unsigned i = 0; i < count; i++)
			FUZZ_CHECK(u.rx[(u.rx_head + i) % PL011_FIFO] ==
				   fifo[(head + i) % PL011_FIFO]);
	}
	return 0;
}
