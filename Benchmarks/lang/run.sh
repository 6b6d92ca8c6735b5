#!/usr/bin/env bash
# Runs the language benchmarks in Pavlov, CPython and Lua 5.4 side by side and prints the ratios.
#
#   Benchmarks/lang/run.sh [--reps N] [--form top|main|both] [--only fib,q_learning] [--no-build]
#                          [--lua PATH]   (default: lua5.4 or lua on PATH; Lua is skipped if absent)
#
# Builds Pavlov in release mode first (under a lock: builds in this checkout must not overlap),
# then hands over to bench.py, which times, checks outputs and writes Benchmarks/results/lang-*.json.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
# The system CPython 3.11, not the pyenv `python3` on PATH (a slower build).
python="${PAVLOV_BENCH_PYTHON:-/usr/bin/python3}"

build=1
args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --no-build) build=0; shift ;;
    --reps|--form|--only|--startup-runs|--timeout|--lua)
      [[ $# -ge 2 ]] || { echo "run.sh: $1 needs a value" >&2; exit 2; }
      args+=("$1" "$2"); shift 2 ;;
    -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
done

cd "$root"
if [[ $build == 1 ]]; then
  echo "building pavlov (release)..."
  if ! flock /tmp/pavlov-build.lock swift build -c release --product pavlov > /tmp/pavlov-bench-build.$$.log 2>&1; then
    tail -30 /tmp/pavlov-bench-build.$$.log >&2
    echo "run.sh: the release build failed (full log: /tmp/pavlov-bench-build.$$.log)" >&2
    exit 1
  fi
  rm -f /tmp/pavlov-bench-build.$$.log
fi
bin="$(swift build -c release --show-bin-path)/pavlov"
[[ -x "$bin" ]] || { echo "run.sh: no pavlov binary at $bin" >&2; exit 1; }

exec "$python" "$here/bench.py" --pavlov "$bin" --python "$python" "${args[@]}"
