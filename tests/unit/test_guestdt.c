/*
 * The device tree vmsrv gives a guest: read back with libfdt, it must
 * describe exactly the VM's configuration.
 */
#define _POSIX_C_SOURCE 200809L /* popen, mkstemp */
#include <libfdt.h>
#include <septa/abi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "guestdt.h"
#include "seed.h"
#include "tests.h"

static struct vmcfg cfg;
static uint8_t dt[GUESTDT_MAX];

static void two_vms(void)
{
	memset(&cfg, 0, sizeof(cfg));
	cfg.nvms = 2;
	cfg.vms[0] = (struct vmcfg_vm){.id = 1,
				       .name = "alpha",
				       .ram_base = 0x40000000,
				       .ram_size = 0x2000000,
				       .cpus = 2,
				       .uart_base = 0x09000000,
				       .uart_spi = 1,
				       .share_base = 0x40400000,
				       .share_size = 0x10000,
				       .nregions = 1};
	strcpy(cfg.vms[0].bootargs, "quiet");
	cfg.vms[0].regions[0] =
	    (struct vmcfg_region){2, 0x50000000, 0x60000000, 0x2000, 3};
	cfg.vms[1] = (struct vmcfg_vm){.id = 2,
				       .name = "beta",
				       .ram_base = 0x80000000,
				       .ram_size = 0x400000,
				       .cpus = 1,
				       .uart_base = 0x09100000,
				       .uart_spi = 7};
}

static uint64_t cell64(const fdt32_t *p, int i)
{
	return (uint64_t)fdt32_to_cpu(p[2 * i]) << 32 | fdt32_to_cpu(p[2 * i + 1]);
}

static const fdt32_t *prop(const char *path, const char *name, int *len)
{
	int node = fdt_path_offset(dt, path);

	CU_ASSERT(node >= 0);
	return node < 0 ? NULL : fdt_getprop(dt, node, name, len);
}

static void test_alpha(void)
{
	struct guestdt_extra x = {
	    .initrd_start = 0x40800000, .initrd_end = 0x40900000, .gic_version = 3};
	const fdt32_t *p;
	int len, n = 0, node;

	two_vms();
	CU_ASSERT_FATAL(guestdt_build(&cfg, &cfg.vms[0], &x, dt, sizeof(dt)) > 0);
	CU_ASSERT_EQUAL(fdt_check_header(dt), 0);
	p = prop("/memory@40000000", "reg", &len);
	CU_ASSERT_FATAL(p && len == 16);
	CU_ASSERT_EQUAL(cell64(p, 0), 0x40000000);
	CU_ASSERT_EQUAL(cell64(p, 1), 0x2000000);
	fdt_for_each_subnode(node, dt, fdt_path_offset(dt, "/cpus"))
	{
		CU_ASSERT_STRING_EQUAL(fdt_getprop(dt, node, "enable-method", NULL),
				       "psci");
		n++;
	}
	CU_ASSERT_EQUAL(n, 2);
	CU_ASSERT_STRING_EQUAL((const char *)prop("/psci", "method", NULL), "hvc");
	p = prop("/interrupt-controller@8000000", "reg", &len);
	CU_ASSERT_FATAL(p && len == 32);
	CU_ASSERT_EQUAL(cell64(p, 0), VPLAT_GICD);
	CU_ASSERT_EQUAL(cell64(p, 2), VPLAT_GICR);
	CU_ASSERT_EQUAL(cell64(p, 3), 2 * VPLAT_GICR_SIZE); /* one per vCPU */
	p = prop("/pl011@9000000", "interrupts", &len);
	CU_ASSERT_FATAL(p && len == 12);
	CU_ASSERT_EQUAL(fdt32_to_cpu(p[0]), 0);
	CU_ASSERT_EQUAL(fdt32_to_cpu(p[1]), 1);
	CU_ASSERT_STRING_EQUAL((const char *)prop("/chosen", "stdout-path", NULL),
			       "/pl011@9000000");
	CU_ASSERT_STRING_EQUAL((const char *)prop("/chosen", "bootargs", NULL), "quiet");
	p = prop("/chosen", "linux,initrd-end", &len);
	CU_ASSERT_FATAL(p && len == 8);
	CU_ASSERT_EQUAL(cell64(p, 0), 0x40900000);
	p = prop("/hypervisor", "septa,vm-id", &len);
	CU_ASSERT_FATAL(p && len == 4);
	CU_ASSERT_EQUAL(fdt32_to_cpu(p[0]), 1);
	p = prop("/hypervisor", "interrupts", &len);
	CU_ASSERT_FATAL(p && len == 12);
	CU_ASSERT_EQUAL(fdt32_to_cpu(p[1]) + 32, VPLAT_DOORBELL);
	CU_ASSERT_STRING_EQUAL(
	    (const char *)prop("/hypervisor/region@50000000", "septa,role", NULL),
	    "owner");
	CU_ASSERT_STRING_EQUAL(
	    (const char *)prop("/hypervisor/region@50000000", "septa,peer", NULL),
	    "beta");
}

