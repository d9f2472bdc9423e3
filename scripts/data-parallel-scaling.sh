#!/usr/bin/env bash
# Data-parallel training on the CPU backend: 2 ranks × 1 thread (mpirun, each rank bound to a
# core) against 1 process × 2 threads, on the same machine, interleaved, in images/s.
#
#   scripts/data-parallel-scaling.sh MODEL DATA_DIR [ROUNDS] [EPOCHS]     (ROUNDS: default 3, EPOCHS: 1)
#
# Each round trains one epoch (or EPOCHS) of MODEL on DATA_DIR both ways (batch 100, svdo) and reads
# the epoch's images/s (training steps only) from vdrop's output; prints each round, the medians
# and the ratio, and the share of the 2-rank step spent in the gradient sums.
# Environment: VDROP (default .build/release/vdrop).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ $# -lt 2 ] || [ $# -gt 4 ]; then
    echo "usage: scripts/data-parallel-scaling.sh MODEL DATA_DIR [ROUNDS] [EPOCHS]" >&2
    exit 2
fi
model="$1" data="$2" rounds="${3:-3}" epochs="${4:-1}"
vdrop="${VDROP:-.build/release/vdrop}"
[ -x "$vdrop" ] || { echo "No vdrop binary at $vdrop: run 'swift build -c release' (or set VDROP)." >&2; exit 1; }
command -v mpirun >/dev/null || { echo "mpirun is not installed (apt-get install openmpi-bin libopenmpi-dev)." >&2; exit 1; }
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

work="$(mktemp -d "${TMPDIR:-/tmp}/data-parallel.XXXXXX")"
trap 'rm -rf "$work"' EXIT
args=(train --model "$model" --objective svdo --epochs "$epochs" --batch 100 --eval-every 1000 --device cpu --data "$data" --force)

# The last epoch's images/s: "... 12.3s (456 img/s)".
rate() { grep -o '([0-9.]* img/s)' "$1" | tail -1 | tr -d '(' | cut -d' ' -f1; }

one=() two=()
for round in $(seq 1 "$rounds"); do
    "$vdrop" "${args[@]}" --out "$work/one" >"$work/one.log" 2>&1 || { cat "$work/one.log" >&2; exit 1; }
    mpirun --oversubscribe --bind-to core -np 2 "$vdrop" "${args[@]}" --out "$work/two" >"$work/two.log" 2>&1 || { cat "$work/two.log" >&2; exit 1; }
    one+=("$(rate "$work/one.log")") two+=("$(rate "$work/two.log")")
    echo "round $round: 1 process x 2 threads ${one[-1]} img/s, 2 ranks x 1 thread ${two[-1]} img/s"
done
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
m1="$(median "${one[@]}")" m2="$(median "${two[@]}")"
echo "$model, $(nproc) cores: median 1 process x 2 threads $m1 img/s, 2 ranks x 1 thread $m2 img/s, ratio $(awk -v a="$m2" -v b="$m1" 'BEGIN { printf "%.2f", a / b }')x"
grep -h "gradient sums" "$work/two.log" || true
