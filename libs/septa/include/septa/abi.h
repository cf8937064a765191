/*
 * The kernel/user binary interface: system-call numbers, error codes, the
 * boot-info page and the fixed parts of the root task's address space. The
 * kernel and every user-level program include this one header, so the two
 * sides cannot disagree. docs/ipc-api.md describes it in prose.
 */
#pragma once
#include <stdint.h>
#include <septa/fault.h>

/*
 * A system call is `svc #0` with its number in x7 and arguments in x0-x5.
 * x0 returns a septa_error; further results come back in x1.. as the call
 * documents.
 */
enum septa_syscall {
	SEPTA_SYS_DEBUG_WRITE = 1, /* x0 = buffer, x1 = length; x1 <- bytes written */
	SEPTA_SYS_SHUTDOWN = 2,	   /* x0 = status; root task only; does not return */
	SEPTA_SYS_EXIT = 3,	   /* x0 = status; ends the calling thread */
	/* Console input, never blocking: x0 = the console IRQ's handler (its
	 * capability is the right to read); x1 <- bytes (0-8), x2 <- them,
	 * first in the low byte. */
	SEPTA_SYS_DEBUG_READ = 4,
	/* IPC: x0 = capability pointer (badge on receive), x1 = message info,
	 * x2-x5 = message registers 0-3; the rest are in the IPC buffer. */
	SEPTA_SYS_CALL = 10,
	SEPTA_SYS_SEND = 11,
	SEPTA_SYS_NBSEND = 12,
	SEPTA_SYS_RECV = 13,
	SEPTA_SYS_NBRECV = 14,
	SEPTA_SYS_REPLY = 15,
	SEPTA_SYS_REPLY_RECV = 16,
	SEPTA_SYS_YIELD = 17,
	/* Exists only in test builds: makes the kernel take a data abort. */
	SEPTA_SYS_TEST_KERNEL_FAULT = 0x7f00,
	SEPTA_SYS_TEST_PEND_IRQ = 0x7f01, /* x0 = SPI: makes it pending at the GIC */
	/* Only in septa_kernel_stats: -> x1 the longest kernel entry since the
	 * last such call, in counter ticks (time waiting idle for an interrupt
	 * left out), x2 the number of entries. */
	SEPTA_SYS_TEST_ENTRY_MAX = 0x7f02,
	/* Test kernels, root task only: audits its CSpace, the derivation
	 * tree and what the kernel holds (kernel/core/audit.c); x0 = boot
	 * slots of the root CNode (first_free_slot), x1 = SEPTA_AUDIT_* ->
	 * x1 violations (the first printed), x2 capabilities checked, x3
	 * stale mapping records let through. */
	SEPTA_SYS_TEST_AUDIT = 0x7f03,
	/* Test kernels: -> x1 the Calls and x2 the ReplyRecvs the kernel's
	 * fastpath served since boot, x3 1 if it is on (the bootarg
	 * septa.nofastpath turns it off), x4 the faults and x5 the fault
	 * replies its fault fastpath served, x6 the time slices ended. x0 1
	 * first turns it off (x1 1) or back as booted (x1 0). */
	SEPTA_SYS_TEST_FASTPATH = 0x7f04,
	/* Test kernels: x0 = 1 clears what retype makes with stores from now
	 * on (as where DCZID_EL0.DZP prohibits DC ZVA), 0 with DC ZVA as at
	 * boot -> x1 the DC ZVA block size in use, 0 for stores. */
	SEPTA_SYS_TEST_ZERO = 0x7f05,
};
/* A frame or page-table record whose entry is gone (a table above it was
 * removed) is counted, not a violation. */
#define SEPTA_AUDIT_STALE_OK 1u

/* Every error a system call or invocation returns, in one table: the enum
 * below and the tools that list errors (the captest coverage check) are
 * made from it. X(name, value, what it means). */
