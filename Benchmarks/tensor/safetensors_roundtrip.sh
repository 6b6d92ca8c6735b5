#!/usr/bin/env bash
# Cross-checks Pavlov's safetensors reader and writer against the reference implementation
# (Python safetensors + torch, in Benchmarks/.venv), in both directions:
#
#   1. Pavlov writes (save_tensors), Python loads: same dtype, shape, float32 bits, ints, metadata.
#   2. Python writes (safetensors_check.py write, plus F64/F16/BF16/I16/I8/U8/BOOL tensors),
#      Pavlov loads (load_tensors, tensor_metadata): same values (floats as float32 bits).
#   3. A float32-only file: Python re-saving what it loaded gives byte-identical output.
#
# Prints OK or FAIL for each tensor and for the metadata; exits 1 if anything failed.
#
#   bash Benchmarks/tensor/safetensors_roundtrip.sh
#
# Environment: PAVLOV (pavlov binary; default .build/debug/pavlov, built if missing).
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bench="$(cd "$here/.." && pwd)"
root="$(cd "$bench/.." && pwd)"
py="$bench/.venv/bin/python"
cd "$root"

if [[ ! -x "$py" ]]; then
  bash "$here/setup.sh" || { echo "safetensors_roundtrip.sh: setup.sh failed" >&2; exit 1; }
fi
pavlov="${PAVLOV:-$root/.build/debug/pavlov}"
if [[ ! -x "$pavlov" ]]; then
  [[ -n "${PAVLOV:-}" ]] && { echo "safetensors_roundtrip.sh: PAVLOV=$PAVLOV is not an executable" >&2; exit 1; }
  echo "building pavlov (debug)..."
  flock /tmp/pavlov-build.lock swift build --product pavlov >/dev/null || { echo "safetensors_roundtrip.sh: build failed" >&2; exit 1; }
fi

work="$(mktemp -d /tmp/pavlov-safetensors-roundtrip.XXXXXX)"
trap 'rm -rf "$work"' EXIT

# Prints {"tensors": {name: {dtype, shape, values (flat)}}, "metadata": {...}} for a record of
# tensors, the way safetensors_check.py read does.
cat > "$work/describe.pav" <<'EOF'
# JSON has no infinities or NaN: those travel as strings.
let finite = (x) => {
  if type(x) != "float" { return x }
  if x != x { return "nan" }
  if x > 3.5e38 { return "inf" }
  if x < -3.5e38 { return "-inf" }
  return x
}
let flat = (v) => {
  if type(v) != "list" { return [finite(v)] }
  let out = []
  for x in v { for y in flat(x) { out.append(y) } }
  return out
}
let describe = (ts, path) => {
  let out = {}
  for name in ts.keys() {
    let t = ts[name]
    out[name] = {dtype: t.dtype, shape: t.shape, values: flat(t.tolist())}
  }
  return json_string({tensors: out, metadata: tensor_metadata(path)})
}
EOF

# --- 1. Pavlov writes, Python reads ---------------------------------------------------------
cat > "$work/write.pav" <<'EOF'
let path = env_var("ST_PATH")
let ts = {
  w: tensor([[0.1, -0.0, 1e-40], [3.4028234e38, -1.17549435e-38, 1234.5678]]),
  "layers.0.bias": tensor([-1.5, 2.0 / 3.0, 1e-7, 65504.0]),
  ids: tensor([0, 5, -7, 1099511627776, -1099511627777, 9223372036854775807, -9223372036854775807]),
  mask: tensor([true, false, true]),
  scalar: tensor(2.5),
  empty: zeros(0, 3),
}
save_tensors(path, ts, {lr: 0.001, name: "pavlov", step: 7, "quote\"d": "a\nb"})
print(describe(ts, path))
EOF
cat "$work/describe.pav" "$work/write.pav" > "$work/write_full.pav"

cat > "$work/compare.py" <<'EOF'
"""compare.py EXPECTED.json ACTUAL.json LABEL: OK/FAIL per tensor and for the metadata."""
import json, sys
import numpy as np

FLOATS = {"F32", "F64", "F16", "BF16", "float32"}
INTS = {"I64", "I32", "I16", "I8", "U8", "int64"}
BOOLS = {"BOOL", "bool"}

def kind(dtype):
    return "float" if dtype in FLOATS else "int" if dtype in INTS else "bool" if dtype in BOOLS else dtype

def f32bits(values):
    values = [float(v) if isinstance(v, str) else v for v in values]
    with np.errstate(over="ignore"):
        return np.array(values, dtype=np.float64).astype(np.float32).view(np.uint32).tolist()

