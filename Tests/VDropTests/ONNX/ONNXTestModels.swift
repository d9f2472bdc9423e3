@testable import VDrop

/// Small networks of vdrop's three shapes (dense chain; conv/pool then dense; conv/BatchNorm
/// blocks then dense/BatchNorm), with seeded random weights of which every third is exactly 0,
/// as trimming leaves them. Small so a test encodes and runs them in milliseconds.
enum ONNXTestModels {
    /// A fixed-seed generator (SplitMix64), so a failure reproduces.
    struct Values {
        var state: UInt64
        mutating func next() -> Float {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            return Float(z >> 40) / Float(1 << 24) - 0.5
        }
        mutating func weights(_ count: Int) -> [Float] { (0..<count).map { $0 % 3 == 2 ? 0 : next() } }
        mutating func positive(_ count: Int) -> [Float] { (0..<count).map { _ in next() + 0.75 } }
    }

    static func dense(_ name: String, _ inputs: Int, _ outputs: Int, _ values: inout Values) -> InferenceModel.Stage {
        .dense(.init(name: name, inputs: inputs, outputs: outputs, weight: values.weights(inputs * outputs), bias: values.weights(outputs)))
    }

    static func conv(_ name: String, _ inChannels: Int, _ outChannels: Int, k: Int, padding: Int, _ values: inout Values) -> InferenceModel.Stage {
        .conv(.init(name: name, inChannels: inChannels, outChannels: outChannels, kernelSize: k, padding: padding,
                    weight: values.weights(outChannels * inChannels * k * k), bias: values.weights(outChannels)))
    }

    static func batchNorm(_ name: String, _ channels: Int, _ values: inout Values) -> InferenceModel.Stage {
        .batchNorm(.init(name: name, gamma: values.positive(channels), beta: values.weights(channels), mean: values.weights(channels),
                         variance: values.positive(channels), epsilon: 1e-5))
    }

    /// LeNet-300-100's shape: 1×6×6 → 20 → 12 → 4.
    static func lenet300(seed: UInt64 = 1) -> InferenceModel {
        var v = Values(state: seed)
        return InferenceModel(sampleShape: [1, 6, 6],
                              stages: [dense("dense1", 36, 20, &v), .relu, dense("dense2", 20, 12, &v), .relu, dense("dense3", 12, 4, &v)],
                              provenance: .init(model: "lenet300", trim: "mu:0.01", compression: 52.25, testErrorPercent: 1.87))
    }

    /// LeNet-5's shape: 1×12×12, conv 5×5 → pool → conv 3×3 pad 1 → pool → 16 → 6 → 3.
    static func lenet5(seed: UInt64 = 2) -> InferenceModel {
        var v = Values(state: seed)
        return InferenceModel(sampleShape: [1, 12, 12],
                              stages: [conv("conv1", 1, 3, k: 5, padding: 0, &v), .relu, .maxPool,
                                       conv("conv2", 3, 4, k: 3, padding: 1, &v), .relu, .maxPool,
                                       dense("dense1", 16, 6, &v), .relu, dense("dense2", 6, 3, &v)],
                              provenance: .init(model: "lenet5", trim: "logalpha:3", compression: 9.5))
    }

    /// VGG-like's shape: 3×9×9 (odd, so pooling drops an edge), conv/BN/relu blocks, then dense/BN/relu/dense.
    static func vgglike(seed: UInt64 = 3) -> InferenceModel {
        var v = Values(state: seed)
        return InferenceModel(sampleShape: [3, 9, 9],
                              stages: [conv("conv1", 3, 4, k: 3, padding: 1, &v), batchNorm("bn1", 4, &v), .relu,
                                       conv("conv2", 4, 5, k: 3, padding: 1, &v), batchNorm("bn2", 5, &v), .relu, .maxPool,
                                       dense("dense1", 80, 7, &v), batchNorm("bn3", 7, &v), .relu, dense("dense2", 7, 10, &v)],
                              provenance: .init(model: "vgglike", trim: "mu:0.01", compression: 48.125, testErrorPercent: 7.5))
    }

    /// A compact LeNet-300: reads 9 of the 36 input values, then 9 → 5 → 4.
    static func compactLenet300(seed: UInt64 = 4) -> InferenceModel {
        var v = Values(state: seed)
        return InferenceModel(sampleShape: [1, 6, 6], inputSelection: [0, 3, 7, 8, 14, 20, 21, 30, 35],
                              stages: [dense("dense1", 9, 5, &v), .relu, dense("dense2", 5, 4, &v), .relu, dense("dense3", 4, 4, &v)],
                              provenance: .init(model: "lenet300", trim: "mu:0.01", compression: 52.25, testErrorPercent: 1.87))
    }

    static var all: [(String, InferenceModel)] {
        [("lenet300", lenet300()), ("lenet5", lenet5()), ("vgglike", vgglike()), ("compact lenet300", compactLenet300())]
    }

    /// `count` samples of `model`'s shape, in about [−1, 1].
    static func samples(for model: InferenceModel, count: Int, seed: UInt64 = 9) -> [Float] {
        var v = Values(state: seed)
        return (0..<(count * model.sampleShape.reduce(1, *))).map { _ in 2 * v.next() }
    }
}
