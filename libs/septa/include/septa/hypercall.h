/*
 * The calls a guest makes to vmsrv with HVC (or SMC): PSCI 1.1, the SMCCC
 * version calls, and Septa's memory-sharing interface in the SMCCC
 * vendor-specific hypervisor range. docs/hypercalls.md describes them.
 * Function IDs go in x0, arguments in x1..x5; results come back in x0..x3.
 */
#pragma once

#define PSCI_VERSION	       0x84000000u
#define PSCI_CPU_SUSPEND       0xc4000001u
#define PSCI_CPU_OFF	       0x84000002u
#define PSCI_CPU_ON	       0xc4000003u
#define PSCI_AFFINITY_INFO     0xc4000004u
#define PSCI_MIGRATE_INFO_TYPE 0x84000006u
#define PSCI_SYSTEM_OFF	       0x84000008u
#define PSCI_SYSTEM_RESET      0x84000009u
#define PSCI_FEATURES	       0x8400000au
#define PSCI_SMC32(id)	       ((id) & ~0x40000000u) /* the SMC32 form of an SMC64 call */

#define PSCI_SUCCESS		0
#define PSCI_NOT_SUPPORTED	(-1)
#define PSCI_INVALID_PARAMETERS (-2)
#define PSCI_DENIED		(-3)
#define PSCI_ALREADY_ON		(-4)
#define PSCI_INVALID_ADDRESS	(-9)

#define SMCCC_VERSION	    0x80000000u
#define SMCCC_ARCH_FEATURES 0x80000001u
#define SMCCC_NOT_SUPPORTED (-1)
/* Arm's firmware mitigations for speculation (DEN0070): Spectre v2 (branch
 * target injection), v4 (speculative store bypass), BHB (branch history). */
#define SMCCC_ARCH_WORKAROUND_1 0x80008000u
#define SMCCC_ARCH_WORKAROUND_2 0x80007fffu
#define SMCCC_ARCH_WORKAROUND_3 0x80003fffu

/* Vendor-specific hypervisor service calls (owner 6), SMC64 fast calls. */
#define SEPTA_HC_CALL_COUNT 0x8600ff00u
#define SEPTA_HC_UID	    0x8600ff01u
#define SEPTA_HC_REVISION   0x8600ff03u
/* -> x1 own VM id, x2 VMs (0 unless configured: show-vm-count), x3 resets so far */
#define SEPTA_HC_VM_INFO  0xc6000001u
#define SEPTA_HC_SHARE	  0xc6000002u /* ipa, pages, peer, peer ipa, rights */
#define SEPTA_HC_UNSHARE  0xc6000003u /* ipa, pages, peer */
#define SEPTA_HC_LEND	  0xc6000004u /* ipa, pages, peer, peer ipa, rights */
#define SEPTA_HC_RECLAIM  0xc6000005u /* ipa, pages */
#define SEPTA_HC_DOORBELL 0xc6000006u /* peer, value: rings the peer's doorbell */
/* -> x1 = a sender with mail unread, senders in turn (0: none), x2 = its value */
#define SEPTA_HC_MAILBOX 0xc6000007u
/* A measuring aid (tests/guests/bench.c): x1 = kind (SEPTA_EXIT_*) ->
 * x1 the calling VM's exits of that kind so far, x2 counter ticks vmsrv
 * spent on them, x3 ticks of that in calls to memsrv. */
#define SEPTA_HC_EXIT_STATS 0xc6000008u
#define SEPTA_HC_COUNT	    8u

enum septa_exit_kind {
	SEPTA_EXIT_HVC = 0,	  /* hypercalls (and SMCs) */
	SEPTA_EXIT_DEVICE = 1,	  /* emulated device accesses, trapped system registers */
	SEPTA_EXIT_RAM_PAGE = 2,  /* RAM faults served with a 4 KiB page */
	SEPTA_EXIT_RAM_BLOCK = 3, /* RAM faults served with a 2 MiB block */
	SEPTA_EXIT_ABORT = 4,	  /* bad accesses, answered with an abort */
	SEPTA_EXIT_OTHER = 5,	  /* exits that stop the VM: crashes */
	SEPTA_EXIT_KINDS = 6,
};

/* Rights in SHARE and LEND. */
#define SEPTA_HC_R 1u
#define SEPTA_HC_W 2u
#define SEPTA_HC_X 4u

/* Errors of the vendor calls (x0); 0 is success. */
#define SEPTA_HC_E_NOT_SUPPORTED (-1) /* no such call */
#define SEPTA_HC_E_INVALID	 (-2) /* bad address, size or rights */
#define SEPTA_HC_E_DENIED	 (-3) /* not the caller's pages, or not in that state */
#define SEPTA_HC_E_BUSY		 (-4) /* shared or lent already, or the target is taken */
#define SEPTA_HC_E_NO_MEMORY	 (-5) /* memsrv is out of memory */
#define SEPTA_HC_E_NO_VM	 (-6) /* no running peer of the caller has that id */
#define SEPTA_HC_E_NOT_SHAREABLE (-7) /* outside the caller's shareable range */
#define SEPTA_HC_E_TOO_MANY	 (-8) /* the caller has too many grants outstanding */
