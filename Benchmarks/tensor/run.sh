#!/usr/bin/env bash
# Runs the tensor benchmarks in Pavlov and in the Python peer (numpy / PyTorch on the CPU) and
# prints a table of pavlov/peer ratios against the targets.
#
#   bash Benchmarks/tensor/run.sh [--smoke] [--strict]
#
#   --smoke    tiny quick runs: `--smoke` to the Python scripts, `smoke` to the Pavlov scripts
#   --strict   exit 1 unless every metric that has a target meets it (default: exit 1 only if
#              a script failed)
#
# Environment: PAVLOV (pavlov binary; default .build/release/pavlov, built if missing),
# PAVLOV_BENCH_TIMEOUT (seconds per script, default 1800). Both sides use OpenBLAS for matrix
# products, so OPENBLAS_NUM_THREADS (if set) applies to both.
# Raw output and the table go to Benchmarks/results/tensor-<timestamp>.txt (git-ignored).
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bench="$(cd "$here/.." && pwd)"
root="$(cd "$bench/.." && pwd)"
py="$bench/.venv/bin/python"
timeout_s="${PAVLOV_BENCH_TIMEOUT:-1800}"

smoke=0
strict=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --smoke) smoke=1; shift ;;
    --strict) strict=1; shift ;;
    -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
done

cd "$root"

if [[ ! -x "$py" ]]; then
  bash "$here/setup.sh" || { echo "run.sh: setup.sh failed" >&2; exit 1; }
fi

pavlov="${PAVLOV:-$root/.build/release/pavlov}"
if [[ ! -x "$pavlov" ]]; then
  if [[ -n "${PAVLOV:-}" ]]; then
    echo "run.sh: PAVLOV=$PAVLOV is not an executable" >&2; exit 1
  fi
  echo "building pavlov (release)..."
  log="/tmp/pavlov-tensor-build.$$.log"
  if ! flock /tmp/pavlov-build.lock swift build -c release --product pavlov > "$log" 2>&1; then
    tail -30 "$log" >&2
    echo "run.sh: the release build failed (full log: $log)" >&2
    exit 1
  fi
  rm -f "$log"
  [[ -x "$pavlov" ]] || { echo "run.sh: no pavlov binary at $pavlov after building" >&2; exit 1; }
fi

mkdir -p "$bench/results"
raw="$bench/results/tensor-$(date +%Y%m%d-%H%M%S).txt"
py_args=(); pav_args=()
if [[ $smoke == 1 ]]; then py_args=(--smoke); pav_args=(smoke); fi

failed=0
# run SIDE LABEL COMMAND...: runs one script, its output to the terminal and to $raw under a header.
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

# Share of both cores busy over one second before starting (other jobs on this shared machine).
busy_now() {
  local a b
  read -ra a < /proc/stat; sleep 1; read -ra b < /proc/stat
  local busy=$(( (b[1] + b[2] + b[3] + b[6] + b[7]) - (a[1] + a[2] + a[3] + a[6] + a[7]) ))
  local idle=$(( (b[4] + b[5]) - (a[4] + a[5]) ))
  echo "$(( 100 * busy / (busy + idle > 0 ? busy + idle : 1) ))%"
}

{
  echo "# tensor benchmarks $(date -Iseconds) on $(hostname), $(nproc) cores$([[ $smoke == 1 ]] && echo ', smoke')"
  echo "# pavlov: $pavlov ($("$pavlov" --version | tail -1))"
  echo "# peer: $("$py" -c 'import sys, numpy, torch; print(f"python {sys.version.split()[0]}, numpy {numpy.__version__}, torch {torch.__version__}")')"
  echo "# load: $(cut -d' ' -f1-3 /proc/loadavg); CPU busy before start $(busy_now); OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-unset}"
} | tee "$raw"

for pair in sgemm_numpy:sgemm mlp_torch:mlp gpt_torch:gpt; do
  peer_script="${pair%%:*}"; pav_name="${pair##*:}"
  run peer "$peer_script.py" "$py" "$here/$peer_script.py" "${py_args[@]}"
  pav_file="Benchmarks/tensor/$pav_name.pav"
  if [[ -f "$pav_file" ]]; then
    run pavlov "$pav_name.pav" "$pavlov" run "$pav_file" "${pav_args[@]}"
  else
    echo "=== pavlov $pav_name.pav" >> "$raw"
    echo "=== status missing" >> "$raw"
    echo "$pav_name.pav: pavlov side missing" | tee -a "$raw"
  fi
done

# Memory: Pavlov alone, an absolute ceiling on growth rather than a ratio.
run pavlov memory.pav "$pavlov" run Benchmarks/tensor/memory.pav "${pav_args[@]}"

echo | tee -a "$raw"
report_args=("$raw"); [[ $strict == 1 ]] && report_args+=(--strict)
"$py" "$here/report.py" "${report_args[@]}" | tee -a "$raw"
report_status=${PIPESTATUS[0]}
echo "raw output: $raw"

[[ $failed == 0 ]] || { echo "run.sh: a benchmark script failed" >&2; exit 1; }
exit "$report_status"