/* beta sees only its own hardware: one CPU, its UART, the region as borrower. */
static void test_beta(void)
{
	struct guestdt_extra x = {.gic_version = 3};
	int len, n = 0, node;

	two_vms();
	CU_ASSERT_FATAL(guestdt_build(&cfg, &cfg.vms[1], &x, dt, sizeof(dt)) > 0);
	fdt_for_each_subnode(node, dt, fdt_path_offset(dt, "/cpus")) n++;
	CU_ASSERT_EQUAL(n, 1);
	CU_ASSERT(fdt_path_offset(dt, "/memory@80000000") >= 0);
	CU_ASSERT(fdt_path_offset(dt, "/memory@40000000") < 0);
	CU_ASSERT(fdt_path_offset(dt, "/pl011@9100000") >= 0);
	CU_ASSERT(fdt_path_offset(dt, "/pl011@9000000") < 0);
	CU_ASSERT_PTR_NULL(prop("/chosen", "linux,initrd-start", &len));
	CU_ASSERT_PTR_NULL(prop("/hypervisor", "septa,shareable", &len));
	CU_ASSERT_STRING_EQUAL(
	    (const char *)prop("/hypervisor/region@60000000", "septa,role", NULL),
	    "borrower");
}

static void test_too_small(void)
{
	struct guestdt_extra x = {.gic_version = 3};

	two_vms();
	CU_ASSERT_EQUAL(guestdt_build(&cfg, &cfg.vms[0], &x, dt, 256), -FDT_ERR_NOSPACE);
}

/* /chosen: the configuration's bootargs then the machine's; the seeds;
 * /hypervisor: the resets so far. */
static void test_chosen(void)
{
	struct guestdt_extra x = {
	    .gic_version = 3, .more_bootargs = "septa.batch", .resets = 2};
	const uint8_t *b;
	const fdt32_t *p;
	int len;

	for (unsigned i = 0; i < sizeof(x.seed); i++)
		x.seed[i] = (uint8_t)(i + 1);
	two_vms();
	CU_ASSERT_FATAL(guestdt_build(&cfg, &cfg.vms[0], &x, dt, sizeof(dt)) > 0);
	CU_ASSERT_STRING_EQUAL((const char *)prop("/chosen", "bootargs", NULL),
			       "quiet septa.batch");
	b = (const uint8_t *)prop("/chosen", "kaslr-seed", &len);
	CU_ASSERT_FATAL(b && len == GUESTDT_KASLR_SEED);
	CU_ASSERT_EQUAL(memcmp(b, x.seed, GUESTDT_KASLR_SEED), 0);
	b = (const uint8_t *)prop("/chosen", "rng-seed", &len);
	CU_ASSERT_FATAL(b && len == GUESTDT_RNG_SEED);
	CU_ASSERT_EQUAL(memcmp(b, x.seed + GUESTDT_KASLR_SEED, GUESTDT_RNG_SEED), 0);
	p = prop("/hypervisor", "septa,resets", &len);
	CU_ASSERT_FATAL(p && len == 4);
	CU_ASSERT_EQUAL(fdt32_to_cpu(p[0]), 2);
	/* beta has no bootargs of its own: no leading space. */
	CU_ASSERT_FATAL(guestdt_build(&cfg, &cfg.vms[1], &x, dt, sizeof(dt)) > 0);
	CU_ASSERT_STRING_EQUAL((const char *)prop("/chosen", "bootargs", NULL),
			       "septa.batch");
}