#define SEPTA_ERRORS(X)                                                                  \
	X(SYSCALL, -1, "no such system call")                                            \
	X(FAULT, -2, "a buffer is not mapped readable for the caller")                   \
	X(RANGE, -3, "a number, length or slot range is out of bounds")                  \
	X(PERM, -4, "the caller may not do this")                                        \
	X(INVALID_ROOT, -5, "lookup: the CSpace root is not a CNode")                    \
	X(MISSING_CAP, -6, "lookup: the slot is empty")                                  \
	X(DEPTH, -7, "lookup: depth does not match the CNodes")                          \
	X(GUARD, -8, "lookup: guard mismatch")                                           \
	X(CAP_TYPE, -9, "the capability is of the wrong type")                           \
	X(LABEL, -10, "no such operation on this object type")                           \
	X(ARG, -11, "an argument is invalid")                                            \
	X(ALIGN, -12, "an address or size is misaligned")                                \
	X(NO_MEMORY, -13, "the untyped has too little room left")                        \
	X(DELETE_FIRST, -14, "a destination slot is occupied")                           \
	X(REVOKE_FIRST, -15, "the capability has derived children")                      \
	X(MSG_LENGTH, -16, "message longer than SEPTA_MSG_MAX")                          \
	X(EXTRA_CAPS, -17, "too few capabilities for the operation")                     \
	X(SIZE, -18, "object size not allowed for the type")                             \
	X(RIGHTS, -19, "the capability lacks a needed right")                            \
	X(DELETED, -20, "the object went away while we waited")                          \
	X(WOULD_BLOCK, -21, "a non-blocking call found no partner")                      \
	X(NO_REPLY, -22, "nobody is waiting for a reply")                                \
	X(IN_USE, -23, "the IRQ or binding is taken")                                    \
	X(TOO_DEEP, -24, "no longer returned: deletion has no depth limit")              \
	X(STATE, -25, "the thread is not in a state that allows it")                     \
	X(NO_TABLE, -26, "page tables are missing: reply septa_no_table_mr")             \
	X(NO_VMID, -27, "every VMID is in use")                                          \
	X(NOT_RAM, -28, "a buffer is mapped, but not to normal RAM")                     \
	X(NO_BUFFER, -29, "beyond 4 registers, and the thread has no IPC buffer")        \
	X(ZOMBIE, -30, "a deletion in progress: delete or revoke it again to finish it") \
	X(LIMIT, -31, "beyond a kernel limit that bounds its work")                      \
	X(NOT_MAPPED, -32, "a frame is not mapped in that VSpace")                       \
	X(NOT_WRITE, -33, "a store reply to a fault that was not a write")

enum septa_error {
	SEPTA_OK = 0,
#define SEPTA_ERROR_ENUM(name, value, doc) SEPTA_E_##name = value,
	SEPTA_ERRORS(SEPTA_ERROR_ENUM)
#undef SEPTA_ERROR_ENUM
};

/* Message info (x1): label above 12 bits, capability count, length. */
#define SEPTA_MSG_MAX	   120u
#define SEPTA_MSG_MAX_CAPS 3u
#define SEPTA_MSG_REGS	   4u /* message registers carried in x2-x5 */

static inline uint64_t septa_msginfo(uint64_t label, unsigned caps, unsigned len)
{
	return label << 12 | (uint64_t)(caps & 3u) << 7 | (len & 0x7fu);
}
#define SEPTA_MSG_LABEL(mi)  ((uint64_t)(mi) >> 12)
#define SEPTA_MSG_LEN(mi)    ((unsigned)(mi)&0x7fu)
#define SEPTA_MSG_CAPS(mi)   ((unsigned)((mi) >> 7) & 3u)
#define SEPTA_MSG_UNWRAP(mi) ((unsigned)((mi) >> 9) & 7u)

/* The IPC buffer: one page per thread, known to the kernel by its frame. */
struct septa_ipc_buffer {
	uint64_t tag;
	uint64_t msg[SEPTA_MSG_MAX];
	uint64_t user_data;
	uint64_t caps_or_badges[SEPTA_MSG_MAX_CAPS];
	uint64_t receive_cnode;
	uint64_t receive_index;
	uint64_t receive_depth;
};

