/*
 * The audit of test kernels (SEPTA_SYS_TEST_AUDIT), for the on-target
 * fuzzer (tests/kfuzz): it checks, from the kernel's own records, what no
 * user-level program can see whole.
 *
 *  - The derivation tree under every boot capability of the caller's root
 *    CNode: parent, child and sibling links agree; a child of an Untyped
 *    lies inside the part of it in use, and siblings there are disjoint
 *    objects (two capabilities to one object there would each pass for
 *    the last, cdt_is_final); a child of any other capability is
 *    the same object with no more rights and the same badge (an
 *    IRQHandler under IRQControl excepted).
 *  - Every capability in the caller's CSpace (the root CNode and the
 *    CNodes reachable from it) descends from a boot capability: nothing
 *    exists that was not derived.
 *  - What the kernel holds: a frame or page table recorded as mapped is
 *    mapped there; every leaf and table of a VSpace other than the
 *    caller's own is one a capability records (its PTE_FRAME_W only from
 *    a capability with Write, and there whenever stage 2 allows writes);
 *    a TCB's CSpace, VSpace, IPC
 *    buffer and fault endpoint are of the right types and in the tree;
 *    TCB-VCPU and TCB-notification bindings are mutual.
 *  - The ready queues (core/sched.c): every runnable thread found is
 *    queued exactly once or is the running one; the queues' links, marks
 *    and bitmap agree; nothing is queued above the running thread.
 *
 * It is unbounded kernel work, which is why only test kernels have it.
 * The first violations are printed; the count is returned.
 */
#ifdef SEPTA_TEST_BUILD
#include <arch.h>
#include <core/audit.h>
#include <kprintf.h>
#include <object/cap.h>
#include <object/delete.h>
#include <object/notification.h>
#include <object/vcpu.h>
#include <object/vspace.h>
#include <stdarg.h>

#define AUDIT_PRINT_MAX	   4u	      /* violations described */
#define AUDIT_STEPS_MAX	   (1u << 22) /* tree steps: more is a cycle */
#define AUDIT_CNODES_MAX   64u	      /* CNodes of the CSpace walked */
#define AUDIT_CSPACE_DEPTH 4u
#define AUDIT_MAPPED_MAX   4096u /* mapping records kept for the VSpace walk */
#define AUDIT_VSPACES_MAX  64u
#define AUDIT_SIBLINGS_MAX 1024u /* beyond, siblings are not compared */

struct audit_mapping {
	const struct cte *slot;
	uint64_t map, ipa, size, obj;
	bool table;
	unsigned level; /* table: the level of its entries */
};

struct audit {
	uint64_t violations, seen, steps, stale;
	uint64_t flags;		/* SEPTA_AUDIT_* */
	const struct cte *root; /* the root CNode's slots */
	uint64_t root_slots;	/* how many */
	uint64_t boot_slots;	/* slots below it hold boot capabilities */
	const struct cap *cnodes[AUDIT_CNODES_MAX];
	unsigned ncnodes;
	struct audit_mapping mapped[AUDIT_MAPPED_MAX];
	unsigned nmapped;
	const struct cte *maps[AUDIT_MAPPED_MAX]; /* every frame and table: to explain */
	unsigned nmaps;
	const struct vspace *vspaces[AUDIT_VSPACES_MAX];
	unsigned nvspaces;
	const struct vspace *own; /* the caller's: boot mappings have no records */
};

/* One audit at a time (the kernel is not preempted), too big for a stack. */
static struct audit audit_state;

__attribute__((format(printf, 3, 4))) static void
violation(struct audit *a, const struct cte *at, const char *fmt, ...)
{
	va_list ap;

	if (a->violations++ >= AUDIT_PRINT_MAX)
		return;
	kprintf("audit: VIOLATION ");
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
	if (at)
		kprintf(" [slot %p: type %u rights %u obj %lx word %lx]",
			(const void *)at, at->cap.type, at->cap.rights,
			(unsigned long)at->cap.obj, (unsigned long)at->cap.word);
	kprintf("\n");
}

