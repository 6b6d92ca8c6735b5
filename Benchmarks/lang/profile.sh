#!/usr/bin/env bash
# Counts instructions of one benchmark, at a reduced size, with callgrind (reproducible even on a
# busy machine), for Pavlov and for CPython, and shows Pavlov's hottest functions.
#
#   Benchmarks/lang/profile.sh NAME [top|main] [TOP]
#
# NAME: fib sum_squares list_sum string_concat q_learning method_call binary_trees map_numeric;
# `main` profiles the scripts with their top-level statements wrapped in a main function (as
# run.sh's "main" rows); TOP: rows shown.
#
# Uses the release binary as built by run.sh (it does not build). valgrind 3.19 cannot read the
# DWARF 5 debug info Swift emits, so it profiles a copy with the debug info stripped (symbols stay).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
python="${PAVLOV_BENCH_PYTHON:-/usr/bin/python3}"
name="${1:?usage: profile.sh NAME [top|main] [TOP]}"
form="${2:-top}"
top="${3:-25}"
[[ $form == top || $form == main ]] || { echo "profile.sh: form is top or main, not $form" >&2; exit 2; }

case "$name" in
  fib) sub='s/fib(30)/fib(22)/' ;;
  sum_squares) sub='s/10000000/1000000/' ;;
  list_sum) sub='s/1000000/100000/' ;;
  string_concat) sub='s/100000/20000/' ;;
  q_learning) sub='s/max_steps = 200000/max_steps = 20000/' ;;
  method_call) sub='s/n = 250000/n = 25000/' ;;
  binary_trees) sub='s/max_depth = 13/max_depth = 10/' ;;
  map_numeric) sub='s/n = 1000000/n = 100000/' ;;
  *) echo "profile.sh: unknown benchmark $name" >&2; exit 2 ;;
esac

bin="$(cd "$root" && swift build -c release --show-bin-path)/pavlov"
[[ -x "$bin" ]] || { echo "profile.sh: no release binary; run Benchmarks/lang/run.sh first" >&2; exit 1; }
work="$(mktemp -d /tmp/pavlov-profile.XXXXXX)"
objcopy --strip-debug "$bin" "$work/pavlov"
export PAVLOV_STDLIB="$root/stdlib"
sed "$sub" "$here/$name.pav" > "$work/$name.pav"
sed "$sub" "$here/$name.py" > "$work/$name.py"
if [[ $form == main ]]; then
  "$python" - "$here" "$work/$name" <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
import bench
for ext, wrap in ((".pav", bench.wrap_pavlov), (".py", bench.wrap_python)):
    path = sys.argv[2] + ext
    text = wrap(open(path).read())
    open(path, "w").write(text)
PY
fi
echo 'print(1)' > "$work/empty.pav"
echo 'print(1)' > "$work/empty.py"

count() {  # callgrind OUT CMD... -> prints the instruction count
  local out="$1"; shift
  valgrind --tool=callgrind --callgrind-out-file="$out" "$@" > "$out.stdout" 2> "$out.log"
  grep -m1 'Collected' "$out.log" | awk '{print $4}'
}

pav_base=$(count "$work/cg.pav.empty" "$work/pavlov" run "$work/empty.pav")
pav=$(count "$work/cg.pav.$name" "$work/pavlov" run "$work/$name.pav")
py_base=$(count "$work/cg.py.empty" "$python" "$work/empty.py")
py=$(count "$work/cg.py.$name" "$python" "$work/$name.py")

echo "$name ($form form) at reduced size ($sub); instructions, startup (a print(1) script) subtracted:"
printf "  pavlov %'15d   (output: %s)\n" $((pav - pav_base)) "$(tr '\n' ' ' < "$work/cg.pav.$name.stdout")"
printf "  python %'15d   (output: %s)\n" $((py - py_base)) "$(tr '\n' ' ' < "$work/cg.py.$name.stdout")"
awk -v a=$((pav - pav_base)) -v b=$((py - py_base)) 'BEGIN { printf "  python/pavlov instruction ratio: %.2f (> 1: Pavlov runs fewer)\n", b / a }'
printf "  startup: pavlov %'d, python %'d\n\n" "$pav_base" "$py_base"
echo "Pavlov's hottest functions (self cost):"
callgrind_annotate "$work/cg.pav.$name" 2>/dev/null | sed -n '/file:function/,$p' | sed -n "3,$((top + 2))p" | cut -c1-220
echo
echo "callgrind files: $work (callgrind_annotate --inclusive=yes or --tree=caller FILE for more)"