#define SEPTA_RIGHT_READ  1u
#define SEPTA_RIGHT_WRITE 2u
#define SEPTA_RIGHT_GRANT 4u
#define SEPTA_RIGHTS_ALL  7u

enum septa_object {
	SEPTA_OBJ_UNTYPED = 1,
	SEPTA_OBJ_CNODE = 2, /* size_bits = log2 of the number of slots */
	SEPTA_OBJ_TCB = 3,
	SEPTA_OBJ_ENDPOINT = 4,
	SEPTA_OBJ_NOTIFICATION = 5,
	SEPTA_OBJ_FRAME_4K = 6,
	SEPTA_OBJ_FRAME_2M = 7,
	SEPTA_OBJ_FRAME_1G = 8,
	SEPTA_OBJ_VSPACE = 9,	   /* size_bits = IPA size, 32 up to the CPU's PARange */
	SEPTA_OBJ_PAGE_TABLE = 10, /* one 4 KiB table */
	SEPTA_OBJ_VCPU = 11,	   /* a virtual CPU: EL1 state of a guest thread */
};

#define SEPTA_CNODE_SLOT_BITS 6 /* a slot is 64 bytes */
#define SEPTA_CNODE_MAX_BITS  20
#define SEPTA_TCB_BITS	      11
#define SEPTA_ENDPOINT_BITS   5
#define SEPTA_NTFN_BITS	      6
#define SEPTA_UNTYPED_MIN     4
#define SEPTA_UNTYPED_MAX     47
/* Limits that bound kernel work (E_LIMIT beyond them): VCPUs bound to
 * threads at once (the kernel walks its waiting guests on every switch and
 * timer tick), the range of one VSPACE_PROTECT (its entries are walked
 * in one kernel entry: 2 MiB is at most two last-level tables), and the
 * copies a capability CNODE_MOVE moves may have (each is re-pointed
 * at the new slot: copy the capability instead, or move it before copying). */
#define SEPTA_VCPU_MAX_BOUND	64u
#define SEPTA_PROTECT_MAX_SIZE	(2ULL << 20)
#define SEPTA_MOVE_MAX_CHILDREN 64u
/* Frames one VSPACE_UNMAP_FRAMES names (a memsrv chunk's pages); it runs
 * in restarted steps, each of a bounded number of them. */
#define SEPTA_UNMAP_FRAMES_MAX 512u
/* Frames one VSPACE_MAP_FRAMES copies and maps: each is checked (a walk)
 * and then mapped (another) in one kernel entry, so the run is short
 * enough for that entry to stay bounded (bench.bound). */
#define SEPTA_MAP_FRAMES_MAX 128u

/* Invocation labels, SEPTA_<NAME> = label: their arguments, stubs and
 * documentation come from the one table in invocations.def. */
#include <septa/invocations.def>
#define SEPTA_LABEL_ENUM(OBJ, NAME, name, label, ...) SEPTA_##NAME = label,
enum septa_label { SEPTA_INVOCATIONS(SEPTA_LABEL_ENUM) };
#undef SEPTA_LABEL_ENUM

/* PageTables a FRAME_MAP can carry beside its VSpace. */
#define SEPTA_FRAME_MAP_TABLES (SEPTA_MSG_MAX_CAPS - 1)

/* The reply to an E_NO_TABLE (FRAME_MAP, PAGE_TABLE_MAP, VSPACE_PROTECT):
 * the level whose entry has no table and how many PageTables the call
 * needs beyond those it was given. Nothing was changed. */
enum septa_no_table_mr {
	SEPTA_NO_TABLE_LEVEL = 0,
	SEPTA_NO_TABLE_MISSING = 1,
	SEPTA_NO_TABLE_LEN = 2,
};

