"""Small timing helpers shared by the Python side of the tensor benchmarks.

Every benchmark prints lines of the form `RESULT <name> <value> <unit>`, where a larger value
is better; other lines are comments for people and start with `#`.
"""

import argparse
import statistics
import sys
import time


def parse_args(description):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--smoke", action="store_true", help="a tiny, quick run (checks that it works; the numbers mean little)")
    return parser.parse_args()


def result(name, value, unit):
    print(f"RESULT {name} {value:.6g} {unit}", flush=True)


def note(text):
    print(f"# {text}", flush=True)


def median_time(run, reps, warmup=1):
    """Calls run() `warmup` times untimed, then `reps` times timed; returns the median and all times (seconds)."""
    for _ in range(warmup):
        run()
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times


def spread(times, work=1.0):
    """'min..max' of work/time over the repetitions, to show how noisy a median is."""
    rates = sorted(work / t for t in times)
    return f"{rates[0]:.4g}..{rates[-1]:.4g}"


def calibrate(call, min_seconds):
    """How many back-to-back calls of call() take at least min_seconds (doubling from 1)."""
    count = 1
    while True:
        start = time.perf_counter()
        for _ in range(count):
            call()
        if time.perf_counter() - start >= min_seconds or count >= 1 << 20:
            return count
        count *= 2


def fail(message):
    print(f"error: {message}", file=sys.stderr)
    sys.exit(1)
