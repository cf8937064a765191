#!/usr/bin/env python3
"""Mutation testing: plants the bugs of mutants.txt one at a time in a
scratch copy of the tree, builds it, runs the suites that cover the mutated
file and says whether they caught it.

  tests/mutation/mutate.py                 every mutant
  tests/mutation/mutate.py ID... | PREFIX*  some (an id, or ids by prefix)
  tests/mutation/mutate.py --list          the mutants, and which are stale
  tests/mutation/mutate.py --full ID       all of `make test` for each
  tests/mutation/mutate.py --resume        skip mutants the log has a result
                                           for, at any commit (the same text:
                                           an edited mutant is a new one)
  tests/mutation/mutate.py --resume --recheck   and run the survivors again
  tests/mutation/mutate.py --report        the summary of what the log holds

The scratch copy is a git worktree of HEAD (default /tmp/septa-mutation,
--scratch DIR) with its own build directory: the tree you work in and its
build/ are never touched. Commit what the mutants are to run against.
Results go to SCRATCH/results.tsv (one line per mutant, appended as each
ends) and the summary to stdout. A mutant is:
  killed     a suite failed
  timeout    a suite was killed for running too long (a hang: counted as
             killed, but apart)
  survived   every suite passed
  equivalent it survived and its `equivalent:` line in mutants.txt says why
             no input can tell it from the original: left out of the score,
             listed with the reason (one marked so that is killed is an error)
  no-build   it does not compile: not a bug a test could see; left out of
             the score and listed
  stale      its snippet is not in the file exactly once: left out, listed,
             and the run exits 1 so that the list gets updated
score = (killed + timeout) / (killed + timeout + survived).
"""
import argparse
import hashlib
import os
import re
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))

# Which suites cover a file: the first prefix that matches. Each suite is
# (what to build, ctest -R pattern), cheapest first: the first that fails
# ends the mutant's run, and what it needs is built only then (a mutant the
# host unit tests kill costs no cross build). Chosen so that a mutant that
# survives costs a few minutes; --full runs everything make test does.
SK = ["septa_unit"]        # host: kernel objects, memsrv's database, bootfmt
SV = ["vmsrv_unit"]        # host: vmsrv's parser and device models
TG = ["target"]            # the whole cross build: every boot image
ALL = ["all"]


def q(rx, *images):
    """A QEMU suite: its boot images alone are built (img:NAME is a target
    of the cross build), not the forty others."""
    return (["img:" + i for i in images], rx)


CAPTEST = q(r"^qemu\.captest$", "test-captest")
KFUZZ = q(r"^qemu\.kfuzz-1$", "test-kfuzz-1")
MEMTEST = q(r"^qemu\.memsrv$", "test-memsrv")
VMTWO = q(r"^qemu\.vm-two$", "test-vm-two")
FAULTS = q(r"^qemu\.(fault-.*|kernel-exception)$", "test-fault-null", "test-fault-ro-write",
           "test-fault-xn-exec", "test-fault-undef", "test-fault-kernel")
