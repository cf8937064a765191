/* System-register access and the bit fields the kernel uses (Arm ARM, ARMv8.0). */
#pragma once
#include <types.h>

#define read_sysreg(r)                                                                   \
	({                                                                               \
		uint64_t __v;                                                            \
		__asm__ volatile("mrs %0, " #r : "=r"(__v));                             \
		__v;                                                                     \
	})
#define write_sysreg(r, v) __asm__ volatile("msr " #r ", %0" ::"r"((uint64_t)(v)))
/* GICv3 registers by encoding, so that the assembler needs no GIC support. */
#define ICC_SRE_EL2 S3_4_C12_C9_5
#define ICH_VTR_EL2 S3_4_C12_C11_1
#define isb()	    __asm__ volatile("isb" ::: "memory")
#define dsb(opt)    __asm__ volatile("dsb " #opt ::: "memory")

/* HCR_EL2 */
#define HCR_VM	 BIT(0)
#define HCR_SWIO BIT(1)
#define HCR_FMO	 BIT(3)
#define HCR_IMO	 BIT(4)
#define HCR_AMO	 BIT(5)
#define HCR_DC	 BIT(12)
#define HCR_TSC	 BIT(19)
#define HCR_TGE	 BIT(27)
#define HCR_RW	 BIT(31)

/* SCTLR_EL2 */
#define SCTLR_EL2_M   BIT(0)
#define SCTLR_EL2_A   BIT(1)
#define SCTLR_EL2_C   BIT(2)
#define SCTLR_EL2_SA  BIT(3)
#define SCTLR_EL2_I   BIT(12)
#define SCTLR_EL2_WXN BIT(19)
#define SCTLR_EL2_RES1                                                                   \
	(BIT(4) | BIT(5) | BIT(11) | BIT(16) | BIT(18) | BIT(22) | BIT(23) | BIT(28) |   \
	 BIT(29))

/* SCTLR_EL1 as EL0 threads see it: stage 1 off, cache and DC ZVA usable. */
#define SCTLR_EL1_RES1 (BIT(11) | BIT(20) | BIT(22) | BIT(23) | BIT(28) | BIT(29))
#define SCTLR_EL1_DZE  BIT(14)
#define SCTLR_EL1_UCT  BIT(15)
#define SCTLR_EL1_UCI  BIT(26)

#define CPACR_EL1_FPEN (3ULL << 20)

/* ESR_ELx */
#define ESR_EC_SHIFT 26
#define ESR_EC(esr)  (((esr) >> ESR_EC_SHIFT) & 0x3f)
#define ESR_IL	     BIT(25)
#define ESR_ISS(esr) ((esr)&0x1ffffff)

#define EC_UNKNOWN  0x00
#define EC_WFX	    0x01
#define EC_FP	    0x07
#define EC_ILLEGAL  0x0e
#define EC_SVC64    0x15
#define EC_HVC64    0x16
#define EC_SMC64    0x17
#define EC_SYSREG   0x18
#define EC_IABT_LOW 0x20
#define EC_IABT_CUR 0x21
#define EC_PC_ALIGN 0x22
#define EC_DABT_LOW 0x24
#define EC_DABT_CUR 0x25
#define EC_SP_ALIGN 0x26
#define EC_SERROR   0x2f
#define EC_BRK64    0x3c
#define EC_MAX	    0x3f

/* SPSR_EL2 mode fields */
#define SPSR_EL0t 0x0
#define SPSR_DAIF (0xfULL << 6)

/* ID_AA64MMFR0_EL1.PARange encodings to bits */
static inline unsigned parange_bits(uint64_t mmfr0)
{
	static const unsigned bits[] = {32, 36, 40, 42, 44, 48, 52};
	unsigned f = mmfr0 & 0xf;

	return f < ARRAY_SIZE(bits) ? bits[f] : 48;
}
