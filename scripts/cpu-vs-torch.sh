#!/usr/bin/env bash
# The CPU backend against PyTorch on the CPU, side by side on this machine: ROUNDS rounds of
# `vdrop bench --device cpu` and the peer's torch_step_bench.py, interleaved so that drift hits
# both, then the median ms/step of each and their ratio (above 1: vdrop is faster).
#
#   PYTHON=/path/to/python-with-torch scripts/cpu-vs-torch.sh [ROUNDS]    (default 3)
#
# VDROP=path/to/vdrop times that binary instead of building this tree's (to compare two builds).
# PEER=path/to/torch_step_bench.py when the peer is not at ../shared/peer.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
python=${PYTHON:-python3}
peer=${PEER:-../shared/peer/torch_step_bench.py}
"$python" -c "import torch" 2>/dev/null || { echo "$python has no torch: pip install torch, or set PYTHON." >&2; exit 1; }
[ -f "$peer" ] || { echo "The peer benchmark $peer is missing; set PEER." >&2; exit 1; }
vdrop=${VDROP:-}
if [ -z "$vdrop" ]; then
    swift build -c release >/dev/null
    vdrop=.build/release/vdrop
fi
threads=$(nproc)
out=$(mktemp -d)
for r in $(seq "$rounds"); do
    "$vdrop" bench --device cpu --models lenet300,lenet5 --skip-operations --json "$out/vdrop-$r.json" >/dev/null
    OMP_NUM_THREADS=$threads "$python" "$peer" lenet300 lenet5 > "$out/torch-$r.txt"
done
"$python" - "$out" "$rounds" <<'PY'
import json, re, statistics, sys
out, rounds = sys.argv[1], int(sys.argv[2])
vdrop, torch = {}, {}
for r in range(1, rounds + 1):
    for s in json.load(open(f"{out}/vdrop-{r}.json"))["cpuSteps"]:
        vdrop.setdefault((s["model"], s["objective"]), []).append(s["msPerStep"])
    for line in open(f"{out}/torch-{r}.txt"):
        m = re.match(r"torch (\w+) (\w+) .*ms/step=([\d.]+)", line)
        if m: torch.setdefault((m.group(1), m.group(2)), []).append(float(m.group(3)))
print(f"{'model':10}{'objective':11}{'vdrop ms':>10}{'torch ms':>10}{'ratio':>8}   (medians of {rounds} rounds)")
for key in sorted(vdrop):
    v, t = statistics.median(vdrop[key]), statistics.median(torch.get(key, [float('nan')]))
    print(f"{key[0]:10}{key[1]:11}{v:10.2f}{t:10.2f}{t / v:8.2f}")
PY
