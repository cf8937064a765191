#!/usr/bin/env python3
"""unit.benchreport: make bench's report (report.py) on sample logs. A row
missing or malformed must fail the report, a figure over its goal must not,
and the check must sit exactly at the goal."""
import contextlib
import io
import json
import os
import re
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import report  # noqa: E402

GOALS = """\
# a comment, and a blank line

IPC | required | 300 | ipcbench: call + replyrecv round trip
fault at 10% | optional | 2500 | vmbench: RAM fault, 4 KiB page at 10% allocated
share 1 | required | 2000 | memsrvbench: share + unshare, 1 page
boot | required | - | bootbench: reset to the first guest instruction
"""
GOOD = """\
93: ipcbench: 20000 round trips, 0 wrong answers
93: ipcbench: call + replyrecv round trip: 300.0 instructions (of which loop 6.0)
96: memsrvbench: share + unshare, 1 page: 2000.1 instructions (200 rounds)
96: memsrvbench: share + unshare, 16 pages, per page: 99.0 instructions (10 rounds)
97: [bench] vmbench: RAM fault, 4 KiB page at 10% allocated: 12.5 instructions
98: bootbench: reset to the first guest instruction: 123456789.0 instructions
1/4 Test  #93: bench.ipc ........................   Passed    0.67 sec
2/4 Test  #96: bench.memsrv .....................   Passed    1.43 sec
3/4 Test  #97: bench.vmscale ....................   Passed    2.55 sec
4/4 Test  #98: bench.boot .......................   Passed    0.61 sec
"""


def run(goals, log):
    results, ok = report.report(report.parse_goals(goals), log.splitlines(True))
    return {r["name"]: r for r in results}, ok


