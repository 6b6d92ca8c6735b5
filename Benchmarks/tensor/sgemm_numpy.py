"""float32 matrix multiply throughput with numpy (the BLAS it ships with).

RESULT sgemm_<n> <GFLOP/s>, counting 2*n^3 floating-point operations per n x n by n x n product,
for n in 64, 128, 256, 512, 1024. The product is written into a preallocated output (out=),
so allocation is not timed. numpy's BLAS picks its own thread count (both cores here).
"""

import numpy as np

from benchlib import calibrate, median_time, spread, note, parse_args, result

SIZES = (64, 128, 256, 512, 1024)


def main():
    args = parse_args(__doc__.splitlines()[0])
    reps, min_seconds = (3, 0.01) if args.smoke else (7, 0.25)
    note(f"numpy {np.__version__}, reps {reps}, >= {min_seconds}s per rep")
    rng = np.random.default_rng(0)
    for n in SIZES:
        a = rng.standard_normal((n, n), dtype=np.float32)
        b = rng.standard_normal((n, n), dtype=np.float32)
        c = np.empty((n, n), dtype=np.float32)

        def one():
            np.matmul(a, b, out=c)

        one()  # warm the BLAS up (thread pool, caches) before calibrating
        inner = calibrate(one, min_seconds)

        def batch():
            for _ in range(inner):
                one()

        seconds, times = median_time(batch, reps, warmup=1)
        per_call = seconds / inner
        note(f"sgemm_{n}: {inner} products per rep, GFLOP/s per rep {spread(times, 2.0 * n**3 * inner / 1e9)}")
        result(f"sgemm_{n}", 2.0 * n**3 / per_call / 1e9, "GFLOP/s")


if __name__ == "__main__":
    main()
