#!/usr/bin/env python3
"""Proves that TensorBoard reads what `vdrop train --tensorboard DIR` writes.

    pip install tensorboard
    scripts/tensorboard-check.py RUN_DIR [EVENTS_DIR]

Loads the event files with TensorBoard's own EventAccumulator and compares them with the run's
metrics.jsonl and histograms.json: every number of every epoch's line must be a scalar at that
epoch (`run/KEY`, and `FIELD/LAYER` for the per-layer metrics) equal to it in float32, and every
histogram snapshot must be there (`log_alpha/LAYER`, `theta/LAYER`) with its count, min and max.
EVENTS_DIR defaults to the folder under RUN_DIR that holds event files. RUN_DIR may also be a
folder of runs (train --seeds, sweep): each sub-folder is checked against the sub-folder of
EVENTS_DIR with its name. Exits 1 on any difference. Never needed by `make test`.
"""
import glob
import json
import math
import os
import sys

try:
    from tensorboard.backend.event_processing import event_accumulator
except ImportError:
    sys.exit("TensorBoard is not installed; install it with: pip install tensorboard")


def event_folder(run_dir):
    """The folder under run_dir holding tfevents files (run_dir itself included)."""
    files = sorted(glob.glob(os.path.join(run_dir, "**", "*tfevents*"), recursive=True))
    if not files:
        sys.exit(f"No TensorBoard event files under {run_dir}; pass the folder given to --tensorboard as the second argument.")
    return os.path.dirname(files[0])


def close(a, b):
    """Equal as float32 (TensorBoard's simple_value is a float)."""
    return math.isclose(a, b, rel_tol=2e-7, abs_tol=1e-30) or (math.isnan(a) and math.isnan(b))


def check_run(run_dir, events_dir):
    accumulator = event_accumulator.EventAccumulator(
        events_dir, size_guidance={event_accumulator.SCALARS: 0, event_accumulator.HISTOGRAMS: 0})
    accumulator.Reload()
    tags = accumulator.Tags()
    # The last event of a step counts (a resumed run may repeat one).
    scalars = {tag: {e.step: e.value for e in accumulator.Scalars(tag)} for tag in tags["scalars"]}
    histograms = {tag: {e.step: e.histogram_value for e in accumulator.Histograms(tag)} for tag in tags["histograms"]}

    problems = []
    compared = 0
    with open(os.path.join(run_dir, "metrics.jsonl")) as lines:
        records = [json.loads(line) for line in lines if line.strip()]
    for record in records:
        epoch = record["epoch"]
        expected = {f"run/{k}": v for k, v in record.items() if k != "epoch" and isinstance(v, (int, float))}
        for layer in record.get("layers", []):
            for k, v in layer.items():
                if k not in ("layer", "weights") and isinstance(v, (int, float)):
                    expected[f"{k}/{layer['layer']}"] = v
        for tag, value in expected.items():
            got = scalars.get(tag, {}).get(epoch)
            if got is None:
                problems.append(f"epoch {epoch}: no scalar {tag} in the event files")
            elif not close(got, float(value)):
                problems.append(f"epoch {epoch}: {tag} is {got} in TensorBoard, {value} in metrics.jsonl")
            compared += 1
        if "test_error" not in record and epoch in scalars.get("run/test_error", {}):
            problems.append(f"epoch {epoch}: TensorBoard has a test error that metrics.jsonl (--eval-every) has not")

    snapshots = []
    path = os.path.join(run_dir, "histograms.json")
    if os.path.exists(path):
        with open(path) as f:
            snapshots = json.load(f)["snapshots"]
    for snapshot in snapshots:
        for layer in snapshot["layers"]:
            for tag, key in ((f"log_alpha/{layer['layer']}", "log_alpha"), (f"theta/{layer['layer']}", "theta")):
                h = histograms.get(tag, {}).get(snapshot["epoch"])
                want = layer[key]
                if h is None:
                    problems.append(f"epoch {snapshot['epoch']}: no histogram {tag}")
                    continue
                if int(h.num) != want["count"] or int(sum(h.bucket)) != want["count"]:
                    problems.append(f"epoch {snapshot['epoch']}: {tag} counts {h.num} values ({sum(h.bucket)} in buckets), histograms.json {want['count']}")
                if not (close(h.min, want["min"]) and close(h.max, want["max"])):
                    problems.append(f"epoch {snapshot['epoch']}: {tag} spans [{h.min}, {h.max}], histograms.json [{want['min']}, {want['max']}]")
                compared += 1

    for p in problems[:20]:
        print("  " + p)
    status = "agree" if not problems else f"DISAGREE in {len(problems)} places"
    print(f"{run_dir}: {compared} values at {len(records)} epochs and {len(snapshots)} histogram snapshots; "
          f"TensorBoard ({len(tags['scalars'])} scalar tags, {len(tags['histograms'])} histogram tags) and the run's files {status}.")
    return not problems


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    run_dir = sys.argv[1]
    if os.path.exists(os.path.join(run_dir, "metrics.jsonl")):
        runs = [(run_dir, sys.argv[2] if len(sys.argv) == 3 else event_folder(run_dir))]
    else:
        names = sorted(n for n in os.listdir(run_dir) if os.path.exists(os.path.join(run_dir, n, "metrics.jsonl")))
        if not names:
            sys.exit(f"{run_dir} holds no metrics.jsonl, nor do its sub-folders; name a vdrop run folder.")
        if len(sys.argv) != 3:
            sys.exit(f"{run_dir} is a folder of runs; pass the folder given to --tensorboard as the second argument.")
        runs = [(os.path.join(run_dir, n), os.path.join(sys.argv[2], n)) for n in names]
    ok = all([check_run(r, e) for r, e in runs])
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
