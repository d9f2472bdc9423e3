#!/usr/bin/env bash
# Builds the portable bundle for a GPU host without Swift: a static, stripped, gzipped vdrop,
# libclblast.so.1, the PyTorch peer's benchmarks (when ../shared/peer is beside the project)
# and a launcher that sets up NVIDIA's OpenCL ICD when the host lacks it.
#
#   scripts/make-bundle.sh [--data DIR] [OUT_DIR]        (default: .bundle)
#
# --data DIR copies a data set folder (e.g. /usr/share/datasets/fashion-mnist, 30 MB) into the
# bundle's data/, for gpu-bench.sh's training run. A device lease carries at most 64 MiB.
#
# On the host:  ./run.sh devices   ./run.sh bench --json bench.json   ./gpu-bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
data=
if [ "${1:-}" = "--data" ]; then data=$2; shift 2; fi
out=${1:-.bundle}
mkdir -p "$out"
if [ -n "$data" ]; then
    [ -d "$data" ] || { echo "--data $data is not a folder." >&2; exit 1; }
    rm -rf "$out/data"
    cp -r "$data" "$out/data"
fi

swift build -c release --static-swift-stdlib
cp .build/release/vdrop "$out/vdrop"
strip "$out/vdrop"
gzip -9 -f "$out/vdrop"

clblast=$(ldconfig -p | awk '/libclblast\.so\.1 / {print $NF; exit}')
if [ -z "$clblast" ]; then
    echo "libclblast.so.1 is not installed here (apt-get install libclblast1)." >&2
    exit 1
fi
cp -L "$clblast" "$out/libclblast.so.1"

peer=../shared/peer
if [ -d "$peer" ]; then
    cp "$peer"/torch_step_bench.py "$peer"/torch_graph_bench.py "$out/" 2>/dev/null || true
fi
cp scripts/bundle/run.sh scripts/bundle/gpu-bench.sh scripts/bundle/compare_peer.py "$out/"
chmod +x "$out/run.sh" "$out/gpu-bench.sh"
ls -la "$out"
du -sh "$out"
