#!/usr/bin/env bash
# The Ray executor against a real Ray: installs Ray into an ignored virtualenv, starts a head on
# loopback, runs Tests/ray/sweep.pav (8 trials) through it and with the local executor, checks
# that both wrote the same results, events and metrics, and stops the head.
# Usage: Tests/ray/check_ray.sh PAVLOV_BINARY [VENV]
set -euo pipefail
pavlov=$1
venv=${2:-.build/ray-venv}
ray_version=2.40.0
here=$(cd "$(dirname "$0")" && pwd)

if [ ! -x "$venv/bin/ray" ] || ! "$venv/bin/python" -c "import ray; assert ray.__version__ == '$ray_version'" 2>/dev/null; then
  echo "   installing ray $ray_version into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "ray==$ray_version"
fi

venv=$(cd "$venv" && pwd)  # the checks below run in another folder
work=$(mktemp -d)
port=$("$venv/bin/python" -c "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
export RAY_TMPDIR=$work/ray
mkdir -p "$RAY_TMPDIR"
stop_head() { "$venv/bin/ray" stop --force >/dev/null 2>&1 || true; rm -rf "$work"; }
trap stop_head EXIT
"$venv/bin/ray" start --head --node-ip-address=127.0.0.1 --port="$port" --num-cpus=2 --include-dashboard=false \
  --disable-usage-stats --temp-dir="$RAY_TMPDIR" >"$work/head.log" 2>&1 || { cat "$work/head.log"; exit 1; }

cd "$work"
"$pavlov" tune "$here/sweep.pav" --out "$work/local" >"$work/local.out" 2>"$work/local.err" || { cat "$work/local.err"; exit 1; }
PAVLOV_RAY_PYTHON="$venv/bin/python" "$pavlov" tune "$here/sweep.pav" --executor ray --ray-address "127.0.0.1:$port" \
  --out "$work/ray" >"$work/ray.out" 2>"$work/ray.err" || { cat "$work/ray.err"; exit 1; }

status=0
cmp -s "$work/local.out" "$work/ray.out" || { echo "FAIL the tables differ"; diff "$work/local.out" "$work/ray.out" | head; status=1; }
cmp -s "$work/local/events.jsonl" "$work/ray/events.jsonl" || { echo "FAIL the sweeps' events differ"; status=1; }
cmp -s <(sed "s|$work/local/||g" "$work/local/results.jsonl") <(sed "s|$work/ray/||g" "$work/ray/results.jsonl") \
  || { echo "FAIL results.jsonl differ"; status=1; }
trials=$(ls -d "$work"/ray/trial-* | wc -l)
[ "$trials" -eq 8 ] || { echo "FAIL expected 8 trials through Ray, found $trials"; status=1; }
for t in "$work"/local/trial-*; do
  cmp -s "$t/metrics.jsonl" "$work/ray/$(basename "$t")/metrics.jsonl" || { echo "FAIL $(basename "$t")/metrics.jsonl differ"; status=1; }
done
[ $status -eq 0 ] && echo "   8 trials through a Ray head on 127.0.0.1:$port: same results as the local executor ($(tail -1 "$work/ray.out"))"
exit $status
