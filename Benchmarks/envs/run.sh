#!/usr/bin/env bash
# CartPole-v1 steps/s with random actions: Pavlov (native Swift loop, Pavlov script loop, 8-copy
# vector envs) against Gymnasium (single env, SyncVectorEnv of 8) and envpool (8 envs), same
# machine, same run; prints the ratios against the targets.
#
#   bash Benchmarks/envs/run.sh [--smoke] [--strict]
#
# Raw output goes to Benchmarks/results/envs-<timestamp>.txt (git-ignored).
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
py="$root/Benchmarks/.venv/bin/python"
smoke=0; strict=0
for arg in "$@"; do
  case "$arg" in
    --smoke) smoke=1 ;;
    --strict) strict=1 ;;
    *) echo "run.sh: unknown option $arg (use --smoke, --strict)" >&2; exit 2 ;;
  esac
done
cd "$root"
bash "$root/Benchmarks/tensor/setup.sh" >/dev/null || { echo "run.sh: Python setup failed" >&2; exit 1; }
"$py" -c "import gymnasium" 2>/dev/null || "$py" -m pip install --quiet gymnasium
"$py" -c "import envpool" 2>/dev/null || "$py" -m pip install --quiet envpool || echo "# envpool did not install; skipped"
flock /tmp/pavlov-build.lock swift build -c release --product pavlov >/dev/null 2>&1 || { echo "run.sh: build failed" >&2; exit 1; }
flock /tmp/pavlov-build.lock swift build -c release --product pavlov-env-bench >/dev/null 2>&1 || { echo "run.sh: build failed" >&2; exit 1; }
mkdir -p Benchmarks/results
raw="Benchmarks/results/envs-$(date +%Y%m%d-%H%M%S).txt"
py_args=(); pav_args=(); native_args=()
if [[ $smoke == 1 ]]; then py_args=(--smoke); pav_args=(smoke); native_args=(--smoke); fi
{
  echo "# env benchmarks $(date -Iseconds), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "=== peer cartpole_gym.py"; "$py" "$here/cartpole_gym.py" "${py_args[@]}" 2>/dev/null
  echo "=== pavlov native"; .build/release/pavlov-env-bench "${native_args[@]}"
  echo "=== pavlov cartpole.pav"; .build/release/pavlov run "$here/cartpole.pav" "${pav_args[@]}"
} | tee "$raw"
echo
report_args=("$raw"); [[ $strict == 1 ]] && report_args+=(--strict)
"$py" "$here/report.py" "${report_args[@]}" | tee -a "$raw"
status=${PIPESTATUS[0]}
echo "raw output: $raw"
exit "$status"
