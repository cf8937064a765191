/* The console's command parser: every command, the key typed twice, keys
 * that are no command, ids out of range and VMs that cannot take input. */
#include <string.h>
#include "concmd.h"
#include "tests.h"

#define K "\x1d" /* the command key, as typed */
#define NO_VM(id)                                                                        \
	"vmsrv: cannot move the console input to vm " id ": there is no vm " id          \
	" (Ctrl-] l lists the VMs)\n"

static struct concmd_vm two[] = {
    {1, "left", "running", true, 0, NULL},
    {2, "right", "stopped", false, 1, "powered off"},
    {3, "bad", "crashed", false, 0, "crashed: its exception vector faults"},
    {4, "spare", "running", true, 2, NULL},
};
#define NTWO 4u

static char out[CONCMD_OUT_MAX];

/* Feeds the bytes; returns the last action (the answer is in out). */
static enum concmd_action type(struct concmd *c, const struct concmd_vm *vms, unsigned n,
			       const char *bytes)
{
	enum concmd_action a = CONCMD_QUIET;

	for (; *bytes; bytes++)
		a = concmd_feed(c, vms, n, (uint8_t)*bytes, out, sizeof(out));
	return a;
}

/* Types the bytes: the last one's action is a, its answer exactly said. */
static void answer(struct concmd *c, const struct concmd_vm *vms, unsigned n,
		   const char *bytes, enum concmd_action a, const char *said)
{
	CU_ASSERT_EQUAL(type(c, vms, n, bytes), a);
	CU_ASSERT_STRING_EQUAL(out, said);
}

/* Types the bytes: the last one moves the input to the VM at index focus. */
static void moves(struct concmd *c, const struct concmd_vm *vms, unsigned n,
		  const char *bytes, unsigned focus)
{
	CU_ASSERT_EQUAL(type(c, vms, n, bytes), CONCMD_FOCUS);
	CU_ASSERT_EQUAL(c->focus, focus);
}

static void focused(struct concmd *c, unsigned focus)
{
	concmd_init(c);
	c->focus = focus;
}

static void test_text(void)
{
	struct concmd c;

	focused(&c, 0);
	CU_ASSERT_EQUAL(type(&c, two, NTWO, "a"), CONCMD_DELIVER);
	CU_ASSERT_EQUAL(type(&c, two, NTWO, "\r"), CONCMD_DELIVER);
	CU_ASSERT_EQUAL(type(&c, two, NTWO, "\x02"),
			CONCMD_DELIVER); /* tmux's key is text */
	CU_ASSERT_EQUAL(c.focus, 0);
}

static void test_key_twice(void)
{
	struct concmd c;

	focused(&c, 0);
	CU_ASSERT_EQUAL(concmd_feed(&c, two, NTWO, CONCMD_KEY, out, sizeof(out)),
			CONCMD_QUIET);
	CU_ASSERT_EQUAL(concmd_feed(&c, two, NTWO, CONCMD_KEY, out, sizeof(out)),
			CONCMD_DELIVER);
	CU_ASSERT_STRING_EQUAL(out, "");
	/* Then text again, and the key again a command. */
	CU_ASSERT_EQUAL(type(&c, two, NTWO, "b"), CONCMD_DELIVER);
	CU_ASSERT_EQUAL(type(&c, two, NTWO, K "l"), CONCMD_SAY);
	CU_ASSERT_EQUAL(c.focus, 0);
}

static void test_help(void)
{
	struct concmd c;

	focused(&c, 0);
	answer(&c, two, NTWO, K "?", CONCMD_SAY,
	       "vmsrv: console commands, each typed after Ctrl-]:\n"
	       "vmsrv:   <id>    move the input to that VM (ids: 1, 2, 3, 4)\n"
	       "vmsrv:   l       list the VMs: state, resets, last stop, which has the "
	       "input\n"
	       "vmsrv:   ?       this help\n"
	       "vmsrv:   Ctrl-]  type one Ctrl-] into the VM that has the input\n");
	/* The command is over: the next ? is text. */
	CU_ASSERT_EQUAL(type(&c, two, NTWO, "?"), CONCMD_DELIVER);
}

