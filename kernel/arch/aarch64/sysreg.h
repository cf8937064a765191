/* System-register access and the bit fields the kernel uses (Arm ARM, ARMv8.0). */
#pragma once
#include <types.h>
#include <septa/fault.h>

#define read_sysreg(r)                                                                   \
	({                                                                               \
		uint64_t __v;                                                            \
		__asm__ volatile("mrs %0, " #r : "=r"(__v));                             \
		__v;                                                                     \
	})
#define write_sysreg(r, v) __asm__ volatile("msr " #r ", %0" ::"r"((uint64_t)(v)))
/* GICv3 registers by encoding, so that the assembler needs no GIC support. */
#define ICC_SRE_EL2    S3_4_C12_C9_5
#define ICC_SRE_SRE    BIT(0) /* the system-register interface at EL2 */
#define ICC_SRE_ENABLE BIT(3) /* and EL1 may use it */
#define ICH_VTR_EL2    S3_4_C12_C11_1
#define isb()	       __asm__ volatile("isb" ::: "memory")
#define dsb(opt)       __asm__ volatile("dsb " #opt ::: "memory")

/* HCR_EL2 */
#define HCR_VM	   BIT(0)
#define HCR_SWIO   BIT(1)
#define HCR_FMO	   BIT(3)
#define HCR_IMO	   BIT(4)
#define HCR_AMO	   BIT(5)
#define HCR_FB	   BIT(9)  /* TLB and cache maintenance broadcast */
#define HCR_BSU_IS BIT(10) /* barriers inner shareable (BSU = 01) */
#define HCR_DC	   BIT(12)
#define HCR_TWI	   BIT(13) /* WFI traps */
#define HCR_TWE	   BIT(14) /* WFE traps */
#define HCR_TID3   BIT(18)
#define HCR_TSC	   BIT(19)
#define HCR_TIDCP  BIT(20)
#define HCR_TACR   BIT(21)
#define HCR_TSW	   BIT(22)
#define HCR_TGE	   BIT(27)
#define HCR_RW	   BIT(31)
/* Native threads: EL1&0 stage 1 off with normal cacheable memory (DC),
 * their exceptions and interrupts to EL2 (TGE), stage 2 on. */
#define HCR_NATIVE (HCR_VM | HCR_DC | HCR_TGE | HCR_RW)
/* Guests: stage 2, AArch64 EL1, physical interrupts to EL2; WFI and WFE,
 * SMC, set/way maintenance, auxiliary control, implementation-defined and
 * ID registers trapped (the kernel answers ID reads with sanitised values,
 * and blocks a waiting vCPU instead of letting it hold the CPU); TLB and
 * barrier broadcasts inner shareable. */
#define HCR_GUEST                                                                        \
	(HCR_VM | HCR_SWIO | HCR_FMO | HCR_IMO | HCR_AMO | HCR_FB | HCR_BSU_IS |         \
	 HCR_TWI | HCR_TWE | HCR_TSC | HCR_TIDCP | HCR_TACR | HCR_TSW | HCR_TID3 |       \
	 HCR_RW)

/* MDCR_EL2: PMU and debug registers trap (TPMCR, TPM, TDA, TDOSA, TDRA);
 * HPMN, the counters EL1 may see, is kept as firmware left it. */
#define MDCR_HPMN_MASK 0x1fULL
#define MDCR_TPMCR     BIT(5)
#define MDCR_TPM       BIT(6)
#define MDCR_TDA       BIT(9)
#define MDCR_TDOSA     BIT(10)
#define MDCR_TDRA      BIT(11)
#define MDCR_TRAPS     (MDCR_TPMCR | MDCR_TPM | MDCR_TDA | MDCR_TDOSA | MDCR_TDRA)

/* CPTR_EL2 */
#define CPTR_EL2_RES1 0x33ffULL
#define CPTR_EL2_TFP  BIT(10) /* trap FP/SIMD to EL2 */

/* TCR_EL2 and VTCR_EL2 (which share these fields): 4 KiB granule, tables
 * walked write-back cacheable, inner shareable; PS from the CPU. */
#define TCR_T0SZ(ia_bits) (64ULL - (ia_bits))
#define TCR_IRGN0_WBWA	  (1ULL << 8)
#define TCR_ORGN0_WBWA	  (1ULL << 10)
#define TCR_SH0_INNER	  (3ULL << 12)
#define TCR_PS_SHIFT	  16
#define TCR_PS_MASK	  7ULL /* 3 bits: PARange values up to 52 bits */
#define TCR_EL2_RES1	  (BIT(23) | BIT(31))
#define VTCR_SL0_SHIFT	  6
#define VTCR_RES1	  BIT(31)

/* VTTBR_EL2 */
#define VTTBR_VMID_SHIFT 48

/* HPFAR_EL2.FIPA: the faulting IPA's page (bits 47:12 at 39:4) */
#define HPFAR_PAGE(hpfar) (((hpfar) >> 4) << 12)

/* CNTV_CTL_EL0 (and the other timers' CTL) */
#define CNT_CTL_ENABLE	BIT(0)
#define CNT_CTL_IMASK	BIT(1)
#define CNT_CTL_ISTATUS BIT(2)

/* CNTKCTL_EL1 */
#define CNTKCTL_EL0VCTEN BIT(1) /* EL0 may read the virtual counter */

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

/* SCTLR_EL1's data endianness: of EL1, of EL0 (1: big-endian). */
#define SCTLR_EL1_EE  BIT(25)
#define SCTLR_EL1_E0E BIT(24)
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

/* ISS of a data or instruction abort */
#define ISS_ISV		BIT(24) /* the fields below up to SF describe the access */
#define ISS_SAS(esr)	(((esr) >> 22) & 3) /* log2 of the size */
#define ISS_SSE		BIT(21)
#define ISS_SRT(esr)	((unsigned)((esr) >> 16) & 0x1f)
#define ISS_SF		BIT(15)
#define ISS_WNR		BIT(6)
#define ISS_FSC(esr)	((esr)&0x3f)
#define FSC_TYPE(fsc)	((fsc) >> 2) /* the kind, the low two bits are the level */
#define FSC_TRANSLATION 1
#define FSC_ACCESS_FLAG 2
#define FSC_PERMISSION	3
#define FSC_SEA		0x10 /* synchronous external abort, not on a table walk */

/* ISS of a trapped MSR/MRS (EC_SYSREG) */
#define ISS_SYS_OP0(esr) (((esr) >> 20) & 3)
#define ISS_SYS_OP2(esr) (((esr) >> 17) & 7)
#define ISS_SYS_OP1(esr) (((esr) >> 14) & 7)
#define ISS_SYS_CRN(esr) (((esr) >> 10) & 0xf)
#define ISS_SYS_RT(esr)	 ((unsigned)((esr) >> 5) & 0x1f)
#define ISS_SYS_CRM(esr) (((esr) >> 1) & 0xf)
#define ISS_SYS_READ	 BIT(0) /* MRS */

/* ISS of a trapped WFI or WFE (EC_WFX): TI, bit 1 of which (WFIT/WFET,
 * ARMv8.7) guests do not have. */
#define ISS_WFX_WFE BIT(0)

/* The set/way data-cache operations, as trapped by HCR_EL2.TSW (op0 1). */
#define SYS_DC_ISW  SEPTA_SYSREG_ENC(1, 0, 7, 6, 2)
#define SYS_DC_CSW  SEPTA_SYSREG_ENC(1, 0, 7, 10, 2)
#define SYS_DC_CISW SEPTA_SYSREG_ENC(1, 0, 7, 14, 2)

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
#define SPSR_M(spsr)	 ((spsr)&0xf) /* M[3:0] */
#define SPSR_EL0t	 0x0
#define SPSR_EL1t	 0x4
#define SPSR_EL1h	 0x5
#define SPSR_DAIF	 (0xfULL << 6)
#define SPSR_AARCH32	 BIT(4) /* M[4]: taken from AArch32 (a guest's EL0) */
#define SPSR_A32_E	 BIT(9) /* AArch32 PSTATE.E: data big-endian */
#define SPSR_IT_LO_SHIFT 25	/* AArch32 IT[1:0] */
#define SPSR_IT_HI_SHIFT 10	/* AArch32 IT[7:2] */

/* The AArch64 ID registers a guest's reads of which trap (HCR_EL2.TID3):
 * op0 3, op1 0, CRn 0, CRm 1-7 (CRm 1-3 are AArch32's; CRm 0, MIDR and
 * MPIDR, reads the virtual values without a trap). */
#define ID_REG_SPACE		SEPTA_SYSREG_ENC(3, 0, 0, 0, 0)
#define ID_REG_CRM_OP2		0x3fULL /* CRm 0-7 and op2 of SEPTA_SYSREG_ENC */
#define ID_AA64PFR0		SEPTA_SYSREG_ENC(3, 0, 0, 4, 0)
#define ID_AA64PFR1		SEPTA_SYSREG_ENC(3, 0, 0, 4, 1)
#define ID_AA64DFR0		SEPTA_SYSREG_ENC(3, 0, 0, 5, 0)
#define ID_AA64ISAR0		SEPTA_SYSREG_ENC(3, 0, 0, 6, 0)
#define ID_AA64ISAR1		SEPTA_SYSREG_ENC(3, 0, 0, 6, 1)
#define ID_AA64MMFR0		SEPTA_SYSREG_ENC(3, 0, 0, 7, 0)
#define ID_AA64MMFR1		SEPTA_SYSREG_ENC(3, 0, 0, 7, 1)
#define ID_AA64MMFR2		SEPTA_SYSREG_ENC(3, 0, 0, 7, 2)
#define ID_PFR0_GIC(pfr0)	(((pfr0) >> 24) & 0xf)
#define ID_PFR0_SVE		(0xfULL << 32)
#define ID_PFR0_AMU		(0xfULL << 44)
#define ID_DFR0_PMUVER		(0xfULL << 8)
#define ID_MMFR0_PARANGE(mmfr0) ((mmfr0)&0xf)
#define ID_MMFR0_TGRAN16(mmfr0) (((mmfr0) >> 20) & 0xf) /* 0: none */
#define ID_MMFR0_TGRAN64(mmfr0) (((mmfr0) >> 24) & 0xf) /* 0xf: none */
#define ID_MMFR0_TGRAN4(mmfr0)	(((mmfr0) >> 28) & 0xf) /* 0xf: none */

#define MPIDR_RES1 BIT(31)

/* ID_AA64MMFR0_EL1.PARange encodings to bits */
static inline unsigned parange_bits(uint64_t mmfr0)
{
	static const unsigned bits[] = {32, 36, 40, 42, 44, 48, 52};
	unsigned f = ID_MMFR0_PARANGE(mmfr0);

	return f < ARRAY_SIZE(bits) ? bits[f] : 48;
}