/* The memory an object takes: false for objects that take none. */
static bool extent(const struct cap *c, uint64_t *base, uint64_t *size)
{
	if (c->type == CAP_ZOMBIE) {
		/* A deletion in progress: still the object it was. */
		struct cap was = *c;

		was.type = c->was;
		return was.type != CAP_ZOMBIE && extent(&was, base, size);
	}
	*base = c->obj;
	switch (c->type) {
	case CAP_UNTYPED:
	case CAP_FRAME:
		*size = 1ULL << c->size_bits;
		return true;
	case CAP_CNODE:
		*size = 1ULL << (c->size_bits + SEPTA_CNODE_SLOT_BITS);
		return true;
	case CAP_TCB:
		*size = 1ULL << SEPTA_TCB_BITS;
		return true;
	case CAP_ENDPOINT:
		*size = 1ULL << SEPTA_ENDPOINT_BITS;
		return true;
	case CAP_NOTIFICATION:
		*size = 1ULL << SEPTA_NTFN_BITS;
		return true;
	case CAP_PAGE_TABLE:
	case CAP_VCPU:
		*size = SEPTA_PAGE_SIZE;
		return true;
	case CAP_VSPACE: {
		/* The capability names the header after the root tables. */
		const struct vspace *vs = (const struct vspace *)(uintptr_t)c->obj;
		uint64_t roots = (uint64_t)vs->pgt.geom.root_pages * SEPTA_PAGE_SIZE;

		*base = c->obj - roots;
		*size = roots + SEPTA_PAGE_SIZE;
		return true;
	}
	}
	return false;
}

static bool has_badge(const struct cap *c)
{
	return c->type == CAP_ENDPOINT || c->type == CAP_NOTIFICATION;
}

static void check_untyped_child(struct audit *a, const struct cte *p, const struct cte *n)
{
	uint64_t pb = p->cap.obj, used = p->cap.word, b, s;

	if (!extent(&n->cap, &b, &s)) {
		violation(a, n, "child of an Untyped takes no memory");
		return;
	}
	if (b < pb || s > used || b - pb > used - s)
		violation(a, n,
			  "object %lx+%lx outside the used part %lx+%lx of its Untyped",
			  (unsigned long)b, (unsigned long)s, (unsigned long)pb,
			  (unsigned long)used);
	if ((n->cap.flags & CAP_F_DEVICE) != (p->cap.flags & CAP_F_DEVICE))
		violation(a, n, "device flag differs from its Untyped's");
	if ((p->cap.flags & CAP_F_DEVICE) && n->cap.type != CAP_UNTYPED &&
	    n->cap.type != CAP_FRAME)
		violation(a, n, "non-frame object in device memory");
}

static void check_copy(struct audit *a, const struct cte *p, const struct cte *n)
{
	if (p->cap.type == CAP_IRQ_CONTROL) {
		if (n->cap.type != CAP_IRQ_HANDLER)
			violation(a, n, "child of IRQControl is not an IRQHandler");
		return;
	}
	if (!cap_same_object(&p->cap, &n->cap)) {
		violation(a, n,
			  "child of a type %u capability (obj %lx) is another object",
			  p->cap.type, (unsigned long)p->cap.obj);
		return;
	}
	/* A peer is not derived from its parent: only from an ancestor. */
	if (n->cap.rights & ~p->cap.rights && !(n->cap.flags & CAP_F_PEER))
		violation(a, n, "more rights (%u) than its parent (%u)", n->cap.rights,
			  p->cap.rights);
	if (has_badge(&p->cap) && p->cap.word && n->cap.word != p->cap.word &&
	    !(n->cap.flags & CAP_F_PEER))
		violation(a, n, "badge differs from its parent's badge %lx",
			  (unsigned long)p->cap.word);
	if (n->cap.type == CAP_CNODE && (n->cap.size_bits != p->cap.size_bits))
		violation(a, n, "CNode copy of another size");
	if ((n->cap.type == CAP_FRAME || n->cap.type == CAP_UNTYPED) &&
	    n->cap.size_bits != p->cap.size_bits)
		violation(a, n, "copy of another size");
}

