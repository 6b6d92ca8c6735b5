#!/usr/bin/env bash
# The two quick-start commands (README) and CI's entry point.
#   bash scripts/dev.sh example   install what is missing, build, run a real experiment
#   bash scripts/dev.sh test      install what is missing, build, run the whole test suite
#   bash scripts/dev.sh install [PREFIX]   build, then install PREFIX/bin/pavlov and
#                                 PREFIX/share/pavlov/stdlib (default PREFIX: /usr/local)
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the build needs: GNU readline for the REPL; Box2D for LunarLander and
# BipedalWalker; HDF5 for Minari datasets; python3-venv for the TensorBoard check.
APT_PACKAGES=(libreadline-dev libbox2d-dev libhdf5-dev python3-venv)

install_missing() {
  local missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
  done
  if ((${#missing[@]})); then
    echo "== installing ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  if ! command -v swift >/dev/null 2>&1; then
    if [ -x /opt/swift/usr/bin/swift ]; then export PATH="/opt/swift/usr/bin:$PATH"; else
      echo "error: the Swift toolchain is missing; install Swift 6 (https://www.swift.org/install) and retry" >&2
      exit 2
    fi
  fi
}

# One release build serves the examples, the CLI tests and the unit tests (debug builds of
# the evaluator are too slow for the robustness and benchmark-sized tests).
build() {
  echo "== building (release)"
  # The build's own status decides: a failed build must not run the tests on a stale binary.
  set +e
  swift build -c release --build-tests -Xswiftc -enable-testing 2>&1 | grep -vE '^\[[0-9]+/[0-9]+\]'
  local status=${PIPESTATUS[0]}
  set -e
  [ "$status" -eq 0 ] || { echo "error: build failed (swift build exited $status)" >&2; exit 1; }
  test -x .build/release/pavlov || { echo "error: build failed" >&2; exit 1; }
}

run_example() {
  echo "== PPO on CartPole-v1 until it is solved (mean return 475), then a deterministic evaluation"
  .build/release/pavlov train --algo PPO --env CartPole-v1 --stop mean_return=475 --stop timesteps=300000 --out runs/quickstart --force
  echo "== try: .build/release/pavlov evaluate runs/quickstart/checkpoints/final.safetensors --render"
}

# The binary finds its stdlib at ../share/pavlov/stdlib; it links the Swift runtime of the
# toolchain it was built with, so that toolchain must stay where it is.
install_pavlov() {
  local prefix="${1:-/usr/local}"
  echo "== building pavlov (release)"
  swift build -c release --product pavlov 2>&1 | grep -vE '^\[[0-9]+/[0-9]+\]' || true
  test -x .build/release/pavlov || { echo "error: build failed" >&2; exit 1; }
  echo "== installing into $prefix"
  install -d "$prefix/bin" "$prefix/share/pavlov"
  install -m 755 .build/release/pavlov "$prefix/bin/pavlov"
  rm -rf "$prefix/share/pavlov/stdlib"
  cp -R stdlib "$prefix/share/pavlov/stdlib"
  (cd / && "$prefix/bin/pavlov" -e 'import "ppo.pav" as lesson; print("pavlov is installed:", type(lesson.agent))') \
    || { echo "error: the installed pavlov does not start" >&2; exit 1; }
  echo "   run scripts with: $prefix/bin/pavlov FILE.pav [ARGS]   (add $prefix/bin to PATH if it is not there)"
}

# The installed command, from another folder: `pavlov FILE.pav ARGS` and a stdlib import.
check_install() {
  local dir
  dir=$(mktemp -d)
  printf 'import "ppo.pav" as lesson\nprint(args, type(lesson.train))\n' > "$dir/hello.pav"
  if bash scripts/dev.sh install "$dir/prefix" >/dev/null && [ "$(cd "$dir" && PAVLOV_STDLIB= "$dir/prefix/bin/pavlov" hello.pav a 1)" = '["a", "1"] function' ]; then
    echo "ok   install into a prefix; pavlov FILE.pav ARGS from another folder"; rm -rf "$dir"; return 0
  fi
  echo "FAIL install into a prefix"; rm -rf "$dir"; return 1
}

# TensorBoard's own event reader on our event files, from a virtualenv made (once) for it.
check_tensorboard() {
  local venv=.build/tb-venv
  if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import tensorboard" 2>/dev/null; then
    echo "   installing tensorboard into $venv"
    python3 -m venv "$venv" && "$venv/bin/pip" install --quiet tensorboard || { echo "FAIL could not install tensorboard"; return 1; }
  fi
  "$venv/bin/python" Tests/tensorboard/check_events.py "$PWD/.build/release/pavlov"
}

# Every workshop lesson at full size: its `# expect:` lines must appear in its output, in
# order (plots print around them), within a minute.
check_lessons() {
  local failed=0 f out start seconds
  for f in docs/workshop/*.pav; do
    start=$(date +%s%N)
    if ! out=$(timeout 120 .build/release/pavlov "$f" 2>&1); then
      echo "FAIL $f"; printf '%s\n' "$out" | tail -20; failed=1; continue
    fi
    seconds=$(( ($(date +%s%N) - start) / 1000000 ))
    if ! awk -v file="$f" 'BEGIN { n = 0; k = 0 } NR == FNR { want[n++] = $0; next } k < n && $0 == want[k] { k++ }
        END { if (k < n) { print "FAIL " file ": expected line " k + 1 " never printed (in order): " want[k]; exit 1 } }' \
        <(sed -n 's|.*# expect: ||p' "$f") <(printf '%s\n' "$out"); then failed=1; continue; fi
    if [ "$seconds" -gt 60000 ]; then echo "FAIL $f took $((seconds / 1000)) s (a lesson must finish in 60)"; failed=1; continue; fi
    echo "ok   $f ($((seconds / 1000)).$(( (seconds % 1000) / 100 )) s)"
  done
  return $failed
}

run_tests() {
  echo "== unit, corpus, REPL, CLI and robustness tests"
  set +e
  PAVLOV_BIN="$PWD/.build/release/pavlov" swift test -c release --skip-build --disable-swift-testing -Xswiftc -enable-testing 2>&1 \
    | tee .build/test.log | grep -vE "^Test Case '.*' (started|passed)"
  local status=${PIPESTATUS[0]}
  set -e
  echo "== example smoke runs"
  local failed=0 passed_checks=0 failed_checks=0
  for f in examples/*.pav; do
    if .build/release/pavlov run "$f" smoke >/dev/null 2>.build/example.err; then
      echo "ok   $f"; passed_checks=$((passed_checks + 1))
    else
      echo "FAIL $f"; cat .build/example.err; failed=1; failed_checks=$((failed_checks + 1))
    fi
  done
  echo "== workshop lessons"
  if check_lessons; then passed_checks=$((passed_checks + 1)); else failed=1; failed_checks=$((failed_checks + 1)); fi
  echo "== tensorboard"
  if check_tensorboard; then passed_checks=$((passed_checks + 1)); else failed=1; failed_checks=$((failed_checks + 1)); fi
  echo "== ray (a head on loopback, an 8-trial sweep through it)"
  if bash Tests/ray/check_ray.sh "$PWD/.build/release/pavlov" .build/ray-venv; then passed_checks=$((passed_checks + 1)); else failed=1; failed_checks=$((failed_checks + 1)); fi
  echo "== minari (its reader on Pavlov's datasets, Pavlov's reader on its datasets)"
  if bash Tests/minari/check_minari.sh "$PWD/.build/release/pavlov" .build/minari-venv; then passed_checks=$((passed_checks + 1)); else failed=1; failed_checks=$((failed_checks + 1)); fi
  echo "== reader fuzzer (libFuzzer over every file reader, 45 s)"
  if bash scripts/fuzz.sh 45; then passed_checks=$((passed_checks + 1)); else failed=1; failed_checks=$((failed_checks + 1)); fi
  echo "== install"
  if check_install; then passed_checks=$((passed_checks + 1)); else failed=1; failed_checks=$((failed_checks + 1)); fi
  echo "== reference docs are current; examples and stdlib check"
  if .build/release/pavlov docs --check --out docs/reference; then passed_checks=$((passed_checks + 1)); else failed=1; failed_checks=$((failed_checks + 1)); fi
  if .build/release/pavlov check examples/*.pav stdlib/*.pav >/dev/null; then passed_checks=$((passed_checks + 1)); else failed=1; failed_checks=$((failed_checks + 1)); fi
  # One closing line for the whole run: XCTest's counts plus these checks.
  local executed failures
  executed=$(grep -E "^\s*Executed [0-9]+ tests?" .build/test.log | tail -1 | sed -E 's/.*Executed ([0-9]+) tests?.*/\1/')
  failures=$(grep -E "^\s*Executed [0-9]+ tests?" .build/test.log | tail -1 | sed -E 's/.* ([0-9]+) failures?.*/\1/')
  executed=${executed:-0}; failures=${failures:-0}
  if [ "$executed" -eq 0 ]; then echo "error: no tests ran"; status=1; fi
  [ "$status" -ne 0 ] && [ "$failures" -eq 0 ] && failures=1
  echo "pavlov: $((executed - failures + passed_checks)) passed, $((failures + failed_checks)) failed"
  if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ]; then exit 1; fi
}

# Full-size fuzzing (CI runs both at a reduced size): every builtin 1,000 times, then the file
# readers for 10 minutes.
run_fuzz() {
  PAVLOV_BUILTIN_FUZZ_CALLS=1000 swift test -c release --skip-build --disable-swift-testing \
    --filter BuiltinFuzzTests 2>&1 | grep -E "builtin fuzz|types without|slowest|error|crashed|passed|failed"
  bash scripts/fuzz.sh 600
}

case "${1:-}" in
  example) install_missing; build; run_example ;;
  fuzz) install_missing; build; run_fuzz ;;
  test) install_missing; build; run_tests ;;
  install) install_missing; shift; install_pavlov "$@" ;;
  *) echo "usage: bash scripts/dev.sh example|test|fuzz|install [PREFIX]" >&2; exit 2 ;;
esac
