#!/usr/bin/env python3
"""Writes the fuzz targets' seed inputs: small valid files of each format, so libFuzzer starts
from the parsers' deep paths rather than from their first checks. Run from anywhere; the files
are committed, so this is only needed when a format changes."""
import gzip, json, os, struct

here = os.path.dirname(os.path.abspath(__file__))

def write(target, name, data):
    os.makedirs(os.path.join(here, target), exist_ok=True)
    with open(os.path.join(here, target, name), "wb") as f:
        f.write(data)

def idx(dimensions, values):
    return bytes([0, 0, 8, len(dimensions)]) + b"".join(struct.pack(">I", d) for d in dimensions) + bytes(values)

def gz(data):
    return gzip.compress(data, compresslevel=9, mtime=0)

# IDX: images, labels, raw and gzipped, and a four-dimensional file.
images = idx([3, 4, 4], [(i * 37) % 256 for i in range(48)])
labels = idx([3], [0, 9, 4])
write("IDX", "valid-images", images)
write("IDX", "valid-labels", labels)
write("IDX", "valid-images.gz", gz(images))
write("IDX", "valid-labels.gz", gz(labels))
write("IDX", "valid-rank4", idx([1, 2, 2, 2], range(8)))

# CIFAR-10: two records.
record = lambda label: bytes([label]) + bytes((i * 7 + label) % 256 for i in range(3072))
write("CIFAR", "valid-two-records", record(3) + record(9))

# gzip: text, nothing, and a small bomb (64 KiB of zeros in about 100 bytes).
write("Gzip", "valid-text.gz", gz(b"the quick brown fox jumps over the lazy dog\n" * 4))
write("Gzip", "valid-empty.gz", gz(b""))
write("Gzip", "valid-zeros.gz", gz(bytes(65536)))