SUITES = [
    ("kernel/mm/", [(SK, r"^unit\.pgtable"), CAPTEST, KFUZZ]),
    ("kernel/object/", [(SK, r"^unit\.caps(_ipc|_objs)?$"), CAPTEST, MEMTEST, KFUZZ]),
    ("kernel/arch/aarch64/s2.c", [CAPTEST, MEMTEST, VMTWO, KFUZZ]),
    ("kernel/arch/aarch64/vgic.c", [CAPTEST, q(r"^qemu\.captest-gicv2$", "test-captest"),
                                    q(r"^qemu\.vm-(two|four)$", "test-vm-two", "test-vm-four"),
                                    q(r"^qemu\.vm-linux$", "test-vm-linux")]),
    ("kernel/arch/aarch64/", [CAPTEST, FAULTS,
                              q(r"^qemu\.vm-(two|misbehave|fuzz)$", "test-vm-two",
                                "test-vm-misbehave", "test-vm-fuzz"), KFUZZ]),
    ("kernel/core/fdt.c", [(SK, r"^unit\.fdt$"), q(r"^qemu\.hello$", "test-hello")]),
    ("kernel/core/kprintf.c", [(SK, r"^unit\.kprintf$"), q(r"^qemu\.hello$", "test-hello")]),
    ("kernel/core/sched.c", [(SK, r"^unit\.caps(_ipc)?$"), CAPTEST, VMTWO, KFUZZ]),
    ("kernel/core/fault.c", [(SK, r"^unit\.caps_ipc$"), q(r"^qemu\.syscalls$", "test-syscalls"),
                             CAPTEST, FAULTS, MEMTEST, KFUZZ]),
    ("kernel/core/", [q(r"^qemu\.syscalls$", "test-syscalls"), CAPTEST, FAULTS, MEMTEST,
                      KFUZZ]),
    ("kernel/", [CAPTEST, KFUZZ, q(r"^qemu\.hello$", "test-hello")]),
    ("servers/memsrv/own.c", [(SK, r"^unit\.own(_edges)?$"), MEMTEST]),
    ("servers/memsrv/grant.c", [(SK, r"^unit\.memsrv_grant$"), MEMTEST, VMTWO]),
    ("servers/memsrv/", [MEMTEST, VMTWO]),
    ("servers/vmsrv/config.c", [(SV, r"^unit\.vmcfg$"), (TG, r"^qemu\.vm-(two|bad-.*)$")]),
    ("servers/vmsrv/image.c", [(SV, r"^unit\.image$"), (TG, r"^qemu\.vm-(elf|image|two)$")]),
    ("servers/vmsrv/guestdt.c", [(SV, r"^unit\.guestdt$"), VMTWO]),
    ("servers/vmsrv/pl011.c", [(SV, r"^unit\.(pl011|vmsrv_edges)$"),
                               q(r"^qemu\.vm-(two|console)$", "test-vm-two", "test-vm-console")]),
    ("servers/vmsrv/vgic.c", [(SV, r"^unit\.vgic(_edges)?$"),
                              q(r"^qemu\.vm-(two|four)$", "test-vm-two", "test-vm-four")]),
    ("servers/vmsrv/mmio.c", [(SV, r"^unit\.mmio$"),
                              q(r"^qemu\.vm-(two|misbehave)$", "test-vm-two", "test-vm-misbehave")]),
    ("servers/vmsrv/concmd.c", [(SV, r"^unit\.concmd$"), q(r"^qemu\.vm-console$", "test-vm-console")]),
    ("servers/vmsrv/grants.c", [(SV, r"^unit\.(grants|vmsrv_edges)$"),
                                q(r"^qemu\.vm-(two|isolation)$", "test-vm-two", "test-vm-isolation")]),
    ("servers/vmsrv/hyp.c", [VMTWO, q(r"^qemu\.vm-(four|mail-fair)$", "test-vm-four",
                                      "test-vm-mail-fair"),
                             q(r"^qemu\.vm-(reset|misbehave|contain|fuzz)$", "test-vm-reset",
                               "test-vm-misbehave", "test-vm-contain", "test-vm-fuzz")]),
    ("servers/vmsrv/", [(SV, r"^unit\.(vmcfg|vgic|mmio)$"), VMTWO,
                        q(r"^qemu\.vm-(four|reset|misbehave|contain|fuzz)$", "test-vm-four",
                          "test-vm-reset", "test-vm-misbehave", "test-vm-contain", "test-vm-fuzz")]),
    ("libs/bootfmt/elf64.c", [(SK + SV, r"^unit\.(elf64|image|bootfmt_edges)$"), (TG, r"^qemu\.(hello|vm-elf)$")]),
    ("libs/bootfmt/", [(SK, r"^unit\.(bootarc|bootfmt_edges)$"), (ALL, r"^pack\."),
                       (TG, r"^qemu\.(hello|archive-big|vm-archive)$")]),
    ("libs/septa/", [q(r"^qemu\.syscalls$", "test-syscalls"), CAPTEST, MEMTEST, VMTWO]),
    ("", [CAPTEST, MEMTEST, VMTWO]),
]
SUITE_TIMEOUT = 900  # seconds for one mutant's suites; each test has its own too
UNIT_TIMEOUT = 60


def suites_for(path):
    for prefix, s in SUITES:
        if path.startswith(prefix):
            return s
    return []


def unescape(s):
    return s.replace("\\n", "\n").replace("\\t", "\t").replace("\\\\", "\\")