static void test_list(void)
{
	struct concmd c;

	focused(&c, 3);
	answer(
	    &c, two, NTWO, K "l", CONCMD_SAY,
	    "vmsrv: input  id  name             state    resets  last stop\n"
	    "vmsrv:         1  left             running       0  -\n"
	    "vmsrv:         2  right            stopped       1  powered off\n"
	    "vmsrv:         3  bad              crashed       0  crashed: its exception "
	    "vector faults\n"
	    "vmsrv:   *     4  spare            running       2  -\n");
	/* Nobody has the input: no mark. */
	focused(&c, CONCMD_NONE);
	answer(&c, two, 1, K "l", CONCMD_SAY,
	       "vmsrv: input  id  name             state    resets  last stop\n"
	       "vmsrv:         1  left             running       0  -\n");
}

static void test_switch(void)
{
	struct concmd c;

	focused(&c, 0);
	answer(&c, two, NTWO, K "4", CONCMD_FOCUS,
	       "vmsrv: console input goes to vm 4 'spare' (Ctrl-] ? for help)\n");
	CU_ASSERT_EQUAL(c.focus, 3);
	moves(&c, two, NTWO, K "1", 0);
	/* To itself: it says so again. */
	moves(&c, two, NTWO, K "1", 0);
	CU_ASSERT_EQUAL(type(&c, two, NTWO, "x"), CONCMD_DELIVER);
}

static void test_switch_refused(void)
{
	struct concmd c;

	focused(&c, 0);
	answer(&c, two, NTWO, K "2", CONCMD_SAY,
	       "vmsrv: cannot move the console input to vm 2 'right': it is stopped\n");
	answer(&c, two, NTWO, K "3", CONCMD_SAY,
	       "vmsrv: cannot move the console input to vm 3 'bad': it is crashed\n");
	answer(&c, two, NTWO, K "9", CONCMD_SAY, NO_VM("9"));
	answer(&c, two, NTWO, K "0", CONCMD_SAY, NO_VM("0"));
	CU_ASSERT_EQUAL(c.focus, 0);
	/* With no VM at all. */
	CU_ASSERT_EQUAL(type(&c, two, 0, K "1"), CONCMD_SAY);
	CU_ASSERT_EQUAL(c.focus, 0);
	CU_ASSERT_EQUAL(type(&c, two, NTWO, "y"), CONCMD_DELIVER);
}

static void test_unknown(void)
{
	static const struct {
		const char *typed, *said;
	} keys[] = {
	    {K "x", "vmsrv: Ctrl-] x: no such command (Ctrl-] ? lists them)\n"},
	    {K "L", "vmsrv: Ctrl-] L: no such command (Ctrl-] ? lists them)\n"},
	    {K "\r", "vmsrv: Ctrl-] Enter: no such command (Ctrl-] ? lists them)\n"},
	    {K " ", "vmsrv: Ctrl-] space: no such command (Ctrl-] ? lists them)\n"},
	    {K "\x1b", "vmsrv: Ctrl-] Esc: no such command (Ctrl-] ? lists them)\n"},
	    {K "\x7f",
	     "vmsrv: Ctrl-] Backspace: no such command (Ctrl-] ? lists them)\n"},
	    {K "\x02", "vmsrv: Ctrl-] Ctrl-B: no such command (Ctrl-] ? lists them)\n"},
	    {K "\x01", "vmsrv: Ctrl-] Ctrl-A: no such command (Ctrl-] ? lists them)\n"},
	    {K "\xc3",
	     "vmsrv: Ctrl-] a byte above ASCII (195): no such command (Ctrl-] ? lists "
	     "them)\n"},
	};
	struct concmd c;

	focused(&c, 0);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		answer(&c, two, NTWO, keys[i].typed, CONCMD_SAY, keys[i].said);
		CU_ASSERT_EQUAL(type(&c, two, NTWO, "z"), CONCMD_DELIVER);
	}
	CU_ASSERT_EQUAL(c.focus, 0);
}

