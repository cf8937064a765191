/*
 * The device tree vmsrv gives a guest: read back with libfdt, it must
 * describe exactly the VM's configuration.
 */
#include <libfdt.h>
#include <string.h>
#include "guestdt.h"
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

void suite_guestdt(void)
{
	CU_pSuite s = CU_add_suite("guestdt", NULL, NULL);

	CU_add_test(s, "the owner's tree", test_alpha);
	CU_add_test(s, "the borrower's tree", test_beta);
	CU_add_test(s, "a buffer too small", test_too_small);
}
