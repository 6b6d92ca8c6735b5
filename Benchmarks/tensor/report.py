"""Reads the raw output of Benchmarks/tensor/run.sh and prints the Pavlov-versus-peer table.

run.sh marks each script's output with a header line `=== <side> <script>`, where side is
`pavlov` or `peer`; `RESULT <name> <value> <unit>` lines below it belong to that side.
A header may be followed by `=== status <text>` (missing, failed, ...).

  report.py RAW_FILE [--strict]   # --strict: exit 1 unless every metric with a target meets it
"""

import argparse
import re
import sys

# Targets for the ratio pavlov / peer (every metric is higher-is-better). None = just report.
TARGETS = [
    (re.compile(r"sgemm_\d+$"), 0.9),
    (re.compile(r"mlp_steps_per_s$"), 5.0),
    (re.compile(r"gpt_train_tokens_per_s$"), 1.0),
    (re.compile(r"gpt_generate_tokens_per_s$"), None),
]


# Pavlov-only metrics with an absolute ceiling (lower is better): resident memory growth over
# 10,000 training steps must stay within a few pages of allocator slack.
CEILINGS = [
    (re.compile(r".*_rss_growth_mb$"), 5.0),
]


def ceiling_for(name):
    for pattern, ceiling in CEILINGS:
        if pattern.match(name):
            return ceiling
    return None


def target_for(name):
    for pattern, target in TARGETS:
        if pattern.match(name):
            return target
    return None


def parse(path):
    values = {"pavlov": {}, "peer": {}}
    units = {}
    order = []
    side = None
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 3 and parts[0] == "===" and parts[1] in values:
                side = parts[1]
            elif len(parts) >= 3 and parts[0] == "RESULT" and side is not None:
                name = parts[1]
                try:
                    value = float(parts[2])
                except ValueError:
                    continue
                values[side][name] = value
                units.setdefault(name, " ".join(parts[3:]))
                if name not in order:
                    order.append(name)
    return values, units, order


def fmt(value):
    if value is None:
        return "-"
    return f"{value:.4g}" if abs(value) < 1e4 else f"{value:.0f}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("raw")
    parser.add_argument("--strict", action="store_true")
    args = parser.parse_args()

    values, units, order = parse(args.raw)
    rows = [("metric", "unit", "pavlov", "peer", "pavlov/peer", "target", "met")]
    all_met = True
    for name in order:
        pav, peer = values["pavlov"].get(name), values["peer"].get(name)
        ratio = pav / peer if pav is not None and peer else None
        target = target_for(name)
        ceiling = ceiling_for(name)
        if ceiling is not None:
            met = "yes" if pav is not None and pav <= ceiling else "NO"
            all_met = all_met and met == "yes"
            rows.append((name, units.get(name, ""), fmt(pav), "-", "-", f"<= {ceiling:g}", met))
            continue
        if target is None:
            target_text, met = "-", "-"
        else:
            target_text = f">= {target:g}"
            if ratio is None:
                met, all_met = "n/a", False
            elif ratio >= target:
                met = "yes"
            else:
                met, all_met = "NO", False
        rows.append((name, units.get(name, ""), fmt(pav), fmt(peer),
                     "-" if ratio is None else f"{ratio:.3f}", target_text, met))

    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for i, row in enumerate(rows):
        print("  ".join(cell.ljust(w) if j < 2 else cell.rjust(w) for j, (cell, w) in enumerate(zip(row, widths))).rstrip())
        if i == 0:
            print("  ".join("-" * w for w in widths))
    if not order:
        print("(no RESULT lines found)")
    return 1 if args.strict and not all_met else 0


if __name__ == "__main__":
    sys.exit(main())
