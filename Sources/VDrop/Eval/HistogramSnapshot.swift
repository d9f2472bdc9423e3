import Foundation

/// The histograms of one weight layer at one epoch.
///
/// log α and log₁₀|θ| are binned over fixed ranges (shared by every epoch and run, so the
/// report can overlay and stack them); each also for the weights the *other* rule keeps, so
/// one chart shows both rules: a log α histogram with the `logalpha` threshold drawn on it and
/// the part the `mu` rule keeps beside it, and the reverse for |θ|. θ itself is binned over
/// its own range, for TensorBoard.
public struct LayerHistograms: Codable, Equatable, Sendable {
    public var layer: String
    public var logAlpha: WeightHistogram
    public var logAlphaKeptByMu: WeightHistogram
    public var log10AbsTheta: WeightHistogram
    public var log10AbsThetaKeptByLogAlpha: WeightHistogram
    public var theta: WeightHistogram

    enum CodingKeys: String, CodingKey {
        case layer, theta
        case logAlpha = "log_alpha", logAlphaKeptByMu = "log_alpha_kept_by_mu"
        case log10AbsTheta = "log10_abs_theta", log10AbsThetaKeptByLogAlpha = "log10_abs_theta_kept_by_logalpha"
    }

    /// Bins per histogram.
    public static let bins = 100
    /// log α from −10 to 30 (bins of 0.4): the initialization lies between −7 and 5 (log σ² = −10
    /// against θ² up to 3/fan-in), the `logalpha` threshold at 3, and the weights ARD prunes
    /// climb to 28 within 3 epochs of LeNet-300 (measured on Fashion-MNIST), their θ at 1e-10.
    public static let logAlphaRange = (lower: -10.0, upper: 30.0)
    /// log₁₀|θ| from −8 to 1: the `mu` threshold sits at −2, the kept weights between −2 and 0.
    public static let log10AbsThetaRange = (lower: -8.0, upper: 1.0)

    public static func measure(layer: String, theta: ArraySlice<Float>, logSigma2: ArraySlice<Float>,
                               rules: LayerMetrics.Rules) -> LayerHistograms {
        var logAlpha: [Float] = [], logAbs: [Float] = []
        var logAlphaKept: [Float] = [], logAbsKept: [Float] = []
        logAlpha.reserveCapacity(theta.count)
        logAbs.reserveCapacity(theta.count)
        for (t, s) in zip(theta, logSigma2) {
            let a = LogAlpha.of(theta: t, logSigma2: s), m = LogAlpha.log10AbsTheta(t)
            logAlpha.append(a)
            logAbs.append(m)
            if rules.mu.keeps(theta: t, logSigma2: s) { logAlphaKept.append(a) }
            if rules.logAlpha.keeps(theta: t, logSigma2: s) { logAbsKept.append(m) }
        }
        let (aLow, aHigh) = logAlphaRange, (mLow, mHigh) = log10AbsThetaRange
        return LayerHistograms(layer: layer,
                               logAlpha: WeightHistogram(logAlpha, lower: aLow, upper: aHigh, bins: bins),
                               logAlphaKeptByMu: WeightHistogram(logAlphaKept, lower: aLow, upper: aHigh, bins: bins),
                               log10AbsTheta: WeightHistogram(logAbs, lower: mLow, upper: mHigh, bins: bins),
                               log10AbsThetaKeptByLogAlpha: WeightHistogram(logAbsKept, lower: mLow, upper: mHigh, bins: bins),
                               theta: WeightHistogram(fitting: Array(theta), bins: bins))
    }
}

/// Every weight layer's histograms at the end of one epoch (0: at initialization).
public struct HistogramSnapshot: Codable, Equatable, Sendable {
    public var epoch: Int
    public var layers: [LayerHistograms]

    public init(epoch: Int, layers: [LayerHistograms]) {
        self.epoch = epoch
        self.layers = layers
    }

    /// The snapshot of `network` from a host copy of its parameter arena.
    public static func measure(epoch: Int, network: Network, parameters: [Float], rules: LayerMetrics.Rules) -> HistogramSnapshot {
        let w = network.arena.weightCount
        return HistogramSnapshot(epoch: epoch, layers: network.weightLayers.map { layer in
            let range = layer.weightRange
            return LayerHistograms.measure(layer: LayerMetrics.layerKey(layer), theta: parameters[range],
                                           logSigma2: parameters[(w + range.lowerBound)..<(w + range.upperBound)], rules: rules)
        })
    }
}