def read_mutants(path):
    """Blocks of `key: value` lines, a blank line between; # starts a comment."""
    mutants, cur = [], {}
    keys = ("id", "file", "kind", "why", "old", "new")
    optional = ("equivalent",)
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if line.startswith("#"):
                continue
            if not line.strip():
                if cur:
                    mutants.append(cur)
                cur = {}
                continue
            key, sep, val = line.partition(": ")
            if not sep and line.endswith(":"):
                key, val = line[:-1], ""
            elif not sep:
                sys.exit(f"{path}:{n}: not `key: value`")
            if key not in keys + optional:
                sys.exit(f"{path}:{n}: unknown key {key!r}")
            if key in cur:
                sys.exit(f"{path}:{n}: {key} twice in one mutant")
            cur[key] = unescape(val) if key in ("old", "new") else val
            cur.setdefault("line", n)
    if cur:
        mutants.append(cur)
    seen = set()
    for m in mutants:
        missing = [k for k in keys if k not in m]
        if missing:
            sys.exit(f"{path}:{m['line']}: mutant without {', '.join(missing)}")
        if m["id"] in seen:
            sys.exit(f"{path}:{m['line']}: id {m['id']} twice")
        if m["old"] == m["new"]:
            sys.exit(f"{path}:{m['line']}: {m['id']} changes nothing")
        seen.add(m["id"])
    return mutants


def digest(m):
    """What a result in the log is about: an edited mutant is a new one."""
    text = "\0".join((m["file"], m["old"], m["new"]))
    return hashlib.sha1(text.encode()).hexdigest()[:10]


def stale_reason(tree, m):
    p = os.path.join(tree, m["file"])
    if not os.path.isfile(p):
        return "no such file"
    n = open(p).read().count(m["old"])
    return None if n == 1 else f"snippet found {n} times"


def sh(cmd, log, timeout=None, cwd=None):
    """Runs cmd at nice 19; returns (status, timed_out). Its output goes to log."""
    with open(log, "a") as out:
        out.write(f"$ {' '.join(cmd)}\n")
        out.flush()
        p = subprocess.Popen(["nice", "-n", "19"] + cmd, stdout=out, stderr=subprocess.STDOUT,
                             cwd=cwd, start_new_session=True)
        try:
            return p.wait(timeout=timeout), False
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, 9)
            p.wait()
            return -9, True
        except BaseException:
            # Stopped (SIGTERM, ^C): its build or QEMU goes too; the caller
            # puts the mutated file back.
            os.killpg(p.pid, 9)
            p.wait()
            raise


def prepare(scratch, jobs, log):
    head = subprocess.check_output(["git", "-C", TOP, "rev-parse", "HEAD"], text=True).strip()
    if not os.path.isdir(scratch):
        subprocess.check_call(["git", "-C", TOP, "worktree", "add", "--detach", scratch, head])
    else:
        subprocess.check_call(["git", "-C", scratch, "checkout", "-q", "--detach", head])
        subprocess.check_call(["git", "-C", scratch, "checkout", "-q", "--", "."])
    build = os.path.join(scratch, "build")
    if not os.path.exists(os.path.join(build, "CMakeCache.txt")):
        st, _ = sh(["cmake", "-S", scratch, "-B", build], log)
        if st:
            sys.exit(f"configure of the scratch tree failed: {log}")
    print(f"mutation: scratch {scratch} at {head[:12]}, building the unmutated tree", flush=True)
    st, _ = sh(["cmake", "--build", build, "-j", str(jobs)], log)
    if st:
        sys.exit(f"the unmutated scratch tree does not build: {log}")
    return head, build