/* Siblings under an Untyped: disjoint objects. */
static void check_siblings(struct audit *a, const struct cte *ut)
{
	unsigned k = 0;

	for (const struct cte *c = ut->first_child; c; c = c->next)
		if (++k > AUDIT_SIBLINGS_MAX)
			return;
	for (const struct cte *c = ut->first_child; c; c = c->next) {
		uint64_t cb, cs;

		if (!extent(&c->cap, &cb, &cs))
			continue;
		for (const struct cte *d = c->next; d; d = d->next) {
			uint64_t db, ds;

			if (cap_same_object(&c->cap, &d->cap)) {
				/* cdt_is_final looks only at a capability's parent
				 * and children: either of these would be taken for
				 * the last one and its object finalised under the
				 * other. */
				violation(a, d,
					  "two capabilities to one object side by side "
					  "under an "
					  "Untyped (the other: %p)",
					  (const void *)c);
				return;
			}
			if (!extent(&d->cap, &db, &ds))
				continue;
			if (cb < db + ds && db < cb + cs) {
				violation(a, d, "overlaps sibling %p (type %u obj %lx)",
					  (const void *)c, c->cap.type,
					  (unsigned long)c->cap.obj);
				return;
			}
		}
	}
}

struct table_find {
	uint64_t obj;
	unsigned level; /* of the entry that should point at it */
	bool found;
};

static int find_table(struct pgt_visit *v, enum pgt_visit_kind kind)
{
	struct table_find *f = v->arg;

	(void)kind;
	if (v->level == f->level && pte_addr(*v->ptep) == f->obj)
		f->found = true;
	return 0;
}

static void remember_vspace(struct audit *a, const struct vspace *vs)
{
	for (unsigned i = 0; i < a->nvspaces; i++)
		if (a->vspaces[i] == vs)
			return;
	if (a->nvspaces < AUDIT_VSPACES_MAX)
		a->vspaces[a->nvspaces++] = vs;
}

/* A frame or page table recorded as mapped is mapped there. */
static void check_mapping(struct audit *a, const struct cte *n)
{
	const struct cap *c = &n->cap;
	const struct vspace *vs = vspace_of_mapping(c);
	uint64_t ipa = CAP_MAP_IPA(c->word);
	struct audit_mapping *m;

	if (a->nmaps < AUDIT_MAPPED_MAX)
		a->maps[a->nmaps++] = n;
	if (!vs)
		return;
	if (c->type == CAP_FRAME) {
		/* Its first page an unmap in steps has not removed yet. */
		if (!mapping_live(c)) {
			if (a->flags & SEPTA_AUDIT_STALE_OK) {
				a->stale++;
				return;
			}
			violation(
			    a, n,
			    "frame recorded as mapped at %lx in VMID %u is not there",
			    (unsigned long)ipa, vs->pgt.vmid);
		}
	} else {
		unsigned level = CAP_MAP_LEVEL(c->word);
		struct table_find f = {c->obj, level - 1, false};
		struct pgt_walker w = {find_table, &f, PGT_VISIT_TABLE_PRE};

		if (level == 0 || pgt_walk(&vs->pgt, ipa, SEPTA_PAGE_SIZE, &w) ||
		    !f.found) {
			if (a->flags & SEPTA_AUDIT_STALE_OK) {
				a->stale++;
				return;
			}
			violation(a, n,
				  "page table recorded at %lx level %u in VMID %u is not "
				  "linked there",
				  (unsigned long)ipa, level, vs->pgt.vmid);
		}
	}
	remember_vspace(a, vs);
	if (a->nmapped >= AUDIT_MAPPED_MAX)
		return;
	/* A mapping belongs to the one capability that made it. */
	for (unsigned i = 0; i < a->nmapped; i++)
		if (a->mapped[i].map == c->map && a->mapped[i].ipa == ipa &&
		    a->mapped[i].table == (c->type == CAP_PAGE_TABLE) &&
		    a->mapped[i].level == CAP_MAP_LEVEL(c->word)) {
			violation(
			    a, n,
			    "a second capability records the mapping at %lx in VMID %u "
			    "(the first: %p, obj %lx)",
			    (unsigned long)ipa, vs->pgt.vmid,
			    (const void *)a->mapped[i].slot,
			    (unsigned long)a->mapped[i].obj);
			break;
		}
	m = &a->mapped[a->nmapped++];
	*m = (struct audit_mapping){.slot = n,
				    .map = c->map,
				    .ipa = ipa,
				    .obj = c->obj,
				    .table = c->type == CAP_PAGE_TABLE,
				    .level = CAP_MAP_LEVEL(c->word)};
	m->size = m->table ? pgt_granule(m->level - 1) : 1ULL << c->size_bits;
}

