import VDrop
import XCTest

/// A conv layer with its ReLU and 2×2 max-pool fused (``ConvActivation/reluMaxPool``) gives what a
/// conv layer with a fused ReLU followed by a max-pool layer gives: bit for bit on one backend (the
/// same noise, the same arithmetic, the same tie-break), and within rounding across backends.
final class FusedMaxPoolTests: XCTestCase {
    private static let names = ["pooled output", "argmax", "noise scale", "∂θ", "∂b", "∂x", "∂σ²"]

    /// Odd output heights and widths (a last row or column no window covers), then LeNet-5's two layers.
    private static let geometries = [
        ConvGeometry(batch: 3, inChannels: 4, height: 9, width: 8, outChannels: 6, kernelSize: 3, padding: 0),   // 7×6
        ConvGeometry(batch: 2, inChannels: 3, height: 8, width: 11, outChannels: 5, kernelSize: 3, padding: 1),  // 8×11
        ConvGeometry(batch: 2, inChannels: 2, height: 5, width: 5, outChannels: 7, kernelSize: 3, padding: 0),   // 3×3
        ConvGeometry(batch: 2, inChannels: 1, height: 28, width: 28, outChannels: 20, kernelSize: 5, padding: 0),
        ConvGeometry(batch: 2, inChannels: 20, height: 12, width: 12, outChannels: 50, kernelSize: 5, padding: 0),
    ]

    /// Pooled output, argmax, the noise scale of every pre-pool element, then ∂θ, ∂b, ∂x (and ∂σ² with noise)
    /// after one forward and one backward pass.
    private func run(_ backend: any Backend, geometry g: ConvGeometry, fused: Bool, noise: WeightNoise) throws -> [[Float]] {
        let count = g.weightShape.reduce(1, *)
        let weights = LRTWeights(theta: try backend.tensor(testValues(count, seed: 11, in: -0.3...0.3), shape: g.weightShape),
                                 variance: try backend.tensor(testValues(count, seed: 12, in: 0.001...0.01), shape: g.weightShape),
                                 bias: try backend.tensor(testValues(g.outChannels, seed: 13, in: -0.2...0.2), shape: [g.outChannels]))
        let input = try backend.tensor(testValues(g.inputShape.reduce(1, *), seed: 14), shape: g.inputShape)
        let pooledShape = ConvActivation.reluMaxPool.outputShape(g)
        let pooled = try backend.allocate(pooledShape)
        let gradPooled = try backend.tensor(testValues(pooledShape.reduce(1, *), seed: 15), shape: pooledShape)
        let gradients = LRTGradients(theta: try backend.allocate(g.weightShape), variance: try backend.allocate(g.weightShape),
                                     bias: try backend.allocate([g.outChannels]))
        let gradInput = try backend.allocate(g.inputShape)
        let key = NoiseKey(seed: 8, step: 3, stream: 1)
        let workspace: ConvWorkspace, argmax: Tensor
        if fused {
            workspace = try ConvWorkspace(backend: backend, geometry: g, activation: .reluMaxPool)
            argmax = try XCTUnwrap(workspace.argmax, "a fused max-pool's workspace holds its argmax")
            try backend.convForward(input: input, weights: weights, geometry: g, noise: noise, key: key, output: pooled,
                                    workspace: workspace, activation: .reluMaxPool)
            try backend.convBackward(input: input, weights: weights, geometry: g, noise: noise, gradOutput: gradPooled, output: pooled,
                                     workspace: workspace, gradients: gradients, gradInput: gradInput, activation: .reluMaxPool)
        } else {
            workspace = try ConvWorkspace(backend: backend, geometry: g, activation: .relu)
            XCTAssertNil(workspace.argmax, "only a fused max-pool needs an argmax")
            argmax = try backend.allocate(pooledShape)
            let activated = try backend.allocate(g.outputShape), gradActivated = try backend.allocate(g.outputShape)
            try backend.convForward(input: input, weights: weights, geometry: g, noise: noise, key: key, output: activated,
                                    workspace: workspace, activation: .relu)
            try backend.maxPoolForward(input: activated, output: pooled, argmax: argmax)
            try backend.maxPoolBackward(gradOutput: gradPooled, argmax: argmax, gradInput: gradActivated)
            try backend.convBackward(input: input, weights: weights, geometry: g, noise: noise, gradOutput: gradActivated, output: activated,
                                     workspace: workspace, gradients: gradients, gradInput: gradInput, activation: .relu)
        }
        var results = [try backend.download(pooled), try backend.download(argmax), try backend.download(workspace.noiseScale),
                       try backend.download(gradients.theta), try backend.download(gradients.bias), try backend.download(gradInput)]
        if noise != .deterministic { results.append(try backend.download(gradients.variance)) }
        return results
    }