/* Guest EL1 registers a VMM reads and writes through the VCPU. */
enum septa_vcpu_reg {
	SEPTA_VCPU_REG_SCTLR = 0,
	SEPTA_VCPU_REG_SP_EL1 = 1,
	SEPTA_VCPU_REG_VBAR = 2,
	SEPTA_VCPU_REG_ELR_EL1 = 3,
	SEPTA_VCPU_REG_SPSR_EL1 = 4,
	SEPTA_VCPU_REG_ESR_EL1 = 5,
	SEPTA_VCPU_REG_FAR_EL1 = 6,
	SEPTA_VCPU_REG_TCR = 7,
	SEPTA_VCPU_REG_TTBR0 = 8,
	SEPTA_VCPU_REG_TTBR1 = 9,
	SEPTA_VCPU_REG_MAIR = 10,
	SEPTA_VCPU_REG_VMPIDR = 11,
	SEPTA_VCPU_REG_CNTVOFF = 12, /* the guest's virtual counter offset */
	SEPTA_VCPU_REG_VPIDR = 13,   /* the MIDR the guest reads */
	SEPTA_VCPU_REG_COUNT = 14,
};

#define SEPTA_PRIO_MAX 255u

/*
 * The page: the smallest frame and mapping, for the kernel and every
 * server. Translation tables have 512 entries: an entry at level 0-3 maps
 * septa_level_size(level) bytes (512 GiB, 1 GiB, 2 MiB, 4 KiB);
 * VSPACE_QUERY and E_NO_TABLE speak of these levels.
 */
#define SEPTA_PAGE_SHIFT 12
#define SEPTA_PAGE_SIZE	 (1ULL << SEPTA_PAGE_SHIFT)
#define SEPTA_LEVEL_BITS 9u

static inline unsigned septa_level_shift(unsigned level)
{
	return SEPTA_PAGE_SHIFT + SEPTA_LEVEL_BITS * (3 - level);
}

static inline uint64_t septa_level_size(unsigned level)
{
	return 1ULL << septa_level_shift(level);
}

/* Rights of a stage-2 mapping. */
#define SEPTA_MAP_R 1u
#define SEPTA_MAP_W 2u
#define SEPTA_MAP_X 4u

/* Ownership state a mapping is tagged with (kept in the PTE). */
enum septa_owner {
	SEPTA_OWNED = 0,	   /* the page belongs to this address space alone */
	SEPTA_SHARED_OWNED = 1,	   /* it belongs here and is shared with others */
	SEPTA_SHARED_BORROWED = 2, /* someone else's, shared with us */
	SEPTA_BORROWED = 3,	   /* someone else's, lent to us alone */
};

/* Slots of the root task's CNode that the kernel fills at boot. */
enum septa_root_slot {
	SEPTA_CAP_NULL = 0,
	SEPTA_CAP_INIT_TCB = 1,
	SEPTA_CAP_INIT_CNODE = 2,
	SEPTA_CAP_INIT_VSPACE = 3,
	SEPTA_CAP_IRQ_CONTROL = 4,
	SEPTA_CAP_INIT_IPC_BUFFER = 5,
	/* SEPTA_ROOT_SPARE_PAGES frames, the boot archive's, then untypeds. */
	SEPTA_CAP_SPARE_FRAMES = 6,
};
#define SEPTA_ROOT_CNODE_BITS 12
#define SEPTA_MAX_UNTYPED     64
#define SEPTA_BOOTARGS_LEN    256u /* the machine's bootargs, with their NUL */
#define SEPTA_ENTROPY_LEN     64u

#define SEPTA_DEBUG_WRITE_MAX 4096u

#define SEPTA_BOOTINFO_MAGIC   0x4f464e4954504553ULL /* "SEPTINFO" */
#define SEPTA_BOOTINFO_VERSION 3u

/* Root task address space (intermediate physical addresses, stage 1 off). */
#define SEPTA_ROOT_IPA_BITS    32u
#define SEPTA_ROOT_BOOTINFO    0x1000ULL
#define SEPTA_ROOT_IPC_BUFFER  0x2000ULL
#define SEPTA_ROOT_SPARE_BASE  0x11000000ULL /* spare frames, RW, with caps */
#define SEPTA_ROOT_SPARE_PAGES 64u
#define SEPTA_ROOT_IMAGE_BASE  0x400000ULL
#define SEPTA_ROOT_HEAP_BASE   0x10000000ULL
#define SEPTA_ROOT_HEAP_SIZE   0x400000ULL
#define SEPTA_ROOT_STACK_TOP   0x20000000ULL
#define SEPTA_ROOT_STACK_SIZE  0x10000ULL
/* The boot archive, read-only, in the top quarter: as large as RAM allows
 * up to the end of the 32-bit space. */
