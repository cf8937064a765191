/*
 * The kernel/user binary interface: system-call numbers, error codes, the
 * boot-info page and the fixed parts of the root task's address space. The
 * kernel and every user-level program include this one header, so the two
 * sides cannot disagree. docs/ipc-api.md describes it in prose.
 */
#pragma once
#include <stdint.h>

/*
 * A system call is `svc #0` with its number in x7 and arguments in x0-x5.
 * x0 returns a septa_error; further results come back in x1.. as the call
 * documents.
 */
enum septa_syscall {
	SEPTA_SYS_DEBUG_WRITE = 1, /* x0 = buffer, x1 = length; x1 <- bytes written */
	SEPTA_SYS_SHUTDOWN = 2,	   /* x0 = status; root task only; does not return */
	SEPTA_SYS_EXIT = 3,	   /* x0 = status; ends the calling thread */
	/* Exists only in test builds: makes the kernel take a data abort. */
	SEPTA_SYS_TEST_KERNEL_FAULT = 0x7f00,
};

enum septa_error {
	SEPTA_OK = 0,
	SEPTA_E_SYSCALL = -1, /* no such system call */
	SEPTA_E_FAULT = -2,   /* a buffer is not mapped readable for the caller */
	SEPTA_E_RANGE = -3,   /* a length is too large or wraps */
	SEPTA_E_PERM = -4,    /* the caller may not do this */
};

#define SEPTA_DEBUG_WRITE_MAX 4096u

#define SEPTA_BOOTINFO_MAGIC   0x4f464e4954504553ULL /* "SEPTINFO" */
#define SEPTA_BOOTINFO_VERSION 1u

/* Root task address space (intermediate physical addresses, stage 1 off). */
#define SEPTA_ROOT_IPA_BITS   32u
#define SEPTA_ROOT_BOOTINFO   0x1000ULL
#define SEPTA_ROOT_IMAGE_BASE 0x400000ULL
#define SEPTA_ROOT_HEAP_BASE  0x10000000ULL
#define SEPTA_ROOT_HEAP_SIZE  0x100000ULL
#define SEPTA_ROOT_STACK_TOP  0x20000000ULL
#define SEPTA_ROOT_STACK_SIZE 0x10000ULL

struct septa_bootinfo {
	uint64_t magic;
	uint32_t version;
	uint32_t size; /* sizeof(struct septa_bootinfo) */
	uint64_t ram_base;
	uint64_t ram_size;
	uint64_t free_base; /* RAM the kernel has not used at boot */
	uint64_t free_size;
	uint64_t heap_base; /* the root task's heap, in its own IPA space */
	uint64_t heap_size;
	uint64_t stack_top;
	uint64_t stack_size;
	char platform[32];
	char root_name[32];
};
