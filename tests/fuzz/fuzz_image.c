/*
 * servers/vmsrv/image.c (and elf64.c under it): a kernel module and an
 * initrd laid out in a VM's RAM. The VM is one the configuration parser
 * could have accepted (its guarantees are rebuilt from the first bytes);
 * the module is the rest. A layout it accepts puts every blob inside RAM
 * below the device tree's block, clear of the paged blocks and of each
 * other, with bytes from inside the module, and an entry point in RAM.
 */
#include <stdbool.h>
#include <string.h>
#include "config.h"
#include "fuzz.h"
#include "image.h"

#define HDR 20u

static bool inside(uint64_t a, uint64_t len, uint64_t lo, uint64_t hi)
{
	return a >= lo && len <= hi - lo && a - lo <= hi - lo - len;
}

static bool in_module(const struct image_blob *b, const struct bootarc_module *m)
{
	const uint8_t *d = b->data, *base = m->data;

	return d >= base && d <= base + m->size &&
	       b->len <= (uint64_t)(base + m->size - d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = fuzz_in(data, size);
	struct vmcfg_vm v = {.name = "fuzz", .ipa_bits = 40, .cpus = 1};
	unsigned flags, page_sizes;
	uint64_t blocks, rd_len, lo, hi;
	struct bootarc_module k = {.name = "kernel"}, rd = {.name = "initrd"};
	struct image_layout out;
	char msg[512];
	uint8_t *kbuf, *rbuf = NULL;
	int err;

	if (size < HDR)
		return 0;
	v.ram_base = (uint64_t)fuzz_u8(&in) * VMCFG_BLOCK;
	blocks = 2 + fuzz_u8(&in) % 64;
	flags = fuzz_u8(&in);
	page_sizes = fuzz_u8(&in) & (SEPTA_PAGES_4K | SEPTA_PAGES_16K | SEPTA_PAGES_64K);
	v.ram_size = blocks * VMCFG_BLOCK;
	/* The parser's guarantees: RAM clear of the GIC; load and entry in RAM
	 * below its last block; a shareable range away from both blocks. */
	if (v.ram_base < VPLAT_GICR + VPLAT_GICR_SIZE * VMCFG_MAX_CPUS &&
	    VPLAT_GICD < v.ram_base + v.ram_size)
		v.ram_base += 0x10000000;
	v.load_set = flags & 1;
	v.entry_set = flags & 2;
	v.load = v.ram_base +
		 (v.load_set ? fuzz_u32(&in) % (v.ram_size - VMCFG_BLOCK) : 0x80000);
	v.entry = v.entry_set
		      ? v.ram_base + (fuzz_u32(&in) % (v.ram_size - VMCFG_BLOCK) & ~3ULL)
		      : v.load;
	if (flags & 4) {
		v.share_base = v.ram_base + (fuzz_u32(&in) % v.ram_size & ~0xfffULL);
		v.share_size = (uint64_t)(fuzz_u16(&in) + 1) << 12;
		vmcfg_paged_blocks(&v, &lo, &hi);
		if (!inside(v.share_base, v.share_size, v.ram_base,
			    v.ram_base + v.ram_size) ||
		    (lo <= (v.load & ~(VMCFG_BLOCK - 1)) &&
		     (v.load & ~(VMCFG_BLOCK - 1)) < hi) ||
		    hi > v.ram_base + v.ram_size - VMCFG_BLOCK)
			v.share_base = v.share_size = 0;
	}
	in = fuzz_in(data + 16, size - 16);
	rd_len = fuzz_u32(&in);
	rd_len = rd_len <= size - HDR ? rd_len : 0;
	k.size = size - HDR - rd_len;
	/* Exact-size copies: ASan catches a read past either module. */
	kbuf = malloc(k.size ? k.size : 1);
	memcpy(kbuf, data + HDR, k.size);
	k.data = kbuf;
	if (rd_len || (flags & 8)) {
		rbuf = malloc(rd_len ? rd_len : 1);
		memcpy(rbuf, data + HDR + k.size, rd_len);
		rd.data = rbuf;
		rd.size = rd_len;
	}
	err = image_layout(&v, &k, rbuf ? &rd : NULL, page_sizes, &out, msg, sizeof(msg));
	FUZZ_CHECK(err <= IMAGE_OK && err >= IMAGE_E_PROPERTY);
	if (err != IMAGE_OK) {
		FUZZ_CHECK(memchr(msg, 0, sizeof(msg)) && msg[0]);
	} else {
		uint64_t ram_end = v.ram_base + v.ram_size;

		FUZZ_CHECK(out.dtb == ram_end - VMCFG_BLOCK);
		FUZZ_CHECK(out.nblobs <= IMAGE_MAX_SEGMENTS + 1);
		FUZZ_CHECK(out.entry >= v.ram_base && out.entry < out.dtb);
		FUZZ_CHECK(strcmp(image_format_name(out.format), "") != 0);
		if (out.format == IMAGE_ELF)
			FUZZ_CHECK(k.size >= 4 && !memcmp(kbuf,
							  "\x7f"
							  "ELF",
							  4));
		vmcfg_paged_blocks(&v, &lo, &hi);
		for (unsigned i = 0; i < out.nblobs; i++) {
			const struct image_blob *b = &out.blobs[i];

			FUZZ_CHECK(b->len > 0);
			FUZZ_CHECK(inside(b->ipa, b->len, v.ram_base, out.dtb));
			FUZZ_CHECK(in_module(b, &k) || (rbuf && in_module(b, &rd)));
			FUZZ_CHECK(!(b->ipa < hi && lo < b->ipa + b->len));
			for (unsigned j = 0; j < i; j++)
				FUZZ_CHECK(b->ipa >=
					       out.blobs[j].ipa + out.blobs[j].len ||
					   out.blobs[j].ipa >= b->ipa + b->len);
		}
		if (rbuf) {
			FUZZ_CHECK(out.initrd_end - out.initrd_start == rd.size);
			FUZZ_CHECK(out.initrd_start % VMCFG_BLOCK == 0);
			FUZZ_CHECK(
			    inside(out.initrd_start, rd.size, v.ram_base, out.dtb));
		} else {
			FUZZ_CHECK(out.initrd_start == 0 && out.initrd_end == 0);
		}
	}
	free(kbuf);
	free(rbuf);
	return 0;
}
