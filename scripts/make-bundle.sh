#!/usr/bin/env bash
# Builds the portable bundle for a GPU host without Swift: a static, stripped, xz-compressed
# vdrop; the shared libraries it needs that such a host lacks (CLBlast, OpenBLAS and its Fortran
# runtime, zlib; the OpenCL ICD loader as a fallback); the PyTorch peer's benchmarks (when
# ../shared/peer is beside the project); and run.sh, which unpacks them on first use and sets up
# NVIDIA's OpenCL ICD when the host lacks it.
#
#   scripts/make-bundle.sh [--data DIR] [OUT_DIR]        (default: .bundle)
#
# --data DIR copies a data set folder (e.g. /usr/share/datasets/fashion-mnist, 30 MB) into the
# bundle's data/, for gpu-bench.sh's training run. A device lease carries at most 64 MiB; the
# bundle without data is about 21 MB.
#
# On the host:  ./run.sh devices   ./run.sh bench --json bench.json   ./gpu-bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
data=
if [ "${1:-}" = "--data" ]; then data=$2; shift 2; fi
out=${1:-.bundle}
mkdir -p "$out"
# Nothing unpacked by an earlier run.sh travels: only the compressed files.
rm -rf "$out/vdrop" "$out/vdrop.gz" "$out/lib" "$out/lib-fallback" "$out/libclblast.so.1" "$out/results"
if [ -n "$data" ]; then
    [ -d "$data" ] || { echo "--data $data is not a folder." >&2; exit 1; }
    rm -rf "$out/data"
    cp -r "$data" "$out/data"
fi

swift build -c release --static-swift-stdlib
cp .build/release/vdrop "$out/vdrop"
strip "$out/vdrop"
xz -9 -T0 -f "$out/vdrop"

# Copies the library the loader resolves for `soname` into folder $2, xz-compressed.
ship() {
    local path
    path=$(ldconfig -p | awk -v name="$1" '$1 == name && /x86-64/ {print $NF; exit}')
    if [ -z "$path" ]; then
        echo "$1 is not installed here (make deps installs it)." >&2
        exit 1
    fi
    mkdir -p "$out/$2"
    cp -L "$path" "$out/$2/$1"
    xz -9 -T0 -f "$out/$2/$1"
}
# vdrop links CLBlast and zlib, and loads OpenBLAS at run time (dlopen, after choosing its kernels
# from CPUID): run.sh's LD_LIBRARY_PATH is how both find these copies, and vdrop also looks in
# lib/ beside itself.
for lib in libclblast.so.1 libopenblas.so.0 libgfortran.so.5 libquadmath.so.0 libz.so.1; do ship "$lib" lib; done
# The host's own ICD loader is preferred (its vendor files are set up for its driver).
ship libOpenCL.so.1 lib-fallback

peer=../shared/peer
if [ -d "$peer" ]; then
    cp "$peer"/torch_step_bench.py "$peer"/torch_graph_bench.py "$out/" 2>/dev/null || true
fi
cp scripts/bundle/run.sh scripts/bundle/gpu-bench.sh scripts/bundle/compare_peer.py "$out/"
chmod +x "$out/run.sh" "$out/gpu-bench.sh"
ls -la "$out" "$out/lib" "$out/lib-fallback"
du -sh "$out"