/* The longest bootargs the configuration and the kernel let through, one
 * after the other, reach the guest whole. */
static void test_longest_bootargs(void)
{
	char more[SEPTA_BOOTARGS_LEN], want[VMCFG_ARGS_LEN + SEPTA_BOOTARGS_LEN];
	struct guestdt_extra x = {.gic_version = 3, .more_bootargs = more};

	two_vms();
	memset(cfg.vms[0].bootargs, 'c', VMCFG_ARGS_LEN - 1);
	cfg.vms[0].bootargs[VMCFG_ARGS_LEN - 1] = 0;
	memset(more, 'm', sizeof(more) - 1);
	more[sizeof(more) - 1] = 0;
	snprintf(want, sizeof(want), "%s %s", cfg.vms[0].bootargs, more);
	CU_ASSERT_FATAL(guestdt_build(&cfg, &cfg.vms[0], &x, dt, sizeof(dt)) > 0);
	CU_ASSERT_STRING_EQUAL((const char *)prop("/chosen", "bootargs", NULL), want);
}

/* The largest tree a configuration can ask for fits GUESTDT_MAX: vmsrv
 * builds it only at boot, after the configuration was accepted. VM 1 has
 * the most vCPUs and bootargs, four regions of its own and every other
 * VM's four, with the longest names. */
static void test_largest(void)
{
	char more[SEPTA_BOOTARGS_LEN];
	struct guestdt_extra x = {.gic_version = 3, .more_bootargs = more};
	int size;

	memset(&cfg, 0, sizeof(cfg));
	cfg.nvms = VMCFG_MAX_VMS;
	for (unsigned i = 0; i < VMCFG_MAX_VMS; i++) {
		struct vmcfg_vm *v = &cfg.vms[i];

		*v = (struct vmcfg_vm){.id = i + 1,
				       .ram_base = 0x40000000,
				       .ram_size = 0x400000,
				       .cpus = VMCFG_MAX_CPUS,
				       .uart_base = 0x09000000,
				       .share_base = 0x40200000,
				       .share_size = 0x1000,
				       .nregions = VMCFG_MAX_REGIONS};
		snprintf(v->name, sizeof(v->name), "fifteen-chars-%u", i);
		memset(v->bootargs, 'a', VMCFG_ARGS_LEN - 1);
		for (unsigned r = 0; r < VMCFG_MAX_REGIONS; r++)
			v->regions[r] = (struct vmcfg_region){
			    i ? 1 : 2, 0xffffffff000ULL - (i * 8 + r) * 0x1000000000ULL,
			    0xfffffffff000ULL - (i * 8 + r) * 0x1000000000ULL, 0x1000, 3};
	}
	memset(more, 'm', sizeof(more) - 1);
	more[sizeof(more) - 1] = 0;
	size = guestdt_build(&cfg, &cfg.vms[0], &x, dt, sizeof(dt));
	CU_ASSERT(size > 0); /* 5,846 bytes when written */
}

