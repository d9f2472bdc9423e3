#!/usr/bin/env python3
"""Reads an ONNX model vdrop exported with independent readers and checks what it predicts.

    scripts/check-onnx.py MODEL.onnx DATA_DIR [--predictions preds.csv] [--batch N]

  - `onnx` loads the file and onnx.checker.check_model must pass (full check, with shape inference);
  - onnxruntime (CPU) runs the test set of DATA_DIR, MNIST-style IDX files (raw or .gz) or CIFAR-10
    binary batches, normalized exactly as vdrop's DataSource does (see normalize_* below);
  - prints the test error, and the one vdrop wrote into the file's metadata when it is there;
  - with --predictions (the CSV `index,label,prediction` that `vdrop infer --out` writes) it
    counts the samples where onnxruntime and vdrop predict differently.

Exit status 0 when the checker passes (and, with --predictions, no prediction differs), else 1.
"""
import argparse, gzip, os, struct, sys

import numpy as np
import onnx
import onnxruntime as ort


def read_idx(path):
    """An IDX file (raw or gzipped) as a uint8 array of its declared dimensions."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] != 8:
        sys.exit(f"{path}: not an unsigned-byte IDX file")
    rank = data[3]
    dims = struct.unpack(">%dI" % rank, data[4:4 + 4 * rank])
    count = int(np.prod(dims))
    values = np.frombuffer(data, dtype=np.uint8, count=count, offset=4 + 4 * rank)
    return values.reshape(dims)


def find(folder, stem):
    for name in (stem, stem + ".gz"):
        path = os.path.join(folder, name)
        if os.path.exists(path):
            return path
    return None


def normalize_idx(folder):
    """IDXFile.dataset: input = byte · (1/255 in float32) + 0, one channel."""
    images = read_idx(find(folder, "t10k-images-idx3-ubyte"))
    labels = read_idx(find(folder, "t10k-labels-idx1-ubyte")).astype(np.int64)
    scale = np.float32(1.0) / np.float32(255.0)
    x = images.astype(np.float32) * scale + np.float32(0)
    return x.reshape(len(labels), 1, images.shape[1], images.shape[2]), labels


def read_cifar(path):
    raw = np.fromfile(path, dtype=np.uint8).reshape(-1, 3073)
    return raw[:, 1:].reshape(-1, 3, 32, 32), raw[:, 0].astype(np.int64)


def sequential_sum(values):
    """A Double sum in order, as Swift's loop adds (numpy's sum is pairwise and may differ in the last bit)."""
    total = 0.0
    for chunk in np.array_split(values, max(1, len(values) // (1 << 20))):
        total = np.cumsum(np.concatenate(([total], chunk)))[-1]
    return float(total)


def normalize_cifar(folder):
    """CIFAR10File.split: per channel, mean and std of the training pixels / 255 summed in Double,
    rounded to float32; scale = 1/(255·std) and shift = −mean/std in float32; input = byte·scale + shift."""
    train = np.concatenate([read_cifar(os.path.join(folder, "data_batch_%d.bin" % i))[0] for i in range(1, 6)])
    images, labels = read_cifar(os.path.join(folder, "test_batch.bin"))
    x = np.empty(images.shape, dtype=np.float32)
    for c in range(3):
        values = train[:, c].reshape(-1).astype(np.float64) / 255
        n = float(len(values))
        mean = sequential_sum(values) / n
        std = max(np.sqrt(sequential_sum(values * values) / n - mean * mean), 1e-6)
        mean32, std32 = np.float32(mean), np.float32(std)
        scale = np.float32(1) / (np.float32(255) * std32)
        shift = -mean32 / std32
        x[:, c] = images[:, c].astype(np.float32) * scale + shift
    return x, labels


def load_test_set(folder):
    if find(folder, "train-images-idx3-ubyte") or find(folder, "t10k-images-idx3-ubyte"):
        return normalize_idx(folder)
    for candidate in (folder, os.path.join(folder, "cifar-10-batches-bin")):
        if os.path.exists(os.path.join(candidate, "data_batch_1.bin")):
            return normalize_cifar(candidate)
    sys.exit(f"{folder}: holds neither MNIST-style IDX files nor CIFAR-10 binary batches")


def read_predictions(path):
    """vdrop infer's CSV: index,label,prediction (a header line is skipped)."""
    rows = {}
    with open(path) as f:
        for line in f:
            fields = line.strip().split(",")
            if len(fields) < 3 or not fields[0].strip().isdigit():
                continue
            rows[int(fields[0])] = (int(fields[1]), int(fields[2]))
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model")
    parser.add_argument("data")
    parser.add_argument("--predictions", help="vdrop infer --out CSV (index,label,prediction) to compare with")
    parser.add_argument("--batch", type=int, default=1000)
    args = parser.parse_args()

    model = onnx.load(args.model)
    onnx.checker.check_model(model, full_check=True)
    metadata = {p.key: p.value for p in model.metadata_props}
    print(f"onnx {onnx.__version__}: {args.model} passes onnx.checker (IR {model.ir_version}, "
          f"opset {', '.join((o.domain or 'ai.onnx') + ' ' + str(o.version) for o in model.opset_import)}, "
          f"{len(model.graph.node)} nodes: {' '.join(n.op_type for n in model.graph.node)})")

    x, labels = load_test_set(args.data)
    session = ort.InferenceSession(args.model, providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    predictions = np.concatenate([np.argmax(session.run(None, {name: x[i:i + args.batch]})[0], axis=1)
                                  for i in range(0, len(labels), args.batch)])
    wrong = int(np.sum(predictions != labels))
    print(f"onnxruntime {ort.__version__} (CPU): test error {100 * wrong / len(labels):.2f}% "
          f"({wrong} of {len(labels)} wrong)")
    if "vdrop.test_error_percent" in metadata:
        print(f"vdrop's metadata: test error {float(metadata['vdrop.test_error_percent']):.2f}%, "
              f"model {metadata.get('vdrop.model')}, trim {metadata.get('vdrop.trim')}, compression {metadata.get('vdrop.compression')}")

    status = 0
    if args.predictions:
        rows = read_predictions(args.predictions)
        if len(rows) != len(labels):
            print(f"{args.predictions}: holds {len(rows)} predictions for {len(labels)} test samples")
            status = 1
        differ = [i for i, (label, prediction) in sorted(rows.items()) if i < len(labels) and predictions[i] != prediction]
        mislabeled = [i for i, (label, _) in rows.items() if i < len(labels) and labels[i] != label]
        print(f"vdrop predictions ({args.predictions}): {len(differ)} of {len(rows)} differ from onnxruntime's"
              + (f" (first: {differ[:10]})" if differ else ""))
        if mislabeled:
            print(f"  and {len(mislabeled)} labels in the CSV differ from the data set's: is it the same test set?")
        status = status or int(bool(differ) or bool(mislabeled))
    return status


if __name__ == "__main__":
    sys.exit(main())
