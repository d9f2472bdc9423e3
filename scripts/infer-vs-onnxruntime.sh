#!/usr/bin/env bash
# vdrop's inference against onnxruntime on the same machine, in the same run.
#
#   scripts/infer-vs-onnxruntime.sh CHECKPOINT [ROUNDS]      (ROUNDS: default 3)
#
# Exports CHECKPOINT as dense ONNX and as compact ONNX (vdrop export --format onnx [--compact]),
# then, ROUNDS times and interleaved (so a slow spell of the machine hits every engine alike):
#   vdrop bench --inference --weights CHECKPOINT --batch 1,100 --json …   (every vdrop path)
#   scripts/onnxruntime-bench.py on the dense ONNX and on the compact ONNX  (batch 1 and 100)
# and prints a table of the medians over the rounds, and the ratio of vdrop's best sparse path
# (any path but the trimmed network's dense one: sparse, or the compact network) to onnxruntime
# on the dense model, the issue's "3× onnxruntime" goal.
# Environment: VDROP (default .build/release/vdrop), SECONDS_PER_BATCH (onnxruntime, default 5),
# THREADS (onnxruntime intra-op threads, default: the machine's cores), BENCH_ARGS (more vdrop bench flags).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    echo "usage: scripts/infer-vs-onnxruntime.sh CHECKPOINT [ROUNDS]" >&2
    exit 2
fi
checkpoint="$1"
rounds="${2:-3}"
case "$rounds" in ''|*[!0-9]*|0) echo "ROUNDS must be a positive integer, not '$rounds'." >&2; exit 2 ;; esac
vdrop="${VDROP:-.build/release/vdrop}"
[ -x "$vdrop" ] || { echo "No vdrop binary at $vdrop: run 'swift build -c release' (or set VDROP)." >&2; exit 1; }
[ -f "$checkpoint" ] || { echo "No checkpoint at $checkpoint." >&2; exit 1; }
threads="${THREADS:-$(nproc)}"

work="$(mktemp -d "${TMPDIR:-/tmp}/infer-vs-onnxruntime.XXXXXX")"
trap 'rm -rf "$work"' EXIT
echo "Exporting $checkpoint to ONNX (dense and compact) in $work ..."
"$vdrop" export --checkpoint "$checkpoint" --format onnx --out "$work/dense.onnx"
"$vdrop" export --checkpoint "$checkpoint" --format onnx --compact --out "$work/compact.onnx"

for round in $(seq 1 "$rounds"); do
    echo "Round $round of $rounds ..."
    # shellcheck disable=SC2086
    "$vdrop" bench --inference --weights "$checkpoint" --batch 1,100 --json "$work/vdrop-$round.json" ${BENCH_ARGS:-} >"$work/vdrop-$round.log"
    for kind in dense compact; do
        python3 scripts/onnxruntime-bench.py "$work/$kind.onnx" --batch 1,100 --threads "$threads" \
            --seconds "${SECONDS_PER_BATCH:-5}" >"$work/onnxruntime-$kind-$round.jsonl"
    done
done

python3 - "$work" "$rounds" "$checkpoint" <<'EOF'
import json, os, statistics, sys

work, rounds, checkpoint = sys.argv[1], int(sys.argv[2]), sys.argv[3]
def vdrop_entries(report):
    """vdrop bench --inference's JSON: `measurements`, each with backend ("cpu" or "device"),
    network ("trimmed" or "compact"), path ("dense" or "sparse"), batch and imagesPerSecond (the median)."""
    for m in report.get("measurements", []):
        yield "%s %s %s" % (m["backend"], m["network"], m["path"]), m["batch"], float(m["imagesPerSecond"])

measured = {}
for round in range(1, rounds + 1):
    with open(os.path.join(work, "vdrop-%d.json" % round)) as f:
        for label, batch, rate in vdrop_entries(json.load(f)):
            measured.setdefault(("vdrop " + label, batch), []).append(rate)
    for kind in ("dense", "compact"):
        with open(os.path.join(work, "onnxruntime-%s-%d.jsonl" % (kind, round))) as f:
            for line in f:
                entry = json.loads(line)
                measured.setdefault(("onnxruntime %s" % kind, entry["batch"]), []).append(entry["images_per_second"])

if not any(label.startswith("vdrop") for label, _ in measured):
    sys.exit("vdrop bench's JSON held no measurements; see %s/vdrop-1.json" % work)
median = {key: statistics.median(values) for key, values in measured.items()}
print("\n%s, %d round(s), medians (images/s):" % (checkpoint, rounds))
print("%-52s %14s %14s" % ("engine / path", "batch 1", "batch 100"))
for label in sorted({label for label, _ in median}):
    cells = ["%14.0f" % median[(label, b)] if (label, b) in median else "%14s" % "-" for b in (1, 100)]
    print("%-52s %s" % (label, " ".join(cells)))
for batch in (1, 100):
    # Every vdrop path but the trimmed network on the dense path: CSR / sparse-filter, and the compact network.
    sparse = {label: rate for (label, b), rate in median.items()
              if b == batch and label.startswith("vdrop") and not label.endswith("trimmed dense")}
    peer = median.get(("onnxruntime dense", batch))
    if sparse and peer:
        best = max(sparse, key=sparse.get)
        print("batch %3d: best vdrop sparse path (%s) / onnxruntime dense = %.2f×" % (batch, best, sparse[best] / peer))
EOF
