import VDrop
import XCTest

/// BatchNorm with its ReLU fused (VGG-like's BatchNorm → ReLU) gives what a BatchNorm followed by a
/// ReLU layer gives: bit for bit on one backend (the same arithmetic, the same mask), within the
/// BatchNorm tests' tolerances across backends; and a network built either way trains the same.
final class FusedBatchNormReLUTests: XCTestCase {
    private static let names = ["training output", "saved mean", "saved 1/std", "running mean", "running variance",
                                "∂x", "∂γ", "∂β", "evaluation output"]
    private let momentum: Float = 0.1, epsilon: Float = 1e-5

    /// Conv-like [B, C, H·W] with B·S = 48, and dense-like [batch, features] (S = 1).
    private static let shapes = [[4, 5, 12], [6, 7, 1]]

    /// A training forward, a backward and an evaluation forward (with the running statistics the
    /// training pass left), fused or as BatchNorm then a ReLU layer; every value they write, in
    /// the order of ``names``.
    private func run(_ backend: any Backend, shape: [Int], fused: Bool) throws -> [[Float]] {
        let count = shape.reduce(1, *), channels = shape[1]
        // Each channel its own offset, so some channels are mostly cut and others mostly kept.
        let x = testValues(count, seed: 41).enumerated().map { i, v in v * 2 + Float((i / shape[2]) % channels) * 0.3 - 0.8 }
        let input = try backend.tensor(x, shape: shape)
        let gamma = try backend.tensor(testValues(channels, seed: 42, in: 0.5...1.5), shape: [channels])
        let beta = try backend.tensor(testValues(channels, seed: 43, in: -0.5...0.5), shape: [channels])
        let runningMean = try backend.tensor([Float](repeating: 0, count: channels), shape: [channels])
        let runningVariance = try backend.tensor([Float](repeating: 1, count: channels), shape: [channels])
        let saved = try BatchNormSaved(backend: backend, channels: channels)
        let output = try backend.allocate(shape), evaluation = try backend.allocate(shape)
        let gradOutput = try backend.tensor(testValues(count, seed: 44), shape: shape)
        let gradInput = try backend.allocate(shape)
        let gradGamma = try backend.allocate([channels]), gradBeta = try backend.allocate([channels])
        func forward(into destination: Tensor, training: Bool) throws {
            try backend.batchNormForward(input: input, gamma: gamma, beta: beta, output: destination, runningMean: runningMean,
                                         runningVariance: runningVariance, saved: saved, training: training,
                                         momentum: momentum, epsilon: epsilon, activation: fused ? .relu : .none)
            // The network's ReLU layer works in place on the BatchNorm's output.
            if !fused { try backend.reluForward(input: destination, output: destination) }
        }
        try forward(into: output, training: true)
        if fused {
            try backend.batchNormBackward(input: input, gamma: gamma, gradOutput: gradOutput, output: output, saved: saved,
                                          gradInput: gradInput, gradGamma: gradGamma, gradBeta: gradBeta, activation: .relu)
        } else {
            let gradLinear = try backend.allocate(shape)
            try backend.reluBackward(output: output, gradOutput: gradOutput, gradInput: gradLinear)
            try backend.batchNormBackward(input: input, gamma: gamma, gradOutput: gradLinear, saved: saved,
                                          gradInput: gradInput, gradGamma: gradGamma, gradBeta: gradBeta)
        }
        try forward(into: evaluation, training: false)
        return try [output, saved.mean, saved.inverseStd, runningMean, runningVariance, gradInput, gradGamma, gradBeta, evaluation]
            .map { try backend.download($0) }
    }

    func testFusedEqualsBatchNormThenAReLULayerBitForBit() throws {
        var backends: [any Backend] = [TestBackends.cpu]
        if let openCL = try? TestBackends.openCL() { backends.append(openCL) }
        for shape in Self.shapes {
            for backend in backends {
                let separate = try run(backend, shape: shape, fused: false)
                XCTAssertTrue(separate[0].contains(0) && separate[0].contains { $0 > 0 }, "\(shape): the ReLU should cut some outputs")
                XCTAssertTrue(separate[8].contains(0) && separate[8].contains { $0 > 0 }, "\(shape): the ReLU should cut some outputs in evaluation")
                let fused = try run(backend, shape: shape, fused: true)
                for (index, values) in fused.enumerated() {
                    // The same operations on the same values: not one bit may differ (bit patterns, so -0 ≠ +0 too).
                    XCTAssertEqual(values.map(\.bitPattern), separate[index].map(\.bitPattern),
                                   "\(backend.name) \(shape) fused \(Self.names[index]) vs BatchNorm then ReLU")
                }
            }
        }
    }

    func testOpenCLFusedMatchesCPUFused() throws {
        let gpu = try TestBackends.openCL()
        for shape in Self.shapes {
            let a = try run(gpu, shape: shape, fused: true), b = try run(TestBackends.cpu, shape: shape, fused: true)
            // BatchNormTests' tolerances: outputs and statistics to 1e-5 + 1e-5·|b|, ∂γ and ∂β (sums
            // over n) to 1e-4, ∂x to 2e-5 + 1e-4·|b|.
            let tolerances: [(atol: Float, rtol: Float)] = [(1e-5, 1e-5), (1e-5, 1e-5), (1e-5, 1e-5), (1e-5, 1e-5), (1e-5, 1e-5),
                                                            (2e-5, 1e-4), (1e-4, 1e-5), (1e-4, 1e-5), (1e-5, 1e-5)]
            for index in a.indices {
                assertClose(a[index], b[index], atol: tolerances[index].atol, rtol: tolerances[index].rtol,
                            "opencl vs cpu fused \(Self.names[index]) \(shape)")
            }
        }
    }

    /// A small network with BatchNorm → ReLU after a conv and after a dense layer: built fused and
    /// unfused, one training step gives the same logits, gradients and running statistics.
    func testANetworkTrainsTheSameFusedOrNot() throws {
        let specs: [LayerSpec] = [.conv(outChannels: 4, kernelSize: 3, padding: 1), .batchNorm, .relu, .maxPool,
                                  .dense(outputs: 6), .batchNorm, .relu, .dense(outputs: 3)]
        var backends: [any Backend] = [TestBackends.cpu]
        if let openCL = try? TestBackends.openCL() { backends.append(openCL) }
        for backend in backends {
            var results: [[[Float]]] = []
            for fuse in [true, false] {
                let plan = ModelPlan(specs: specs, sampleShape: [2, 6, 6], batch: 3, fuseBatchNormReLU: fuse)
                let network = try Network(plan: plan, backend: backend)
                XCTAssertEqual(network.layers.count, fuse ? 6 : 8)
                try network.initializeParameters(seed: 5)
                try backend.upload(testValues(network.input.count, seed: 46), to: network.input)
                try backend.upload([0, 2, 1], to: network.labels)
                let settings = StepSettings(objective: .svdo, seed: 7, step: 0, datasetSize: 60, learningRate: 1e-3, regularizerWeight: 1)
                try network.computeGradients(settings, recordLoss: false)
                results.append(try [network.logits, network.arena.gradients, network.state].map { try backend.download($0) })
            }
            for (index, name) in ["logits", "gradients", "running statistics"].enumerated() {
                XCTAssertEqual(results[0][index].map(\.bitPattern), results[1][index].map(\.bitPattern), "\(backend.name) fused vs unfused \(name)")
            }
        }
    }
}
