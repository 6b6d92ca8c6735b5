"""Times the language benchmarks in Pavlov, CPython and Lua 5.4 side by side.

Run through run.sh (which builds Pavlov first); this script only times, checks and reports.
Each benchmark NAME has NAME.pav, NAME.py and NAME.lua in this folder, written at the top level
of the script. With --form main (or both) the runner also times a copy whose top-level
statements are moved into a `main` function (function and class definitions and imports stay
where they are), because the languages may treat top-level variables differently from function
locals. Lua is skipped, with a note, when no Lua 5.4 is found.
"""

import argparse
import atexit
import datetime
import json
import os
import platform
import re
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


# name -> (what it measures, how to compare two languages' outputs)
BENCHMARKS = {
    "fib": ("recursive fib(30)", same_text),
    "sum_squares": ("sum of i*i for i < 10,000,000", same_float),
    "list_sum": ("build a 1,000,000-int list, sum it", same_text),
    "string_concat": ("concatenate 100,000 short strings", same_text),
    "q_learning": ("tabular Q-learning, 4x4 grid, 200,000 steps", same_path_length),
    "method_call": ("Wren's method_call: 5,000,000 activate().value() calls on two toggle objects", same_text),
    "binary_trees": ("Wren's binary_trees: build and check trees of depth 4..14", same_text),
    "map_numeric": ("Wren's map_numeric: 1,000,000 int keys into a map, sum their lookups, remove them", same_text),
}

LANGS = ("pavlov", "python", "lua")
EXT = {"pavlov": ".pav", "python": ".py", "lua": ".lua"}

# Target against CPython: ratio (python time / pavlov time) > 1 on every benchmark, both forms.
# Target against Lua 5.4 (issue's): on these benchmarks, pavlov time <= factor * lua time.
LUA_TARGETS = {"fib": 1.5}


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
    """Moves top-level statements into `def main():`; defs, classes and imports stay at the top."""
    lines = text.splitlines()
    top, body = [], []
    in_def = False
    for line in lines:
        if in_def and (line.startswith((" ", "\t")) or not line.strip()):
            top.append(line)
            continue
        in_def = False
        if line.startswith(("def ", "class ")):
            top.append(line)
            in_def = True
        elif line.startswith(("import ", "from ")):
            top.append(line)
        else:
            body.append(line)
    return "\n".join(top + ["", "def main():"] + ["    " + l if l.strip() else l for l in body] + ["", "main()", ""])


LUA_FUNCTION = re.compile(r"(local\s+)?function\b")
LUA_METHOD_OWNER = re.compile(r"(?:local\s+)?function\s+([A-Za-z_]\w*)[.:]")
LUA_FIRST_NAME = re.compile(r"(?:local\s+)?([A-Za-z_]\w*)")


def wrap_lua(text):
    """Moves top-level statements into `local function main() ... end main()`; `function` and
    `local function` blocks stay at the top, and so do a class's table and its set-up (a line
    whose first name is X, where some `function X.m` or `function X:m` is defined)."""
    lines = text.splitlines()
    owners = {m.group(1) for m in map(LUA_METHOD_OWNER.match, lines) if m}
    top, body = [], []
    in_fn = False
    for line in lines:
        if in_fn:
            top.append(line)
            if line.startswith("end"):
                in_fn = False
            continue
        first = LUA_FIRST_NAME.match(line)
        if LUA_FUNCTION.match(line):
            top.append(line)
            in_fn = not line.rstrip().endswith("end")
        elif first and first.group(1) in owners:
            top.append(line)
        else:
            body.append(line)
    return "\n".join(top + ["", "local function main()"] + ["  " + l if l.strip() else l for l in body]
                     + ["end", "", "main()", ""])


WRAP = {"pavlov": wrap_pavlov, "python": wrap_python, "lua": wrap_lua}


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


def measure_startup(pavlov, python, lua, runs):
    """Median wall time of printing 1, for Pavlov (`-e CODE`, else the bare `CODE` form), and
    for reference Python and Lua (None: not installed)."""
    cmd = [pavlov, "-e", "print(1)"]
    _, out, err = run_once(cmd, 30)
    note = None
    if err or out.strip() != "1":
        cmd = [pavlov, "print(1)"]
        note = "`pavlov -e` is not supported by this build; timed `pavlov 'print(1)'` instead"
    commands = [("pavlov", cmd), ("python", [python, "-c", "print(1)"])]
    if lua:
        commands.append(("lua", [lua, "-e", "print(1)"]))
    result = {}
    for label, c in commands:
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


