import VDrop

/// Hand-built networks shaped like vdrop's models, with random weights of which only a
/// `density` fraction is non-zero (as trimming leaves them), for the inference tests.
enum SparseTestModels {
    /// `count` weights in -1…1, each kept with probability `density`, else exactly 0.
    static func weights(_ count: Int, density: Double, seed: UInt64) -> [Float] {
        let values = testValues(count, seed: seed, in: -1...1)
        let draws = testValues(count, seed: seed &+ 1000, in: 0...1)
        return zip(values, draws).map { Double($1) < density ? $0 : 0 }
    }

    static func dense(_ name: String, _ inputs: Int, _ outputs: Int, density: Double, seed: UInt64) -> InferenceModel.Stage {
        // Scaled by 1/√(kept inputs) so activations stay near 1 through the layers.
        let scale = Float(1 / max(1, (Double(inputs) * density)).squareRoot())
        return .dense(.init(name: name, inputs: inputs, outputs: outputs,
                            weight: weights(inputs * outputs, density: density, seed: seed).map { $0 * scale * 2 },
                            bias: testValues(outputs, seed: seed &+ 7, in: -0.1...0.1)))
    }

    static func conv(_ name: String, _ inChannels: Int, _ outChannels: Int, kernel: Int, padding: Int, density: Double, seed: UInt64) -> InferenceModel.Stage {
        let patch = inChannels * kernel * kernel
        let scale = Float(1 / max(1, (Double(patch) * density)).squareRoot())
        return .conv(.init(name: name, inChannels: inChannels, outChannels: outChannels, kernelSize: kernel, padding: padding,
                           weight: weights(outChannels * patch, density: density, seed: seed).map { $0 * scale * 2 },
                           bias: testValues(outChannels, seed: seed &+ 7, in: -0.1...0.1)))
    }

    static func batchNorm(_ name: String, channels: Int, seed: UInt64) -> InferenceModel.Stage {
        .batchNorm(.init(name: name, gamma: testValues(channels, seed: seed, in: 0.5...1.5), beta: testValues(channels, seed: seed + 1, in: -0.2...0.2),
                         mean: testValues(channels, seed: seed + 2, in: -0.3...0.3), variance: testValues(channels, seed: seed + 3, in: 0.5...2),
                         epsilon: 1e-5))
    }

    static func provenance(_ model: String) -> InferenceModel.Provenance { .init(model: model, trim: "mu", compression: 1) }

    /// 784 → 300 → 100 → 10 with ReLUs, 2% of the weights non-zero (LeNet-300 at ~50×).
    static var lenet300: InferenceModel {
        InferenceModel(sampleShape: [1, 28, 28], stages: [
            dense("dense1", 784, 300, density: 0.02, seed: 1), .relu,
            dense("dense2", 300, 100, density: 0.05, seed: 2), .relu,
            dense("dense3", 100, 10, density: 0.2, seed: 3),
        ], provenance: provenance("lenet300"))
    }

    /// LeNet-5: conv 20@5×5, ReLU, pool, conv 50@5×5, ReLU, pool, dense 800→500→10, ~90% zeros.
    static var lenet5: InferenceModel {
        InferenceModel(sampleShape: [1, 28, 28], stages: [
            conv("conv1", 1, 20, kernel: 5, padding: 0, density: 0.3, seed: 11), .relu, .maxPool,
            conv("conv2", 20, 50, kernel: 5, padding: 0, density: 0.05, seed: 12), .relu, .maxPool,
            dense("dense1", 800, 500, density: 0.02, seed: 13), .relu,
            dense("dense2", 500, 10, density: 0.1, seed: 14),
        ], provenance: provenance("lenet5"))
    }

    /// VGG-like in small: padded 3×3 convs with BatchNorm, pools, and a dense layer with BatchNorm.
    static var vgglike: InferenceModel {
        InferenceModel(sampleShape: [3, 8, 8], stages: [
            conv("conv1", 3, 8, kernel: 3, padding: 1, density: 0.3, seed: 21), batchNorm("bn1", channels: 8, seed: 22), .relu, .maxPool,
            conv("conv2", 8, 16, kernel: 3, padding: 1, density: 0.1, seed: 23), batchNorm("bn2", channels: 16, seed: 24), .relu, .maxPool,
            dense("dense1", 64, 32, density: 0.1, seed: 25), batchNorm("bn3", channels: 32, seed: 26), .relu,
            dense("dense2", 32, 10, density: 0.3, seed: 27),
        ], provenance: provenance("vgglike"))
    }

    /// A compact-style network: it reads 98 of the 784 pixels; its first layer has empty rows
    /// (outputs with no weight: the bias alone) and its second layer is all zeros.
    static var selectedWithEmptyRows: InferenceModel {
        let selection = stride(from: 3, to: 784, by: 8).map { $0 }
        guard case .dense(var first) = dense("dense1", selection.count, 40, density: 0.1, seed: 31) else { preconditionFailure() }
        for row in stride(from: 0, to: 40, by: 3) {
            for i in 0..<first.inputs { first.weight[row * first.inputs + i] = 0 }
        }
        guard case .dense(var second) = dense("dense2", 40, 20, density: 1, seed: 32) else { preconditionFailure() }
        second.weight = [Float](repeating: 0, count: second.weight.count)
        return InferenceModel(sampleShape: [1, 28, 28], inputSelection: selection, stages: [
            .dense(first), .relu, .dense(second), .relu, dense("dense3", 20, 10, density: 0.5, seed: 33),
        ], provenance: provenance("lenet300"))
    }
}
