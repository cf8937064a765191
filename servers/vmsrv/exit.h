/*
 * A guest's exits (exit.c): each is decoded once and handled by one
 * handler, which says what kind of exit it was; exit_handle records it.
 */
#pragma once
#include <septa/hypercall.h>
#include <septa/ipc.h>
#include <stdbool.h>
#include <stdint.h>

struct vcpu;
struct vm;

/* What exits of one kind cost vmsrv, in counter ticks (SEPTA_HC_EXIT_STATS). */
struct exit_stats {
	uint64_t count, ticks, memsrv_ticks;
};

/* The VM's statistics, all zero; -1 if out of memory. */
int exit_init(struct vm *vm);
/* Handles the exit in m, which arrived at vm_now() == arrived; true when m
 * now holds the reply. */
bool exit_handle(struct vcpu *c, struct septa_msg *m, uint64_t arrived);
/* The VM's exits of that kind (below SEPTA_EXIT_KINDS) so far: its own
 * only, as what one VM does is no other's business. */
const struct exit_stats *exit_stats(const struct vm *vm, unsigned kind);
