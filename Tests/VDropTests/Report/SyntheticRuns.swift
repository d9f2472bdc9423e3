import Foundation
@testable import VDrop

/// Run folders written by hand (metrics.jsonl, results.json, histograms.json) with known
/// numbers, so that report tests need no training and know what every chart must show.
enum SyntheticRuns {
    static func configuration(seed: UInt64, objective: ObjectiveKind = .ard, a: Float = 0.505) -> TrainingConfiguration {
        var c = TrainingConfiguration()
        c.model = .lenet300
        c.objective = objective
        c.gammaA = a
        c.epochs = 4
        c.seed = seed
        return c
    }

    /// Epoch e of a run whose numbers depend on `offset`: no test error in epoch 2 (--eval-every 2).
    static func record(epoch e: Int, offset: Double) -> EpochRecord {
        let d = Double(e)
        var r = EpochRecord(epoch: e, lr: 1e-3 * (1 - d / 8), beta: min(1, d / 2), dataTerm: 3000 / d + offset, regularizer: 9000 - 1000 * d,
                            trainError: 20 - d - offset, testError: e == 2 ? nil : 18 - d + offset, compression: 2 * pow(3, d) + offset,
                            seconds: 1, imagesPerSecond: 1000)
        r.layers = [("dense1", 235_200, 0.5), ("dense2", 30_000, 0.8), ("dense3", 1000, 0.95)].map { name, weights, base in
            let kept = base / pow(2, d) + offset / 100
            return LayerMetrics(layer: name, weights: weights, keptMu: kept, keptLogAlpha: kept * 1.1, logAlphaP5: -5 + d, logAlphaP25: -3 + d,
                                logAlphaP50: d + offset, logAlphaP75: 3 + d, logAlphaP95: 8 + d, meanAbsTheta: 0.01 * base / d)
        }
        return r
    }

    static func histograms(offset: Double) -> HistogramLog {
        HistogramLog(snapshots: [0, 2, 4].map { epoch in
            HistogramSnapshot(epoch: epoch, layers: ["dense1", "dense2", "dense3"].map { layer in
                let values: [Float] = (0..<200).map { Float(-8 + Double($0) * 0.15 + Double(epoch) + offset) }
                let (aLow, aHigh) = LayerHistograms.logAlphaRange, (mLow, mHigh) = LayerHistograms.log10AbsThetaRange
                return LayerHistograms(layer: layer,
                                       logAlpha: WeightHistogram(values, lower: aLow, upper: aHigh, bins: LayerHistograms.bins),
                                       logAlphaKeptByMu: WeightHistogram(values.filter { $0 < 3 }, lower: aLow, upper: aHigh, bins: LayerHistograms.bins),
                                       log10AbsTheta: WeightHistogram(values.map { -$0 / 4 - 2 }, lower: mLow, upper: mHigh, bins: LayerHistograms.bins),
                                       log10AbsThetaKeptByLogAlpha: WeightHistogram(values.filter { $0 < 3 }.map { -$0 / 4 - 2 }, lower: mLow, upper: mHigh, bins: LayerHistograms.bins),
                                       theta: WeightHistogram(fitting: values, bins: 10))
            })
        })
    }

    /// Writes a finished run of 4 epochs into `folder`.
    static func write(folder: String, configuration: TrainingConfiguration, offset: Double) throws {
        try RunFolder(folder).create()
        let records = (1...4).map { record(epoch: $0, offset: offset) }
        let writer = try JSONLinesWriter(path: RunFolder(folder).metricsPath, truncate: true)
        for r in records { try writer.append(r) }
        let last = records[records.count - 1]
        let evaluation = EvaluationResult(errorPercent: last.testError!, compression: last.compression, layers: [], samples: 10000, trim: "mu:0.01")
        let result = TrainingResult(configuration: configuration, backend: "CPU backend", dataSource: "synthetic", evaluation: evaluation,
                                    epochs: 4, steps: 2400, trainingSeconds: 4)
        try JSONEncoder().encode(result).write(to: URL(fileURLWithPath: RunFolder(folder).resultsPath))
        try histograms(offset: offset).write(to: RunFolder(folder).histogramsPath)
    }
}
