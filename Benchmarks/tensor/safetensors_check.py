"""Writes or reads a small safetensors file with the reference implementation, for checking
Pavlov's reader and writer against it.

  safetensors_check.py write PATH   # float32 "w" (3,4), int64 "ids", int32 "small" (2,2), metadata
  safetensors_check.py read PATH    # prints {"tensors": {...}, "metadata": {...}} as JSON
"""

import argparse
import json
import sys

import torch
from safetensors import safe_open
from safetensors.torch import load_file, save_file

DTYPES = {
    torch.float64: "F64", torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16",
    torch.int64: "I64", torch.int32: "I32", torch.int16: "I16", torch.int8: "I8",
    torch.uint8: "U8", torch.bool: "BOOL",
}


def write(path):
    tensors = {
        "w": (torch.arange(12, dtype=torch.float32) / 4 - 1).reshape(3, 4),
        "ids": torch.tensor([0, 5, -7, 2**40], dtype=torch.int64),
        "small": torch.tensor([[1, 2], [3, 4]], dtype=torch.int32),
    }
    save_file(tensors, path, metadata={"lr": "0.001", "name": "peer"})


def read(path):
    tensors = load_file(path)
    with safe_open(path, framework="pt") as f:
        metadata = f.metadata() or {}
    out = {"tensors": {}, "metadata": dict(sorted(metadata.items()))}
    for name in sorted(tensors):
        t = tensors[name]
        out["tensors"][name] = {
            "dtype": DTYPES.get(t.dtype, str(t.dtype)),
            "shape": list(t.shape),
            "values": t.flatten().tolist(),
        }
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=("write", "read"))
    parser.add_argument("path")
    args = parser.parse_args()
    write(args.path) if args.mode == "write" else read(args.path)


if __name__ == "__main__":
    main()
