#!/usr/bin/env bash
# PPO on LunarLander-v3 with RL Zoo's settings, 1M steps: Stable-Baselines3 (lunarlander_ppo_sb3.py)
# against `pavlov train` with the same settings, one after the other on the same machine, for
# SEEDS (default "0 1 2"). Prints the RESULT lines and a table: training wall-clock, speed-up
# (target ≥ 5×) and each side's deterministic 10-episode evaluation (target: Pavlov ≥ 200 and at
# least SB3's on average).
#
#   bash Benchmarks/rl/run_lunarlander.sh [--smoke]      (full size: SB3 takes about 20 min a seed)
#
# One thread each (torch.set_num_threads(1); Pavlov is single-threaded here). Python: PAVLOV_PYTHON,
# else Benchmarks/.venv (made by tensor/setup.sh; stable-baselines3 and gymnasium[box2d] added with
# pip if missing). Raw output goes to Benchmarks/results/lunarlander-<timestamp>.txt (git-ignored).
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
smoke=0
for arg in "$@"; do
  case "$arg" in
    --smoke) smoke=1 ;;
    *) echo "run_lunarlander.sh: unknown option $arg (use --smoke)" >&2; exit 2 ;;
  esac
done
steps=1000000; [[ $smoke == 1 ]] && steps=32768
cd "$root"
py="${PAVLOV_PYTHON:-$root/Benchmarks/.venv/bin/python}"
if [[ -z "${PAVLOV_PYTHON:-}" ]]; then
  bash "$root/Benchmarks/tensor/setup.sh" >/dev/null || { echo "run_lunarlander.sh: Python setup failed" >&2; exit 1; }
fi
"$py" -c "import stable_baselines3, Box2D" 2>/dev/null || "$py" -m pip install --quiet stable-baselines3 "box2d==2.3.10" \
  || { echo "run_lunarlander.sh: could not install stable-baselines3 and box2d" >&2; exit 1; }
flock /tmp/pavlov-build.lock swift build -c release --product pavlov >/dev/null 2>&1 || { echo "run_lunarlander.sh: build failed" >&2; exit 1; }

mkdir -p Benchmarks/results
raw="Benchmarks/results/lunarlander-$(date +%Y%m%d-%H%M%S).txt"
runs="$(mktemp -d)"
trap 'rm -rf "$runs"' EXIT
{
  echo "# PPO LunarLander-v3 benchmark $(date -Iseconds), $(nproc) cores, $steps steps"
  echo "# machine: $(.build/release/pavlov --version | tail -1)"
  for seed in ${SEEDS:-0 1 2}; do
    "$py" "$here/lunarlander_ppo_sb3.py" --seed "$seed" --steps "$steps" 2>/dev/null | grep '^RESULT'
    out="$(.build/release/pavlov train --algo PPO --env LunarLander-v3 --config n_envs=16 --config n_steps=1024 \
      --config batch_size=64 --config epochs=4 --config gamma=0.999 --config gae_lambda=0.98 --config ent_coef=0.01 \
      --stop "timesteps=$steps" --seed "$seed" --eval-episodes 10 --out "$runs/seed$seed" 2>/dev/null)"
    train_s="$(sed -n 's/^done: .* in \([0-9.]*\) s$/\1/p' <<<"$out")"
    read -r mean std < <(sed -n 's/^evaluation: mean return \([-0-9.]*\) ± \([0-9.]*\) .*/\1 \2/p' <<<"$out")
    echo "RESULT impl=pavlov seed=$seed steps=$steps train_s=$train_s eval_mean=$mean eval_std=$std"
  done
} | tee "$raw"

echo
awk -v smoke="$smoke" '
  /^RESULT/ {
    delete f
    for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
    train[f["impl"], f["seed"]] = f["train_s"]; evalm[f["impl"], f["seed"]] = f["eval_mean"]
    if (!(f["seed"] in seen)) { seen[f["seed"]] = 1; order[n++] = f["seed"] }
  }
  END {
    printf "%-5s %12s %15s %9s %10s %12s\n", "seed", "sb3 train s", "pavlov train s", "speed-up", "sb3 eval", "pavlov eval"
    for (i = 0; i < n; i++) {
      s = order[i]
      printf "%-5s %12.1f %15.1f %8.1fx %10.1f %12.1f\n", s, train["sb3", s], train["pavlov", s], train["sb3", s] / train["pavlov", s], evalm["sb3", s], evalm["pavlov", s]
    }
  }' "$raw" | tee -a "$raw"
echo "raw output: $raw"
