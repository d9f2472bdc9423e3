/// A trained network in its deterministic form, as it leaves vdrop: the trimmed posterior
/// means, the biases and BatchNorm's statistics, with no σ² and no arena. A pure host value:
/// what every export format writes and reads back, what `vdrop infer` runs, and what the
/// compact (structurally shrunk) network is.
///
/// Weights use PyTorch's layouts: dense [outputs, inputs] (Linear), conv [out, in, k, k].
public struct InferenceModel: Equatable, Sendable {
    /// y = W·x + b over the flattened input.
    public struct Dense: Equatable, Sendable {
        public var name: String
        public var inputs: Int
        public var outputs: Int
        /// [outputs, inputs], row-major.
        public var weight: [Float]
        public var bias: [Float]

        public init(name: String, inputs: Int, outputs: Int, weight: [Float], bias: [Float]) {
            precondition(weight.count == inputs * outputs && bias.count == outputs, "dense \(name): weight or bias of the wrong size")
            self.name = name
            self.inputs = inputs
            self.outputs = outputs
            self.weight = weight
            self.bias = bias
        }
    }

    /// Stride-1 convolution with zero padding.
    public struct Conv: Equatable, Sendable {
        public var name: String
        public var inChannels: Int
        public var outChannels: Int
        public var kernelSize: Int
        public var padding: Int
        /// [out, in, k, k], row-major.
        public var weight: [Float]
        public var bias: [Float]

        public init(name: String, inChannels: Int, outChannels: Int, kernelSize: Int, padding: Int, weight: [Float], bias: [Float]) {
            precondition(weight.count == outChannels * inChannels * kernelSize * kernelSize && bias.count == outChannels,
                         "conv \(name): weight or bias of the wrong size")
            self.name = name
            self.inChannels = inChannels
            self.outChannels = outChannels
            self.kernelSize = kernelSize
            self.padding = padding
            self.weight = weight
            self.bias = bias
        }

        /// in·k·k: one output's inputs, the columns of the weight seen as a matrix.
        public var patchSize: Int { inChannels * kernelSize * kernelSize }
    }

    /// BatchNorm on running statistics: y = γ·(x − mean)/√(variance + ε) + β per channel.
    public struct BatchNorm: Equatable, Sendable {
        public var name: String
        public var gamma: [Float]
        public var beta: [Float]
        public var mean: [Float]
        public var variance: [Float]
        public var epsilon: Float

        public init(name: String, gamma: [Float], beta: [Float], mean: [Float], variance: [Float], epsilon: Float) {
            precondition(Set([gamma.count, beta.count, mean.count, variance.count]).count == 1, "batchnorm \(name): channel counts disagree")
            self.name = name
            self.gamma = gamma
            self.beta = beta
            self.mean = mean
            self.variance = variance
            self.epsilon = epsilon
        }

        public var channels: Int { gamma.count }
    }

    public enum Stage: Equatable, Sendable {
        case dense(Dense)
        case conv(Conv)
        case relu
        /// 2×2, stride 2 (odd edges dropped, as in training).
        case maxPool
        case batchNorm(BatchNorm)
    }

    /// Where the model came from, carried into every exported file.
    public struct Provenance: Equatable, Sendable, Codable {
        /// "lenet300", "lenet5", "vgglike".
        public var model: String
        /// The trimming rule applied, e.g. "mu:0.01".
        public var trim: String
        /// Σ weights / Σ kept weights of the trained model (before any shrinking).
        public var compression: Double
        /// Test error in percent when it is known (measured by `vdrop export`), else nil.
        public var testErrorPercent: Double?

        public init(model: String, trim: String, compression: Double, testErrorPercent: Double? = nil) {
            self.model = model
            self.trim = trim
            self.compression = compression
            self.testErrorPercent = testErrorPercent
        }
    }

    /// One sample as the data provides it, [channels, height, width].
    public var sampleShape: [Int]
    /// Nil: the stages read the whole sample. Otherwise the positions (in the flattened sample,
    /// ascending) of the values the first stage reads: a compact network drops the inputs no
    /// kept weight reads, and its first stage then takes `inputSelection.count` values.
    public var inputSelection: [Int]?
    public var stages: [Stage]
    public var provenance: Provenance

    public init(sampleShape: [Int], inputSelection: [Int]? = nil, stages: [Stage], provenance: Provenance) {
        self.sampleShape = sampleShape
        self.inputSelection = inputSelection
        self.stages = stages
        self.provenance = provenance
    }

    /// The shape the first stage reads for one sample: the sample's, or [selected] after a selection.
    public var stageInputShape: [Int] { inputSelection.map { [$0.count] } ?? sampleShape }

    /// Each stage's output shape for one sample (no batch), in order; the last is [classes].
    public var stageOutputShapes: [[Int]] {
        var shape = stageInputShape
        return stages.map { stage in
            switch stage {
            case .dense(let d): shape = [d.outputs]
            case .conv(let c):
                shape = [c.outChannels, shape[1] + 2 * c.padding - c.kernelSize + 1, shape[2] + 2 * c.padding - c.kernelSize + 1]
            case .maxPool: shape = [shape[0], shape[1] / 2, shape[2] / 2]
            case .relu, .batchNorm: break
            }
            return shape
        }
    }

    public var classes: Int { stageOutputShapes.last?.reduce(1, *) ?? stageInputShape.reduce(1, *) }

    /// Weights of the dense and conv stages (biases excluded), and how many are non-zero.
    public var weightCounts: (total: Int, nonZero: Int) {
        stages.reduce(into: (0, 0)) { counts, stage in
            let weight: [Float]
            switch stage {
            case .dense(let d): weight = d.weight
            case .conv(let c): weight = c.weight
            default: return
            }
            counts.0 += weight.count
            counts.1 += weight.reduce(0) { $0 + ($1 != 0 ? 1 : 0) }
        }
    }

    /// Stored numbers: weights, biases, BatchNorm's four vectors.
    public var parameterCount: Int {
        stages.reduce(0) { total, stage in
            switch stage {
            case .dense(let d): return total + d.weight.count + d.bias.count
            case .conv(let c): return total + c.weight.count + c.bias.count
            case .batchNorm(let b): return total + 4 * b.channels
            case .relu, .maxPool: return total
            }
        }
    }

    /// Multiply-adds of one sample's dense products and convolutions with every weight counted
    /// (`nonZeroOnly: false`, what a dense path does) or only the non-zero ones (a sparse path).
    public func multiplyAdds(nonZeroOnly: Bool) -> Int {
        var total = 0
        for (stage, output) in zip(stages, stageOutputShapes) {
            switch stage {
            case .dense(let d):
                total += nonZeroOnly ? d.weight.reduce(0) { $0 + ($1 != 0 ? 1 : 0) } : d.weight.count
            case .conv(let c):
                let weights = nonZeroOnly ? c.weight.reduce(0) { $0 + ($1 != 0 ? 1 : 0) } : c.weight.count
                total += weights * output[1] * output[2]
            default: break
            }
        }
        return total
    }
}
