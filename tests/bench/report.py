#!/usr/bin/env python3
"""make bench's report: the figures of tests/bench/goals.def read from the
ctest log of the benchmarks, each beside its goal with a check or a cross,
printed as a table and written as JSON.

    report.py [--goals FILE] LOG JSON

Exits 1 if a required row is missing from the log, or its line is there
but malformed, printed twice, or printed by a test that ctest's result line
does not say Passed (or that has no result line: a log cut short): no
figure is better than a wrong one;
0 otherwise, however many figures are over their goals: goals are targets,
not tests. An optional row that is missing is a warning in the table.
"""
import argparse
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
# ctest -V's "N: " before each line of test N, then vmsrv's "[vm] " tag.
PREFIX = re.compile(r"^(?P<test>[0-9]+): (?:\[[A-Za-z0-9_-]+\] )?(?P<rest>.*)$")
# ctest's result line for test N: "1/9 Test  #94: bench.ipc ....   Passed    0.67 sec".
RESULT = re.compile(r"^ *[0-9]+/[0-9]+ Test +#(?P<test>[0-9]+): \S+ .*?(?P<passed> Passed)? +"
                    r"[0-9.]+ sec$")
# What follows a row's text: the benchmarks print tenths, always.
FIGURE = re.compile(r"^: (?P<value>[0-9]+\.[0-9]) instructions(?: \([^()]*\))?$")


# A row whose line is there but whose figure cannot be trusted: it fails
# the report, optional or not.
BROKEN = ("malformed", "duplicate", "failed", "unfinished")


class GoalsError(Exception):
    pass


def parse_goals(text):
    """Rows of goals.def: dicts of name, required, goal (None: no goal), line."""
    rows, seen_names, seen_lines = [], set(), set()
    for n, raw in enumerate(text.splitlines(), 1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        fields = [f.strip() for f in raw.split("|", 3)]
        if len(fields) != 4 or not all(fields):
            raise GoalsError(f"line {n}: want 'name | required | goal | line'")
        name, need, goal, line = fields
        if need not in ("required", "optional"):
            raise GoalsError(f"line {n}: '{need}' is neither required nor optional")
        if goal == "-":
            goal = None
        elif re.fullmatch(r"[0-9]+", goal):
            goal = int(goal)
        else:
            raise GoalsError(f"line {n}: goal '{goal}' is not a whole number or -")
        if name in seen_names or line in seen_lines:
            raise GoalsError(f"line {n}: row '{name}' or its line appears twice")
        seen_names.add(name)
        seen_lines.add(line)
        rows.append({"name": name, "required": need == "required", "goal": goal,
                     "line": line})
    if not rows:
        raise GoalsError("no rows")
    return rows


def test_results(log_lines):
    """Test number -> whether ctest says it passed, for each result line."""
    results = {}
    for raw in log_lines:
        m = RESULT.match(raw.rstrip("\r\n"))
        if m:
            results[m.group("test")] = m.group("passed") is not None
    return results


def match_row(row, log_lines, passed=None):
    """The row's result: status (met, over, info, missing, malformed,
    duplicate, failed or unfinished), value and the log line it came from.
    passed: test_results(log_lines), if the caller has it already."""
    if passed is None:
        passed = test_results(log_lines)
    found = []
    for raw in log_lines:
        m = PREFIX.match(raw.rstrip("\r\n"))
        if not m:
            continue
        rest = m.group("rest")
        # The row's own text and then its figure, not a longer row's text
        # (", 1 page" is not ", 1 page at ...").
        if rest.startswith(row["line"]) and rest[len(row["line"]):].startswith(": "):
            found.append((raw.rstrip("\r\n"), rest[len(row["line"]):], m.group("test")))
    result = {"name": row["name"], "required": row["required"], "line": row["line"],
              "unit": "instructions", "goal": row["goal"], "value": None, "met": None,
              "source": None}
    if not found:
        result["status"] = "missing"
        return result
    result["source"] = found[0][0]
    if len(found) > 1:
        result["status"] = "duplicate"
        return result
    if found[0][2] not in passed:
        result["status"] = "unfinished"
        return result
    if not passed[found[0][2]]:
        result["status"] = "failed"
        return result
    m = FIGURE.match(found[0][1])
    if not m:
        result["status"] = "malformed"
        return result
    # Tenths as an integer, so that the boundary is exact: 300.0 meets 300.
    tenths = int(m.group("value").replace(".", ""))
    result["value"] = tenths / 10
    if row["goal"] is None:
        result["status"] = "info"
    else:
        result["met"] = tenths <= row["goal"] * 10
        result["status"] = "met" if result["met"] else "over"
    return result


def report(rows, log_lines):
    passed = test_results(log_lines)
    results = [match_row(r, log_lines, passed) for r in rows]
    failed = [r for r in results if r["status"] in BROKEN
              or (r["status"] == "missing" and r["required"])]
    return results, not failed


def number(v):
    if v is None:
        return ""
    whole, tenth = divmod(round(v * 10), 10)
    return f"{whole:,}.{tenth}"


def mark(r):
    return {"met": "✔", "over": "✘", "info": "·", "malformed": "malformed",
            "duplicate": "printed twice", "failed": "from a test that did not pass",
            "unfinished": "from a test with no result in the log",
            "missing": "missing" if r["required"] else "missing (warning)"}[r["status"]]


def table(results):
    width = max(len(r["name"]) for r in results)
    out = ["make bench: instructions under -icount shift=0 (goals: tests/bench/goals.def)",
           f"{'path':<{width}}  {'now':>14}  {'goal':>10}"]
    for r in results:
        goal = "-" if r["goal"] is None else f"≤ {r['goal']:,}"
        out.append(f"{r['name']:<{width}}  {number(r['value']):>14}  {goal:>10}  {mark(r)}")
    met = sum(r["status"] == "met" for r in results)
    judged = sum(r["status"] in ("met", "over") for r in results)
    out.append(f"{met} of {judged} figures meet their goals")
    for r in results:
        if r["status"] in BROKEN:
            out.append(f"make bench: '{r['name']}': {mark(r)}: {r['source']}")
        elif r["status"] == "missing":
            what = "error" if r["required"] else "warning"
            out.append(f"make bench: {what}: no line for '{r['name']}' in the log")
    return "\n".join(out)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--goals", default=os.path.join(HERE, "goals.def"))
    p.add_argument("log")
    p.add_argument("json")
    a = p.parse_args(argv)
    try:
        with open(a.goals, encoding="utf-8") as f:
            rows = parse_goals(f.read())
    except (OSError, GoalsError) as e:
        print(f"report.py: {a.goals}: {e}", file=sys.stderr)
        return 2
    try:
        with open(a.log, encoding="utf-8", errors="replace") as f:
            log_lines = f.readlines()
    except OSError as e:
        print(f"report.py: {e}", file=sys.stderr)
        return 2
    results, ok = report(rows, log_lines)
    print(table(results))
    with open(a.json, "w", encoding="utf-8") as f:
        json.dump({"log": os.path.abspath(a.log), "ok": ok, "rows": results}, f,
                  indent=1, ensure_ascii=False)
        f.write("\n")
    if not ok:
        print("make bench: the report is incomplete (above); build/bench.log has the run",
              file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
