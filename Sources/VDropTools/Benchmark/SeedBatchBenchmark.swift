import Foundation
import VDrop

/// The speed of a ``SeedBatch``'s step: every seed's forward and backward, then one update.
public enum SeedBatchBenchmark {
    /// Builds `seeds` networks of `model` as one batch on `backend`, each with random data of its
    /// own kept on the device (as ``StepBenchmark`` does), warms up, then times `samples` runs
    /// of `stepsPerSample` batched steps, each run ending with a wait for the device.
    /// Compare its images/s with ``StepBenchmark``'s single network: that is the rate of the
    /// same seeds trained one after another. `fuseBatchNormReLU` as in ``StepBenchmark``.
    public static func measure(model: ModelKind, objective: Objective, batch: Int, seeds: Int, backend: any Backend,
                               samples: Int = 20, stepsPerSample: Int = 5, warmupSteps: Int = 5,
                               fuseBatchNormReLU: Bool = true) throws -> StepMeasurement {
        let before = backend.allocatedBytes
        let seedBatch = try SeedBatch(plan: ModelPlan(model: model, batch: batch, fuseBatchNormReLU: fuseBatchNormReLU),
                                      seeds: seeds, backend: backend)
        let networkBytes = backend.allocatedBytes - before
        for (index, network) in seedBatch.networks.enumerated() {
            try network.initializeParameters(seed: UInt64(1 + index))
            let key = NoiseKey(seed: 99 + UInt64(index), step: 0, stream: 0x8E7C)
            try backend.upload((0..<network.input.count).map { Philox.uniform(key.word($0)) }, to: network.input)
            try backend.upload((0..<batch).map { Float(($0 + index) % network.classes) }, to: network.labels)
        }
        var step = 0
        func run(_ count: Int) throws {
            for _ in 0..<count {
                let settings = (0..<seeds).map { index in
                    StepSettings(objective: objective, seed: UInt64(1 + index), step: step, datasetSize: 60_000, learningRate: 1e-3,
                                 regularizerWeight: 1, logSigma2Max: nil)
                }
                try seedBatch.trainStep(settings, recordLoss: false)
                step += 1
            }
            try backend.synchronize()
        }
        try run(warmupSteps)
        let inUse = backend.deviceActivity?.liveBytes
        let launchesBefore = backend.deviceActivity?.kernelsEnqueued
        let times = try Stopwatch.measure(warmup: 0, samples: samples) { try run(stepsPerSample) }
        let kernels = backend.deviceActivity.map { Double($0.kernelsEnqueued - (launchesBefore ?? 0)) / Double(samples * stepsPerSample) }
        let perStep = Stopwatch.median(times) / Double(stepsPerSample)
        return StepMeasurement(model: model.rawValue, objective: objective.description,
                               backend: backend.name + separateBatchNormReLULabel(model, fused: fuseBatchNormReLU), batch: batch,
                               msPerStep: perStep * 1e3, minMsPerStep: times[0] / Double(stepsPerSample) * 1e3,
                               imagesPerSecond: Double(seeds * batch) / perStep, kernelsPerStep: kernels,
                               networkBytes: networkBytes, deviceBytesInUse: inUse, samples: samples, stepsPerSample: stepsPerSample,
                               seeds: seeds)
    }
}
