#!/usr/bin/env bash
# Installs the Debian packages vdrop builds, tests and trains with, skipping those already
# installed. Idempotent: `make train` and `make test` run it first on every call.
set -euo pipefail

packages=(ocl-icd-opencl-dev opencl-headers libclblast-dev pocl-opencl-icd libopenblas0 zlib1g-dev dataset-fashion-mnist openmpi-bin libopenmpi-dev pkg-config)

missing=()
for package in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done

if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "vdrop needs these packages, and this machine has no apt-get to install them: ${missing[*]}." >&2
    echo "Install their equivalents (OpenCL ICD loader and headers, CLBlast, PoCL, OpenBLAS, zlib, Open MPI and pkg-config) by hand." >&2
    exit 1
fi

if [ "$(id -u)" -eq 0 ]; then
    sudo=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo=(sudo -n)
elif command -v sudo >/dev/null 2>&1; then
    sudo=(sudo)
else
    echo "vdrop needs these packages: ${missing[*]}." >&2
    echo "Installing them needs root, and this user is not root and has no sudo. Run as root: apt-get install -y ${missing[*]}" >&2
    exit 1
fi

echo "Installing missing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# A fresh machine has empty package lists: update first, then install.
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
