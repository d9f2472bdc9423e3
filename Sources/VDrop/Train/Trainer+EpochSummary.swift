import Foundation

/// What an epoch's end measures beyond the training steps: the per-layer metrics (every
/// epoch), the test error (every `evaluateEvery` epochs), the weight histograms (every
/// `histogramEvery` epochs).
extension Trainer {
    struct EpochSummary {
        var testError: Double?
        var compression: Double
        var layers: [LayerMetrics]
        /// The host copy of the parameters when this epoch takes histograms, else nil.
        var histogramParameters: [Float]?
    }

    /// The two trim rules the metrics measure: the run's own and the other at its default.
    var metricRules: LayerMetrics.Rules { LayerMetrics.Rules(run: trim) }

    /// Measures the epoch just completed (`completedEpochs`); evaluates on the test set when due.
    func summarizeEpoch() throws -> EpochSummary {
        let parameters = try network.backend.download(network.arena.parameters)
        let layers = LayerMetrics.measure(network: network, parameters: parameters, rules: metricRules)
        let last = completedEpochs == configuration.epochs
        var summary = EpochSummary(testError: nil, compression: 0, layers: layers,
                                   histogramParameters: last || completedEpochs % histogramEvery == 0 ? parameters : nil)
        if last || completedEpochs % evaluateEvery == 0 {
            let result = try Evaluator.evaluate(network: network, data: test, rule: trim, parameters: parameters)
            evaluation = result
            summary.testError = result.errorPercent
            summary.compression = result.compression
        } else {
            // The same count Evaluator makes, without the test pass.
            let counts = Evaluator.sparsity(network: network, parameters: parameters, rule: trim).layers
            summary.compression = Double(counts.reduce(0) { $0 + $1.weights }) / Double(max(counts.reduce(0) { $0 + $1.kept }, 1))
        }
        return summary
    }

    /// Records the histograms of the epoch completed (0: the initialization) in histograms.json
    /// and tells the observer.
    func takeHistograms(parameters: [Float]) throws {
        let snapshot = HistogramSnapshot.measure(epoch: completedEpochs, network: network, parameters: parameters, rules: metricRules)
        histogramLog.record(snapshot)
        if let folder { try histogramLog.write(to: folder.histogramsPath) }
        observer?.histogramsTaken(snapshot)
    }

    /// On resume: the run's histograms up to the checkpoint's epoch.
    func restoreHistograms() throws {
        guard let folder else { return }
        histogramLog = try HistogramLog(contentsOf: folder.histogramsPath)
        let before = histogramLog
        histogramLog.truncate(toEpoch: completedEpochs)
        if histogramLog != before { try histogramLog.write(to: folder.histogramsPath) }
    }
}
