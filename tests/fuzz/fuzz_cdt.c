/*
 * kernel/object/cdt.c, the derivation tree: random inserts (retypes from
 * an Untyped, copies of anything else through cap_copy_of), moves and
 * unlinks over a pool of slots, against a model of who is whose parent.
 * After every step the links are consistent, the tree is the model's, and
 * cdt_is_final says a capability is the last one to its object exactly
 * when no other slot holds that object (what delete.c relies on to decide
 * whether to destroy it).
 */
#include <object/cap.h>
#include <string.h>
#include "fuzz.h"

#define SLOTS 40u

static struct cte pool[SLOTS];
static int parent[SLOTS]; /* the model: index of the parent, -1 for none */
static uint64_t next_obj;

static int index_of(const struct cte *c)
{
	if (!c)
		return -1;
	FUZZ_CHECK(c >= pool && c < pool + SLOTS);
	return (int)(c - pool);
}

/* The harness's own "same object" (as cap.h defines it), so that the model
 * does not lean on the code under test, and without its coverage tracing,
 * which was most of the run's time. */
static bool same_object(const struct cap *a, const struct cap *b)
{
	return a->type == b->type && a->obj == b->obj && a->type != CAP_NULL;
}

static bool holds_elsewhere(unsigned s)
{
	for (unsigned i = 0; i < SLOTS; i++)
		if (i != s && same_object(&pool[i].cap, &pool[s].cap))
			return true;
	return false;
}

static void verify(void)
{
	unsigned model_children[SLOTS] = {0};

	/* Children by the model, counted once: O(SLOTS), not per slot. */
	for (unsigned j = 0; j < SLOTS; j++)
		if (parent[j] >= 0)
			model_children[parent[j]]++;
	for (unsigned i = 0; i < SLOTS; i++) {
		const struct cte *c = &pool[i];
		unsigned children = 0;

		if (c->cap.type == CAP_NULL) {
			FUZZ_CHECK(!c->parent && !c->first_child && !c->next && !c->prev);
			FUZZ_CHECK(parent[i] == -1);
			continue;
		}
		FUZZ_CHECK(index_of(c->parent) == parent[i]);
		if (c->prev)
			FUZZ_CHECK(c->prev->next == c && c->prev->parent == c->parent);
		else if (c->parent)
			FUZZ_CHECK(c->parent->first_child == c);
		if (c->next)
			FUZZ_CHECK(c->next->prev == c && c->next->parent == c->parent);
		for (const struct cte *ch = c->first_child; ch; ch = ch->next) {
			FUZZ_CHECK(ch->parent == c && ch->cap.type != CAP_NULL);
			FUZZ_CHECK(++children <= SLOTS);
		}
		FUZZ_CHECK(children == model_children[i]);
		/* A child of anything but an Untyped is a copy of it. */
		if (c->parent && c->parent->cap.type != CAP_UNTYPED)
			FUZZ_CHECK(same_object(&c->parent->cap, &c->cap));
		if (c->cap.type == CAP_UNTYPED)
			FUZZ_CHECK(!cdt_is_final(c));
		else
			FUZZ_CHECK(cdt_is_final(c) == !holds_elsewhere(i));
	}
}

static void step(struct fuzz_in *in)
{
	unsigned op = fuzz_below(in, 4), a = fuzz_below(in, SLOTS),
		 b = fuzz_below(in, SLOTS);
	struct cte *s = &pool[a], *d = &pool[b];

	switch (op) {
	case 0: /* a new Untyped, a root of the tree */
		if (s->cap.type != CAP_NULL)
			return;
		cdt_insert(NULL, s,
			   &(struct cap){.type = CAP_UNTYPED, .obj = ++next_obj << 12});
		parent[a] = -1;
		break;
	case 1: { /* into empty slot b: a retype from Untyped a, or a copy of a */
		struct cap c;

		if (s->cap.type == CAP_NULL || d->cap.type != CAP_NULL)
			return;
		if (s->cap.type == CAP_UNTYPED) {
			c = (struct cap){.type =
					     (uint8_t)(CAP_UNTYPED + fuzz_below(in, 11)),
					 .obj = ++next_obj << 12};
		} else if (cap_copy_of(&s->cap, &c) != SEPTA_OK) {
			FUZZ_CHECK(s->cap.type == CAP_PAGE_TABLE ||
				   s->cap.type == CAP_IRQ_CONTROL);
			return;
		}
		cdt_insert(s, d, &c);
		parent[b] = (int)a;
		break;
	}
	case 2: /* move a to empty slot b */
		if (s->cap.type == CAP_NULL || d->cap.type != CAP_NULL)
			return;
		cdt_move(d, s);
		parent[b] = parent[a];
		parent[a] = -1;
		for (unsigned i = 0; i < SLOTS; i++)
			if (parent[i] == (int)a)
				parent[i] = (int)b;
		break;
	default: { /* delete a's capability, as delete.c does with the tree */
		int first = s->first_child ? (int)(s->first_child - pool) : -1;
		bool hand_up = s->cap.type == CAP_UNTYPED ||
			       (s->parent && same_object(&s->parent->cap, &s->cap));
		enum cdt_hand h;

		if (s->cap.type == CAP_NULL)
			return;
		while ((h = cdt_hand_on_child(s)) == CDT_HANDED)
			;
		FUZZ_CHECK(h == CDT_NO_CHILD);
		cdt_unlink(s);
		/* An Untyped's or a copy's children go to its parent; an
		 * original's first copy takes its place and the others gather
		 * under it. */
		for (unsigned i = 0; i < SLOTS; i++)
			if (parent[i] == (int)a && (int)i != first)
				parent[i] = hand_up ? parent[a] : first;
		if (first >= 0)
			parent[first] = parent[a];
		parent[a] = -1;
		FUZZ_CHECK(s->cap.type == CAP_NULL && !s->first_child);
		break;
	}
	}
	verify();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = fuzz_in(data, size);

	memset(pool, 0, sizeof(pool));
	for (unsigned i = 0; i < SLOTS; i++)
		parent[i] = -1;
	next_obj = 0;
	for (unsigned i = 0; i < 256 && in.left; i++)
		step(&in);
	return 0;
}
