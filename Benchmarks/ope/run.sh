#!/usr/bin/env bash
# Off-policy evaluation against the Open Bandit Pipeline, side by side in one run.
#
#   bash Benchmarks/ope/run.sh [--smoke] [--rounds N] [--seeds 0,1,2]
#
# obp 0.5.7 pins torch 1.12 and Python < 3.11; its estimators need neither, so it goes into
# Benchmarks/.venv without its pins (--no-deps --ignore-requires-python) beside the few packages
# the OPE module imports.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
py="$root/Benchmarks/.venv/bin/python"
cd "$root"
bash "$root/Benchmarks/tensor/setup.sh" >/dev/null
if ! "$py" -c "import obp.ope" >/dev/null 2>&1; then
  "$py" -m pip install --quiet scikit-learn scipy pandas tqdm matplotlib seaborn pyyaml
  "$py" -m pip install --quiet --no-deps --ignore-requires-python obp==0.5.7
fi
flock /tmp/pavlov-build.lock swift build -c release --product pavlov >/dev/null
mkdir -p Benchmarks/results
PYTHONWARNINGS=ignore "$py" "$here/compare_obp.py" "$@" | tee "Benchmarks/results/ope-$(date +%Y%m%d-%H%M%S).txt"
exit "${PIPESTATUS[0]}"
