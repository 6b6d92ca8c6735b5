"""Times the language benchmarks in Pavlov and in CPython side by side.

Run through run.sh (which builds Pavlov first); this script only times, checks and reports.
Each benchmark NAME has NAME.pav and NAME.py in this folder, written at the top level of the
script. With --form main (or both) the runner also times a copy whose top-level statements are
moved into a `main` function (function definitions and imports stay where they are), because
the two languages may treat top-level variables differently from function locals.
"""

import argparse
import atexit
import datetime
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def same_text(a, b):
    return a.strip() == b.strip()


def same_float(a, b):
    try:
        return float(a) == float(b)
    except ValueError:
        return False


def same_path_length(a, b):
    # "EPISODES PATH": episodes depend on each language's RNG; the learned path must agree.
    pa, pb = a.split(), b.split()
    return len(pa) == 2 and len(pb) == 2 and pa[1] == pb[1] and pa[1] != "-1"


# name -> (what it measures, how to compare the two outputs)
BENCHMARKS = {
    "fib": ("recursive fib(30)", same_text),
    "sum_squares": ("sum of i*i for i < 10,000,000", same_float),
    "list_sum": ("build a 1,000,000-int list, sum it", same_text),
    "string_concat": ("concatenate 100,000 short strings", same_text),
    "q_learning": ("tabular Q-learning, 4x4 grid, 200,000 steps", same_path_length),
}


def wrap_pavlov(text):
    """Moves top-level statements into `fn main() { ... }`; `fn` blocks stay at the top."""
    lines = text.splitlines()
    top, body = [], []
    in_fn = False
    for line in lines:
        if in_fn:
            top.append(line)
            if line.startswith("}"):
                in_fn = False
        elif line.startswith("fn "):
            top.append(line)
            in_fn = not line.rstrip().endswith("}")
        else:
            body.append(line)
    return "\n".join(top + ["fn main() {"] + ["  " + l if l.strip() else l for l in body] + ["}", "main()", ""])


def wrap_python(text):
    """Moves top-level statements into `def main():`; defs and imports stay at the top."""
    lines = text.splitlines()
    top, body = [], []
    in_def = False
    for line in lines:
        if in_def and (line.startswith((" ", "\t")) or not line.strip()):
            top.append(line)
            continue
        in_def = False
        if line.startswith("def "):
            top.append(line)
            in_def = True
        elif line.startswith(("import ", "from ")):
            top.append(line)
        else:
            body.append(line)
    return "\n".join(top + ["", "def main():"] + ["    " + l if l.strip() else l for l in body] + ["", "main()", ""])


def child_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_once(cmd, timeout, with_cpu=False):
    """Wall time of one run, its stdout, and an error description (None if it went well);
    with_cpu adds the run's user+sys CPU time, which other load on the machine disturbs less."""
    cpu0 = child_cpu()
    start = time.perf_counter()
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        result = (timeout, "", f"timed out after {timeout} s")
        return result + (None,) if with_cpu else result
    elapsed = time.perf_counter() - start
    cpu = child_cpu() - cpu0
    error = None
    if p.returncode != 0:
        error = f"exit code {p.returncode}: {(p.stderr or p.stdout).strip()[:300]}"
    return (elapsed, p.stdout, error, cpu) if with_cpu else (elapsed, p.stdout, error)