/* Ids of two digits: one acts once no longer id begins with it. */
static void test_long_ids(void)
{
	static const struct concmd_vm many[] = {
	    {1, "one", "running", true, 0, NULL},
	    {2, "two", "running", true, 0, NULL},
	    {12, "twelve", "running", true, 0, NULL},
	    {20, "twenty", "running", true, 0, NULL},
	    {21, "stopped", "stopped", false, 0, "powered off"},
	};
	unsigned n = sizeof(many) / sizeof(many[0]);
	struct concmd c;

	focused(&c, 0);
	CU_ASSERT_EQUAL(type(&c, many, n, K "1"), CONCMD_QUIET);
	answer(&c, many, n, "2", CONCMD_FOCUS,
	       "vmsrv: console input goes to vm 12 'twelve' (Ctrl-] ? for help)\n");
	CU_ASSERT_EQUAL(c.focus, 2);
	/* Enter ends an id early, and is used up. */
	moves(&c, many, n, K "1\r", 0);
	moves(&c, many, n, K "2\r", 1);
	moves(&c, many, n, K "20", 3);
	/* So does any key, and the key after the command key. */
	moves(&c, many, n, K "1x", 0);
	moves(&c, many, n, K "2" K, 1);
	CU_ASSERT_EQUAL(type(&c, many, n, "x"), CONCMD_DELIVER);
	/* No id begins with 3, or with 13: refused at once. */
	answer(&c, many, n, K "3", CONCMD_SAY, NO_VM("3"));
	answer(&c, many, n, K "13", CONCMD_SAY, NO_VM("13"));
	answer(
	    &c, many, n, K "21", CONCMD_SAY,
	    "vmsrv: cannot move the console input to vm 21 'stopped': it is stopped\n");
	CU_ASSERT_EQUAL(c.focus, 1);
	CU_ASSERT_EQUAL(type(&c, many, n, K "?"), CONCMD_SAY);
	CU_ASSERT_PTR_NOT_NULL(strstr(out,
				      "(ids: 1, 2, 12, 20, 21; Enter ends an id a longer "
				      "one begins with)\n"));
}

static void test_refocus(void)
{
	struct concmd_vm vms[NTWO];
	struct concmd c;

	memcpy(vms, two, sizeof(vms));
	concmd_init(&c);
	CU_ASSERT_EQUAL(c.focus, CONCMD_NONE);
	CU_ASSERT_EQUAL(type(&c, vms, NTWO, "a"),
			CONCMD_DELIVER); /* the caller drops it */
	/* At the start: the first VM that runs. */
	CU_ASSERT_TRUE(concmd_refocus(&c, vms, NTWO, out, sizeof(out)));
	CU_ASSERT_EQUAL(c.focus, 0);
	CU_ASSERT_STRING_EQUAL(out,
			       "vmsrv: console input goes to vm 1 'left' (Ctrl-] ? for "
			       "help)\n");
	/* Another VM stopping changes nothing. */
	vms[3].running = false;
	CU_ASSERT_FALSE(concmd_refocus(&c, vms, NTWO, out, sizeof(out)));
	CU_ASSERT_STRING_EQUAL(out, "");
	/* The focused one: the next that runs, round the end. */
	vms[3].running = true;
	vms[0].running = false;
	CU_ASSERT_TRUE(concmd_refocus(&c, vms, NTWO, out, sizeof(out)));
	CU_ASSERT_EQUAL(c.focus, 3);
	vms[0].running = true;
	vms[3].running = false;
	CU_ASSERT_TRUE(concmd_refocus(&c, vms, NTWO, out, sizeof(out)));
	CU_ASSERT_EQUAL(c.focus, 0);
	/* The last one: said once. */
	vms[0].running = false;
	CU_ASSERT_TRUE(concmd_refocus(&c, vms, NTWO, out, sizeof(out)));
	CU_ASSERT_EQUAL(c.focus, CONCMD_NONE);
	CU_ASSERT_STRING_EQUAL(out,
			       "vmsrv: console input goes nowhere: no VM is running\n");
	CU_ASSERT_FALSE(concmd_refocus(&c, vms, NTWO, out, sizeof(out)));
	/* A switch with no VM running is refused, the input stays nowhere. */
	CU_ASSERT_EQUAL(type(&c, vms, NTWO, K "1"), CONCMD_SAY);
	CU_ASSERT_EQUAL(c.focus, CONCMD_NONE);
}

