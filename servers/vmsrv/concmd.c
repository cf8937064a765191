/*
 * The console's commands (concmd.h): a byte at a time, no state but the
 * struct concmd, every answer in words. VM ids are written in decimal.
 */
#include <stdarg.h>
#include <stdio.h>
#include "concmd.h"

#define KEY CONCMD_KEY_NAME

struct out {
	char *buf;
	size_t size, len;
};

static void say(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->len + 1 >= o->size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, o->size - o->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len = o->len + (size_t)n < o->size ? o->len + (size_t)n : o->size - 1;
}

static unsigned find(const struct concmd_vm *vms, unsigned n, unsigned id)
{
	for (unsigned i = 0; i < n; i++)
		if (vms[i].id == id)
			return i;
	return CONCMD_NONE;
}

/* Whether some id is longer than the digits typed and begins with them. */
static bool longer_id(const struct concmd_vm *vms, unsigned n, unsigned typed)
{
	for (unsigned i = 0; typed && i < n; i++) {
		unsigned id = vms[i].id;

		while (id > typed)
			id /= 10;
		if (id == typed && vms[i].id != typed)
			return true;
	}
	return false;
}

/* The key that follows the command key, named as a keyboard does. */
static void say_key(struct out *o, uint8_t c)
{
	static const struct {
		uint8_t c;
		const char *name;
	} named[] = {{'\r', "Enter"}, {'\n', "Enter"}, {' ', "space"},
		     {'\t', "Tab"},   {0x1b, "Esc"},   {0x7f, "Backspace"}};

	for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++)
		if (named[i].c == c) {
			say(o, "%s", named[i].name);
			return;
		}
	if (c < 0x20)
		say(o, "Ctrl-%c", c + 0x40);
	else if (c < 0x7f)
		say(o, "%c", c);
	else
		say(o, "a byte above ASCII (%u)", c);
}

static void say_focus(struct out *o, const struct concmd_vm *v)
{
	say(o, "vmsrv: console input goes to vm %u '%s' (" KEY " ? for help)\n", v->id,
	    v->name);
}

static enum concmd_action move_to(struct concmd *c, const struct concmd_vm *vms,
				  unsigned n, unsigned id, struct out *o)
{
	unsigned i = find(vms, n, id);

	if (i == CONCMD_NONE) {
		say(o,
		    "vmsrv: cannot move the console input to vm %u: there is no vm %u "
		    "(" KEY " l lists the VMs)\n",
		    id, id);
		return CONCMD_SAY;
	}
	if (!vms[i].running) {
		say(o, "vmsrv: cannot move the console input to vm %u '%s': it is %s\n",
		    id, vms[i].name, vms[i].state);
		return CONCMD_SAY;
	}
	c->focus = i;
	say_focus(o, &vms[i]);
	return CONCMD_FOCUS;
}

static void help(const struct concmd_vm *vms, unsigned n, struct out *o)
{
	bool long_ids = false;

	say(o, "vmsrv: console commands, each typed after " KEY ":\n");
	say(o, "vmsrv:   <id>    move the input to that VM (ids:");
	for (unsigned i = 0; i < n; i++) {
		say(o, "%s %u", i ? "," : "", vms[i].id);
		long_ids |= longer_id(vms, n, vms[i].id);
	}
	say(o, long_ids ? "; Enter ends an id a longer one begins with)\n" : ")\n");
	say(o, "vmsrv:   l       list the VMs: state, resets, last stop, which has the "
	       "input\n");
	say(o, "vmsrv:   ?       this help\n");
	say(o, "vmsrv:   " KEY "  type one " KEY " into the VM that has the input\n");
}

static void list(const struct concmd *c, const struct concmd_vm *vms, unsigned n,
		 struct out *o)
{
	int w = (int)VMCFG_NAME_LEN - 1;

	say(o, "vmsrv: input  id  %-*s  state    resets  last stop\n", w, "name");
	for (unsigned i = 0; i < n; i++)
		say(o, "vmsrv:   %c   %3u  %-*s  %-7s  %6u  %s\n",
		    i == c->focus ? '*' : ' ', vms[i].id, w, vms[i].name, vms[i].state,
		    vms[i].resets, vms[i].stopped ? vms[i].stopped : "-");
}

void concmd_init(struct concmd *c)
{
	c->focus = CONCMD_NONE;
	c->mode = CONCMD_TEXT;
	c->id = 0;
}

enum concmd_action concmd_feed(struct concmd *c, const struct concmd_vm *vms, unsigned n,
			       uint8_t byte, char *out, size_t size)
{
	struct out o = {out, size, 0};
	enum concmd_mode mode = c->mode;

	if (size)
		out[0] = 0;
	c->mode = CONCMD_TEXT;
	if (mode == CONCMD_TEXT) {
		if (byte != CONCMD_KEY)
			return CONCMD_DELIVER;
		c->mode = CONCMD_COMMAND;
		return CONCMD_QUIET;
	}
	if (byte >= '0' && byte <= '9') {
		c->id = (mode == CONCMD_ID ? c->id * 10 : 0) + (unsigned)(byte - '0');
		if (longer_id(vms, n, c->id)) {
			c->mode = CONCMD_ID;
			return CONCMD_QUIET;
		}
		return move_to(c, vms, n, c->id, &o);
	}
	if (mode == CONCMD_ID) /* the key that ends an id is used up */
		return move_to(c, vms, n, c->id, &o);
	if (byte == CONCMD_KEY)
		return CONCMD_DELIVER;
	if (byte == '?')
		help(vms, n, &o);
	else if (byte == 'l')
		list(c, vms, n, &o);
	else {
		say(&o, "vmsrv: " KEY " ");
		say_key(&o, byte);
		say(&o, ": no such command (" KEY " ? lists them)\n");
	}
	return CONCMD_SAY;
}

bool concmd_refocus(struct concmd *c, const struct concmd_vm *vms, unsigned n, char *out,
		    size_t size)
{
	struct out o = {out, size, 0};
	unsigned from = c->focus == CONCMD_NONE ? 0 : c->focus + 1;

	if (size)
		out[0] = 0;
	if (c->focus < n && vms[c->focus].running)
		return false;
	for (unsigned k = 0; k < n; k++) {
		unsigned i = (from + k) % n;

		if (vms[i].running) {
			c->focus = i;
			say_focus(&o, &vms[i]);
			return true;
		}
	}
	if (c->focus == CONCMD_NONE)
		return false;
	c->focus = CONCMD_NONE;
	say(&o, "vmsrv: console input goes nowhere: no VM is running\n");
	return true;
}
