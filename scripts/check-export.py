#!/usr/bin/env python3
"""An independent reader of the files `vdrop export` writes: loads FILE (csr or compact) with the
safetensors package, rebuilds the network from its metadata alone, runs the IDX test set of
DATA_DIR through it and prints the test error, which must equal what `vdrop eval` prints for the
checkpoint under the same trim rule (and what `vdrop export` recorded in the file).

    scripts/check-export.py FILE [FILE...] [DATA_DIR]   (DATA_DIR: default /usr/share/datasets/fashion-mnist)

csr: each layer's triplet becomes a scipy.sparse.csr_matrix and a torch.sparse_csr_tensor (the two
must agree); dense layers run as SciPy sparse × dense products, convolutions as PyTorch's sparse CSR
× unfolded patches, then ReLU, 2×2 max-pool and BatchNorm in PyTorch. compact: dense layers in
numpy, convolutions with torch.nn.functional.conv2d. Only MNIST-style IDX data (pixels / 255)."""
import gzip, json, os, struct, sys, warnings

import numpy as np
import scipy.sparse
import torch
import torch.nn.functional as F
from safetensors import safe_open
from safetensors.numpy import load_file

warnings.filterwarnings("ignore", message="Sparse CSR tensor support is in beta state")


def read_idx(folder, stem):
    for name in (stem, stem + ".gz"):
        path = os.path.join(folder, name)
        if os.path.exists(path):
            with (gzip.open if name.endswith(".gz") else open)(path, "rb") as f:
                data = f.read()
            dims = struct.unpack(">%dI" % data[3], data[4:4 + 4 * data[3]])
            return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * data[3]).reshape(dims)
    sys.exit(f"{folder} holds no {stem} (raw or .gz); name a folder of MNIST-style IDX files.")


def layer_weight(tensors, fmt, name, shape):
    """The weight as the forward uses it: (scipy, torch) CSR matrices of [out, in·k·k], or dense."""
    if fmt == "compact":
        return tensors.pop(name + ".weight")
    rows, columns = shape[0], int(np.prod(shape[1:]))
    crow, col, values = (tensors.pop(f"{name}.{part}") for part in ("crow_indices", "col_indices", "values"))
    assert crow.dtype == np.int64 and col.dtype == np.int64 and values.dtype == np.float32, name
    in_scipy = scipy.sparse.csr_matrix((values, col, crow), shape=(rows, columns))
    in_torch = torch.sparse_csr_tensor(torch.from_numpy(crow), torch.from_numpy(col), torch.from_numpy(values),
                                       size=(rows, columns), check_invariants=True)
    if not np.array_equal(in_scipy.toarray(), in_torch.to_dense().numpy()):
        sys.exit(f"{name}: SciPy and PyTorch read different matrices from the same triplet.")
    return in_scipy, in_torch


def forward(stages, x):
    """x: (N, ...) float32 numpy; stages from build(). Returns the logits."""
    for stage in stages:
        op = stage["op"]
        if op == "dense":
            x = x.reshape(x.shape[0], -1)
            w = stage["weight"]
            y = (w[0] @ x.T).T if isinstance(w, tuple) else x @ w.T
            x = np.asarray(y, dtype=np.float32) + stage["bias"]
        elif op == "conv":
            t = torch.from_numpy(np.ascontiguousarray(x))
            out, _, k, _ = stage["shape"]
            p = stage["padding"]
            if isinstance(stage["weight"], tuple):
                n, _, h, w_ = t.shape
                patches = F.unfold(t, k, padding=p)  # (N, in·k·k, L)
                columns = patches.permute(1, 0, 2).reshape(patches.shape[1], -1)
                y = torch.sparse.mm(stage["weight"][1], columns).reshape(out, n, -1).permute(1, 0, 2)
                y = y.reshape(n, out, h + 2 * p - k + 1, w_ + 2 * p - k + 1)
                y = y + torch.from_numpy(stage["bias"]).reshape(1, -1, 1, 1)
            else:
                y = F.conv2d(t, torch.from_numpy(stage["weight"]), torch.from_numpy(stage["bias"]), padding=p)
            x = y.numpy()
        elif op == "relu":
            x = np.maximum(x, 0)
        elif op == "max_pool":
            x = F.max_pool2d(torch.from_numpy(np.ascontiguousarray(x)), 2).numpy()
        elif op == "batch_norm":
            t = torch.from_numpy(np.ascontiguousarray(x))
            x = F.batch_norm(t, *(torch.from_numpy(stage[s]) for s in ("running_mean", "running_var", "weight", "bias")),
                             training=False, eps=stage["epsilon"]).numpy()
        else:
            sys.exit(f"unknown stage {op}")
    return x


def build(path):
    tensors = load_file(path)
    with safe_open(path, framework="np") as f:
        metadata = f.metadata() or {}
    fmt = metadata.get("vdrop.format")
    if fmt not in ("csr", "compact"):
        sys.exit(f"{path}: vdrop.format is {fmt!r}; this reads the csr and compact files of `vdrop export`.")
    architecture = json.loads(metadata["vdrop.architecture"])
    selection = tensors.pop("input_selection", None)
    stages = []
    for stage in architecture["stages"]:
        stage = dict(stage)
        if stage["op"] in ("dense", "conv"):
            stage["weight"] = layer_weight(tensors, fmt, stage["name"], stage["shape"])
            if fmt == "compact" and list(stage["weight"].shape) != stage["shape"]:
                sys.exit(f"{stage['name']}: weight of shape {stage['weight'].shape}, architecture says {stage['shape']}")
            stage["bias"] = tensors.pop(stage["name"] + ".bias")
        elif stage["op"] == "batch_norm":
            for part in ("weight", "bias", "running_mean", "running_var"):
                stage[part] = tensors.pop(f"{stage['name']}.{part}")
        stages.append(stage)
    if tensors:
        sys.exit(f"{path}: tensors no stage uses: {sorted(tensors)}")
    return metadata, architecture, selection, stages


def check(path, data):
    metadata, architecture, selection, stages = build(path)
    images = read_idx(data, "t10k-images-idx3-ubyte")
    labels = read_idx(data, "t10k-labels-idx1-ubyte")
    sample = architecture["sample_shape"]
    x = (images.astype(np.float32) * np.float32(1 / 255)).reshape(len(images), *sample)
    if selection is not None:
        x = x.reshape(len(x), -1)[:, selection]
    errors = 0
    with torch.no_grad():
        for start in range(0, len(x), 1000):
            logits = forward(stages, x[start:start + 1000])
            errors += int((logits.argmax(axis=1) != labels[start:start + 1000]).sum())
    shapes = " -> ".join(str(s["shape"][0]) for s in stages if s["op"] in ("dense", "conv"))
    print(f"{path}: {metadata['vdrop.format']} ({metadata['vdrop.model']}, trim {metadata['vdrop.trim']}, "
          f"layers {shapes}{'' if selection is None else f', {len(selection)} inputs read'})")
    recorded = metadata.get("vdrop.test_error_percent")
    print(f"test error {100 * errors / len(x):.2f}% on {len(x)} test samples (numpy/SciPy/PyTorch); "
          f"recorded by vdrop export: {'unknown' if recorded is None else f'{float(recorded):.2f}%'}")


def main():
    arguments = sys.argv[1:]
    data = "/usr/share/datasets/fashion-mnist"
    if len(arguments) >= 2 and os.path.isdir(arguments[-1]):
        data = arguments.pop()
    if not arguments:
        sys.exit(__doc__)
    for path in arguments:
        check(path, data)


if __name__ == "__main__":
    main()