static void check_tcb_slot(struct audit *a, const struct cte *s, unsigned type,
			   const char *what)
{
	if (s->cap.type == CAP_NULL)
		return;
	if (s->cap.type != type) {
		violation(a, s, "TCB's %s is of type %u", what, s->cap.type);
		return;
	}
	/* Its parent is the capability it was copied from, or the Untyped
	 * that one came from once it was deleted (cdt_unlink). */
	if (!s->parent || (!cap_same_object(&s->parent->cap, &s->cap) &&
			   s->parent->cap.type != CAP_UNTYPED))
		violation(a, s, "TCB's %s is not a copy in the derivation tree", what);
	if (type == CAP_FRAME &&
	    (s->cap.size_bits != SEPTA_PAGE_SHIFT || (s->cap.flags & CAP_F_DEVICE)))
		violation(a, s, "TCB's IPC buffer is not a 4 KiB RAM frame");
}

static void check_object(struct audit *a, const struct cte *n)
{
	switch (n->cap.type) {
	case CAP_FRAME:
	case CAP_PAGE_TABLE:
		check_mapping(a, n);
		break;
	case CAP_UNTYPED:
		if (n->first_child && n->cap.word > 1ULL << n->cap.size_bits)
			violation(a, n, "Untyped uses more than it has");
		check_siblings(a, n);
		break;
	case CAP_TCB: {
		const struct tcb *t = (const struct tcb *)(uintptr_t)n->cap.obj;
		const char *why;

		check_tcb_slot(a, &t->slots[TCB_SLOT_CSPACE], CAP_CNODE, "CSpace");
		check_tcb_slot(a, &t->slots[TCB_SLOT_VSPACE], CAP_VSPACE, "VSpace");
		check_tcb_slot(a, &t->slots[TCB_SLOT_BUFFER], CAP_FRAME, "IPC buffer");
		check_tcb_slot(a, &t->slots[TCB_SLOT_FAULT], CAP_ENDPOINT,
			       "fault endpoint");
		if (t->vcpu && t->vcpu->tcb != t)
			violation(a, n, "TCB's VCPU is bound to another thread");
		if (t->bound_ntfn && t->bound_ntfn->bound != t)
			violation(a, n, "TCB's notification is bound to another thread");
		if ((why = sched_tcb_problem(t)))
			violation(a, n, "TCB %p: %s", (const void *)t, why);
		break;
	}
	case CAP_ZOMBIE: {
		const char *why = cap_zombie_problem(n, AUDIT_STEPS_MAX);

		if (why)
			violation(a, n, why);
		break;
	}
	case CAP_VCPU: {
		const struct vcpu *v = (const struct vcpu *)(uintptr_t)n->cap.obj;

		if (v->tcb && v->tcb->vcpu != v)
			violation(a, n, "VCPU's thread runs another VCPU");
		break;
	}
	case CAP_NOTIFICATION: {
		const struct notification *nt =
		    (const struct notification *)(uintptr_t)n->cap.obj;

		if (nt->bound && nt->bound->bound_ntfn != nt)
			violation(a, n, "notification's thread is bound to another");
		break;
	}
	case CAP_VSPACE:
		remember_vspace(a, (const struct vspace *)(uintptr_t)n->cap.obj);
		break;
	}
}

