"""Reads the raw output of Benchmarks/envs/run.sh (RESULT lines) and prints the comparisons.

  report.py RAW_FILE [--strict]   # --strict: exit 1 unless every target is met
"""
import re
import sys

# (pavlov metric, peer metric, target ratio pavlov/peer, what it shows)
COMPARISONS = [
    ("native_single_steps_per_s", "gym_single_steps_per_s", 20.0, "native env vs Gymnasium env"),
    ("native_vector8_steps_per_s", "envpool8_steps_per_s", 1.0, "native 8-copy vec env vs envpool (8 envs)"),
    ("native_vector8_steps_per_s", "gym_sync_vector8_steps_per_s", None, "native 8-copy vec env vs SyncVectorEnv(8)"),
    ("script_single_steps_per_s", "gym_single_steps_per_s", 1.0, "Pavlov script loop vs Python loop on Gymnasium"),
    ("script_vector8_steps_per_s", "gym_sync_vector8_steps_per_s", None, "Pavlov script vec_env(8) vs SyncVectorEnv(8)"),
    ("native_vector8_2threads_steps_per_s", "envpool8_steps_per_s", None, "native vec env on 2 threads vs envpool"),
]


def main():
    path = sys.argv[1]
    strict = "--strict" in sys.argv
    values = {}
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = re.match(r"RESULT (\S+) (\S+)", line)
            if m:
                values[m.group(1)] = float(m.group(2))
    rows = [("comparison", "pavlov", "peer", "ratio", "target", "met")]
    all_met = True
    for pav, peer, target, label in COMPARISONS:
        a, b = values.get(pav), values.get(peer)
        ratio = a / b if a is not None and b else None
        if target is None:
            met = "-"
        elif ratio is None:
            met, all_met = "n/a", False
        else:
            met = "yes" if ratio >= target else "NO"
            all_met = all_met and met == "yes"
        rows.append((label, "-" if a is None else f"{a:.0f}", "-" if b is None else f"{b:.0f}",
                     "-" if ratio is None else f"{ratio:.2f}", "-" if target is None else f">= {target:g}", met))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for i, row in enumerate(rows):
        print("  ".join(c.ljust(w) if j == 0 else c.rjust(w) for j, (c, w) in enumerate(zip(row, widths))))
        if i == 0:
            print("  ".join("-" * w for w in widths))
    print("(steps/s, CartPole-v1 with random actions; higher is better)")
    return 1 if strict and not all_met else 0


if __name__ == "__main__":
    sys.exit(main())
