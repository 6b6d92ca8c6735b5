#!/usr/bin/env bash
# PPO on CartPole-v1, RL Zoo hyperparameters, 100k steps, seeds 0 1 2: Stable-Baselines3
# (ppo_sb3.py) against Pavlov (ppo.pav), one after the other on the same machine. Prints the
# RESULT lines and a table of ratios against the targets: every Pavlov seed's deterministic
# 20-episode evaluation ≥ 475, training wall-clock ≥ 5× faster than SB3, peak RSS ≤ ¼ of SB3's.
#
#   bash Benchmarks/rl/run_ppo.sh [--smoke] [--strict]
#
# Threads: THREADS (default 1) is given to both sides — torch.set_num_threads(THREADS) in SB3,
# PAVLOV_NUM_THREADS (Pavlov's own two-core split) for Pavlov. One thread is the fair default: these 64-unit
# networks are too small for a second thread to pay, and it keeps the two runs from fighting
# over this 2-core machine's cores. THREADS=2 runs both with two (SB3's own default is all cores).
# Python: PAVLOV_PYTHON, else Benchmarks/.venv (made by tensor/setup.sh, stable-baselines3 added
# with pip if missing). Raw output goes to Benchmarks/results/ppo-<timestamp>.txt (git-ignored).
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
smoke=0; strict=0
for arg in "$@"; do
  case "$arg" in
    --smoke) smoke=1 ;;
    --strict) strict=1 ;;
    *) echo "run_ppo.sh: unknown option $arg (use --smoke, --strict)" >&2; exit 2 ;;
  esac
done
threads="${THREADS:-1}"
cd "$root"
py="${PAVLOV_PYTHON:-$root/Benchmarks/.venv/bin/python}"
if [[ -z "${PAVLOV_PYTHON:-}" ]]; then
  bash "$root/Benchmarks/tensor/setup.sh" >/dev/null || { echo "run_ppo.sh: Python setup failed" >&2; exit 1; }
fi
# torch is already there (the CPU wheel); pip keeps it and adds SB3 and gymnasium.
"$py" -c "import stable_baselines3" 2>/dev/null || "$py" -m pip install --quiet stable-baselines3 \
  || { echo "run_ppo.sh: could not install stable-baselines3" >&2; exit 1; }
flock /tmp/pavlov-build.lock swift build -c release --product pavlov >/dev/null 2>&1 || { echo "run_ppo.sh: build failed" >&2; exit 1; }

mkdir -p Benchmarks/results
raw="Benchmarks/results/ppo-$(date +%Y%m%d-%H%M%S).txt"
py_args=(); pav_args=()
if [[ $smoke == 1 ]]; then py_args=(--smoke); pav_args=(smoke); fi
{
  echo "# PPO CartPole-v1 benchmark $(date -Iseconds), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), threads $threads"
  echo "# machine: $(.build/release/pavlov --version | tail -1)"
  for seed in 0 1 2; do
    "$py" "$here/ppo_sb3.py" --seed "$seed" --threads "$threads" "${py_args[@]}" 2>/dev/null | grep '^RESULT'
    PAVLOV_NUM_THREADS="$threads" OPENBLAS_NUM_THREADS="$threads" .build/release/pavlov run "$here/ppo.pav" "seed=$seed" "${pav_args[@]}" | grep '^RESULT'
  done
} | tee "$raw"

echo
awk -v last=0 -v strict="$strict" -v smoke="$smoke" '
  /^RESULT/ {
    delete f
    for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
    impl = f["impl"]; s = f["seed"]
    train[impl, s] = f["train_s"]; evalm[impl, s] = f["eval_mean"]; rss[impl, s] = f["peak_rss_mb"]
    if (s + 0 > last) last = s + 0
  }
  END {
    ok = 1
    printf "%-5s %14s %14s %9s %12s %12s %9s %10s %10s\n", "seed", "sb3 train s", "pavlov train s", "speed-up", "sb3 rss MB", "pavlov rss MB", "rss ratio", "sb3 eval", "pavlov eval"
    for (s = 0; s <= last; s++) {
      speed = train["sb3", s] / train["pavlov", s]; ratio = rss["pavlov", s] / rss["sb3", s]
      printf "%-5s %14.2f %14.2f %8.1fx %12.1f %12.1f %9.3f %10.1f %10.1f\n", s, train["sb3", s], train["pavlov", s], speed, rss["sb3", s], rss["pavlov", s], ratio, evalm["sb3", s], evalm["pavlov", s]
      if (speed < 5) { ok = 0; print "  below target: speed-up " speed " < 5 (seed " s ")" }
      if (ratio > 0.25) { ok = 0; print "  below target: peak RSS ratio " ratio " > 0.25 (seed " s ")" }
      if (!smoke && evalm["pavlov", s] < 475) { ok = 0; print "  below target: Pavlov evaluation " evalm["pavlov", s] " < 475 (seed " s ")" }
    }
    goal = smoke ? ">= 5x faster, <= 1/4 of the peak RSS (evaluations not checked at smoke size)" : "every Pavlov seed >= 475, >= 5x faster, <= 1/4 of the peak RSS"
    print (ok ? "targets met: " goal : "some targets missed")
    if (strict && !ok) exit 1
  }' "$raw" | tee -a "$raw"
status=${PIPESTATUS[0]}
echo "raw output: $raw"
exit "$status"
