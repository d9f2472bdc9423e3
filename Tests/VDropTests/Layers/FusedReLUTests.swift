import VDrop
import XCTest

/// A dense layer with its ReLU fused gives what a dense layer followed by a ReLU layer gives.
final class FusedReLUTests: XCTestCase {
    private struct Result { var values: [[Float]] }

    /// Forward output and every gradient of a 9×37→21 dense layer, fused or as two layers.
    private func run(_ backend: any Backend, fused: Bool, noise: WeightNoise) throws -> [[Float]] {
        let (batch, inputs, outputs) = (9, 37, 21)
        let weights = LRTWeights(theta: try backend.tensor(testValues(outputs * inputs, seed: 1, in: -0.3...0.3), shape: [outputs, inputs]),
                                 variance: try backend.tensor(testValues(outputs * inputs, seed: 2, in: 0.001...0.01), shape: [outputs, inputs]),
                                 bias: try backend.tensor(testValues(outputs, seed: 3), shape: [outputs]))
        let input = try backend.tensor(testValues(batch * inputs, seed: 4), shape: [batch, inputs])
        let workspace = try DenseWorkspace(backend: backend, batch: batch, inputs: inputs, outputs: outputs)
        let output = try backend.allocate([batch, outputs])
        let gradOutput = try backend.tensor(testValues(batch * outputs, seed: 5), shape: [batch, outputs])
        let gradients = LRTGradients(theta: try backend.allocate([outputs, inputs]), variance: try backend.allocate([outputs, inputs]),
                                     bias: try backend.allocate([outputs]))
        let gradInput = try backend.allocate([batch, inputs])
        let key = NoiseKey(seed: 8, step: 1, stream: 2)
        if fused {
            try backend.denseForward(input: input, weights: weights, noise: noise, key: key, output: output, workspace: workspace, activation: .relu)
            try backend.denseBackward(input: input, weights: weights, noise: noise, gradOutput: gradOutput, output: output,
                                      workspace: workspace, gradients: gradients, gradInput: gradInput, activation: .relu)
        } else {
            let linear = try backend.allocate([batch, outputs]), gradLinear = try backend.allocate([batch, outputs])
            try backend.denseForward(input: input, weights: weights, noise: noise, key: key, output: linear, workspace: workspace)
            try backend.reluForward(input: linear, output: output)
            try backend.reluBackward(output: output, gradOutput: gradOutput, gradInput: gradLinear)
            try backend.denseBackward(input: input, weights: weights, noise: noise, gradOutput: gradLinear,
                                      workspace: workspace, gradients: gradients, gradInput: gradInput)
        }
        var results = [try backend.download(output), try backend.download(gradients.theta), try backend.download(gradients.bias),
                       try backend.download(gradInput)]
        if noise != .deterministic { results.append(try backend.download(gradients.variance)) }
        return results
    }

    func testFusedReLUEqualsADenseLayerAndAReLULayer() throws {
        var backends: [any Backend] = [TestBackends.cpu]
        if let openCL = try? TestBackends.openCL() { backends.append(openCL) }
        let names = ["output", "∂θ", "∂b", "∂x", "∂σ²"]
        for noise in [WeightNoise.lrt, .gaussian(alpha: 0.5), .deterministic] {
            let reference = try run(TestBackends.cpu, fused: false, noise: noise)
            XCTAssertTrue(reference[0].contains(0) && reference[0].contains { $0 > 0 }, "the ReLU should cut some outputs")
            for backend in backends {
                let fused = try run(backend, fused: true, noise: noise)
                for (index, values) in fused.enumerated() {
                    // Sums of 37 or 9 products of values below 1: the two orders of summation differ below 1e-5.
                    assertClose(values, reference[index], atol: 1e-5, rtol: 1e-4, "\(backend.name) \(noise) fused \(names[index])")
                }
            }
        }
    }

    /// The same for a 5×5 convolution: 3 images of 4×9×8 to 6 channels, padding 1.
    private func runConv(_ backend: any Backend, fused: Bool, noise: WeightNoise) throws -> [[Float]] {
        let g = ConvGeometry(batch: 3, inChannels: 4, height: 9, width: 8, outChannels: 6, kernelSize: 5, padding: 1)
        let count = g.weightShape.reduce(1, *)
        let weights = LRTWeights(theta: try backend.tensor(testValues(count, seed: 1, in: -0.3...0.3), shape: g.weightShape),
                                 variance: try backend.tensor(testValues(count, seed: 2, in: 0.001...0.01), shape: g.weightShape),
                                 bias: try backend.tensor(testValues(6, seed: 3), shape: [6]))
        let input = try backend.tensor(testValues(g.inputShape.reduce(1, *), seed: 4), shape: g.inputShape)
        let workspace = try ConvWorkspace(backend: backend, geometry: g)
        let output = try backend.allocate(g.outputShape)
        let gradOutput = try backend.tensor(testValues(g.outputShape.reduce(1, *), seed: 5), shape: g.outputShape)
        let gradients = LRTGradients(theta: try backend.allocate(g.weightShape), variance: try backend.allocate(g.weightShape),
                                     bias: try backend.allocate([6]))
        let gradInput = try backend.allocate(g.inputShape)
        let key = NoiseKey(seed: 8, step: 1, stream: 2)
        if fused {
            try backend.convForward(input: input, weights: weights, geometry: g, noise: noise, key: key, output: output,
                                    workspace: workspace, activation: .relu)
            try backend.convBackward(input: input, weights: weights, geometry: g, noise: noise, gradOutput: gradOutput, output: output,
                                     workspace: workspace, gradients: gradients, gradInput: gradInput, activation: .relu)
        } else {
            let linear = try backend.allocate(g.outputShape), gradLinear = try backend.allocate(g.outputShape)
            try backend.convForward(input: input, weights: weights, geometry: g, noise: noise, key: key, output: linear, workspace: workspace)
            try backend.reluForward(input: linear, output: output)
            try backend.reluBackward(output: output, gradOutput: gradOutput, gradInput: gradLinear)
            try backend.convBackward(input: input, weights: weights, geometry: g, noise: noise, gradOutput: gradLinear,
                                     workspace: workspace, gradients: gradients, gradInput: gradInput)
        }
        var results = [try backend.download(output), try backend.download(gradients.theta), try backend.download(gradients.bias),
                       try backend.download(gradInput)]
        if noise != .deterministic { results.append(try backend.download(gradients.variance)) }
        return results
    }

    func testFusedReLUInAConvEqualsAConvAndAReLULayer() throws {
        var backends: [any Backend] = [TestBackends.cpu]
        if let openCL = try? TestBackends.openCL() { backends.append(openCL) }
        let names = ["output", "∂θ", "∂b", "∂x", "∂σ²"]
        for noise in [WeightNoise.lrt, .gaussian(alpha: 0.5), .deterministic] {
            let reference = try runConv(TestBackends.cpu, fused: false, noise: noise)
            XCTAssertTrue(reference[0].contains(0) && reference[0].contains { $0 > 0 }, "the ReLU should cut some outputs")
            for backend in backends {
                let fused = try runConv(backend, fused: true, noise: noise)
                for (index, values) in fused.enumerated() {
                    // Sums of up to 100 products (4·5·5) of values below 1, in different orders.
                    assertClose(values, reference[index], atol: 2e-5, rtol: 1e-4, "\(backend.name) \(noise) fused conv \(names[index])")
                }
            }
        }
    }
}
