import Benchmark
import VDrop

/// The same measurements as `vdrop bench`, as a benchmark suite so regressions show
/// (`swift package benchmark baseline check`): whole training steps of lenet300 and
/// lenet5 on the CPU backend and, when one exists, on the first OpenCL device (with the SGEMM
/// parameters `vdrop tune` saved for it, if any).
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .throughput, .peakMemoryResident],
                                           warmupIterations: 5, maxDuration: .seconds(10), maxIterations: 200)

    var backends: [(String, any Backend)] = [("cpu", CPUBackend())]
    if let device = try? DeviceInventory().allDevices.first, let backend = try? OpenCLBackend(device: device),
       (try? backend.useGemmParameters(.automatic)) != nil {
        backends.append(("opencl", backend))
    }

    for (label, backend) in backends {
        for model in [ModelKind.lenet300, .lenet5] {
            for objective in [Objective.svdo, .ard] {
                Benchmark("step \(model.rawValue) \(objective) \(label)") { benchmark in
                    let network = try Network(model: model, batch: 100, backend: backend)
                    try network.initializeParameters(seed: 1)
                    try backend.upload([Float](repeating: 0.5, count: network.input.count), to: network.input)
                    try backend.upload((0..<100).map { Float($0 % 10) }, to: network.labels)
                    var step = 0
                    benchmark.startMeasurement()
                    for _ in benchmark.scaledIterations {
                        try network.trainStep(StepSettings(objective: objective, seed: 1, step: step, datasetSize: 60_000,
                                                           learningRate: 1e-3, regularizerWeight: 1), recordLoss: false)
                        try backend.synchronize()
                        step += 1
                    }
                    benchmark.stopMeasurement()
                }
            }
        }
    }
}
