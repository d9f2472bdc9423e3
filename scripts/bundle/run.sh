#!/usr/bin/env bash
# Runs the bundled vdrop: unpacks it on first use, finds libclblast.so.1 beside it, and
# registers NVIDIA's OpenCL driver with the ICD loader when no ICD file names it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [ ! -x "$here/vdrop" ]; then
    gunzip -k -f "$here/vdrop.gz"
    chmod +x "$here/vdrop"
fi
export LD_LIBRARY_PATH="$here${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
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