class Report(unittest.TestCase):
    def test_all_present(self):
        rows, ok = run(GOALS, GOOD)
        self.assertTrue(ok)
        self.assertEqual(rows["IPC"]["value"], 300.0)
        self.assertEqual(rows["boot"]["value"], 123456789.0)
        self.assertEqual(rows["boot"]["status"], "info")
        self.assertIsNone(rows["boot"]["met"])
        self.assertEqual(rows["fault at 10%"]["source"],
                         "97: [bench] vmbench: RAM fault, 4 KiB page at 10% allocated: "
                         "12.5 instructions")

    def test_boundary(self):
        rows, ok = run(GOALS, GOOD)
        self.assertEqual(rows["IPC"]["status"], "met")  # 300.0 at a goal of 300
        self.assertTrue(rows["IPC"]["met"])
        self.assertEqual(rows["share 1"]["status"], "over")  # 2000.1 over 2000
        self.assertFalse(rows["share 1"]["met"])
        self.assertTrue(ok)  # over its goal is a cross, not a failure
        rows, _ = run(GOALS, GOOD.replace("300.0 instructions", "300.1 instructions"))
        self.assertEqual(rows["IPC"]["status"], "over")
        rows, _ = run(GOALS, GOOD.replace("300.0 instructions", "299.9 instructions"))
        self.assertEqual(rows["IPC"]["status"], "met")

    def test_required_missing_fails(self):
        log = "".join(l for l in GOOD.splitlines(True) if "replyrecv round trip" not in l)
        rows, ok = run(GOALS, log)
        self.assertFalse(ok)
        self.assertEqual(rows["IPC"]["status"], "missing")
        self.assertIsNone(rows["IPC"]["value"])

    def test_optional_missing_warns(self):
        log = "".join(l for l in GOOD.splitlines(True) if "10% allocated" not in l)
        rows, ok = run(GOALS, log)
        self.assertTrue(ok)
        self.assertEqual(rows["fault at 10%"]["status"], "missing")
        self.assertIn("warning: no line for 'fault at 10%'",
                      report.table(list(rows.values())))

    def test_malformed_fails(self):
        for bad in ("300 instructions", "300.00 instructions", "3e2 instructions",
                    "300.0 cycles", "-300.0 instructions", "300.0 instructions trailing",
                    " 300.0 instructions", "300.0instructions", "x.0 instructions"):
            with self.subTest(bad=bad):
                rows, ok = run(GOALS, GOOD.replace("300.0 instructions (of which loop 6.0)", bad))
                self.assertFalse(ok)
                self.assertEqual(rows["IPC"]["status"], "malformed")
        # A malformed optional row fails too: it is there, and wrong.
        rows, ok = run(GOALS, GOOD.replace("12.5 instructions", "12.5.0 instructions"))
        self.assertFalse(ok)
        self.assertEqual(rows["fault at 10%"]["status"], "malformed")

    def test_twice_fails(self):
        rows, ok = run(GOALS, GOOD + "99: ipcbench: call + replyrecv round trip: 1.0 instructions\n")
        self.assertFalse(ok)
        self.assertEqual(rows["IPC"]["status"], "duplicate")

    def test_longer_row_is_another_row(self):
        # ", 1 page" must not take ", 1 page at 90%" or ", 1 pages" for its own.
        log = GOOD.replace("share + unshare, 1 page:", "share + unshare, 1 page at 90%:")
        rows, ok = run(GOALS, log)
        self.assertFalse(ok)
        self.assertEqual(rows["share 1"]["status"], "missing")

    def test_failed_test_fails(self):
        # A figure a benchmark printed before it failed (a check after it,
        # a timeout) is no figure: ctest's result line for its test decides.
        for result in ("***Failed", "***Timeout", "***Exception: SegFault", "Not Run"):
            with self.subTest(result=result):
                log = GOOD.replace("#93: bench.ipc ........................   Passed",
                                   "#93: bench.ipc ........................" + result)
                rows, ok = run(GOALS, log)
                self.assertFalse(ok)
                self.assertEqual(rows["IPC"]["status"], "failed")
                self.assertIsNone(rows["IPC"]["value"])
                self.assertEqual(rows["share 1"]["status"], "over")  # the others stand
        # An optional row from a failed test fails too: it is there, and wrong.
        rows, ok = run(GOALS, GOOD.replace("#97: bench.vmscale ....................   Passed",
                                           "#97: bench.vmscale ....................***Failed"))
        self.assertFalse(ok)
        self.assertEqual(rows["fault at 10%"]["status"], "failed")
        self.assertIn("make bench: 'fault at 10%': from a test that did not pass",
                      report.table(list(rows.values())))

    def test_unfinished_test_fails(self):
        # A log cut short (ctest killed, a full disk) after a figure but
        # before its test's result line: the test may yet have failed.
        log = "".join(l for l in GOOD.splitlines(True) if "#98: bench.boot" not in l)
        rows, ok = run(GOALS, log)
        self.assertFalse(ok)
        self.assertEqual(rows["boot"]["status"], "unfinished")
        self.assertEqual(rows["IPC"]["status"], "met")

    def test_only_ctest_lines(self):
        # A line not in ctest's "N: " form (a console echo, a grep) is not a figure.
        log = GOOD.replace("93: ipcbench: call", "ipcbench: call")
        rows, ok = run(GOALS, log)
        self.assertFalse(ok)
        self.assertEqual(rows["IPC"]["status"], "missing")

    def test_bad_goals(self):
        for bad in ("a | required | 300", "a | sometimes | 300 | x: y",
                    "a | required | 3.5 | x: y", "a | required | 300 | x: y\n"
                    "a | optional | 200 | x: z", " | required | 300 | x: y"):
            with self.subTest(bad=bad):
                with self.assertRaises(report.GoalsError):
                    report.parse_goals(bad)

    def test_main_writes_json(self):
        with tempfile.TemporaryDirectory() as d:
            goals, log, out = (os.path.join(d, n) for n in ("g.def", "bench.log", "b.json"))
            with open(goals, "w") as f:
                f.write(GOALS)
            with open(log, "w") as f:
                f.write(GOOD)
            with contextlib.redirect_stdout(io.StringIO()) as printed:
                self.assertEqual(report.main(["--goals", goals, log, out]), 0)
            self.assertRegex(printed.getvalue(), r"\nIPC +300\.0 +≤ 300  ✔\n")
            with open(out) as f:
                j = json.load(f)
            self.assertTrue(j["ok"])
            ipc = next(r for r in j["rows"] if r["name"] == "IPC")
            self.assertEqual((ipc["value"], ipc["goal"], ipc["met"], ipc["unit"]),
                             (300.0, 300, True, "instructions"))
            with open(log, "w") as f:
                f.write(GOOD.replace("98: bootbench", "98: bootbnch"))
            with contextlib.redirect_stdout(io.StringIO()), \
                    contextlib.redirect_stderr(io.StringIO()):
                self.assertEqual(report.main(["--goals", goals, log, out]), 1)
            with open(out) as f:
                self.assertFalse(json.load(f)["ok"])

    def test_tree_goals_name_printed_lines(self):
        # Every row of the tree's table is a line some benchmark is checked
        # for printing (tests/system/CMakeLists.txt), so a renamed line
        # fails here and not only in a make bench run.
        with open(os.path.join(HERE, "goals.def")) as f:
            rows = report.parse_goals(f.read())
        with open(os.path.join(HERE, "..", "system", "CMakeLists.txt")) as f:
            cmake = f.read()
        expects = [re.sub(r"\\\\(.)", r"\1", e)
                   for e in re.findall(r'--expect "\^(?:\\\\\[bench\\\\\] )?([^"]*)"', cmake)]
        for r in rows:
            if r["required"]:
                with self.subTest(row=r["name"]):
                    self.assertTrue(any(e.startswith(r["line"] + ": ") for e in expects),
                                    r["line"])


if __name__ == "__main__":
    unittest.main()