expected = json.load(open(sys.argv[1]))
actual = json.load(open(sys.argv[2]))
label = sys.argv[3]
failed = False
names = sorted(set(expected["tensors"]) | set(actual["tensors"]))
for name in names:
    e, a = expected["tensors"].get(name), actual["tensors"].get(name)
    problem = None
    if e is None or a is None:
        problem = "missing on the " + ("expected" if e is None else "loaded") + " side"
    elif kind(e["dtype"]) != kind(a["dtype"]):
        problem = f"dtype {e['dtype']} became {a['dtype']}"
    elif e["shape"] != a["shape"]:
        problem = f"shape {e['shape']} became {a['shape']}"
    elif kind(e["dtype"]) == "float":
        eb, ab = f32bits(e["values"]), f32bits(a["values"])
        bad = [i for i in range(len(eb)) if eb[i] != ab[i]]
        if bad:
            i = bad[0]
            problem = f"{len(bad)} float32 values differ, first at {i}: {e['values'][i]!r} vs {a['values'][i]!r}"
    elif kind(e["dtype"]) == "int":
        if [int(v) for v in e["values"]] != [int(v) for v in a["values"]]:
            problem = f"int values differ: {e['values']} vs {a['values']}"
    elif [bool(v) for v in e["values"]] != [bool(v) for v in a["values"]]:
        problem = f"bool values differ: {e['values']} vs {a['values']}"
    n = len(e["values"]) if e else 0
    if problem:
        failed = True
        print(f"FAIL {label} {name}: {problem}")
    else:
        print(f"OK   {label} {name} ({e['dtype']} -> {a['dtype']}, shape {tuple(e['shape'])}, {n} values)")
if expected["metadata"] == actual["metadata"]:
    print(f"OK   {label} metadata {json.dumps(expected['metadata'], sort_keys=True)}")
else:
    failed = True
    print(f"FAIL {label} metadata: {expected['metadata']} vs {actual['metadata']}")
sys.exit(1 if failed else 0)
EOF

status=0
echo "== Pavlov writes, Python (safetensors $("$py" -c 'import safetensors; print(safetensors.__version__)')) reads"
if ST_PATH="$work/pavlov.safetensors" "$pavlov" run "$work/write_full.pav" > "$work/pavlov_view.json" \
   && "$py" "$here/safetensors_check.py" read "$work/pavlov.safetensors" > "$work/python_view.json"; then
  "$py" "$work/compare.py" "$work/pavlov_view.json" "$work/python_view.json" "pavlov->python" || status=1
else
  echo "FAIL pavlov->python: writing or reading failed"; status=1
fi

# --- 2. Python writes, Pavlov reads ---------------------------------------------------------
cat > "$work/read.pav" <<'EOF'
let path = env_var("ST_PATH")
print(describe(load_tensors(path), path))
EOF
cat "$work/describe.pav" "$work/read.pav" > "$work/read_full.pav"

cat > "$work/write_more.py" <<'EOF'
import sys, torch
from safetensors.torch import save_file
g = torch.Generator().manual_seed(0)
x = torch.randn(5, 3, generator=g)
save_file({
    "f64": torch.tensor([0.1, -1e-3, 1e300, -0.0], dtype=torch.float64),
    "f16": (x * 100).to(torch.float16),
    "bf16": (x * 1e20).to(torch.bfloat16),
    "f32_random": torch.randn(4, 4, generator=g),
    "i16": torch.tensor([-32768, 32767, 0], dtype=torch.int16),
    "i8": torch.tensor([[-128, 127], [1, -1]], dtype=torch.int8),
    "u8": torch.tensor([0, 255, 128], dtype=torch.uint8),
    "bool": torch.tensor([True, False, False, True]),
    "scalar": torch.tensor(7, dtype=torch.int64),
    "empty": torch.zeros(2, 0),
}, sys.argv[1], metadata={"format": "pt", "source": "torch"})
EOF

for case in check more; do
  file="$work/python_$case.safetensors"
  if [[ $case == check ]]; then
    "$py" "$here/safetensors_check.py" write "$file"
  else
    "$py" "$work/write_more.py" "$file"
  fi || { echo "FAIL python->pavlov ($case): Python could not write"; status=1; continue; }
  echo "== Python writes ($case), Pavlov reads"
  if "$py" "$here/safetensors_check.py" read "$file" > "$work/expected_$case.json" \
     && ST_PATH="$file" "$pavlov" run "$work/read_full.pav" > "$work/loaded_$case.json"; then
    "$py" "$work/compare.py" "$work/expected_$case.json" "$work/loaded_$case.json" "python->pavlov" || status=1
  else
    echo "FAIL python->pavlov ($case): reading failed"; status=1
  fi
done

# --- 3. Byte-identical output for a float32-only file ---------------------------------------
echo "== Same bytes as Python for a float32-only file"
cat > "$work/bytes.pav" <<'EOF'
save_tensors(env_var("ST_PATH"), {b: tensor([[1.0, -2.5], [0.1, 3.0]]), a: tensor([7.0]), "c.d": zeros(3)}, {k: "v"})
EOF
if ST_PATH="$work/bytes_pavlov.safetensors" "$pavlov" run "$work/bytes.pav" \
   && "$py" - "$work/bytes_pavlov.safetensors" "$work/bytes_python.safetensors" <<'EOF'
import sys
from safetensors import safe_open
from safetensors.torch import load_file, save_file
with safe_open(sys.argv[1], framework="pt") as f:
    metadata = f.metadata()
save_file(load_file(sys.argv[1]), sys.argv[2], metadata=metadata)
EOF
then
  if cmp -s "$work/bytes_pavlov.safetensors" "$work/bytes_python.safetensors"; then
    echo "OK   bytes identical ($(wc -c < "$work/bytes_pavlov.safetensors") bytes)"
  else
    echo "FAIL bytes differ:"; cmp "$work/bytes_pavlov.safetensors" "$work/bytes_python.safetensors"; status=1
  fi
else
  echo "FAIL bytes: writing failed"; status=1
fi

if [[ $status == 0 ]]; then echo "ALL OK"; else echo "SOME CHECKS FAILED"; fi
exit $status