def git_state(repo):
    try:
        head = subprocess.run(["git", "-C", repo, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", repo, "status", "--porcelain", "--", "Sources", "Package.swift"],
                               capture_output=True, text=True).stdout.strip()
        return head + ("+dirty" if dirty else "")
    except OSError:
        return "unknown"


# `pavlov -e 'print(1)'` must start within this (issue 16): a REPL or a script feels instant.
STARTUP_TARGET_S = 0.010


def measure_startup(pavlov, python, runs):
    """Median wall time of printing 1, for Pavlov (`-e CODE`, else the bare `CODE` form) and Python."""
    cmd = [pavlov, "-e", "print(1)"]
    _, out, err = run_once(cmd, 30)
    note = None
    if err or out.strip() != "1":
        cmd = [pavlov, "print(1)"]
        note = "`pavlov -e` is not supported by this build; timed `pavlov 'print(1)'` instead"
    result = {}
    for label, c in (("pavlov", cmd), ("python", [python, "-c", "print(1)"])):
        times = []
        for _ in range(runs):
            t, out, err = run_once(c, 30)
            if err or out.strip() != "1":
                result[label] = {"command": c, "error": err or f"printed {out.strip()!r}"}
                break
            times.append(t)
        else:
            result[label] = {"command": c, "median_s": statistics.median(times), "times_s": times}
    result["note"] = note
    return result


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pavlov", required=True, help="the pavlov binary")
    ap.add_argument("--python", default="/usr/bin/python3", help="the CPython to compare with")
    ap.add_argument("--reps", type=int, default=3, help="repetitions of each program (median is reported)")
    ap.add_argument("--form", choices=["top", "main", "both"], default="both",
                    help="time the scripts as written (top), wrapped in a main function, or both")
    ap.add_argument("--only", default="", help="comma-separated benchmark names (default: all)")
    ap.add_argument("--startup-runs", type=int, default=20)
    ap.add_argument("--timeout", type=float, default=600, help="seconds allowed for one run")
    ap.add_argument("--results", default=os.path.join(HERE, "..", "results"), help="folder for the JSON results")
    args = ap.parse_args()

    names = [n for n in args.only.split(",") if n] or list(BENCHMARKS)
    for n in names:
        if n not in BENCHMARKS:
            sys.exit(f"unknown benchmark {n!r}; known: {', '.join(BENCHMARKS)}")
    forms = ["top", "main"] if args.form == "both" else [args.form]

    py_version = subprocess.run([args.python, "-c", "import sys, platform; print(platform.python_implementation(), sys.version.split()[0])"],
                                capture_output=True, text=True).stdout.strip()
    repo = os.path.abspath(os.path.join(HERE, "..", ".."))
    print(f"pavlov: {args.pavlov} (source {git_state(repo)})")
    print(f"python: {args.python} ({py_version})")
    print(f"reps: {args.reps} (median wall time), machine: {platform.machine()}, {os.cpu_count()} cpus, load {os.getloadavg()[0]:.2f}")
    print()

    tmp = tempfile.mkdtemp(prefix="pavlov-bench-")
    atexit.register(shutil.rmtree, tmp, ignore_errors=True)
    rows = []
    header = f"{'benchmark':<14} {'form':<5} {'pavlov s':>9} {'python s':>9} {'ratio':>7}  {'target':<6} {'cpu ratio':>9}  check"
    print(header)
    print("-" * len(header))
    for name in names:
        for form in forms:
            pav_file, py_file = os.path.join(HERE, name + ".pav"), os.path.join(HERE, name + ".py")
            if form == "main":
                with open(pav_file) as f:
                    text = wrap_pavlov(f.read())
                pav_file = os.path.join(tmp, name + ".pav")
                with open(pav_file, "w") as f:
                    f.write(text)
                with open(py_file) as f:
                    text = wrap_python(f.read())
                py_file = os.path.join(tmp, name + ".py")
                with open(py_file, "w") as f:
                    f.write(text)
            runs = {"pavlov": [], "python": []}
            cpus = {"pavlov": [], "python": []}
            outputs = {"pavlov": None, "python": None}
            errors = {"pavlov": None, "python": None}
            # Interleave the two so that load changes on the machine hit both alike.
            for _ in range(args.reps):
                for lang, cmd in (("pavlov", [args.pavlov, "run", pav_file]), ("python", [args.python, py_file])):
                    if errors[lang]:
                        continue
                    t, out, err, cpu = run_once(cmd, args.timeout, with_cpu=True)
                    if err:
                        errors[lang] = err
                        continue
                    runs[lang].append(t)
                    cpus[lang].append(cpu)
                    if outputs[lang] is None:
                        outputs[lang] = out.strip()
                    elif outputs[lang] != out.strip() and name != "q_learning":
                        errors[lang] = f"output changed between runs: {outputs[lang]!r} then {out.strip()!r}"
            pav = statistics.median(runs["pavlov"]) if runs["pavlov"] and not errors["pavlov"] else None
            py = statistics.median(runs["python"]) if runs["python"] and not errors["python"] else None
            compare = BENCHMARKS[name][1]
            if errors["pavlov"] or errors["python"]:
                check = "error"
            else:
                check = "ok" if compare(outputs["pavlov"], outputs["python"]) else "MISMATCH"
            ratio = py / pav if pav and py else None
            cpu_ratio = None
            if pav and py and statistics.median(cpus["pavlov"]) > 0:
                cpu_ratio = statistics.median(cpus["python"]) / statistics.median(cpus["pavlov"])
            met = ratio is not None and ratio > 1 and check == "ok"
            fmt = lambda x: f"{x:9.3f}" if x is not None else f"{'-':>9}"
            print(f"{name:<14} {form:<5} {fmt(pav)} {fmt(py)} {(f'{ratio:7.2f}' if ratio else '      -')}  "
                  f"{('yes' if met else 'NO'):<6} {(f'{cpu_ratio:9.2f}' if cpu_ratio else '        -')}  {check}", flush=True)
            for lang in ("pavlov", "python"):
                if errors[lang]:
                    print(f"    {lang}: {errors[lang]}")
            if check == "MISMATCH":
                print(f"    pavlov printed {outputs['pavlov']!r}, python printed {outputs['python']!r}")
            rows.append({"benchmark": name, "what": BENCHMARKS[name][0], "form": form,
                         "pavlov_s": pav, "python_s": py, "ratio": ratio, "target_met": met, "check": check,
                         "cpu_ratio": cpu_ratio,
                         "pavlov_times_s": runs["pavlov"], "python_times_s": runs["python"],
                         "pavlov_cpu_s": cpus["pavlov"], "python_cpu_s": cpus["python"],
                         "pavlov_output": outputs["pavlov"], "python_output": outputs["python"],
                         "pavlov_error": errors["pavlov"], "python_error": errors["python"]})

    print()
    print("ratio = python time / pavlov time, median wall times (> 1: Pavlov is faster); target: ratio > 1 on every benchmark")
    print("cpu ratio = the same with user+sys CPU times, less disturbed by other load on the machine")
    print()
    startup = measure_startup(args.pavlov, args.python, args.startup_runs)
    for label in ("pavlov", "python"):
        s = startup[label]
        shown = " ".join(s["command"][:1] + [repr(a) if " " in a or "(" in a else a for a in s["command"][1:]])
        if "median_s" in s:
            met = "yes" if s["median_s"] < STARTUP_TARGET_S else "NO"
            extra = f"  target < {STARTUP_TARGET_S * 1000:.0f} ms: {met}" if label == "pavlov" else "  (reference)"
            print(f"startup {label:<7} {s['median_s'] * 1000:7.1f} ms  median of {args.startup_runs}: {shown}{extra}")
        else:
            print(f"startup {label:<7} failed: {s['error']}  ({shown})")
    if startup["note"]:
        print(f"  note: {startup['note']}")

    os.makedirs(args.results, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    path = os.path.join(args.results, f"lang-{stamp}.json")
    with open(path, "w") as f:
        json.dump({"timestamp": stamp, "pavlov": args.pavlov, "pavlov_source": git_state(repo),
                   "python": args.python, "python_version": py_version, "reps": args.reps,
                   "machine": {"arch": platform.machine(), "cpus": os.cpu_count(), "load_at_start": os.getloadavg()},
                   "benchmarks": rows, "startup": startup}, f, indent=2)
    print(f"\nresults: {os.path.relpath(path)}")
    all_met = all(r["target_met"] for r in rows) and startup["pavlov"].get("median_s", 1) < STARTUP_TARGET_S
    return 0 if all_met else 1


if __name__ == "__main__":
    sys.exit(main())
