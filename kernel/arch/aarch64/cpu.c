/* What the boot CPU and its GIC are, for the banner and for later checks. */
#include <arch.h>
#include <plat.h>
#include "cpu.h"
#include "gic.h"
#include "sysreg.h"

#define PSCI_VERSION 0x84000000u

struct midr_name {
	uint32_t part;
	const char *name;
};

/* Arm Ltd. (implementer 0x41) primary part numbers. */
static const struct midr_name arm_parts[] = {
    {0xd03, "Cortex-A53"}, {0xd04, "Cortex-A35"}, {0xd05, "Cortex-A55"},
    {0xd07, "Cortex-A57"}, {0xd08, "Cortex-A72"}, {0xd09, "Cortex-A73"},
    {0xd0a, "Cortex-A75"}, {0xd0b, "Cortex-A76"}, {0xd0c, "Neoverse-N1"},
};

static const char *cpu_name(uint64_t midr)
{
	if (((midr >> 24) & 0xff) == 0x41)
		for (unsigned i = 0; i < ARRAY_SIZE(arm_parts); i++)
			if (arm_parts[i].part == ((midr >> 4) & 0xfff))
				return arm_parts[i].name;
	return "unknown CPU";
}

uint64_t arch_smc(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
{
	register uint64_t x0 __asm__("x0") = fn;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;

	__asm__ volatile("smc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) : : "memory");
	return x0;
}

static uint32_t mmio_read32(uint64_t addr)
{
	return *(volatile uint32_t *)(uintptr_t)addr;
}

static void probe_gic(struct arch_cpu_info *info)
{
	/* ID_AA64PFR0_EL1.GIC: the GICv3 system-register interface exists. */
	if (ID_PFR0_GIC(read_sysreg(id_aa64pfr0_el1)) != 0) {
		write_sysreg(ICC_SRE_EL2,
			     read_sysreg(ICC_SRE_EL2) | ICC_SRE_SRE | ICC_SRE_ENABLE);
		isb();
		info->gic_version = 3;
		info->vtr = read_sysreg(ICH_VTR_EL2);
		info->list_regs = ICH_VTR_LRS(info->vtr);
		return;
	}
	/* Without the system-register interface, ICPIDR2.ArchRev (in the last
	 * words of GICv2's 4 KiB distributor) says whether it is a GICv2. */
	if (GICD_ICPIDR2_REV(mmio_read32(plat.gicd_base + GICD_ICPIDR2)) == 2) {
		info->gic_version = 2;
		info->vtr = mmio_read32(plat.gich_base + GICH_VTR);
		info->list_regs = GICH_VTR_LRS(info->vtr);
	}
}

void arch_cpu_probe(struct arch_cpu_info *info)
{
	uint64_t mmfr1 = read_sysreg(id_aa64mmfr1_el1);

	info->midr = read_sysreg(midr_el1);
	info->mpidr = read_sysreg(mpidr_el1);
	info->cpu_name = cpu_name(info->midr);
	info->pa_bits = parange_bits(read_sysreg(id_aa64mmfr0_el1));
	info->vmid_bits = ((mmfr1 >> 4) & 0xf) == 2 ? 16 : 8;
	info->gic_version = 0;
	info->list_regs = 0;
	info->vtr = 0;
	probe_gic(info);
	info->psci_version = (uint32_t)arch_smc(PSCI_VERSION, 0, 0, 0);
}
