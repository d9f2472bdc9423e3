#!/usr/bin/env python3
"""Images per second of onnxruntime (CPU) on an ONNX model: the peer vdrop's inference is measured against.

    scripts/onnxruntime-bench.py MODEL.onnx [--batch 1,100] [--seconds S] [--threads N] [--windows W]

For each batch size: a session with sequential execution and N intra-op threads (default: the
machine's cores, as onnxruntime would choose), one input of random normalized-looking values,
a warm-up, then W timed windows of S/W seconds each; prints one JSON line per batch size with
the median images/s over the windows (and each window's), so a passing hiccup does not decide it.
"""
import argparse, json, os, statistics, sys, time

import numpy as np
import onnxruntime as ort


def session_for(model, threads):
    options = ort.SessionOptions()
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])


def images_per_second(run, batch, seconds):
    """Runs `run` for about `seconds`, at least 3 times; images/s over the whole window."""
    count, start = 0, time.perf_counter()
    while True:
        run()
        count += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds and count >= 3:
            return count * batch / elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model")
    parser.add_argument("--batch", default="1,100", help="comma-separated batch sizes (default 1,100)")
    parser.add_argument("--seconds", type=float, default=5.0, help="timed seconds per batch size (default 5)")
    parser.add_argument("--threads", type=int, default=os.cpu_count(), help="intra-op threads (default: the machine's cores)")
    parser.add_argument("--windows", type=int, default=5, help="timed windows whose median is reported (default 5)")
    args = parser.parse_args()
    try:
        batches = [int(b) for b in args.batch.split(",")]
    except ValueError:
        sys.exit(f"--batch takes comma-separated positive integers, not {args.batch!r}")
    if any(b < 1 for b in batches) or args.seconds <= 0 or args.threads < 1 or args.windows < 1:
        sys.exit("--batch sizes, --seconds, --threads and --windows must be positive")

    session = session_for(args.model, args.threads)
    model_input = session.get_inputs()[0]
    sample_shape = model_input.shape[1:]
    if not all(isinstance(d, int) and d > 0 for d in sample_shape):
        sys.exit(f"{args.model}: the input {model_input.name} has the shape {model_input.shape}; a fixed sample shape is needed")
    generator = np.random.default_rng(0)
    for batch in batches:
        x = generator.standard_normal((batch, *sample_shape)).astype(np.float32)
        feed = {model_input.name: x}
        run = lambda: session.run(None, feed)
        images_per_second(run, batch, min(1.0, args.seconds / 4))  # warm-up: allocations, kernel choice, caches
        windows = [images_per_second(run, batch, args.seconds / args.windows) for _ in range(args.windows)]
        print(json.dumps({"engine": "onnxruntime", "version": ort.__version__, "model": args.model, "batch": batch,
                          "threads": args.threads, "images_per_second": statistics.median(windows),
                          "windows": [round(w, 1) for w in windows]}), flush=True)


if __name__ == "__main__":
    main()
