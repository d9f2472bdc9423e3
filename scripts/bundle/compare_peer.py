"""Ratios of steps/s: vdrop's step benchmark (its --json file) against the PyTorch peer's
printed lines (torch_step_bench.py: eager; torch_graph_bench.py: CUDA graph), same host.
With a training run's metrics.jsonl, also its seconds per epoch and what 200 epochs take.

  python3 compare_peer.py vdrop-bench.json torch-eager.txt [torch-graph.txt [metrics.jsonl]]
"""
import json, re, sys

def peer(path):
    times = {}
    try:
        for line in open(path):
            m = re.match(r"(torch(?:-graph)?) (\w+) (\w+) .*ms/step=([\d.]+)", line)
            if m:
                times[(m.group(2), m.group(3))] = float(m.group(4))
    except FileNotFoundError:
        pass
    return times

report = json.load(open(sys.argv[1]))
eager = peer(sys.argv[2]) if len(sys.argv) > 2 else {}
graph = peer(sys.argv[3]) if len(sys.argv) > 3 else {}
print(f"device: {report['device']}; CLBlast SGEMM parameters: {report.get('gemmParameters', '-')}")
if report.get("firstUseTuningSeconds") is not None:
    print(f"first use: {report['firstUseTuningSeconds']:.1f} s of auto-tune before the steps ({report.get('firstUseShapesTimed', 0)} product shapes timed)")
print(f"{'model':10}{'objective':12}{'vdrop ms':>10}{'eager ms':>10}{'graph ms':>10}{'vs eager':>10}{'vs graph':>10}")
for s in report["deviceSteps"]:
    key = (s["model"], s["objective"])
    e, g = eager.get(key), graph.get(key)
    ratio = lambda peer_ms: f"{peer_ms / s['msPerStep']:.2f}x" if peer_ms else "-"
    print(f"{s['model']:10}{s['objective']:12}{s['msPerStep']:10.3f}{e or float('nan'):10.3f}{g or float('nan'):10.3f}{ratio(e):>10}{ratio(g):>10}")
print("ratio = peer ms/step / vdrop ms/step (above 1: vdrop is faster)")

if len(sys.argv) > 4:
    try:
        epochs = [json.loads(line) for line in open(sys.argv[4]) if line.strip()]
    except FileNotFoundError:
        epochs = []
    if epochs:
        # The first epoch includes building kernels; the rest are the steady state.
        steady = [e["seconds"] for e in epochs[1:]] or [epochs[0]["seconds"]]
        per_epoch = sorted(steady)[len(steady) // 2]
        print(f"training run: {len(epochs)} epochs, training steps median {per_epoch:.2f} s/epoch after the first "
              f"({epochs[0]['seconds']:.2f} s): 200 epochs of steps = {200 * per_epoch / 60:.1f} min; "
              f"last test error {epochs[-1]['test_error']:.2f}%, compression {epochs[-1]['compression']:.1f}x")
