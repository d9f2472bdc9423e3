#!/usr/bin/env bash
# On a GPU host: vdrop's benchmark and the PyTorch peer's (eager and CUDA graph) in one go,
# then the ratios of steps/s. Output files go to ${OUT:-.}; DEVICE (default gpu) and extra
# arguments go to vdrop bench, e.g. DEVICE=opencl-cpu ./gpu-bench.sh --models lenet300 to try it on PoCL.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${OUT:-$here}
"$here/run.sh" devices | tee "$out/devices.txt"
"$here/run.sh" bench --device "${DEVICE:-gpu}" --skip-cpu-steps --json "$out/vdrop-bench.json" "$@" | tee "$out/vdrop-bench.txt"
if command -v python3 >/dev/null && [ -f "$here/torch_step_bench.py" ]; then
    (cd "$here" && PYTHONUNBUFFERED=1 python3 torch_step_bench.py) | tee "$out/torch-eager.txt"
    (cd "$here" && PYTHONUNBUFFERED=1 python3 torch_graph_bench.py) | tee "$out/torch-graph.txt"
    python3 "$here/compare_peer.py" "$out/vdrop-bench.json" "$out/torch-eager.txt" "$out/torch-graph.txt" | tee "$out/ratios.txt"
fi