static void check_node(struct audit *a, const struct cte *n)
{
	a->seen++;
	if (n->cap.type == CAP_NULL || n->cap.type > CAP_ZOMBIE) {
		violation(a, n, "empty or unknown capability in the derivation tree");
		return;
	}
	if (n->parent) {
		if (n->parent->cap.type == CAP_UNTYPED)
			check_untyped_child(a, n->parent, n);
		else
			check_copy(a, n->parent, n);
	}
	check_object(a, n);
}

/* Walks the subtree under root without a stack: down to the first child,
 * on to the next sibling, up when there is none. */
static void walk_tree(struct audit *a, const struct cte *root)
{
	const struct cte *n = root;

	if (root->next || root->prev) {
		violation(a, root, "a root of the derivation tree has siblings");
		return;
	}
	check_node(a, root);
	for (;;) {
		const struct cte *s;

		if (++a->steps > AUDIT_STEPS_MAX) {
			violation(a, n, "derivation tree does not end (a cycle?)");
			return;
		}
		if (n->first_child) {
			s = n->first_child;
			if (s->parent != n || s->prev) {
				violation(a, s,
					  "first child's parent or prev link is wrong");
				return;
			}
			check_node(a, s);
			n = s;
			continue;
		}
		while (n != root && !n->next)
			n = n->parent;
		if (n == root)
			return;
		s = n->next;
		if (s->prev != n || s->parent != n->parent) {
			violation(a, s, "sibling's prev or parent link is wrong");
			return;
		}
		check_node(a, s);
		n = s;
	}
}

static bool is_boot_slot(const struct audit *a, const struct cte *s)
{
	return s >= a->root && s < a->root + a->boot_slots;
}

/* Every capability in the CSpace descends from a boot capability. */
static void check_cspace_node(struct audit *a, const struct cap *node, unsigned depth)
{
	const struct cte *slots = (const struct cte *)(uintptr_t)node->obj;

	for (unsigned i = 0; i < a->ncnodes; i++)
		if (a->cnodes[i]->obj == node->obj)
			return;
	if (a->ncnodes >= AUDIT_CNODES_MAX)
		return;
	a->cnodes[a->ncnodes++] = node;
	for (uint64_t i = 0; i < 1ULL << node->size_bits; i++) {
		const struct cte *s = &slots[i], *top = s;
		unsigned long up = 0;

		if (s->cap.type == CAP_NULL) {
			if (s->parent || s->first_child || s->next || s->prev)
				violation(a, s, "empty slot with derivation links");
			continue;
		}
		while (top->parent && up++ < AUDIT_STEPS_MAX)
			top = top->parent;
		if (!is_boot_slot(a, top))
			violation(a, s, "capability not derived from a boot capability");
		if (s->cap.type == CAP_CNODE && depth < AUDIT_CSPACE_DEPTH)
			check_cspace_node(a, &s->cap, depth + 1);
	}
}

/* A leaf's PTE_FRAME_W says the frame capability that made it had Write
 * (what a SEPTA_REPLY_STORE trusts): it must have, and a leaf writable at
 * stage 2 must have the bit. */
static void check_frame_w(struct audit *a, const struct audit_mapping *m, pte_t pte,
			  uint64_t addr)
{
	bool fw = pte & PTE_FRAME_W, w = arch_s2_rights(pte) & SEPTA_MAP_W;

	if ((fw && !(m->slot->cap.rights & SEPTA_RIGHT_WRITE)) || (w && !fw))
		violation(a, m->slot,
			  "mapping at %lx: PTE_FRAME_W %u, stage-2 W %u, capability "
			  "rights %u",
			  (unsigned long)addr, fw, w, m->slot->cap.rights);
}