def run_tests(build, suites, jobs, log):
    """Builds what each suite needs (once) and runs it; the first failure
    ends it. Returns (verdict, what failed)."""
    deadline = time.time() + SUITE_TIMEOUT
    built = set()
    for targets, rx in suites:
        todo = [t for t in targets if t not in built and "all" not in built]
        for t in todo:
            if t.startswith("img:"):
                cmd = ["cmake", "--build", os.path.join(build, "target"), "--target", t[4:]]
            else:
                cmd = ["cmake", "--build", build] + ([] if t == "all" else ["--target", t])
            st, _ = sh(cmd + ["-j", str(jobs)], log)
            if st:
                return "no-build", t
            built.add(t)
        left = deadline - time.time()
        out = os.path.join(os.path.dirname(log), "ctest.out")
        if os.path.exists(out):
            os.unlink(out)
        sel = ["-LE", "linux-bench"] if rx is None else ["-R", rx]
        # A host unit suite takes seconds: one that runs a minute hangs.
        limit = min(left, UNIT_TIMEOUT) if rx and rx.startswith("^unit") else left
        st, timed_out = sh(["ctest"] + sel + ["--output-on-failure", "--stop-on-failure",
                                               "--output-log", out], log,
                           timeout=max(limit, 1), cwd=build)
        if timed_out:
            return "timeout", rx or "make test"
        if st:
            text = open(out, errors="replace").read() if os.path.exists(out) else ""
            failed = re.findall(r"^\s*\d+ - (\S+) \(([^)]*)\)", text, re.M)
            name = failed[0][0] if failed else (rx or "make test")
            if any("Timeout" in why for _, why in failed):
                return "timeout", name
            return "killed", name
    return "survived", ""


def stop(signum, frame):
    raise KeyboardInterrupt


def main():
    signal.signal(signal.SIGTERM, stop)
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("ids", nargs="*", help="mutant ids, or PREFIX* for those starting with PREFIX")
    ap.add_argument("--list", action="store_true", help="list the mutants and which are stale")
    ap.add_argument("--full", action="store_true", help="run all of make test for each mutant")
    ap.add_argument("--resume", action="store_true",
                    help="skip mutants the log has a result for (this very mutant text)")
    ap.add_argument("--recheck", action="store_true",
                    help="with --resume: run the survivors again (after adding tests)")
    ap.add_argument("--scratch", default="/tmp/septa-mutation")
    ap.add_argument("--mutants", default=os.path.join(HERE, "mutants.txt"))
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--prepare", action="store_true", help="only build the scratch tree")
    ap.add_argument("--report", action="store_true",
                    help="the summary of the log's last result for each mutant; runs nothing")
    args = ap.parse_args()

    mutants = read_mutants(args.mutants)
    if args.ids:
        # In the order asked for: cheap ones first, say.
        want = []
        for i in args.ids:
            for m in mutants:
                if (m["id"] == i or (i.endswith("*") and m["id"].startswith(i[:-1]))) \
                        and m not in want:
                    want.append(m)
        unknown = [i for i in args.ids if not i.endswith("*") and i not in {m["id"] for m in mutants}]
        if unknown:
            sys.exit(f"no such mutant: {' '.join(unknown)}")
        mutants = want
    if args.list:
        for m in mutants:
            why = stale_reason(TOP, m)
            print(f"{m['id']:28} {m['kind']:14} {m['file']}" + (f"  STALE: {why}" if why else ""))
        return 0

    if args.report:
        return report(mutants, os.path.join(args.scratch, "results.tsv"))
    log = os.path.join(args.scratch + ".log")
    open(log, "w").close()
    head, build = prepare(args.scratch, args.jobs, log)
    if args.prepare:
        return 0
    # A pattern that matches no test would let every mutant of its files
    # survive that suite unseen.
    for rx in sorted({rx for m in mutants for _, rx in suites_for(m["file"])}):
        n = subprocess.run(["ctest", "-N", "-R", rx], cwd=build, capture_output=True,
                           text=True).stdout
        if not re.search(r"Total Tests: [1-9]", n):
            sys.exit(f"mutation: no test matches {rx}: fix SUITES in {__file__}")
    results_path = os.path.join(args.scratch, "results.tsv")
    done = {}
    if args.resume and os.path.exists(results_path):
        for line in open(results_path):
            f = line.rstrip("\n").split("\t")
            if len(f) >= 6:
                done[(f[0], f[5])] = f
        again = ("survived",) if args.recheck else ()
        done = {k: f for k, f in done.items() if f[2] not in again + ("stale",)}
    results = []
    for k, m in enumerate(mutants, 1):
        if (m["id"], digest(m)) in done:
            f = done[(m["id"], digest(m))]
            results.append((m, f[2], (f[3] if len(f) > 3 else "") + f" (at {f[1]})"))
            continue
        t0 = time.time()
        why = stale_reason(args.scratch, m)
        if why:
            verdict, detail = "stale", why
        else:
            path = os.path.join(args.scratch, m["file"])
            orig = open(path).read()
            open(path, "w").write(orig.replace(m["old"], m["new"]))
            os.makedirs(os.path.join(args.scratch, "logs"), exist_ok=True)
            mlog = os.path.join(args.scratch, "logs", m["id"] + ".log")
            open(mlog, "w").close()
            try:
                suites = [(ALL, None)] if args.full else suites_for(m["file"])
                verdict, detail = run_tests(build, suites, args.jobs, mlog)
            finally:
                open(path, "w").write(orig)
        secs = int(time.time() - t0)
        results.append((m, verdict, detail))
        print(f"[{k}/{len(mutants)}] {m['id']:28} {verdict:9} {detail} ({secs} s)", flush=True)
        with open(results_path, "a") as out:
            out.write(f"{m['id']}\t{head[:12]}\t{verdict}\t{detail}\t{secs}\t{digest(m)}\n")
    # Leave the scratch build as the unmutated tree is.
    sh(["cmake", "--build", build, "-j", str(args.jobs)], log)
    return summary(results, head[:12])