def find_lua(requested):
    """The Lua 5.4 to run and its version line, or (None, reason) when there is none."""
    candidates = [requested] if requested else [shutil.which("lua5.4"), shutil.which("lua")]
    for lua in filter(None, candidates):
        try:
            p = subprocess.run([lua, "-v"], capture_output=True, text=True, timeout=30)
        except OSError as e:
            if requested:
                return None, f"--lua {requested} does not run: {e}"
            continue
        version = ((p.stdout or p.stderr).strip().splitlines() or [""])[0].split("  ")[0][:60]
        if version.startswith("Lua 5.4"):
            return lua, version
        if requested:
            return None, f"--lua {requested} is {version or 'not Lua'}, not Lua 5.4"
    return None, "no lua5.4 (or lua 5.4) on PATH; pass --lua PATH"


def prepare(name, form, tmp, langs):
    """The file each language runs: NAME.ext as written (top), or a wrapped copy (main)."""
    files = {}
    for lang in langs:
        path = os.path.join(HERE, name + EXT[lang])
        if form == "main":
            with open(path) as f:
                text = WRAP[lang](f.read())
            path = os.path.join(tmp, name + EXT[lang])
            with open(path, "w") as f:
                f.write(text)
        files[lang] = path
    return files


def compare_all(name, outputs, errors):
    """'ok' if every pair of languages printed matching outputs, else 'MISMATCH' or 'error'."""
    if any(errors.values()):
        return "error"
    compare = BENCHMARKS[name][1]
    langs = list(outputs)
    pairs = [(a, b) for i, a in enumerate(langs) for b in langs[i + 1:]]
    return "ok" if all(compare(outputs[a], outputs[b]) for a, b in pairs) else "MISMATCH"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pavlov", required=True, help="the pavlov binary")
    ap.add_argument("--python", default="/usr/bin/python3", help="the CPython to compare with")
    ap.add_argument("--lua", default="", help="the Lua 5.4 to compare with (default: lua5.4 or lua on PATH)")
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
    lua, lua_version = find_lua(args.lua)
    langs = [l for l in LANGS if l != "lua" or lua]
    commands = {"pavlov": [args.pavlov, "run"], "python": [args.python], "lua": [lua]}
    repo = os.path.abspath(os.path.join(HERE, "..", ".."))
    print(f"pavlov: {args.pavlov} (source {git_state(repo)})")
    print(f"python: {args.python} ({py_version})")
    print(f"lua:    {lua} ({lua_version})" if lua else f"lua:    skipped: {lua_version}")
    print(f"reps: {args.reps} (median wall time), machine: {platform.machine()}, {os.cpu_count()} cpus, load {os.getloadavg()[0]:.2f}")
    print()

    tmp = tempfile.mkdtemp(prefix="pavlov-bench-")
    atexit.register(shutil.rmtree, tmp, ignore_errors=True)
    rows = []
    header = (f"{'benchmark':<14} {'form':<5} {'pavlov s':>9} | {'python s':>9} {'ratio':>7} {'cpu ratio':>9}  {'target':<7}"
              f"| {'lua s':>7} {'ratio':>7} {'cpu ratio':>9}  {'target':<12}| check")
    bars = [i for i, c in enumerate(header) if c == "|"]
    print(f"{'':<{bars[0]}}| {'against CPython':<{bars[1] - bars[0] - 2}}| {'against Lua':<{bars[2] - bars[1] - 2}}|")
    print(header)
    print("-" * len(header))
    fmt = lambda x, w=9, p=3: f"{x:{w}.{p}f}" if x is not None else f"{'-':>{w}}"
    for name in names:
        for form in forms:
            files = prepare(name, form, tmp, langs)
            runs = {l: [] for l in langs}
            cpus = {l: [] for l in langs}
            outputs = {l: None for l in langs}
            errors = {l: None for l in langs}
            # Interleave the languages so that load changes on the machine hit all alike.
            for _ in range(args.reps):
                for lang in langs:
                    if errors[lang]:
                        continue
                    t, out, err, cpu = run_once(commands[lang] + [files[lang]], args.timeout, with_cpu=True)
                    if err:
                        errors[lang] = err
                        continue
                    runs[lang].append(t)
                    cpus[lang].append(cpu)
                    if outputs[lang] is None:
                        outputs[lang] = out.strip()
                    elif outputs[lang] != out.strip() and name != "q_learning":
                        errors[lang] = f"output changed between runs: {outputs[lang]!r} then {out.strip()!r}"
            wall = {l: statistics.median(runs[l]) if runs[l] and not errors[l] else None for l in langs}
            cpu = {l: statistics.median(cpus[l]) if cpus[l] and not errors[l] else None for l in langs}
            check = compare_all(name, outputs, errors)
            pav = wall["pavlov"]

            def ratio_to(lang, times):
                return times[lang] / times["pavlov"] if times.get(lang) and times["pavlov"] else None

            ratio, cpu_ratio = ratio_to("python", wall), ratio_to("python", cpu)
            met = ratio is not None and ratio > 1 and check == "ok"
            lua_ratio, lua_cpu_ratio = ratio_to("lua", wall), ratio_to("lua", cpu)
            lua_factor = LUA_TARGETS.get(name) if lua else None
            lua_met = None
            if lua_factor is not None:
                lua_met = lua_ratio is not None and pav <= lua_factor * wall["lua"] and check == "ok"
            lua_target = "-" if lua_factor is None else f"{'yes' if lua_met else 'NO'} (<={lua_factor:g}x)"
            print(f"{name:<14} {form:<5} {fmt(pav)} | {fmt(wall['python'])} {fmt(ratio, 7, 2)} {fmt(cpu_ratio, 9, 2)}  "
                  f"{('yes' if met else 'NO'):<7}| {fmt(wall.get('lua'), 7)} {fmt(lua_ratio, 7, 2)} {fmt(lua_cpu_ratio, 9, 2)}  "
                  f"{lua_target:<12}| {check}", flush=True)
            for lang in langs:
                if errors[lang]:
                    print(f"    {lang}: {errors[lang]}")
            if check == "MISMATCH":
                print("    printed: " + ", ".join(f"{l} {outputs[l]!r}" for l in langs))
            row = {"benchmark": name, "what": BENCHMARKS[name][0], "form": form,
                   "pavlov_s": pav, "python_s": wall["python"], "ratio": ratio, "target_met": met, "check": check,
                   "cpu_ratio": cpu_ratio,
                   "lua_s": wall.get("lua"), "lua_ratio": lua_ratio, "lua_cpu_ratio": lua_cpu_ratio,
                   "lua_target_factor": lua_factor, "lua_target_met": lua_met}
            for lang in LANGS:
                row[f"{lang}_times_s"] = runs.get(lang, [])
                row[f"{lang}_cpu_s"] = cpus.get(lang, [])
                row[f"{lang}_output"] = outputs.get(lang)
                row[f"{lang}_error"] = errors.get(lang)
            rows.append(row)

    print()
    print("ratio = other language's time / pavlov time, median wall times (> 1: Pavlov is faster)")
    print("cpu ratio = the same with user+sys CPU times, less disturbed by other load on the machine")
    print("targets: against CPython, ratio > 1 on every benchmark; against Lua, pavlov time <= 1.5 x lua time"
          f" on {', '.join(LUA_TARGETS)} (- where there is none)")
    if not lua:
        print(f"lua columns empty: {lua_version}")
    print()
    startup = measure_startup(args.pavlov, args.python, lua, args.startup_runs)
    for label in langs:
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
                   "python": args.python, "python_version": py_version,
                   "lua": lua, "lua_version": lua_version if lua else None, "lua_skipped": None if lua else lua_version,
                   "reps": args.reps,
                   "machine": {"arch": platform.machine(), "cpus": os.cpu_count(), "load_at_start": os.getloadavg()},
                   "benchmarks": rows, "startup": startup}, f, indent=2)
    print(f"\nresults: {os.path.relpath(path)}")
    all_met = (all(r["target_met"] and r["lua_target_met"] is not False for r in rows)
               and startup["pavlov"].get("median_s", 1) < STARTUP_TARGET_S)
    return 0 if all_met else 1


if __name__ == "__main__":
    sys.exit(main())
