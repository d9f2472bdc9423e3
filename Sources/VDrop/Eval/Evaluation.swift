import Foundation

/// How many weights of one layer survive trimming.
public struct LayerSparsity: Codable, Equatable, Sendable {
    public var layer: String
    public var weights: Int
    public var kept: Int
    public var keptFraction: Double { weights == 0 ? 0 : Double(kept) / Double(weights) }
}

/// Test error and compression of a network in deterministic mode after trimming.
public struct EvaluationResult: Codable, Equatable, Sendable {
    /// Misclassified samples, in percent.
    public var errorPercent: Double
    /// Σ weights / Σ non-zero weights over all dense and conv weights (biases excluded).
    public var compression: Double
    public var layers: [LayerSparsity]
    public var samples: Int
    /// The rule applied, e.g. "mu:0.01".
    public var trim: String
}

/// Evaluates a network the paper's way: posterior means, trimmed, no noise.
public enum Evaluator {
    /// The kept/total counts per weight layer under `rule`, from host copies of θ and log σ².
    static func sparsity(network: Network, parameters: [Float], rule: TrimRule) -> (mask: [Bool], layers: [LayerSparsity]) {
        let w = network.arena.weightCount
        var mask = [Bool](repeating: false, count: w)
        var layers: [LayerSparsity] = []
        for layer in network.weightLayers {
            var kept = 0
            for i in layer.weightRange where rule.keeps(theta: parameters[i], logSigma2: parameters[w + i]) {
                mask[i] = true
                kept += 1
            }
            layers.append(LayerSparsity(layer: layer.key, weights: layer.weightRange.count, kept: kept))
        }
        return (mask, layers)
    }

    /// Misclassified samples of `data` in evaluation mode, batch by batch.
    static func countErrors(network: Network, data: DeviceDataset) throws -> Int {
        try data.setOrder((0..<data.count).map(Float.init))
        var errors = 0
        var start = 0
        while start < data.count {
            try data.gatherBatch(start: start, into: network)
            try network.forward(mode: .evaluation)
            try network.loss(gradScale: 0, withGradient: false)
            let correct = try network.backend.download(network.rowCorrect)
            // A last partial batch wraps to the start: count only the rows that are new.
            let valid = min(network.batch, data.count - start)
            errors += valid - Int(correct[0..<valid].reduce(0, +).rounded())
            start += network.batch
        }
        return errors
    }

    /// Trims θ, runs every test sample through the network in evaluation mode, and puts the
    /// untrimmed θ back (also when it throws), so training can go on. `parameters`: a host copy
    /// of the arena the caller already holds, so it is not read from the device again.
    public static func evaluate(network: Network, data: DeviceDataset, rule: TrimRule,
                                parameters known: [Float]? = nil) throws -> EvaluationResult {
        guard data.count > 0 else {
            throw ConfigurationError("The test set (\(data.dataset.name)) holds no samples; there is nothing to evaluate.")
        }
        let backend = network.backend
        let thetaSegment = network.arena.thetaSegment(of: network.arena.parameters)
        let parameters = try known ?? backend.download(network.arena.parameters)
        let (mask, layers) = sparsity(network: network, parameters: parameters, rule: rule)
        let original = Array(parameters[0..<network.arena.weightCount])
        let trimmed = original.enumerated().map { mask[$0.offset] ? $0.element : 0 }
        try backend.upload(trimmed, to: thetaSegment)
        let errors: Int
        do {
            errors = try countErrors(network: network, data: data)
        } catch {
            try? backend.upload(original, to: thetaSegment)
            throw error
        }
        try backend.upload(original, to: thetaSegment)
        let total = layers.reduce(0) { $0 + $1.weights }
        let kept = layers.reduce(0) { $0 + $1.kept }
        return EvaluationResult(errorPercent: 100 * Double(errors) / Double(data.count),
                                compression: Double(total) / Double(max(kept, 1)),
                                layers: layers, samples: data.count, trim: rule.description)
    }
}
