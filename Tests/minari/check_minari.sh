#!/usr/bin/env bash
# Minari interop with the real package: installs minari 0.5.4 (HDF5 backend) into an ignored
# virtualenv and runs check_minari.py, which has minari read Pavlov's datasets and Pavlov read
# minari's. Usage: Tests/minari/check_minari.sh PAVLOV_BINARY [VENV]
set -euo pipefail
pavlov=$1
venv=${2:-.build/minari-venv}
here=$(cd "$(dirname "$0")" && pwd)
if ! "$venv/bin/python" -c "import minari, h5py, PIL; assert minari.__version__ == '0.5.4'" 2>/dev/null; then
  echo "   installing minari 0.5.4 into $venv"
  python3 -m venv "$venv"
  # pillow: minari's HDF5 storage imports it without declaring it.
  "$venv/bin/pip" install --quiet "minari[hdf5]==0.5.4" pillow gymnasium
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$venv/bin/python" "$here/check_minari.py" "$pavlov" "$work"
