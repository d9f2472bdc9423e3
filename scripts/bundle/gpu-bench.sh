#!/usr/bin/env bash
# On a GPU host: everything issues 5 and 16 measure, in one go. Stages run most important first, each
# under its own time limit and all before a common deadline (BUDGET seconds from the start,
# default 600), so one stuck stage cannot spend the whole lease. Output files go to ${WORK:-./results};
# with OUT set (a device lease's folder that brings files back, 8 at most), they are packed into
# $OUT/gpu-bench.tar.gz at the end, checkpoints left out.
#
#  1. vdrop devices; vdrop tune (TUNE_BUDGET seconds of CLBlast configurations, default 45, then
#     every product shape on CLBlast and on vdrop's tiled kernel) on the GEMMs of TUNE_MODELS
#     (default lenet5,vgglike); its report is what --gemm-parameters auto reads from then on
#  2. vdrop bench, tuned: every operation (unless --skip-operations), every model's step (device
#     only). If it fails, the script stops: every later stage would fail the same way.
#  3. the steps again untuned (CLBlast's own parameters, vdrop's rule for the routes), then out of
#     the box: on a fresh cache folder, where the first run times its shapes' routes (first-use
#     tune, --auto-tune auto) and the second reads them
#  4. the PyTorch peer, eager and CUDA graph, then the ratios of steps/s against both, tuned and not
#     then 5 seeds as one batched network against one network (bench --seeds 5, and LeNet-5 again
#     with --seed-products batched), VGG-like with the ReLU after each BatchNorm fused (the default)
#     and separate (bench --bn-relu), and each conv route (im2col, fused, implicit, implicit-full in
#     their tiles) on VGG-like and LeNet-5, implicit-full's profile and check
#  5. vdrop check, tuned: the device against the CPU backend on every model
#  6. vdrop bench --profile, tuned and untuned: where each step's device time goes, kernel by kernel
#  7. if the bundle has data/ (make-bundle.sh --data DIR) and EPOCHS is not 0: LeNet-5 trained for
#     EPOCHS epochs (default 200, the paper's recipe), tuned, until the deadline; its metrics give
#     the time per epoch when it cannot finish; then Table 1's LeNet-5 row (ard and svdo, 5 seeds
#     each, batched on one device) and its wall time (TABLE1_EPOCHS epochs, default EPOCHS; with
#     fewer than 200 it also prints the wall time scaled to 200 epochs; TABLE1_FLAGS go to its
#     train commands, e.g. TABLE1_FLAGS="--seed-products batched")
#
# STAGES (default all) picks stages by name, comma-separated: tune, bench, untuned, peer, autotune,
# seeds, bnrelu, convroutes, check, profile, train, table1. A second lease can so spend its time on
# what the first could not reach, e.g. STAGES=table1 (the tuning of an earlier run in the same
# WORK folder is reused; without one the steps run untuned).
#
# DEVICE (default gpu) picks the device; extra arguments go to every vdrop bench run, e.g.
# DEVICE=opencl-cpu BUDGET=300 TUNE_BUDGET=5 TUNE_MODELS=lenet5 EPOCHS=1 ./gpu-bench.sh --models lenet5
# tries it on PoCL.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${WORK:-$here/results}
mkdir -p "$out"
device=${DEVICE:-gpu}
deadline=$(( $(date +%s) + ${BUDGET:-600} ))
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
# wanted NAME: whether STAGES names this stage.
wanted() { [ "${STAGES:-all}" = all ] || [[ ",${STAGES}," == *",$1,"* ]]; }
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

tuning="$out/cache/tuning.json"
if wanted tune; then
    stage tune
    limited $(( ${TUNE_BUDGET:-45} + 150 )) "$here/run.sh" tune --device "$device" --budget "${TUNE_BUDGET:-45}" \
        --models "${TUNE_MODELS:-lenet5,vgglike}" --out "$tuning" | tee "$out/tune.txt"
fi
[ -f "$tuning" ] && cp "$tuning" "$out/gemm-tuning.json" || tuning=library

