#!/usr/bin/env bash
# DQN on CartPole-v1, RL Zoo hyperparameters, 50k steps, seeds 0 1 2: Stable-Baselines3
# (dqn_sb3.py) against Pavlov (dqn.pav), one after the other on the same machine. Prints the
# RESULT lines and a table of ratios against the targets: Pavlov solves (deterministic
# 20-episode evaluation ≥ 475) at least as often as SB3, training wall-clock ≥ 5× faster,
# peak RSS ≤ ¼ of SB3's. DQN on CartPole is seed-sensitive on both sides; compare the counts.
#
#   bash Benchmarks/rl/run_dqn.sh [--smoke] [--strict]
#
# Threads: THREADS (default: the machine's cores, which is each library's own default — torch's
# intra-op threads, Pavlov's cores) is given to both sides — torch.set_num_threads(THREADS) in
# SB3, PAVLOV_NUM_THREADS for Pavlov (its split of large products and kernels, and DQN's target
# pass beside the training steps; OpenBLAS itself always runs on one thread). THREADS=1 holds
# both to one core.
# Python: PAVLOV_PYTHON, else Benchmarks/.venv (made by tensor/setup.sh, stable-baselines3 added
# with pip if missing). Raw output goes to Benchmarks/results/dqn-<timestamp>.txt (git-ignored).
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
smoke=0; strict=0
for arg in "$@"; do
  case "$arg" in
    --smoke) smoke=1 ;;
    --strict) strict=1 ;;
    *) echo "run_dqn.sh: unknown option $arg (use --smoke, --strict)" >&2; exit 2 ;;
  esac
done
threads="${THREADS:-$(nproc)}"
cd "$root"
py="${PAVLOV_PYTHON:-$root/Benchmarks/.venv/bin/python}"
if [[ -z "${PAVLOV_PYTHON:-}" ]]; then
  bash "$root/Benchmarks/tensor/setup.sh" >/dev/null || { echo "run_dqn.sh: Python setup failed" >&2; exit 1; }
fi
# torch is already there (the CPU wheel); pip keeps it and adds SB3 and gymnasium.
"$py" -c "import stable_baselines3" 2>/dev/null || "$py" -m pip install --quiet stable-baselines3 \
  || { echo "run_dqn.sh: could not install stable-baselines3" >&2; exit 1; }
flock /tmp/pavlov-build.lock swift build -c release --product pavlov >/dev/null 2>&1 || { echo "run_dqn.sh: build failed" >&2; exit 1; }

mkdir -p Benchmarks/results
raw="Benchmarks/results/dqn-$(date +%Y%m%d-%H%M%S).txt"
py_args=(); pav_args=()
if [[ $smoke == 1 ]]; then py_args=(--smoke); pav_args=(smoke); fi
{
  echo "# DQN CartPole-v1 benchmark $(date -Iseconds), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), threads $threads"
  echo "# machine: $(.build/release/pavlov --version | tail -1)"
  for seed in 0 1 2; do
    "$py" "$here/dqn_sb3.py" --seed "$seed" --threads "$threads" "${py_args[@]}" 2>/dev/null | grep '^RESULT'
    PAVLOV_NUM_THREADS="$threads" OPENBLAS_NUM_THREADS="$threads" .build/release/pavlov run "$here/dqn.pav" "seed=$seed" "${pav_args[@]}" | grep '^RESULT'
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
    ok = 1; solved_sb3 = 0; solved_pavlov = 0
    printf "%-5s %14s %14s %9s %12s %12s %9s %10s %10s\n", "seed", "sb3 train s", "pavlov train s", "speed-up", "sb3 rss MB", "pavlov rss MB", "rss ratio", "sb3 eval", "pavlov eval"
    for (s = 0; s <= last; s++) {
      speed = train["sb3", s] / train["pavlov", s]; ratio = rss["pavlov", s] / rss["sb3", s]
      printf "%-5s %14.2f %14.2f %8.1fx %12.1f %12.1f %9.3f %10.1f %10.1f\n", s, train["sb3", s], train["pavlov", s], speed, rss["sb3", s], rss["pavlov", s], ratio, evalm["sb3", s], evalm["pavlov", s]
      if (evalm["sb3", s] >= 475) solved_sb3++
      if (evalm["pavlov", s] >= 475) solved_pavlov++
      if (speed < 5) { ok = 0; print "  below target: speed-up " speed " < 5 (seed " s ")" }
      if (ratio > 0.25) { ok = 0; print "  below target: peak RSS ratio " ratio " > 0.25 (seed " s ")" }
    }
    printf "solved (evaluation >= 475): sb3 %d of %d, pavlov %d of %d\n", solved_sb3, last + 1, solved_pavlov, last + 1
    if (!smoke && solved_pavlov < solved_sb3) { ok = 0; print "  below target: Pavlov solved fewer seeds than SB3" }
    goal = smoke ? ">= 5x faster, <= 1/4 of the peak RSS (evaluations not checked at smoke size)" : "Pavlov solves at least as often as SB3, >= 5x faster, <= 1/4 of the peak RSS"
    print (ok ? "targets met: " goal : "some targets missed")
    if (strict && !ok) exit 1
  }' "$raw" | tee -a "$raw"
status=${PIPESTATUS[0]}
echo "raw output: $raw"
exit "$status"
