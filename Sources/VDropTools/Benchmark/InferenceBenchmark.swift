import Foundation
import VDrop

/// One (backend, network, path, batch) timing of `vdrop bench --inference`.
public struct InferenceMeasurement: Codable, Equatable, Sendable {
    /// "cpu" (the CPU backend) or "device" (the `--device` choice, when it is not the CPU backend).
    public var backend: String
    /// The backend's own name, e.g. "cpu" or "opencl:cpu-haswell-…".
    public var backendName: String
    /// "trimmed" (the file's network, zeros in place) or "compact" (its structurally shrunk form).
    public var network: String
    /// "dense" or "sparse".
    public var path: String
    public var batch: Int
    /// Median images per second over the timed samples (logits of `batch` samples, uploaded and read back).
    public var imagesPerSecond: Double
    /// The fastest sample's images per second.
    public var bestImagesPerSecond: Double
    /// Median milliseconds per `batch`-sample call.
    public var msPerBatch: Double
    public var samples: Int
    /// Calls per timed sample (batch 1 takes microseconds: one sample holds many calls).
    public var callsPerSample: Int
}

/// How much smaller and cheaper the sparse form of a network is than its dense one.
public struct InferenceReductions: Codable, Equatable, Sendable {
    /// Multiply-adds per sample with every weight (`multiplyAdds(nonZeroOnly: false)`).
    public var denseMultiplyAdds: Int
    /// Multiply-adds per sample over the non-zero weights only.
    public var sparseMultiplyAdds: Int
    /// dense / sparse multiply-adds.
    public var flopReduction: Double
    /// Dense and conv weights as fp32: 4 B each.
    public var denseWeightBytes: Int
    /// CSR with int32 indices: 4 B value + 4 B column per non-zero, 4 B per row start (rows + 1 per layer).
    public var csrWeightBytesInt32: Int
    /// CSR with int64 indices, PyTorch's and the exported file's: 4 B value + 8 B column, 8 B per row start.
    public var csrWeightBytesInt64: Int
    /// denseWeightBytes / csrWeightBytesInt64.
    public var byteReduction: Double

    public init(model: InferenceModel) {
        denseMultiplyAdds = model.multiplyAdds(nonZeroOnly: false)
        sparseMultiplyAdds = model.multiplyAdds(nonZeroOnly: true)
        flopReduction = Double(denseMultiplyAdds) / Double(max(sparseMultiplyAdds, 1))
        let counts = model.weightCounts
        let rows = model.stages.reduce(0) { total, stage in
            switch stage {
            case .dense(let d): return total + d.outputs + 1
            case .conv(let c): return total + c.outChannels + 1
            default: return total
            }
        }
        denseWeightBytes = 4 * counts.total
        csrWeightBytesInt32 = 8 * counts.nonZero + 4 * rows
        csrWeightBytesInt64 = 12 * counts.nonZero + 8 * rows
        byteReduction = Double(denseWeightBytes) / Double(max(csrWeightBytesInt64, 1))
    }
}

/// What `vdrop bench --inference --json` writes.
public struct InferenceBenchmarkReport: Codable, Equatable, Sendable {
    public var date: String
    public var weightsFile: String
    public var fileBytes: Int
    public var model: String
    public var trim: String
    public var compression: Double
    public var cpuThreads: Int
    public var reductions: InferenceReductions
    /// The compact network's parameters and multiply-adds, when one was measured.
    public var compactParameterCount: Int?
    public var compactMultiplyAdds: Int?
    public var measurements: [InferenceMeasurement]

    public init(date: String, weightsFile: String, fileBytes: Int, model: String, trim: String, compression: Double, cpuThreads: Int,
                reductions: InferenceReductions, compactParameterCount: Int?, compactMultiplyAdds: Int?, measurements: [InferenceMeasurement]) {
        self.date = date
        self.weightsFile = weightsFile
        self.fileBytes = fileBytes
        self.model = model
        self.trim = trim
        self.compression = compression
        self.cpuThreads = cpuThreads
        self.reductions = reductions
        self.compactParameterCount = compactParameterCount
        self.compactMultiplyAdds = compactMultiplyAdds
        self.measurements = measurements
    }
}

public enum InferenceBenchmark {
    /// The networks and paths timed for each backend and batch: the trimmed network on the dense
    /// and the sparse path, and `compact` (when given) on the dense path.
    public static func variants(compact: InferenceModel?) -> [(network: String, path: InferencePath)] {
        [("trimmed", .dense), ("trimmed", .sparse)] + (compact == nil ? [] : [("compact", .dense)])
    }

    /// Times logits of `batch` random samples for every variant on `backend`, interleaved: each
    /// round times one sample of each variant in turn, so drift (other work on the machine, clock
    /// changes) falls on all alike. A sample is `calls` calls, enough for ~`sampleSeconds`
    /// (measured in the warm-up); medians over `samples` rounds.
    public static func measure(model: InferenceModel, compact: InferenceModel?, backend: any Backend, backendRole: String,
                               batches: [Int], samples: Int = 20, sampleSeconds: Double = 0.02) throws -> [InferenceMeasurement] {
        let sampleSize = model.sampleShape.reduce(1, *)
        var results: [InferenceMeasurement] = []
        for batch in batches {
            let key = NoiseKey(seed: 17, step: UInt64(batch), stream: 0x1F3E)
            let input = (0..<(batch * sampleSize)).map { Philox.uniform(key.word($0)) * 2 - 1 }
            let engines = try variants(compact: compact).map { variant in
                try InferenceEngine(model: variant.network == "compact" ? compact ?? model : model, backend: backend,
                                    path: variant.path, batchSize: batch)
            }
            var calls: [Int] = []
            for engine in engines {
                for _ in 0..<3 { _ = try engine.logits(samples: input, count: batch) }
                let once = Stopwatch.median(try Stopwatch.measure(warmup: 0, samples: 5) { _ = try engine.logits(samples: input, count: batch) })
                calls.append(max(1, Int((sampleSeconds / max(once, 1e-7)).rounded())))
            }
            var times = [[Double]](repeating: [], count: engines.count)
            for _ in 0..<samples {
                for (i, engine) in engines.enumerated() {
                    let start = Stopwatch.now()
                    for _ in 0..<calls[i] { _ = try engine.logits(samples: input, count: batch) }
                    times[i].append((Stopwatch.now() - start) / Double(calls[i]))
                }
            }
            for (i, variant) in variants(compact: compact).enumerated() {
                let sorted = times[i].sorted()
                let median = Stopwatch.median(sorted)
                results.append(InferenceMeasurement(backend: backendRole, backendName: backend.name, network: variant.network,
                                                    path: variant.path.rawValue, batch: batch, imagesPerSecond: Double(batch) / median,
                                                    bestImagesPerSecond: Double(batch) / sorted[0], msPerBatch: median * 1e3,
                                                    samples: samples, callsPerSample: calls[i]))
            }
        }
        return results
    }
}