    func testFusedMaxPoolEqualsAConvWithReLUAndAMaxPoolLayer() throws {
        var backends: [any Backend] = [TestBackends.cpu]
        if let openCL = try? TestBackends.openCL() { backends.append(openCL) }
        for g in Self.geometries {
            for noise in [WeightNoise.lrt, .gaussian(alpha: 0.5), .deterministic] {
                let reference = try run(TestBackends.cpu, geometry: g, fused: false, noise: noise)
                // Inputs that exercise every branch: windows cut to 0 by the ReLU (a tie the first position
                // wins) and positive ones, won at every position.
                XCTAssertTrue(reference[0].contains(0) && reference[0].contains { $0 > 0 }, "\(g): the ReLU should cut some windows")
                XCTAssertEqual(Set(reference[1]), [0, 1, 2, 3], "\(g): every window position should win somewhere")
                for backend in backends {
                    let unfused = backend is CPUBackend ? reference : try run(backend, geometry: g, fused: false, noise: noise)
                    let fused = try run(backend, geometry: g, fused: true, noise: noise)
                    for (index, values) in fused.enumerated() {
                        let what = "\(backend.name) \(noise) \(g.outHeight)×\(g.outWidth) fused \(Self.names[index])"
                        // The same draws and the same operations in the same order: no rounding difference at all.
                        assertClose(values, unfused[index], atol: 0, rtol: 0, what + " vs unfused")
                        // Across backends, as FusedReLUTests: sums of up to 500 (20·5·5) products in different orders.
                        assertClose(values, reference[index], atol: 2e-5, rtol: 1e-4, what + " vs cpu")
                    }
                }
            }
        }
    }

    /// A network fuses a max-pool into a conv layer only right after the conv's own ReLU: LeNet-5's two
    /// pools, not a pool after BatchNorm and ReLU (VGG-like's) nor one after a conv without a ReLU.
    func testNetworksFuseAPoolOnlyIntoAConvWithItsReLU() throws {
        let lenet5 = try Network(model: .lenet5, batch: 2, backend: TestBackends.cpu)
        XCTAssertEqual(lenet5.layers.map(\.name), ["conv1 1→20@5×5 +relu +maxpool", "conv2 20→50@5×5 +relu +maxpool",
                                                   "dense3 800→500 +relu", "dense4 500→10"])
        XCTAssertEqual(lenet5.layers.map(\.outputShape), [[2, 20, 12, 12], [2, 50, 4, 4], [2, 500], [2, 10]])

        let specs: [LayerSpec] = [.conv(outChannels: 4, kernelSize: 3, padding: 0), .relu, .maxPool,
                                  .conv(outChannels: 6, kernelSize: 3, padding: 1), .batchNorm, .relu, .maxPool,
                                  .conv(outChannels: 5, kernelSize: 1, padding: 0), .maxPool, .dense(outputs: 10)]
        let network = try Network(specs: specs, sampleShape: [2, 13, 13], batch: 3, backend: TestBackends.cpu)
        XCTAssertEqual(network.layers.map(\.name), ["conv1 2→4@3×3 +relu +maxpool", "conv2 4→6@3×3", "bn1 6 +relu", "maxpool",
                                                    "conv3 6→5@1×1", "maxpool", "dense4 5→10"])
        XCTAssertEqual(network.layers.map(\.outputShape), [[3, 4, 5, 5], [3, 6, 5, 5], [3, 6, 5, 5], [3, 6, 2, 2],
                                                           [3, 5, 2, 2], [3, 5, 1, 1], [3, 10]])
    }
}
