#!/usr/bin/env bash
# The RLHF pipeline's targets as the mean over seeds: runs examples/rlhf_pipeline.pav with
# --seed 0, 1 and 2 (about 4-5 minutes each on 2 cores), prints each seed's table, then the mean
# win rate and KL of every method and whether the targets hold: reward-model held-out accuracy
# >= 85%, PPO-RLHF win rate >= 80%, DPO >= 70%.
#
#   bash Benchmarks/rlhf/seeds.sh [--strict] [SEED ...]
#
#   --strict   exit 1 unless every target holds on the mean
# Raw output goes to Benchmarks/results/rlhf-seeds-<timestamp>/ (git-ignored).
set -uo pipefail
cd "$(dirname "$0")/../.."

strict=0
seeds=()
for a in "$@"; do
  case "$a" in
    --strict) strict=1 ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) [[ "$a" =~ ^[0-9]+$ ]] || { echo "seeds.sh: a seed is a whole number, got '$a' (try --help)" >&2; exit 2; }; seeds+=("$a") ;;
  esac
done
((${#seeds[@]})) || seeds=(0 1 2)

pavlov=.build/release/pavlov
if [[ ! -x "$pavlov" ]]; then
  swift build -c release --product pavlov >/dev/null || { echo "seeds.sh: the release build failed" >&2; exit 1; }
fi
out="Benchmarks/results/rlhf-seeds-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$out"
echo "# RLHF pipeline over seeds ${seeds[*]}, $(date -Iseconds); machine: $("$pavlov" --version | tail -1)"

for s in "${seeds[@]}"; do
  echo
  echo "== seed $s"
  if ! "$pavlov" run examples/rlhf_pipeline.pav --seed "$s" > "$out/seed$s.txt" 2>&1; then
    cat "$out/seed$s.txt" >&2
    echo "seeds.sh: seed $s failed" >&2
    exit 1
  fi
  sed -n '/^win rate vs SFT/,/^$/p' "$out/seed$s.txt"
  grep '^total time' "$out/seed$s.txt"
done

echo
cat "$out"/seed*.txt | awk -v n="${#seeds[@]}" -v strict="$strict" '
  /^win rate vs SFT/ { match($0, /accuracy [0-9.]+%/); rm += substr($0, RSTART + 9, RLENGTH - 10) }
  /^  [A-Za-z].* +[0-9.]+% +[-+][0-9.]+ +[0-9.]+$/ {
    kl = $NF; gold = $(NF - 1); win = $(NF - 2); sub(/%/, "", win)
    name = $0; sub(/^  /, "", name); sub(/ +[0-9.]+% +[-+][0-9.]+ +[0-9.]+$/, "", name)
    if (!(name in wins)) order[++count] = name
    wins[name] += win; kls[name] += kl
  }
  END {
    printf "mean over %d seeds (reward model held-out accuracy %.1f%%):\n", n, rm / n
    printf "  %-24s %9s %10s\n", "method", "win rate", "KL to SFT"
    for (i = 1; i <= count; i++) printf "  %-24s %8.1f%% %10.2f\n", order[i], wins[order[i]] / n, kls[order[i]] / n
    ok = (rm / n >= 85) && (wins["PPO-RLHF"] / n >= 80) && (wins["DPO"] / n >= 70)
    printf "targets (reward model >= 85%%, PPO-RLHF >= 80%%, DPO >= 70%%): %s\n", ok ? "met" : "NOT met"
    exit (strict && !ok) ? 1 : 0
  }'
