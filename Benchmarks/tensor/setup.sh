#!/usr/bin/env bash
# Creates Benchmarks/.venv (git-ignored) for the Python side of the tensor benchmarks:
# numpy, safetensors and the CPU build of torch from the local wheel. Idempotent: does
# nothing that is already done.
#
#   bash Benchmarks/tensor/setup.sh
#
# Environment: PAVLOV_TORCH_WHEEL overrides the torch wheel path.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$(cd "$here/.." && pwd)/.venv"
# Debian's CPython 3.11, not the pyenv python3 on PATH.
base_python=/usr/bin/python3
wheel="${PAVLOV_TORCH_WHEEL:-/opt/wheels/torch-2.13.0+cpu-cp311-cp311-manylinux_2_28_x86_64.whl}"
py="$venv/bin/python"

if [[ ! -x "$py" ]]; then
  echo "setup.sh: creating $venv"
  "$base_python" -m venv "$venv"
  "$py" -m pip install --quiet --upgrade pip
fi

have() { "$py" -c "import $1" >/dev/null 2>&1; }

if ! have torch; then
  [[ -f "$wheel" ]] || { echo "setup.sh: torch wheel not found at $wheel" >&2; exit 1; }
  echo "setup.sh: installing torch from $wheel"
  # Never from the index: the default torch on PyPI pulls CUDA libraries.
  "$py" -m pip install --quiet "$wheel"
fi
if ! have numpy; then
  echo "setup.sh: installing numpy"
  "$py" -m pip install --quiet numpy
fi
if ! have safetensors; then
  echo "setup.sh: installing safetensors"
  "$py" -m pip install --quiet safetensors
fi

"$py" - <<'PY'
import numpy, safetensors, torch
print(f"setup.sh: venv ready: numpy {numpy.__version__}, safetensors {safetensors.__version__}, torch {torch.__version__}")
PY
