/*
 * The isolation guest. Its RAM sits at 4 GiB, so every address of the
 * machine's real RAM (the kernel, memsrv, vmsrv, the other guests) and
 * every device QEMU virt has is, for it, an address outside its memory.
 * It reads and writes one word in every 2 MiB of real RAM and in each
 * device, and expects every access to come back as an abort. Then it
 * tells the witness guest, which checks that its memory is untouched.
 */
#include "lib/glib.h"

static const uint64_t devices[] = {
    0x00000000,	  /* flash */
    0x08010000,	  /* GIC CPU interface */
    0x08080000,	  /* GIC ITS */
    0x09010000,	  /* PL031 RTC */
    0x09020000,	  /* fw_cfg */
    0x09030000,	  /* PL061 GPIO */
    0x0a000000,	  /* virtio-mmio */
    0x0c000000,	  /* platform bus */
    0x10000000,	  /* PCIe MMIO */
    0x3f000000,	  /* PCIe ECAM */
    0x4010000000, /* high PCIe ECAM */
    0xfffffff000, /* the top of the 40-bit IPA space */
};

void guest_main(uint64_t dtb)
{
	unsigned reads = 0, writes = 0, n = 0;
	uint32_t v;

	(void)dtb;
	gprintf("probe: touching every 2 MiB of the host's RAM and its devices\n");
	for (uint64_t a = 0x40000000; a < 0x80000000; a += 0x200000, n++) {
		reads += !probe_read(a, &v);
		writes += !probe_write(a + 8, 0xdeadbeef);
	}
	for (unsigned i = 0; i < sizeof(devices) / sizeof(devices[0]); i++, n++) {
		reads += !probe_read(devices[i], &v);
		writes += !probe_write(devices[i], 0xdeadbeef);
	}
	gprintf("probe: %u of %u reads and %u of %u writes faulted\n", reads, n, writes,
		n);
	check(reads == n && writes == n, "every access outside my memory faulted");
	check(guest_aborts == 2 * n, "each was one abort");
	check((guest_last_esr >> 26) == 0x25, "as a data abort from EL1");
	hvc(SEPTA_HC_DOORBELL, 1, 0x150, 0, 0, 0);
}