# safetensors: plain tensors, and a small vdrop checkpoint (its metadata is what vdrop checks).
def safetensors(tensors, metadata):
    header, body = {}, b""
    if metadata is not None:
        header["__metadata__"] = metadata
    for name, shape, values in tensors:
        data = struct.pack("<%df" % len(values), *values)
        header[name] = {"dtype": "F32", "shape": shape, "data_offsets": [len(body), len(body) + len(data)]}
        body += data
    text = json.dumps(header, sort_keys=True, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + body

configuration = {"model": "lenet300", "objective": "ard", "gammaA": 0.505, "gammaB": 1e-8, "alpha": 1, "epochs": 4,
                 "batch": 100, "learningRate": 0.001, "decayFrom": 2, "annealEpochs": 1, "seed": 5, "trim": "mu", "logEvery": 50}
metadata = {"vdrop.format": "1", "vdrop.configuration": json.dumps(configuration, sort_keys=True),
            "vdrop.epoch": "2", "vdrop.step": "1200", "vdrop.rng": "philox4x32-10 seed=5 step=1200"}
write("SafeTensors", "valid-tensors", safetensors([("a", [2, 2], [1, 2, 3, 4]), ("b", [0], []), ("c", [3], [0.5, -1, 2])], None))
write("SafeTensors", "valid-checkpoint", safetensors([("dense1.theta", [2, 3], [0.1] * 6), ("dense1.bias", [2], [0, 0]),
                                                       ("optimizer.adam_first_moment", [8], [0] * 8),
                                                       ("optimizer.adam_second_moment", [8], [0] * 8)], metadata))

# Exported networks (`vdrop export`): csr and compact files of two small networks, written here
# from the format's description (InferenceModel+SafeTensorsExport.swift), not by vdrop.
def typed_safetensors(tensors, metadata):
    header, body = {"__metadata__": metadata}, b""
    for name, dtype, shape, values in tensors:
        data = struct.pack("<%d%s" % (len(values), "f" if dtype == "F32" else "q"), *values)
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(body), len(body) + len(data)]}
        body += data
    text = json.dumps(header, sort_keys=True, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + body

def exported(fmt, sample_shape, stages, tensors, selection=None):
    metadata = {"vdrop.format": fmt, "vdrop.model": "lenet300", "vdrop.trim": "mu:0.01", "vdrop.compression": "2.5",
                "vdrop.test_error_percent": "12.5",
                "vdrop.architecture": json.dumps({"sample_shape": sample_shape, "stages": stages}, sort_keys=True)}
    if selection is not None:
        tensors = [("input_selection", "I64", [len(selection)], selection)] + tensors
    return typed_safetensors(tensors, metadata)

def csr(name, rows, columns, dense):
    crow, col, values = [0], [], []
    for r in range(rows):
        for c in range(columns):
            if dense[r * columns + c] != 0:
                col.append(c)
                values.append(dense[r * columns + c])
        crow.append(len(values))
    return [(name + ".crow_indices", "I64", [rows + 1], crow), (name + ".col_indices", "I64", [len(col)], col),
            (name + ".values", "F32", [len(values)], values)]

dense_stages = [{"op": "dense", "name": "dense1", "shape": [3, 4]}, {"op": "relu"}, {"op": "dense", "name": "dense2", "shape": [2, 3]}]
w1 = [0.5, 0, -1, 0, 0, 0, 0, 0, 0.25, 0, 0, 2]
w2 = [1, 0, -1, 0.5, 0, 0]
biases = [("dense1.bias", "F32", [3], [0.1, 0.2, 0.3]), ("dense2.bias", "F32", [2], [0, -0.5])]
write("Exported", "valid-dense.csr", exported("csr", [1, 2, 3], dense_stages, csr("dense1", 3, 4, w1) + csr("dense2", 2, 3, w2) + biases,
                                              selection=[0, 1, 3, 5]))
write("Exported", "valid-dense.compact", exported("compact", [1, 2, 3], dense_stages,
                                                  [("dense1.weight", "F32", [3, 4], w1), ("dense2.weight", "F32", [2, 3], w2)] + biases,
                                                  selection=[0, 1, 3, 5]))
conv_stages = [{"op": "conv", "name": "conv1", "shape": [2, 1, 3, 3], "padding": 1},
               {"op": "batch_norm", "name": "bn1", "channels": 2, "epsilon": 1e-5}, {"op": "relu"}, {"op": "max_pool"},
               {"op": "dense", "name": "dense1", "shape": [2, 8]}]
conv_weight = [0, 1, 0, 1, -4, 1, 0, 1, 0, 0.5, 0, 0, 0, 0, 0, 0, 0, -0.5]
dense_weight = [0.1 * i if i % 3 else 0 for i in range(16)]
bn = [("bn1.weight", "F32", [2], [1, 0.5]), ("bn1.bias", "F32", [2], [0, 0.1]), ("bn1.running_mean", "F32", [2], [0.2, 0]),
      ("bn1.running_var", "F32", [2], [1, 0.5])]
conv_biases = [("conv1.bias", "F32", [2], [0.1, -0.1]), ("dense1.bias", "F32", [2], [0, 1])]
write("Exported", "valid-conv.csr", exported("csr", [1, 4, 4], conv_stages, csr("conv1", 2, 9, conv_weight) + csr("dense1", 2, 8, dense_weight) + bn + conv_biases))
write("Exported", "valid-conv.compact", exported("compact", [1, 4, 4], conv_stages,
                                                 [("conv1.weight", "F32", [2, 1, 3, 3], conv_weight), ("dense1.weight", "F32", [2, 8], dense_weight)] + bn + conv_biases))

# A tuning report as `vdrop tune` writes it (Swift's Codable layout of GemmTuningReport).
xgemm = {"GEMMK": 0, "KREG": 1, "KWG": 32, "KWI": 2, "MDIMA": 8, "MDIMC": 8, "MWG": 32, "NDIMB": 32, "NDIMC": 32,
         "NWG": 64, "SA": 1, "SB": 1, "STRM": 0, "STRN": 0, "VWM": 4, "VWN": 2}
direct = {"KWID": 2, "MDIMAD": 8, "MDIMCD": 8, "NDIMBD": 8, "NDIMCD": 8, "PADA": 1, "PADB": 1, "VWMD": 1, "VWND": 1, "WGD": 32}
shape = lambda ta, tb, m, n, k: {"transposeA": ta, "transposeB": tb, "m": m, "n": n, "k": k}
report = {"device": "NVIDIA H200", "driver": "570.0", "date": "2026-12-01T00:00:00Z",
          "parameters": {"xgemm": xgemm, "xgemmDirect": direct, "minIndirectSize": 256},
          "libraryMsPerStep": 2.0, "ruleMsPerStep": 1.5, "tunedMsPerStep": 1.0, "configurationsTried": 40,
          "rejected": ["one: failed"], "seconds": 60.0,
          "shapes": [{"shape": shape(False, True, 20, 25, 57600), "perStep": 1, "libraryMs": 3.1, "ruleMs": 0.06, "tunedMs": 0.055,
                      "route": {"tiled": {"_0": {"tileM": 64, "tileN": 64, "tileK": 16, "itemM": 4, "itemN": 4}, "slices": 225}}},
                     {"shape": shape(False, False, 100, 500, 800), "perStep": 2, "libraryMs": 0.1, "tunedMs": 0.1,
                      "route": {"clblast": {}}}]}
write("TuningReport", "valid-report.json", json.dumps(report, indent=2, sort_keys=True).encode())
write("TuningReport", "valid-library.json", json.dumps(dict(report, parameters={}, shapes=[]), sort_keys=True).encode())

# ONNX: the seeds in ONNX/ are not written here but by vdrop's own encoder
# (InferenceModel.onnxModel on the small networks of Tests/VDropTests/ONNX/ONNXTestModels.swift:
# lenet300-, lenet5-, vgglike-shaped and a compact one), plus one MatMul + Add graph as PyTorch
# writes a Linear layer (ONNXWireEditing.singleDenseModel), and valid-torch-lenet5-exported.onnx,
# written by PyTorch 2.15's torch.onnx.export (dynamo=False, opset 13) from a small LeNet-5 with
# BatchNorm (folded into the conv by the exporter); FuzzInputTests checks they still read.
