/*
 * The console's commands, pure: fed each byte typed on the real console and
 * what the VMs are now, it says what becomes of the byte and words every
 * answer. console.c does the rest; the host tests run this same code.
 *
 * The command key, then: an id moves the input to that VM; l lists the VMs;
 * ? prints the help; the key again types one key into the VM. An id is read
 * digit by digit and acts as soon as no longer id begins with it (so with
 * ids below 10 one digit does); Enter, or any other key, ends it early.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "config.h"

/* Ctrl-]: docs/running.md says why this key. */
#define CONCMD_KEY	0x1d
#define CONCMD_KEY_NAME "Ctrl-]"

#define CONCMD_NONE (~0u) /* no VM has the input */
/* The longest answer: the list, a head and a line a VM (its last stop in
 * vmsrv's words, a refusal's message at most). */
#define CONCMD_OUT_MAX ((VMCFG_MAX_VMS + 1) * 320u)

/* What the console needs of a VM. */
struct concmd_vm {
	unsigned id;
	const char *name;
	const char *state; /* a word: running, stopped, crashed */
	bool running;	   /* it can take input */
	unsigned resets;
	const char *stopped; /* how it last stopped; NULL if it has not */
};

enum concmd_mode { CONCMD_TEXT, CONCMD_COMMAND, CONCMD_ID };

struct concmd {
	unsigned focus; /* the index of the VM with the input, or CONCMD_NONE */
	enum concmd_mode mode;
	unsigned id; /* CONCMD_ID: the digits so far */
};

enum concmd_action {
	CONCMD_QUIET,	/* the byte was part of a command, nothing to say yet */
	CONCMD_DELIVER, /* the byte goes to the focused VM (if any) */
	CONCMD_SAY,	/* print the answer */
	CONCMD_FOCUS,	/* the input moved to focus: print the answer */
};

/* A console whose input goes nowhere yet (concmd_refocus gives it a VM). */
void concmd_init(struct concmd *c);
/* One byte typed; any answer goes to out (lines, each ending in \n). */
enum concmd_action concmd_feed(struct concmd *c, const struct concmd_vm *vms, unsigned n,
			       uint8_t byte, char *out, size_t size);
/* A VM may have stopped: if the focused one cannot take input, the input
 * moves to the next running VM. True when there is something to say (the
 * focus moved, or nothing runs to take the input any more). */
bool concmd_refocus(struct concmd *c, const struct concmd_vm *vms, unsigned n, char *out,
		    size_t size);