/* A small buffer holds the start of the answer, terminated. */
static void test_small_buffer(void)
{
	struct concmd c;
	char small[12];

	focused(&c, 0);
	CU_ASSERT_EQUAL(concmd_feed(&c, two, NTWO, CONCMD_KEY, small, sizeof(small)),
			CONCMD_QUIET);
	CU_ASSERT_EQUAL(concmd_feed(&c, two, NTWO, 'l', small, sizeof(small)),
			CONCMD_SAY);
	CU_ASSERT_STRING_EQUAL(small, "vmsrv: inpu");
	CU_ASSERT_EQUAL(concmd_feed(&c, two, NTWO, CONCMD_KEY, small, 0), CONCMD_QUIET);
	CU_ASSERT_EQUAL(concmd_feed(&c, two, NTWO, '?', small, 0), CONCMD_SAY);
}

/* Eight VMs with the longest names, resets and last stops (a refusal's
 * message, 255 characters): the list is whole. Every byte, after the key
 * or in an id, is answered in a terminated string. */
static void test_longest(void)
{
	static char stop[256];
	struct concmd_vm vms[VMCFG_MAX_VMS];
	struct concmd c;
	unsigned lines = 0;

	memset(stop, 's', sizeof(stop) - 1);
	for (unsigned i = 0; i < VMCFG_MAX_VMS; i++)
		vms[i] = (struct concmd_vm){
		    i + 1, "fifteen-chars-x", "crashed", false, ~0u, stop};
	concmd_init(&c);
	CU_ASSERT_EQUAL(type(&c, vms, VMCFG_MAX_VMS, K "l"), CONCMD_SAY);
	for (const char *p = out; (p = strchr(p, '\n')); p++)
		lines++;
	CU_ASSERT_EQUAL(lines, VMCFG_MAX_VMS + 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "4294967295  "));
	for (unsigned b = 0; b < 256; b++) {
		concmd_init(&c);
		type(&c, two, NTWO, K);
		memset(out, 'x', sizeof(out));
		concmd_feed(&c, two, NTWO, (uint8_t)b, out, sizeof(out));
		CU_ASSERT_PTR_NOT_NULL(memchr(out, 0, sizeof(out)));
		concmd_feed(&c, two, NTWO, (uint8_t)b, out, sizeof(out));
		CU_ASSERT_PTR_NOT_NULL(memchr(out, 0, sizeof(out)));
	}
}

void suite_concmd(void)
{
	CU_pSuite s = CU_add_suite("concmd", NULL, NULL);

	CU_add_test(s, "text goes to the focused VM", test_text);
	CU_add_test(s, "the key twice types one key", test_key_twice);
	CU_add_test(s, "? prints every command, one line each", test_help);
	CU_add_test(s, "l lists state, resets, last stop and the input", test_list);
	CU_add_test(s, "an id moves the input", test_switch);
	CU_add_test(s, "stopped, crashed and missing VMs are refused in words",
		    test_switch_refused);
	CU_add_test(s, "unknown keys are refused by name", test_unknown);
	CU_add_test(s, "ids over 9: digits until unambiguous, or Enter", test_long_ids);
	CU_add_test(s, "a stopped focus moves to a running VM, or nowhere", test_refocus);
	CU_add_test(s, "answers are cut to the buffer", test_small_buffer);
	CU_add_test(s, "the longest list whole, every byte answered", test_longest);
}
