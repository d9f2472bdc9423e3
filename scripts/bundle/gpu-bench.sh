#!/usr/bin/env bash
# On a GPU host: everything issue 5 measures, in one go. Stages run most important first, each
# under its own time limit and all before a common deadline (BUDGET seconds from the start,
# default 500), so one stuck stage cannot spend the whole lease. Output files go to ${WORK:-./results};
# with OUT set (a device lease's folder that brings files back, 8 at most), they are packed into
# $OUT/gpu-bench.tar.gz at the end, checkpoints left out.
#
#  1. vdrop devices; vdrop bench with CLBlast's own parameters: every operation, every model's
#     step (device only). If it fails, the script stops: every later stage would fail the same way.
#  2. the PyTorch peer, eager and CUDA graph, then the ratios of steps/s against both
#  3. vdrop bench --profile: where each step's device time goes, kernel by kernel, with the conv
#     weight gradients on the split-K kernel and all on CLBlast
#  4. vdrop check: the device against the CPU backend on every model
#  5. vdrop tune (TUNE_BUDGET seconds, default 60; 0 skips it) on the GEMMs of TUNE_MODELS
#     (default lenet5,vgglike), then the steps again with the tuned parameters and their ratios
#  6. if the bundle has data/ (make-bundle.sh --data DIR): LeNet-5 trained for EPOCHS epochs
#     (default 200, the paper's recipe) on it until the deadline; its metrics give the time per
#     epoch when it cannot finish
#
# DEVICE (default gpu) picks the device; extra arguments go to every vdrop bench run, e.g.
# DEVICE=opencl-cpu BUDGET=300 TUNE_BUDGET=10 TUNE_MODELS=lenet5 EPOCHS=1 ./gpu-bench.sh --models lenet5
# tries it on PoCL.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${WORK:-$here/results}
mkdir -p "$out"
device=${DEVICE:-gpu}
deadline=$(( $(date +%s) + ${BUDGET:-500} ))
export VDROP_CACHE_DIR="$out/cache"

# limited SECONDS COMMAND...: runs COMMAND for at most SECONDS, or less when the deadline is
# nearer; skips it (status 124) when under 15 s are left.
limited() {
    local limit=$1 left=$(( deadline - $(date +%s) ))
    shift
    (( left < limit )) && limit=$left
    if (( limit < 15 )); then echo "skipped: the deadline is near"; return 124; fi
    timeout "$limit" "$@"
}
stage() { echo; echo "=== $1 ($(date +%T), $(( deadline - $(date +%s) )) s left)"; }
# Whatever ends the script, what it measured so far comes back.
pack() {
    [ -n "${OUT:-}" ] && tar czf "$OUT/gpu-bench.tar.gz" --exclude='*.safetensors' -C "$out" . && echo "packed $OUT/gpu-bench.tar.gz"
}
trap pack EXIT
ratios() {
    [ -f "$out/$1.json" ] && python3 "$here/compare_peer.py" "$out/$1.json" "$out/torch-eager.txt" "$out/torch-graph.txt" \
        "$out/lenet5-run/metrics.jsonl" | tee "$out/ratios-$1.txt"
}

stage devices
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv
limited 60 "$here/run.sh" devices | tee "$out/devices.txt"

stage "bench, CLBlast's own parameters"
limited 180 "$here/run.sh" bench --device "$device" --gemm-parameters library --skip-cpu-steps \
    --json "$out/vdrop-bench.json" "$@" | tee "$out/vdrop-bench.txt"
if [ "${PIPESTATUS[0]}" -ne 0 ]; then
    echo "vdrop bench failed (above): stopping here."
    exit 1
fi

if command -v python3 >/dev/null && [ -f "$here/torch_step_bench.py" ]; then
    stage "PyTorch eager"
    (cd "$here" && PYTHONUNBUFFERED=1 limited 120 python3 torch_step_bench.py) | tee "$out/torch-eager.txt"
    stage "PyTorch CUDA graph"
    (cd "$here" && PYTHONUNBUFFERED=1 limited 120 python3 torch_graph_bench.py) | tee "$out/torch-graph.txt"
    stage "ratios, CLBlast's own parameters"
    ratios vdrop-bench
fi

for mode in auto never; do
    stage "where the step's device time goes, split-K $mode"
    limited 60 "$here/run.sh" bench --device "$device" --gemm-parameters library --skip-cpu-steps --skip-operations \
        --profile --samples 5 --objectives svdo --split-k "$mode" "$@" | tee "$out/vdrop-profile-$mode.txt"
done

stage "check against the CPU backend"
limited 150 "$here/run.sh" check --device "$device" --gemm-parameters library | tee "$out/check.txt"

if (( ${TUNE_BUDGET:-60} > 0 )); then
    stage tune
    limited $(( ${TUNE_BUDGET:-60} + 90 )) "$here/run.sh" tune --device "$device" --budget "${TUNE_BUDGET:-60}" \
        --models "${TUNE_MODELS:-lenet5,vgglike}" --out "$out/clblast-tuning.json" | tee "$out/tune.txt"
fi
if [ -f "$out/clblast-tuning.json" ]; then
    stage "bench, tuned parameters"
    limited 90 "$here/run.sh" bench --device "$device" --gemm-parameters "$out/clblast-tuning.json" --skip-cpu-steps \
        --skip-operations --json "$out/vdrop-bench-tuned.json" "$@" | tee "$out/vdrop-bench-tuned.txt"
    stage "ratios, tuned parameters"
    ratios vdrop-bench-tuned
fi

if [ -d "$here/data" ]; then
    epochs=${EPOCHS:-200}
    stage "LeNet-5, $epochs epochs of the recipe"
    started=$(date +%s.%N)
    limited 100000 "$here/run.sh" train --device "$device" --gemm-parameters library --model lenet5 --objective svdo \
        --epochs "$epochs" --data "$here/data" --out "$out/lenet5-run" | grep -v ' steps  loss ' | tail -n 30 | tee "$out/lenet5-train.txt"
    status=${PIPESTATUS[0]}
    awk -v s="$started" -v e="$(date +%s.%N)" -v n="$epochs" -v ok="$status" 'BEGIN {
        if (ok == 0) printf "the whole run (start-up, data upload, steps, evaluation, checkpoints): %.1f s for %d epochs (%.2f min)\n", e - s, n, (e - s) / 60
        else printf "the run stopped after %.1f s (time limit or error); the epochs it finished are below\n", e - s }' \
        | tee -a "$out/lenet5-train.txt"
    ratios vdrop-bench | tail -n 1 | tee -a "$out/lenet5-train.txt"
fi
stage done
