import Foundation

/// How one weight layer stands at an epoch's end, recorded per layer in metrics.jsonl: the
/// kept fraction under both trim rules, the spread of log α, and the mean |θ|.
///
/// Both rules are measured whichever one the run trims with, because they disagree in
/// telling ways: `mu` keeps a weight by its mean alone, `logalpha` by its mean against its
/// noise. The run's own rule keeps its threshold; the other takes its default.
public struct LayerMetrics: Codable, Equatable, Sendable {
    /// The layer's key, e.g. "dense1".
    public var layer: String
    public var weights: Int
    /// Fraction of the layer's weights kept by the `mu` rule (|θ| ≥ threshold).
    public var keptMu: Double
    /// Fraction kept by the `logalpha` rule (log α < threshold).
    public var keptLogAlpha: Double
    /// Quantiles of log α (``LogAlpha``) at ``quantileLevels``, linearly interpolated.
    public var logAlphaP5: Double
    public var logAlphaP25: Double
    public var logAlphaP50: Double
    public var logAlphaP75: Double
    public var logAlphaP95: Double
    public var meanAbsTheta: Double

    enum CodingKeys: String, CodingKey {
        case layer, weights
        case keptMu = "kept_mu", keptLogAlpha = "kept_logalpha", meanAbsTheta = "mean_abs_theta"
        case logAlphaP5 = "log_alpha_p5", logAlphaP25 = "log_alpha_p25", logAlphaP50 = "log_alpha_p50"
        case logAlphaP75 = "log_alpha_p75", logAlphaP95 = "log_alpha_p95"
    }

    public static let quantileLevels = [0.05, 0.25, 0.5, 0.75, 0.95]

    public var logAlphaQuantiles: [Double] { [logAlphaP5, logAlphaP25, logAlphaP50, logAlphaP75, logAlphaP95] }

    /// The two trim rules measured: the run's own, and the other one at its default.
    public struct Rules: Equatable, Sendable {
        public var mu: TrimRule
        public var logAlpha: TrimRule

        public init(run: TrimRule) {
            switch run {
            case .mu: self.init(mu: run, logAlpha: .logAlpha(threshold: 3))
            case .logAlpha: self.init(mu: .mu(threshold: 1e-2), logAlpha: run)
            }
        }

        public init(mu: TrimRule, logAlpha: TrimRule) {
            self.mu = mu
            self.logAlpha = logAlpha
        }
    }

    /// The metrics of one layer from its θ and log σ² (equal counts).
    public static func measure(layer: String, theta: ArraySlice<Float>, logSigma2: ArraySlice<Float>, rules: Rules) -> LayerMetrics {
        precondition(theta.count == logSigma2.count, "θ and log σ² of a layer have one value per weight each")
        var keptMu = 0, keptLogAlpha = 0
        var absSum = 0.0
        var logAlphas: [Float] = []
        logAlphas.reserveCapacity(theta.count)
        for (t, s) in zip(theta, logSigma2) {
            if rules.mu.keeps(theta: t, logSigma2: s) { keptMu += 1 }
            if rules.logAlpha.keeps(theta: t, logSigma2: s) { keptLogAlpha += 1 }
            absSum += Double(abs(t))
            logAlphas.append(LogAlpha.of(theta: t, logSigma2: s))
        }
        let q = OrderStatistics.quantiles(logAlphas, levels: quantileLevels)
        let n = Double(max(theta.count, 1))
        return LayerMetrics(layer: layer, weights: theta.count, keptMu: Double(keptMu) / n, keptLogAlpha: Double(keptLogAlpha) / n,
                            logAlphaP5: q[0], logAlphaP25: q[1], logAlphaP50: q[2], logAlphaP75: q[3], logAlphaP95: q[4],
                            meanAbsTheta: absSum / n)
    }

    /// The metrics of every weight layer of `network`, from a host copy of its parameter arena.
    public static func measure(network: Network, parameters: [Float], rules: Rules) -> [LayerMetrics] {
        let w = network.arena.weightCount
        return network.weightLayers.map { layer in
            let range = layer.weightRange
            return measure(layer: layerKey(layer), theta: parameters[range],
                           logSigma2: parameters[(w + range.lowerBound)..<(w + range.upperBound)], rules: rules)
        }
    }

    /// "dense1" of "dense1 784→300 +relu": the name parameters and metrics go by.
    static func layerKey(_ layer: WeightLayer) -> String { String(layer.name.prefix { $0 != " " }) }
}