/* dtc reads each tree back without a warning (it warns on stderr). */
static void test_dtc_clean(void)
{
	struct guestdt_extra x = {
	    .initrd_start = 0x40800000, .initrd_end = 0x40900000, .gic_version = 3};
	char path[] = "/tmp/guestdt-XXXXXX", cmd[128], out[4096];

	two_vms();
	for (unsigned v = 0; v < 2; v++) {
		int size = guestdt_build(&cfg, &cfg.vms[v], &x, dt, sizeof(dt)), fd;
		FILE *f;
		size_t n;

		CU_ASSERT_FATAL(size > 0);
		strcpy(path, "/tmp/guestdt-XXXXXX");
		fd = mkstemp(path);
		CU_ASSERT_FATAL(fd >= 0);
		f = fdopen(fd, "wb");
		CU_ASSERT_FATAL(f && fwrite(dt, 1, (size_t)size, f) == (size_t)size);
		fclose(f);
		snprintf(cmd, sizeof(cmd), "dtc -I dtb -O dts -o /dev/null %s 2>&1",
			 path);
		f = popen(cmd, "r");
		CU_ASSERT_FATAL(f != NULL);
		n = fread(out, 1, sizeof(out) - 1, f);
		out[n] = 0;
		CU_ASSERT_EQUAL(pclose(f), 0);
		if (n)
			printf("\ndtc on vm %u's tree: %s", v + 1, out);
		CU_ASSERT_EQUAL(n, 0);
		remove(path);
	}
}

/* RFC 8439 section 2.3.2's test vector, then one block per VM boot. */
static void test_seeds(void)
{
	static const uint8_t want[SEED_BLOCK_LEN] = {
	    0x10, 0xf1, 0xe7, 0xe4, 0xd1, 0x3b, 0x59, 0x15, 0x50, 0x0f, 0xdd, 0x1f, 0xa3,
	    0x20, 0x71, 0xc4, 0xc7, 0xd1, 0xf4, 0xc7, 0x33, 0xc0, 0x68, 0x03, 0x04, 0x22,
	    0xaa, 0x9a, 0xc3, 0xd4, 0x6c, 0x4e, 0xd2, 0x82, 0x64, 0x46, 0x07, 0x9f, 0xaa,
	    0x09, 0x14, 0xc2, 0xd7, 0x05, 0xd9, 0x8b, 0x02, 0xa2, 0xb5, 0x12, 0x9c, 0xd1,
	    0xde, 0x16, 0x4e, 0xb9, 0xcb, 0xd0, 0x83, 0xe8, 0xa2, 0x50, 0x3c, 0x4e};
	static const uint8_t nonce[12] = {0, 0, 0, 9, 0, 0, 0, 0x4a, 0, 0, 0, 0};
	uint8_t key[SEED_KEY_LEN], entropy[40], a[SEED_BLOCK_LEN], b[SEED_BLOCK_LEN];

	for (unsigned i = 0; i < SEED_KEY_LEN; i++)
		key[i] = (uint8_t)i;
	seed_chacha20_block(key, 1, nonce, a);
	CU_ASSERT_EQUAL(memcmp(a, want, sizeof(want)), 0);
	/* Entropy longer than the key folds in; every byte counts. */
	memset(entropy, 0, sizeof(entropy));
	entropy[35] = 1;
	seed_key(entropy, sizeof(entropy), key);
	CU_ASSERT_EQUAL(key[3], 1);
	seed_for_boot(key, 1, 0, a);
	seed_for_boot(key, 2, 0, b);
	CU_ASSERT_NOT_EQUAL(memcmp(a, b, sizeof(a)), 0);
	seed_for_boot(key, 1, 1, b);
	CU_ASSERT_NOT_EQUAL(memcmp(a, b, sizeof(a)), 0);
	seed_for_boot(key, 1, 0, b);
	CU_ASSERT_EQUAL(memcmp(a, b, sizeof(a)), 0);
}

void suite_guestdt(void)
{
	CU_pSuite s = CU_add_suite("guestdt", NULL, NULL);

	CU_add_test(s, "the owner's tree", test_alpha);
	CU_add_test(s, "the borrower's tree", test_beta);
	CU_add_test(s, "a buffer too small", test_too_small);
	CU_add_test(s, "bootargs, seeds and resets", test_chosen);
	CU_add_test(s, "the longest bootargs, whole", test_longest_bootargs);
	CU_add_test(s, "the largest tree fits", test_largest);
	CU_add_test(s, "dtc reads it back without warnings", test_dtc_clean);
	CU_add_test(s, "seeds: ChaCha20, one block per boot", test_seeds);
}
