/*
 * Capabilities and their slots. Every object lives in memory retyped from
 * an Untyped that user level holds (the root task's initial objects
 * excepted); the kernel allocates nothing. The headers under object/ and
 * kernel/object/ reach the architecture only through the hooks of arch.h,
 * so the same files build into host tests (tests/unit/kfix.c has them).
 */
#pragma once
#include <septa/abi.h>
#include <types.h>

enum cap_type {
	CAP_NULL = 0,
	CAP_UNTYPED,
	CAP_CNODE,
	CAP_TCB,
	CAP_ENDPOINT,
	CAP_NOTIFICATION,
	CAP_FRAME,
	CAP_VSPACE,
	CAP_IRQ_CONTROL,
	CAP_IRQ_HANDLER,
	CAP_PAGE_TABLE,
	CAP_VCPU,
	CAP_ZOMBIE, /* an object being emptied by a deletion (delete.c) */
};

#define CAP_F_DEVICE 1u /* untyped or frame of device memory: never zeroed */
/* An Untyped that has handed children up (cdt_hand_on_child) in a deletion
 * cut short between steps: without children it would look unused, but its
 * memory is theirs, so it makes nothing any more (E_ZOMBIE). */
#define CAP_F_HANDED 2u
/* A copy that sits under another copy of its object without being derived
 * from it: its original was deleted (cdt_hand_on_child puts the first copy
 * in its place and the others under it) or a revoke moved it out of the
 * way. It keeps finality
 * a local question; a revoke of its parent does not delete it. */
#define CAP_F_PEER 4u
/* A zombie that drives its deletion's ring from its slot (delete.c). */
#define CAP_F_ROOT 8u
/* A zombie that is not a root whose own object holds its ring's driving
 * slot: it stepped aside from there (delete.c), so it goes last. */
#define CAP_F_HOST 16u

struct cap {
	uint8_t type;
	uint8_t size_bits; /* untyped and frame: log2 bytes; CNode: log2 slots */
	uint8_t flags;	   /* CAP_F_* */
	uint8_t was;	   /* zombie: the type it was */
	union {
		struct {
			uint8_t rights;	    /* SEPTA_RIGHT_* */
			uint8_t guard_bits; /* CNode */
			uint8_t pad[2];
		};
		/* Zombie of a CNode or TCB: its slots left to empty, from
		 * the last down (at most 2^SEPTA_CNODE_MAX_BITS). */
		uint32_t left;
	};
	/* The object's address (kernel VA = PA), or the IRQ number. */
	uint64_t obj;
	/* Endpoint, notification: badge. CNode: guard. Untyped: bytes used.
	 * Frame, page table: mapped IPA | level | CAP_MAPPED. Zombie of a
	 * CNode or TCB: the slot of the previous zombie on its ring. */
	uint64_t word;
	/* Frame, page table: VMID | generation << 8 of the VSpace it is in.
	 * Zombie of a CNode or TCB: the slot of the next zombie on its ring
	 * (delete.c). */
	uint64_t map;
};
#define CAP_MAPPED	 0x10u
#define CAP_MAP_LEVEL(w) ((unsigned)(w)&3u)
#define CAP_MAP_IPA(w)	 ((w) & ~0xfffULL)

/*
 * A capability slot. The derivation tree is explicit: a capability made
 * from another (copy, mint, retype) is its child. All capabilities to one
 * object therefore form one subtree under the Untyped it came from, which
 * is what makes "is this the last capability?" a local question.
 */
struct cte {
	struct cap cap;
	struct cte *parent, *first_child, *next, *prev;
};
_Static_assert(sizeof(struct cte) == 1u << SEPTA_CNODE_SLOT_BITS, "slot size");
_Static_assert(sizeof(struct cap) == 32 && SEPTA_CNODE_MAX_BITS < 32, "cap layout");

/* ---- derivation tree (cdt.c) ---- */
void cdt_insert(struct cte *parent, struct cte *child, const struct cap *cap);
void cdt_unlink(struct cte *slot); /* a slot without children */
void cdt_move(struct cte *dst, struct cte *src);
/* Whether slot has more than n children: at most n + 1 looked at. */
bool cdt_children_over(const struct cte *slot, unsigned n);
void cdt_swap(struct cte *a, struct cte *b);
enum cdt_hand { CDT_NO_CHILD, CDT_HANDED };
enum cdt_hand cdt_hand_on_child(struct cte *slot);
/* Revoke met slot's first child, a peer (CAP_F_PEER): it takes slot's
 * place and slot goes under it as its peer, in O(1), so the revoke goes on
 * without deleting what slot never derived. */
void cdt_step_aside(struct cte *slot);
bool cdt_is_final(const struct cte *slot);
bool cdt_is_copy(const struct cte *slot); /* its parent is to the same object */
bool cap_same_object(const struct cap *a, const struct cap *b);
/* The one rule for duplicating a capability (CNODE_COPY/MINT, IPC transfer). */
int cap_copy_of(const struct cap *src, struct cap *copy);

/* ---- object sizes (untyped.c) ---- */
unsigned object_size_bits(unsigned type, unsigned size_bits);
