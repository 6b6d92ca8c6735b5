#!/usr/bin/env bash
# One PPO-RLHF iteration on tiny GPTs (generate with a KV cache, score with policy, reference and
# reward model, 4x4 PPO minibatch updates): the PyTorch peer (ppo_lm_torch.py, whose docstring
# defines the workload) against Pavlov (ppo_lm.pav), one after the other. Prints the RESULT
# lines and a table of Pavlov / peer ratios (Benchmarks/tensor/report.py).
#
#   bash Benchmarks/rlhf/run.sh [--smoke]
#
#   --smoke    one tiny iteration: `--smoke` to the Python script, `smoke` to the Pavlov script
#
# ppo_lm_tokens_per_s is higher-is-better, so its ratio > 1 means Pavlov is faster. The phase
# times ppo_lm_{generate,score,update}_s are seconds (lower is better): their ratio is a time
# ratio, > 1 means Pavlov is slower. No targets yet; the exit code is 1 only if a script failed.
#
# Environment: PAVLOV_PYTHON (default Benchmarks/.venv/bin/python, made by tensor/setup.sh if
# missing), PAVLOV (pavlov binary; default .build/release/pavlov, built if missing and only if
# ppo_lm.pav exists), PAVLOV_BENCH_TIMEOUT (seconds per script, default 1800).
# Raw output and the table go to Benchmarks/results/rlhf-<timestamp>.txt (git-ignored).
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bench="$(cd "$here/.." && pwd)"
root="$(cd "$bench/.." && pwd)"
timeout_s="${PAVLOV_BENCH_TIMEOUT:-1800}"

smoke=0
for arg in "$@"; do
  case "$arg" in
    --smoke) smoke=1 ;;
    -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown option $arg (try --help)" >&2; exit 2 ;;
  esac
done

cd "$root"

py="${PAVLOV_PYTHON:-$bench/.venv/bin/python}"
if [[ ! -x "$py" ]]; then
  if [[ -n "${PAVLOV_PYTHON:-}" ]]; then
    echo "run.sh: PAVLOV_PYTHON=$PAVLOV_PYTHON is not an executable" >&2; exit 1
  fi
  bash "$bench/tensor/setup.sh" || { echo "run.sh: tensor/setup.sh failed" >&2; exit 1; }
fi

pav_file="Benchmarks/rlhf/ppo_lm.pav"
pavlov="${PAVLOV:-$root/.build/release/pavlov}"
if [[ -f "$pav_file" && ! -x "$pavlov" ]]; then
  if [[ -n "${PAVLOV:-}" ]]; then
    echo "run.sh: PAVLOV=$PAVLOV is not an executable" >&2; exit 1
  fi
  echo "building pavlov (release)..."
  log="/tmp/pavlov-rlhf-build.$$.log"
  if ! flock /tmp/pavlov-build.lock swift build -c release --product pavlov > "$log" 2>&1; then
    tail -30 "$log" >&2
    echo "run.sh: the release build failed (full log: $log)" >&2
    exit 1
  fi
  rm -f "$log"
  [[ -x "$pavlov" ]] || { echo "run.sh: no pavlov binary at $pavlov after building" >&2; exit 1; }
fi

mkdir -p "$bench/results"
raw="$bench/results/rlhf-$(date +%Y%m%d-%H%M%S).txt"
py_args=(); pav_args=()
if [[ $smoke == 1 ]]; then py_args=(--smoke); pav_args=(smoke); fi

failed=0
# run SIDE LABEL COMMAND...: one script, its output to the terminal and to $raw under the
# `=== SIDE LABEL` header that report.py reads.
run() {
  local side="$1" label="$2"; shift 2
  echo "=== $side $label" | tee -a "$raw"
  local start end status
  start=$(date +%s.%N)
  timeout "$timeout_s" "$@" 2>&1 | tee -a "$raw"
  status=${PIPESTATUS[0]}
  end=$(date +%s.%N)
  if [[ $status != 0 ]]; then
    echo "=== status failed (exit $status)" | tee -a "$raw"
    failed=1
  fi
  awk -v a="$start" -v b="$end" 'BEGIN { printf "# wall %.1f s\n", b - a }' | tee -a "$raw"
}

{
  echo "# rlhf benchmark $(date -Iseconds) on $(hostname), $(nproc) cores$([[ $smoke == 1 ]] && echo ', smoke')"
  echo "# peer: $("$py" -c 'import sys, torch; print(f"python {sys.version.split()[0]}, torch {torch.__version__}")')"
  echo "# load: $(cut -d' ' -f1-3 /proc/loadavg); OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-unset}"
} | tee "$raw"

run peer ppo_lm_torch.py "$py" "$here/ppo_lm_torch.py" "${py_args[@]}"
if [[ -f "$pav_file" ]]; then
  echo "# pavlov: $pavlov" | tee -a "$raw"
  run pavlov ppo_lm.pav "$pavlov" run "$pav_file" "${pav_args[@]}"
else
  echo "=== pavlov ppo_lm.pav" >> "$raw"
  echo "=== status missing" >> "$raw"
  echo "ppo_lm.pav: pavlov side missing" | tee -a "$raw"
fi

echo | tee -a "$raw"
"$py" "$bench/tensor/report.py" "$raw" | tee -a "$raw"
echo "raw output: $raw"

[[ $failed == 0 ]] || { echo "run.sh: a benchmark script failed" >&2; exit 1; }
exit 0
