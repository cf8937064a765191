/*
 * Fault messages: what a thread's fault endpoint receives when the thread
 * takes an exception that is not a system call, and what the handler's
 * Reply does. The kernel decodes the exception once, into the fields
 * below; handlers read them by name and need not know the ESR's layout.
 * docs/ipc-api.md ("Faults") describes them in prose.
 */
#pragma once
#include <stdint.h>

/* Labels of the fault messages. MR0 is the faulting PC in every message
 * but HVC/SMC's. */
enum septa_fault {
	SEPTA_FAULT_ABORT = 1,		 /* a stage-2 abort: enum septa_abort_mr */
	SEPTA_FAULT_UNKNOWN_SYSCALL = 2, /* enum septa_badcall_mr */
	SEPTA_FAULT_EXCEPTION = 3,	 /* anything else: enum septa_exception_mr */
	/* Guests (threads bound to a VCPU). */
	SEPTA_FAULT_HVC = 4, /* MR i = x_i, SEPTA_HVC_LEN of them */
	SEPTA_FAULT_SMC = 5, /* as HVC */
	/* A trapped system register, a guest's or a native thread's (e.g.
	 * CNTPCT_EL0 at EL0): enum septa_sysreg_mr */
	SEPTA_FAULT_SYSREG = 6,
};

/* A load, store or instruction fetch that stage 2 stopped (or that hit
 * nothing), from a guest or a native thread. */
enum septa_abort_mr {
	SEPTA_ABORT_PC = 0,
	SEPTA_ABORT_IPA = 1,	/* the faulting intermediate physical address */
	SEPTA_ABORT_ACCESS = 2, /* SEPTA_ACCESS_* fields */
	SEPTA_ABORT_VALUE = 3,	/* a described write: the value stored, at its size */
	SEPTA_ABORT_FAR = 4,	/* the virtual address (a native thread's is its IPA) */
	SEPTA_ABORT_ESR = 5,	/* the raw syndrome (ESR_EL2), for what is not decoded */
	SEPTA_ABORT_LEN = 6,
};

/* A guest's MRS or MSR of a register the kernel traps and does not answer
 * itself (PMU, debug, ACTLR, implementation-defined, ICC_SGI1R_EL1, ...;
 * ID registers and set/way operations the kernel handles); it reads as an
 * 8-byte access of register ID. */
enum septa_sysreg_mr {
	SEPTA_SYSREG_PC = 0,
	SEPTA_SYSREG_ID = 1,	 /* SEPTA_SYSREG_ENC of the register */
	SEPTA_SYSREG_ACCESS = 2, /* as an abort's: read or write, always described */
	SEPTA_SYSREG_VALUE = 3,	 /* a write: the value written */
	SEPTA_SYSREG_ESR = 4,
	SEPTA_SYSREG_LEN = 5,
};
#define SEPTA_SYSREG_ENC(op0, op1, crn, crm, op2)                                        \
	((uint64_t)(op0) << 14 | (uint64_t)(op1) << 11 | (uint64_t)(crn) << 7 |          \
	 (uint64_t)(crm) << 3 | (uint64_t)(op2))

enum septa_exception_mr {
	SEPTA_EXCEPTION_PC = 0,
	SEPTA_EXCEPTION_SP = 1,
	SEPTA_EXCEPTION_CLASS = 2, /* ESR_EL2.EC, as the Arm ARM numbers them */
	SEPTA_EXCEPTION_ESR = 3,
	SEPTA_EXCEPTION_LEN = 4,
};

enum septa_badcall_mr {
	SEPTA_BADCALL_PC = 0,
	SEPTA_BADCALL_SP = 1,
	SEPTA_BADCALL_NUMBER = 2, /* x7 */
	SEPTA_BADCALL_X0 = 3,
	SEPTA_BADCALL_LEN = 4,
};

#define SEPTA_HVC_LEN 8u

/*
 * The access word of an abort or a system-register trap. The size, the
 * register, sign extension and the value are known only when the syndrome
 * describes the access (SEPTA_ACCESS_VALID): an instruction fetch, a load
 * pair or a post-indexed store is not described, and cannot be emulated.
 */