if wanted bench; then
    stage "bench, tuned ($tuning)"
    limited 180 "$here/run.sh" bench --device "$device" --gemm-parameters "$tuning" --skip-cpu-steps \
        --json "$out/vdrop-bench.json" "$@" | tee "$out/vdrop-bench.txt"
    if [ "${PIPESTATUS[0]}" -ne 0 ]; then
        echo "vdrop bench failed (above): stopping here."
        exit 1
    fi
fi
if wanted untuned; then
    stage "bench, untuned"
    limited 90 "$here/run.sh" bench --device "$device" --gemm-parameters library --skip-cpu-steps --skip-operations \
        --json "$out/vdrop-bench-untuned.json" "$@" | tee "$out/vdrop-bench-untuned.txt"
fi

if wanted peer && command -v python3 >/dev/null && [ -f "$here/torch_step_bench.py" ]; then
    stage "PyTorch eager"
    (cd "$here" && PYTHONUNBUFFERED=1 limited 120 python3 torch_step_bench.py) | tee "$out/torch-eager.txt"
    stage "PyTorch CUDA graph"
    (cd "$here" && PYTHONUNBUFFERED=1 limited 120 python3 torch_graph_bench.py) | tee "$out/torch-graph.txt"
    stage "ratios"
    ratios vdrop-bench
    ratios vdrop-bench-untuned
fi

# Out of the box: a cache folder no tune has written, so the first bench is a user's first run
# (the routes of its shapes timed on first use, --auto-tune auto) and the second reads the cache.
autocache="$out/autotune-cache"
if wanted autotune; then
    rm -rf "$autocache"
    stage "bench, auto-tuned on first use (fresh cache)"
    limited 150 env VDROP_CACHE_DIR="$autocache" "$here/run.sh" bench --device "$device" --skip-cpu-steps --skip-operations \
        --json "$out/vdrop-bench-autotuned.json" "$@" | tee "$out/vdrop-bench-autotuned.txt"
    stage "bench, auto-tuned, second use (reads the cache, times nothing)"
    limited 90 env VDROP_CACHE_DIR="$autocache" "$here/run.sh" bench --device "$device" --skip-cpu-steps --skip-operations \
        --json "$out/vdrop-bench-autotuned-again.json" "$@" | tee "$out/vdrop-bench-autotuned-again.txt"
    cp "$autocache"/clblast-*.json "$out/" 2>/dev/null
    ratios vdrop-bench-autotuned
    ratios vdrop-bench-autotuned-again
fi

if wanted seeds; then
    stage "batched seeds: 5 seeds as one network against one network (conv products on CLBlast per seed, then batched)"
    limited 120 "$here/run.sh" bench --device "$device" --gemm-parameters "$tuning" --skip-cpu-steps --skip-operations \
        --models lenet300,lenet5 --objectives svdo,ard --seeds 5 --json "$out/vdrop-bench-seeds.json" | tee "$out/vdrop-bench-seeds.txt"
    limited 90 "$here/run.sh" bench --device "$device" --gemm-parameters "$tuning" --skip-cpu-steps --skip-operations \
        --models lenet5 --objectives svdo,ard --seeds 5 --seed-products batched --json "$out/vdrop-bench-seeds-batched.json" \
        | tee -a "$out/vdrop-bench-seeds.txt"
fi

if wanted bnrelu; then
    stage "BatchNorm + ReLU (tuned): VGG-like with the ReLU fused into BatchNorm (the default) against a layer of its own"
    limited 120 "$here/run.sh" bench --device "$device" --gemm-parameters "$tuning" --skip-cpu-steps --skip-operations \
        --models vgglike --objectives svdo --bn-relu fused --json "$out/vdrop-bench-bnrelu-fused.json" "$@" | tee "$out/vdrop-bench-bnrelu.txt"
    limited 120 "$here/run.sh" bench --device "$device" --gemm-parameters "$tuning" --skip-cpu-steps --skip-operations \
        --models vgglike --objectives svdo --bn-relu separate --json "$out/vdrop-bench-bnrelu-separate.json" "$@" | tee -a "$out/vdrop-bench-bnrelu.txt"
fi