#define SEPTA_ROOT_MODULES     0xc0000000ULL
#define SEPTA_ROOT_MODULES_MAX 0x40000000ULL

/*
 * The boot archive is one physical copy, shared read-only by everyone who
 * reads it. The kernel links it 2 MiB aligned and padded to 2 MiB
 * (kernel.ld.in), so it is whole naturally aligned 2 MiB frames: mapped as
 * blocks, one capability each (a 1 GiB archive takes 512 root-CNode slots,
 * not 262,144), and never usable as an IPC buffer, which must be a 4 KiB
 * frame the kernel writes.
 */
#define SEPTA_ARCHIVE_FRAME_BITS 21u
_Static_assert(SEPTA_CAP_SPARE_FRAMES + SEPTA_ROOT_SPARE_PAGES +
		       (SEPTA_ROOT_MODULES_MAX >> SEPTA_ARCHIVE_FRAME_BITS) +
		       SEPTA_MAX_UNTYPED <
		   (1u << SEPTA_ROOT_CNODE_BITS),
	       "the largest archive's frames and every untyped fit the root CNode");

/* Stage-1 page sizes (translation granules), as a set. */
#define SEPTA_PAGES_4K	1u
#define SEPTA_PAGES_16K 2u
#define SEPTA_PAGES_64K 4u

struct septa_bootinfo {
	uint64_t magic;
	uint32_t version;
	uint32_t size; /* sizeof(struct septa_bootinfo) */
	uint64_t ram_base;
	uint64_t ram_size;
	uint64_t free_base; /* RAM the kernel has not used at boot */
	uint64_t free_size; /* a server's: what memsrv had free as it started it */
	uint64_t heap_base; /* the root task's heap, in its own IPA space */
	uint64_t heap_size;
	uint64_t stack_top;
	uint64_t stack_size;
	char platform[32];
	char root_name[32];
	/* Capabilities in the root CNode. */
	uint32_t spare_frames_slot; /* SEPTA_ROOT_SPARE_PAGES frames at SPARE_BASE */
	uint32_t untyped_slot;	    /* first untyped */
	uint32_t untyped_count;
	uint32_t first_free_slot; /* slots from here on are empty */
	struct {
		uint64_t paddr;
		uint8_t size_bits;
		uint8_t is_device;
		uint8_t pad[6];
	} untyped[SEPTA_MAX_UNTYPED];
	uint32_t gic_version;  /* 2 or 3: what guests' virtual interface looks like */
	uint32_t client_id;    /* memsrv's name for this program; 0 for memsrv */
	uint64_t modules_base; /* the boot archive (libs/bootfmt), mapped read-only */
	uint64_t modules_size;
	uint32_t console_irq;  /* INTID of the console UART's receive interrupt */
	uint32_t ipa_bits_max; /* the largest VSpace IPA size (the CPU's PARange) */
	uint32_t guest_pages;  /* SEPTA_PAGES_*: the page sizes a guest's MMU has */
	/* The boot loader's /chosen/bootargs (QEMU -append), whole; "" if none
	 * or longer (the kernel says so). vmsrv hands them to its guests
	 * (docs/vm-config.md). */
	char bootargs[SEPTA_BOOTARGS_LEN];
	/* Entropy from the boot loader (/chosen/rng-seed, else kaslr-seed);
	 * entropy_size 0 if it gave none. */
	uint32_t entropy_size;
	uint8_t entropy[SEPTA_ENTROPY_LEN];
	/* The boot archive's frames: physically contiguous from modules_paddr,
	 * 2^SEPTA_ARCHIVE_FRAME_BITS bytes each, covering modules_size. The
	 * root task holds modules_frames read-only capabilities to them from
	 * slot modules_frames_slot; a server memsrv starts holds none (0). */
	uint32_t modules_frames_slot;
	uint64_t modules_paddr;
	uint32_t modules_frames;
};