def report(mutants, results_path):
    last = {}
    for line in open(results_path):
        f = line.rstrip("\n").split("\t")
        if len(f) >= 6:
            last[(f[0], f[5])] = f
    results, commits, missing = [], set(), []
    for m in mutants:
        f = last.get((m["id"], digest(m)))
        if f:
            results.append((m, f[2], f[3]))
            commits.add(f[1])
        else:
            missing.append(m["id"])
    code = summary(results, ", ".join(sorted(commits)))
    if missing:
        print(f"not run: {len(missing)} ({' '.join(missing)})")
    return code


def verdict_of(m, v):
    """A mutant marked equivalent that survives is reported as such, apart
    from the score; one that is killed was not equivalent after all."""
    if "equivalent" in m:
        return "equivalent" if v == "survived" else (v + "!" if v in ("killed", "timeout") else v)
    return v


def summary(results, head):
    results = [(m, verdict_of(m, v), d) for m, v, d in results]
    wrong = [m for m, v, _ in results if v.endswith("!")]
    results = [(m, v.rstrip("!"), d) for m, v, d in results]
    count = {}
    for _, v, _ in results:
        count[v] = count.get(v, 0) + 1
    k, t, s = count.get("killed", 0), count.get("timeout", 0), count.get("survived", 0)
    print(f"\nmutation: commit {head}, {len(results)} mutants")
    by_dir = {}
    for m, v, _ in results:
        parts = m["file"].split("/")
        d = "/".join(parts[:2]) if parts[0] != "kernel" else "/".join(parts[:2 if len(parts) < 4 else 3])
        by_dir.setdefault(d, {}).setdefault(v, 0)
        by_dir[d][v] += 1
    for d in sorted(by_dir):
        c = by_dir[d]
        scored = c.get("killed", 0) + c.get("timeout", 0) + c.get("survived", 0)
        print(f"  {d:26} killed {c.get('killed', 0):3}  timeout {c.get('timeout', 0):2}  "
              f"survived {c.get('survived', 0):2}  equivalent {c.get('equivalent', 0):2}  "
              f"no-build {c.get('no-build', 0):2}  stale {c.get('stale', 0):2}  of {scored} scored")
    for v in ("survived", "equivalent", "no-build", "stale"):
        for m, vv, d in results:
            if vv == v:
                extra = f" -- equivalent: {m['equivalent']}" if v == "equivalent" else ""
                print(f"  {v}: {m['id']} ({m['file']}: {m['why']}){' ' + d if d else ''}{extra}")
    for m in wrong:
        print(f"  marked equivalent but killed: {m['id']} (fix its `equivalent:` line)")
    total = k + t + s
    e = count.get("equivalent", 0)
    if total:
        print(f"mutation score: {k + t}/{total} = {100.0 * (k + t) / total:.1f}% "
              f"(killed {k}, by timeout {t}, survived {s}; equivalent {e}, no-build "
              f"{count.get('no-build', 0)}, stale {count.get('stale', 0)} left out)")
        print(f"counting the equivalent ones as survivors: {k + t}/{total + e} = "
              f"{100.0 * (k + t) / (total + e):.1f}%")
    return 1 if count.get("stale") or wrong else 0


if __name__ == "__main__":
    sys.exit(main())