#define SEPTA_ACCESS_READ	 0u
#define SEPTA_ACCESS_WRITE	 1u
#define SEPTA_ACCESS_FETCH	 2u
#define SEPTA_ACCESS_KIND(a)	 ((unsigned)(a)&3u)
#define SEPTA_ACCESS_VALID	 (1u << 2)
#define SEPTA_ACCESS_SIGNED	 (1u << 3) /* a load that sign-extends */
#define SEPTA_ACCESS_WIDE	 (1u << 4) /* into an X register, not a W */
#define SEPTA_ACCESS_SIZE_SHIFT	 5	   /* log2 of the size in bytes, 2 bits */
#define SEPTA_ACCESS_SIZE(a)	 (1u << (((a) >> SEPTA_ACCESS_SIZE_SHIFT) & 3u))
#define SEPTA_ACCESS_REG_SHIFT	 7 /* 5 bits; 31 is the zero register */
#define SEPTA_ACCESS_REG(a)	 ((unsigned)((a) >> SEPTA_ACCESS_REG_SHIFT) & 0x1fu)
#define SEPTA_ACCESS_CAUSE_SHIFT 12 /* 2 bits, an abort's only */
#define SEPTA_ACCESS_CAUSE(a)	 ((unsigned)((a) >> SEPTA_ACCESS_CAUSE_SHIFT) & 3u)
#define SEPTA_CAUSE_TRANSLATION	 0u /* nothing mapped */
#define SEPTA_CAUSE_ACCESS_FLAG	 1u
#define SEPTA_CAUSE_PERMISSION	 2u /* mapped without the right */
#define SEPTA_CAUSE_OTHER	 3u /* e.g. an external abort: see the ESR */
/* From a guest's EL0 in AArch32 state; and by a 16-bit (T32) instruction. */
#define SEPTA_ACCESS_AARCH32 (1u << 14)
#define SEPTA_ACCESS_SHORT   (1u << 15)
/* A described access made big-endian (SCTLR_EL1.EE at EL1, E0E at EL0,
 * PSTATE.E in AArch32): its bytes in memory are VALUE's (the register's)
 * in reverse order. A SEPTA_REPLY_STORE writes them so; a handler that
 * emulates the access itself orders them so. */
#define SEPTA_ACCESS_BIG_ENDIAN (1u << 16)

/*
 * Reply labels to a fault. 0 resumes: after an abort or a system-register
 * trap the handler has performed the access (a described read gets MR
 * SEPTA_REPLY_VALUE in its register, zero if the reply is shorter; a load
 * narrower than its register is zero- or sign-extended, as the access word
 * says, into a W or an X) and the instruction is stepped over
 * (an abort without SEPTA_ACCESS_VALID: the thread stays stopped, E_ARG);
 * after HVC/SMC the reply's MRs become x0.. (an SMC is stepped over too);
 * after anything else the thread goes on at MR SEPTA_REPLY_PC, with MR
 * SEPTA_REPLY_SP as its stack pointer, as far as the reply has them.
 * SEPTA_REPLY_RETRY resumes at the faulting instruction (the handler mapped
 * what was missing); any other label leaves the thread stopped.
 */
#define SEPTA_REPLY_VALUE 0u
#define SEPTA_REPLY_PC	  0u
#define SEPTA_REPLY_SP	  1u
#define SEPTA_REPLY_RETRY 2
/* To a guest's abort: it takes a synchronous external abort at its own
 * EL1 vector, as if the access had hit nothing. */
#define SEPTA_REPLY_ABORT 3
/*
 * To an abort, a guest's or a native thread's: the kernel performs the
 * write the thread attempted, as the fault words recorded it (the IPA
 * with its offset in the page, the size, the value: the replier chooses
 * none of them), and steps over the instruction. A page watched for its
 * writes (mapped without W at stage 2) is written so without the
 * replier mapping it. Refused, with the thread still waiting for a
 * reply (a ReplyRecv returns the error instead of receiving), if:
 *   E_LABEL       the fault is not an abort;
 *   E_ARG         the syndrome does not describe the access (STP, SIMD,
 *                 exclusives, ...), or a guest's abort that was not a
 *                 stage-2 fault (its IPA is not known);
 *   E_NOT_WRITE   the access is a read;
 *   E_ALIGN       the store crosses into the next page (unaligned);
 *   E_NOT_MAPPED  nothing is mapped at the IPA in the thread's VSpace;
 *   E_NOT_RAM     the page is device memory;
 *   E_RIGHTS      the frame capability that mapped the page had no Write.
 */
#define SEPTA_REPLY_STORE 4
/* Or'ed into the reply label to a guest's fault: inject this virtual
 * interrupt (priority 0xa0) as the guest resumes. */
#define SEPTA_REPLY_INJECT(intid) (1ULL << 16 | (uint64_t)(intid) << 20)
#define SEPTA_REPLY_ACTION(label) ((label)&0xffff)
