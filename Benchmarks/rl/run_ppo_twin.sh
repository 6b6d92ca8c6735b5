#!/usr/bin/env bash
# PPO written in Pavlov (stdlib/ppo.pav via ppo_twin.pav) against the same algorithm in PyTorch
# on Gymnasium (ppo_torch.py), CleanRL's ppo.py settings, CartPole-v1, 100k steps, seeds 0-4,
# one thread each, one after the other on this machine. Prints the RESULT lines, then per seed
# the training wall-clock of both and the ratio, and the learning curves side by side (mean over
# seeds of the last-100-episode return at 25k, 50k, 75k and 100k steps). Target: ≥ 8× faster
# (the ratio of the mean training times), with the same learning curve within seed noise.
#
#   bash Benchmarks/rl/run_ppo_twin.sh [--smoke] [--strict] [--seeds N]
#
# Python: PAVLOV_PYTHON, else Benchmarks/.venv (made by tensor/setup.sh; gymnasium added with pip
# if missing). Raw output goes to Benchmarks/results/ppo-twin-<timestamp>.txt (git-ignored).
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
smoke=0; strict=0; seeds=5
while [[ $# -gt 0 ]]; do
  case "$1" in
    --smoke) smoke=1 ;;
    --strict) strict=1 ;;
    --seeds) seeds="$2"; shift ;;
    *) echo "run_ppo_twin.sh: unknown option $1 (use --smoke, --strict, --seeds N)" >&2; exit 2 ;;
  esac
  shift
done
cd "$root"
py="${PAVLOV_PYTHON:-$root/Benchmarks/.venv/bin/python}"
if [[ -z "${PAVLOV_PYTHON:-}" ]]; then
  bash "$root/Benchmarks/tensor/setup.sh" >/dev/null || { echo "run_ppo_twin.sh: Python setup failed" >&2; exit 1; }
fi
"$py" -c "import gymnasium" 2>/dev/null || "$py" -m pip install --quiet gymnasium \
  || { echo "run_ppo_twin.sh: could not install gymnasium" >&2; exit 1; }
flock /tmp/pavlov-build.lock swift build -c release --product pavlov >/dev/null 2>&1 || { echo "run_ppo_twin.sh: build failed" >&2; exit 1; }

mkdir -p Benchmarks/results
raw="Benchmarks/results/ppo-twin-$(date +%Y%m%d-%H%M%S).txt"
py_args=(); pav_args=()
if [[ $smoke == 1 ]]; then py_args=(--smoke); pav_args=(smoke); fi
{
  echo "# PPO twin vs PyTorch, CartPole-v1, $(date -Iseconds), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), one thread each"
  echo "# machine: $(.build/release/pavlov --version | tail -1)"
  for ((seed = 0; seed < seeds; seed++)); do
    "$py" "$here/ppo_torch.py" --seed "$seed" --threads 1 "${py_args[@]}" 2>/dev/null | sed "s/^CURVE/CURVE torch $seed/"
    PAVLOV_NUM_THREADS=1 .build/release/pavlov run "$here/ppo_twin.pav" "seed=$seed" "${pav_args[@]}" | sed "s/^CURVE/CURVE pavlov $seed/"
  done
} > "$raw"
grep -v '^CURVE' "$raw"
echo
awk -v strict="$strict" -v smoke="$smoke" -v seeds="$seeds" '
  /^RESULT/ {
    delete f
    for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
    impl = (f["impl"] == "torch") ? "torch" : "pavlov"; s = f["seed"]
    train[impl, s] = f["train_s"]; final[impl, s] = f["final_return"]; evalm[impl, s] = f["eval_mean"]
  }
  /^CURVE/ { steps = $4; if (steps % 25000 < 512 && steps >= 25000) { mark = int(steps / 25000) * 25000; curve[$2, mark] += $5; marks[mark] = 1; n[$2, mark]++ } }
  END {
    printf "%-5s %12s %13s %9s %13s %14s %11s %12s\n", "seed", "torch train s", "pavlov train s", "speed-up", "torch final", "pavlov final", "torch eval", "pavlov eval"
    for (s = 0; s < seeds; s++) {
      printf "%-5s %12.2f %13.2f %8.1fx %13.1f %14.1f %11.1f %12.1f\n", s, train["torch", s], train["pavlov", s], train["torch", s] / train["pavlov", s], final["torch", s], final["pavlov", s], evalm["torch", s], evalm["pavlov", s]
      tt += train["torch", s]; tp += train["pavlov", s]
    }
    speed = tt / tp
    printf "mean training time: torch %.2f s, pavlov %.2f s: pavlov is %.1fx faster (target >= 8x)\n", tt / seeds, tp / seeds, speed
    print "learning curve, mean over seeds of the last-100-episode return:"
    for (m = 25000; m <= 100000; m += 25000) if (m in marks) printf "  %6d steps: torch %6.1f  pavlov %6.1f\n", m, curve["torch", m] / n["torch", m], curve["pavlov", m] / n["pavlov", m]
    ok = speed >= 8
    print (ok ? "target met" : "target missed") (smoke ? " (smoke size: timings are not meaningful)" : "")
    if (strict && !ok && !smoke) exit 1
  }' "$raw" | tee -a "$raw"
status=${PIPESTATUS[0]}
echo "raw output: $raw"
exit "$status"
