#!/usr/bin/env bash
# Coverage-guided fuzzing of every file reader (safetensors, checkpoints, tokenizers,
# preferences, CSV, JSONL, JSON, replay buffers) with libFuzzer from the Swift toolchain.
#
#   bash scripts/fuzz.sh [SECONDS]     # default 600; CI runs 45 s
#
# Each input is loaded by every reader (Sources/PavlovFuzz); one that traps, aborts or hangs
# is saved to .build-fuzz/artifacts/ and the script fails. Replay one with
#   SWIFT_BACKTRACE=enable=no .build-fuzz/release/PavlovFuzz .build-fuzz/artifacts/crash-...
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
export PATH=/opt/swift/usr/bin:$PATH
echo "== building the reader fuzzer (--sanitize fuzzer, .build-fuzz)"
mkdir -p .build-fuzz/corpus .build-fuzz/artifacts
if ! swift build -c release --product PavlovFuzz --sanitize fuzzer --build-path .build-fuzz >.build-fuzz/build.log 2>&1; then
  grep -E "error:" -A3 .build-fuzz/build.log >&2
  echo "error: the reader fuzzer did not build (.build-fuzz/build.log)" >&2
  exit 1
fi
echo "== fuzzing the file readers for $seconds s"
# A small allocation limit keeps hostile headers' (legal) allocations fast; Swift's backtracer
# must not take the crash signals from libFuzzer, or no crash file is written.
set +e
PAVLOV_MAX_ELEMENTS=16777216 SWIFT_BACKTRACE=enable=no .build-fuzz/release/PavlovFuzz \
  -max_total_time="$seconds" -timeout=20 -rss_limit_mb=6144 -max_len=8192 -print_final_stats=1 \
  -artifact_prefix=.build-fuzz/artifacts/ .build-fuzz/corpus Tests/fuzz/seeds >.build-fuzz/fuzz.log 2>&1
status=$?
set -e
grep -E "INITED|DONE|^Done [0-9]+ runs" .build-fuzz/fuzz.log || true
if [ "$status" -ne 0 ] || ! grep -qE "^Done [0-9]+ runs" .build-fuzz/fuzz.log; then
  echo "FAIL: the reader fuzzer found an input that crashes or hangs (exit $status):" >&2
  grep -E "ERROR|Fatal|SUMMARY|Test unit written" .build-fuzz/fuzz.log | head -20 >&2
  exit 1
fi
echo "ok   reader fuzzer: no crash, hang or runaway allocation"