/* Leaves and tables of a VSpace: each one a capability records. */
static int check_entry(struct pgt_visit *v, enum pgt_visit_kind kind)
{
	struct audit *a = &audit_state;
	const struct vspace *vs = v->arg;
	uint64_t map = vs->pgt.vmid | (uint64_t)vs->gen << 8,
		 gran = pgt_granule(v->level);
	uint64_t addr = ALIGN_DOWN(v->addr, gran), pa = pte_addr(*v->ptep);
	bool table = kind == PGT_VISIT_TABLE_PRE;

	if (!table && !pte_valid(*v->ptep))
		return 0;
	for (unsigned i = 0; i < a->nmapped; i++) {
		const struct audit_mapping *m = &a->mapped[i];

		if (m->map != map || m->table != table)
			continue;
		if (table ? m->ipa == addr && m->level == v->level + 1 && m->obj == pa
			  : addr >= m->ipa && addr - m->ipa < m->size &&
				pa == m->obj + (addr - m->ipa)) {
			if (!table)
				check_frame_w(a, m, *v->ptep, addr);
			return 0;
		}
	}
	violation(
	    a, NULL,
	    "VMID %u gen %u: %s at %lx level %u (pa %lx) that no capability records",
	    vs->pgt.vmid, vs->gen, table ? "table" : "mapping", (unsigned long)addr,
	    v->level, (unsigned long)pa);
	/* Who holds that page, and what its record says. */
	for (unsigned i = 0; i < a->nmaps && a->violations <= AUDIT_PRINT_MAX; i++) {
		const struct cap *c = &a->maps[i]->cap;

		if (pa >= c->obj &&
		    pa - c->obj <
			(c->type == CAP_FRAME ? 1ULL << c->size_bits : SEPTA_PAGE_SIZE))
			kprintf("audit:   held by %p: type %u obj %lx word %lx map %lx\n",
				(const void *)a->maps[i], c->type, (unsigned long)c->obj,
				(unsigned long)c->word, (unsigned long)c->map);
	}
	return a->violations > AUDIT_PRINT_MAX ? 1 : 0;
}

static void check_vspaces(struct audit *a)
{
	if (a->nmapped >= AUDIT_MAPPED_MAX)
		return; /* records left out: the walk would report them */
	for (unsigned i = 0; i < a->nvspaces; i++) {
		const struct vspace *vs = a->vspaces[i];
		struct pgt_walker w = {check_entry, (void *)(uintptr_t)vs,
				       PGT_VISIT_LEAF | PGT_VISIT_TABLE_PRE};

		if (vs == a->own)
			continue;
		pgt_walk(&vs->pgt, 0, 1ULL << vs->pgt.geom.ia_bits, &w);
	}
}

/* The ready queues as a whole (core/sched.c's invariant; each TCB found
 * is checked against them in check_object). */
static void check_sched(struct audit *a)
{
	const struct tcb *at;
	const char *why = sched_queues_problem(&at);

	if (why)
		violation(a, NULL, "%s (tcb %p)", why, (const void *)at);
}

/* The root task's only. x0: how many slots of the root CNode, from the
 * first, hold boot capabilities (septa_bootinfo.first_free_slot); x1:
 * SEPTA_AUDIT_* flags. */
void audit_syscall(struct tcb *t)
{
	struct audit *a = &audit_state;
	const struct cap *root = tcb_cspace(t);

	*a = (struct audit){0};
	if (!t->is_root) {
		t->regs.x[0] = (uint64_t)SEPTA_E_PERM;
		return;
	}
	if (root->type != CAP_CNODE) {
		t->regs.x[0] = (uint64_t)SEPTA_E_INVALID_ROOT;
		return;
	}
	a->root = (const struct cte *)(uintptr_t)root->obj;
	a->root_slots = 1ULL << root->size_bits;
	a->boot_slots = t->regs.x[0] < a->root_slots ? t->regs.x[0] : a->root_slots;
	a->own = tcb_vspace(t);
	a->flags = t->regs.x[1];
	for (uint64_t i = 0; i < a->boot_slots; i++)
		if (a->root[i].cap.type != CAP_NULL && !a->root[i].parent)
			walk_tree(a, &a->root[i]);
	check_cspace_node(a, root, 0);
	check_vspaces(a);
	check_sched(a);
	if (a->violations > AUDIT_PRINT_MAX)
		kprintf("audit: %lu violations in all\n", (unsigned long)a->violations);
	t->regs.x[0] = SEPTA_OK;
	t->regs.x[1] = a->violations;
	t->regs.x[2] = a->seen;
	t->regs.x[3] = a->stale;
}
#endif
