#!/usr/bin/env bash
# On a GPU host: everything issue 5 measures, in one go, each stage under its own time limit so
# one stuck stage cannot spend the whole lease. Output files go to ${OUT:-.}.
#
#  1. vdrop devices, and vdrop check: the device against the CPU backend on every model
#  2. vdrop bench with CLBlast's own parameters: every operation, every model's step (device only)
#  3. vdrop tune (TUNE_BUDGET seconds, default 60) on the GEMMs of TUNE_MODELS (default lenet5,vgglike)
#  4. vdrop bench again, steps only, with the tuned parameters
#  5. the PyTorch peer, eager and CUDA graph
#  6. if the bundle has data/ (make-bundle.sh --data DIR): LeNet-5 trained for EPOCHS epochs
#     (default 5) on it, the time per epoch that the 200-epoch recipe extrapolates from
#  7. the ratios of steps/s, untuned and tuned, against both peers
#
# DEVICE (default gpu) picks the device; extra arguments go to both vdrop bench runs, e.g.
# DEVICE=opencl-cpu TUNE_BUDGET=10 TUNE_MODELS=lenet5 ./gpu-bench.sh --models lenet5 to try it on PoCL.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${OUT:-$here}
device=${DEVICE:-gpu}
export VDROP_CACHE_DIR="$out/cache"
stage() { echo; echo "=== $1 ($(date +%T))"; }

stage devices
timeout 60 "$here/run.sh" devices | tee "$out/devices.txt"
stage "check against the CPU backend"
timeout 240 "$here/run.sh" check --device "$device" --gemm-parameters library | tee "$out/check.txt"
stage "bench, CLBlast's own parameters"
timeout 240 "$here/run.sh" bench --device "$device" --gemm-parameters library --skip-cpu-steps \
    --json "$out/vdrop-bench.json" "$@" | tee "$out/vdrop-bench.txt"
stage tune
timeout $(( ${TUNE_BUDGET:-60} + 120 )) "$here/run.sh" tune --device "$device" --budget "${TUNE_BUDGET:-60}" \
    --models "${TUNE_MODELS:-lenet5,vgglike}" --out "$out/clblast-tuning.json" | tee "$out/tune.txt"
if [ -f "$out/clblast-tuning.json" ]; then
    stage "bench, tuned parameters"
    timeout 180 "$here/run.sh" bench --device "$device" --gemm-parameters "$out/clblast-tuning.json" --skip-cpu-steps \
        --skip-operations --json "$out/vdrop-bench-tuned.json" "$@" | tee "$out/vdrop-bench-tuned.txt"
fi
if command -v python3 >/dev/null && [ -f "$here/torch_step_bench.py" ]; then
    stage "PyTorch eager"
    (cd "$here" && PYTHONUNBUFFERED=1 timeout 180 python3 torch_step_bench.py) | tee "$out/torch-eager.txt"
    stage "PyTorch CUDA graph"
    (cd "$here" && PYTHONUNBUFFERED=1 timeout 180 python3 torch_graph_bench.py) | tee "$out/torch-graph.txt"
fi
if [ -d "$here/data" ]; then
    stage "LeNet-5, ${EPOCHS:-5} epochs of the recipe"
    gemm="$out/clblast-tuning.json"; [ -f "$gemm" ] || gemm=library
    started=$(date +%s.%N)
    timeout 300 "$here/run.sh" train --device "$device" --gemm-parameters "$gemm" --model lenet5 --objective svdo \
        --epochs "${EPOCHS:-5}" --data "$here/data" --out "$out/lenet5-run" | tail -n 25 | tee "$out/lenet5-train.txt"
    if [ "${PIPESTATUS[0]}" -eq 0 ]; then
        awk -v s="$started" -v e="$(date +%s.%N)" -v n="${EPOCHS:-5}" 'BEGIN {
            printf "whole run (start-up, data upload, steps, evaluation, checkpoints): %.1f s for %d epochs; 200 epochs at that rate: %.1f min\n", e - s, n, (e - s) / n * 200 / 60 }' \
            | tee -a "$out/lenet5-train.txt"
    else
        echo "the training run did not finish (time limit or error): no extrapolation" | tee -a "$out/lenet5-train.txt"
    fi
fi
if command -v python3 >/dev/null; then
    stage ratios
    for run in vdrop-bench vdrop-bench-tuned; do
        [ -f "$out/$run.json" ] && python3 "$here/compare_peer.py" "$out/$run.json" "$out/torch-eager.txt" "$out/torch-graph.txt" \
            "$out/lenet5-run/metrics.jsonl" | tee "$out/ratios-$run.txt"
    done
fi