if wanted convroutes; then
    stage "conv routes (tuned): im2col (today's) against the paired products on im2col's columns and the implicit GEMM"
    limited 240 "$here/run.sh" bench --device "$device" --gemm-parameters "$tuning" --skip-cpu-steps --skip-operations \
        --models vgglike,lenet5 --conv-routes im2col,fused,implicit,implicit-full,implicit:large,implicit-full:large,implicit:tall,im2col \
        --json "$out/vdrop-bench-conv-routes.json" "$@" | tee "$out/vdrop-bench-conv-routes.txt"
    stage "profile, implicit-full conv route"
    limited 120 "$here/run.sh" bench --device "$device" --gemm-parameters "$tuning" --skip-cpu-steps --skip-operations \
        --models vgglike --objectives svdo --profile --conv-route implicit-full | tee "$out/vdrop-profile-implicit-full.txt"
    stage "check, implicit-full conv route"
    limited 240 "$here/run.sh" check --device "$device" --models lenet5,vgglike --conv-route implicit-full | tee "$out/check-implicit-full.txt"
fi

if wanted check; then
    stage "check against the CPU backend"
    limited 150 "$here/run.sh" check --device "$device" --gemm-parameters "$tuning" | tee "$out/check.txt"
fi

wanted profile && for parameters in "$tuning" library; do
    name=$([ "$parameters" = library ] && echo untuned || echo tuned)
    stage "where the step's device time goes, $name"
    limited 60 "$here/run.sh" bench --device "$device" --gemm-parameters "$parameters" --skip-cpu-steps --skip-operations \
        --profile --samples 5 --objectives svdo "$@" | tee "$out/vdrop-profile-$name.txt"
done

if [ -d "$here/data" ] && [ "${EPOCHS:-200}" != 0 ] && wanted train; then
    epochs=${EPOCHS:-200}
    stage "LeNet-5, $epochs epochs of the recipe"
    started=$(date +%s.%N)
    limited 100000 "$here/run.sh" train --device "$device" --gemm-parameters "$tuning" --model lenet5 --objective svdo \
        --epochs "$epochs" --data "$here/data" --out "$out/lenet5-run" | grep -v ' steps  loss ' | tail -n 30 | tee "$out/lenet5-train.txt"
    status=${PIPESTATUS[0]}
    awk -v s="$started" -v e="$(date +%s.%N)" -v n="$epochs" -v ok="$status" 'BEGIN {
        if (ok == 0) printf "the whole run (start-up, data upload, steps, evaluation, checkpoints): %.1f s for %d epochs (%.2f min)\n", e - s, n, (e - s) / 60
        else printf "the run stopped after %.1f s (time limit or error); the epochs it finished are below\n", e - s }' \
        | tee -a "$out/lenet5-train.txt"
    ratios vdrop-bench | tail -n 1 | tee -a "$out/lenet5-train.txt"
fi

if [ -d "$here/data" ] && [ "${TABLE1_EPOCHS:-${EPOCHS:-200}}" != 0 ] && wanted table1; then
    epochs=${TABLE1_EPOCHS:-${EPOCHS:-200}}
    stage "Table 1, LeNet-5 row: 2 objectives x 5 seeds x $epochs epochs, each objective's seeds batched"
    started=$(date +%s.%N)
    for objective in ard svdo; do
        limited 100000 "$here/run.sh" train --device "$device" --gemm-parameters "$tuning" --model lenet5 --objective $objective \
            --seeds 5 --epochs "$epochs" --data "$here/data" --out "$out/table1-lenet5-$objective" ${TABLE1_FLAGS:-} \
            | grep -v ' steps  loss ' | tail -n 12 | tee -a "$out/table1-lenet5.txt"
    done
    # Scaled to 200 epochs when fewer ran: start-up and evaluation scale too, so this overstates a little.
    awk -v s="$started" -v e="$(date +%s.%N)" -v n="$epochs" 'BEGIN {
        printf "Table 1 LeNet-5 row: %.1f s wall for %d epochs (goal: under 180 s for 200)", e - s, n
        if (n < 200) printf "; scaled to 200 epochs: %.1f s", (e - s) * 200 / n
        printf "\n" }' | tee -a "$out/table1-lenet5.txt"
fi
stage done
