#!/usr/bin/env bash
# A 64-trial ASHA sweep of PPO on CartPole-v1: Pavlov's `pavlov tune examples/tune_ppo.pav`
# (local executor) against Ray Tune running the same search and scheduler over SB3's PPO
# (ray_sb3.py), one after the other on this machine, two trials at once on both sides.
# Reports the wall time until the first configuration's deterministic evaluation reaches 475
# and the total wall time, with the ratios (target: Pavlov ≥ 10× faster).
#
#   bash Benchmarks/tune/run.sh [--smoke]
#
# Python: PAVLOV_PYTHON, else Benchmarks/.venv (made by tensor/setup.sh; stable-baselines3 and
# ray[tune] 2.40 added with pip if missing). Raw output: Benchmarks/results/tune-<timestamp>.txt.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
smoke=0
for arg in "$@"; do
  case "$arg" in
    --smoke) smoke=1 ;;
    *) echo "run.sh: unknown option $arg (use --smoke)" >&2; exit 2 ;;
  esac
done
cd "$root"
py="${PAVLOV_PYTHON:-$root/Benchmarks/.venv/bin/python}"
if [[ -z "${PAVLOV_PYTHON:-}" ]]; then
  bash "$root/Benchmarks/tensor/setup.sh" >/dev/null || { echo "run.sh: Python setup failed" >&2; exit 1; }
fi
"$py" -c "import stable_baselines3, ray.tune" 2>/dev/null || "$py" -m pip install --quiet stable-baselines3 "ray[tune]==2.40.0" \
  || { echo "run.sh: could not install stable-baselines3 and ray[tune]" >&2; exit 1; }
flock /tmp/pavlov-build.lock swift build -c release --product pavlov >/dev/null 2>&1 || { echo "run.sh: build failed" >&2; exit 1; }

mkdir -p Benchmarks/results
stamp=$(date +%Y%m%d-%H%M%S)
raw="Benchmarks/results/tune-$stamp.txt"
sweep="Benchmarks/results/tune-$stamp-pavlov"
pav_args=(); py_args=()
if [[ $smoke == 1 ]]; then pav_args=(smoke); py_args=(--samples 4 --max-t 3000); fi
{
  echo "# tune benchmark $(date -Iseconds), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "# machine: $(.build/release/pavlov --version | tail -1)"
  start=$(date +%s%N)
  PAVLOV_NUM_THREADS=1 .build/release/pavlov tune examples/tune_ppo.pav --force --max-concurrent 2 --out "$sweep" "${pav_args[@]}" >/dev/null 2>&1
  total=$(( ($(date +%s%N) - start) / 1000000 ))
  "$py" - "$sweep" "$total" <<'PY'
import json, sys
sweep, total_ms = sys.argv[1], int(sys.argv[2])
rows = [json.loads(line) for line in open(sweep + "/timeline.jsonl")]
solved = [r["seconds"] for r in rows if (r.get("last") or {}).get("eval_mean_return", 0) >= 475]
first = min(solved) if solved else float("nan")
print(f"RESULT impl=pavlov trials={len(rows)} first_solved_s={first:.1f} total_s={total_ms / 1000:.1f} solved_trials={len(solved)}")
PY
  "$py" "$here/ray_sb3.py" "${py_args[@]}" 2>/dev/null | grep '^RESULT'
} | tee "$raw"

echo
awk '
  /^RESULT/ {
    delete f
    for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
    first[f["impl"]] = f["first_solved_s"]; total[f["impl"]] = f["total_s"]
  }
  END {
    printf "%-34s %10s %10s %8s %s\n", "measure", "pavlov s", "ray+sb3 s", "ratio", "target ≥ 10×"
    split("first_solved total", names, " ")
    for (k = 1; k <= 2; k++) {
      p = (k == 1 ? first["pavlov"] : total["pavlov"]); r = (k == 1 ? first["ray_sb3"] : total["ray_sb3"])
      ratio = (p > 0 && r > 0) ? r / p : 0
      label = (k == 1 ? "until an eval reaches 475" : "whole sweep")
      printf "%-34s %10s %10s %7.1f× %s\n", label, p, r, ratio, (ratio >= 10 ? "met" : "not met")
    }
  }' "$raw"
echo "raw: $raw"
