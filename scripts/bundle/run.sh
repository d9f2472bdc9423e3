#!/usr/bin/env bash
# Runs the bundled vdrop: unpacks it and its libraries on first use, puts them on the loader's
# path (the ICD loader only when the host has none), and registers NVIDIA's OpenCL driver with
# the ICD loader when no vendor file names it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

# Unpacks FILE.xz beside itself once (xz when installed, else Python's lzma).
unpack() {
    [ -e "$1" ] && return 0
    [ -e "$1.xz" ] || { echo "run.sh: $1.xz is missing from the bundle." >&2; exit 1; }
    if command -v xz >/dev/null; then
        xz -dc "$1.xz" > "$1.partial"
    else
        python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], "wb"))' "$1.xz" "$1.partial"
    fi
    mv "$1.partial" "$1"
}
unpack "$here/vdrop"
chmod +x "$here/vdrop"
for f in "$here"/lib/*.xz "$here"/lib-fallback/*.xz; do [ -e "$f" ] && unpack "${f%.xz}"; done

libraries="$here/lib"
if ! ldconfig -p 2>/dev/null | grep -q 'libOpenCL\.so\.1 '; then libraries="$libraries:$here/lib-fallback"; fi
export LD_LIBRARY_PATH="$libraries${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

if ! grep -qs nvidia /etc/OpenCL/vendors/*.icd "${OCL_ICD_VENDORS:-/nonexistent}"/*.icd 2>/dev/null; then
    for driver in /usr/local/nvidia/lib64/libnvidia-opencl.so.1 /usr/lib/x86_64-linux-gnu/libnvidia-opencl.so.1 /usr/lib64/libnvidia-opencl.so.1; do
        if [ -e "$driver" ]; then
            mkdir -p /tmp/vdrop-icd
            echo "$driver" > /tmp/vdrop-icd/nvidia.icd
            # Keep the host's other vendors (PoCL, ...) visible too.
            for f in /etc/OpenCL/vendors/*.icd; do [ -e "$f" ] && cp "$f" /tmp/vdrop-icd/; done
            export OCL_ICD_VENDORS=/tmp/vdrop-icd
            break
        fi
    done
fi
exec "$here/vdrop" "$@"
