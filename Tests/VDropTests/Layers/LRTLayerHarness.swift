import Foundation
import VDrop
import XCTest

/// The inputs of one LRT layer test, drawn from Philox so a failure reproduces exactly.
struct LRTLayerInputs {
    var x: [Float]
    var theta: [Float]
    /// log σ² in [−4, −1]: σ² between 0.02 and 0.37, so the noise is far from negligible.
    var logSigma2: [Float]
    var bias: [Float]
    /// ∂L/∂out fed to backward.
    var grad: [Float]

    init(_ shape: LRTLayerShape, seed: UInt64) {
        x = testValues(shape.inputCount, seed: seed)
        theta = testValues(shape.weightCount, seed: seed + 1, in: -0.5...0.5)
        logSigma2 = testValues(shape.weightCount, seed: seed + 2, in: -4 ... -1)
        bias = testValues(shape.biasCount, seed: seed + 3, in: -0.5...0.5)
        grad = testValues(shape.outputCount, seed: seed + 4)
    }
}

/// A dense layer [batch, in] → [batch, out] or a conv layer of some geometry.
enum LRTLayerShape: CustomStringConvertible {
    case dense(batch: Int, inputs: Int, outputs: Int)
    case conv(ConvGeometry)

    var inputCount: Int {
        switch self {
        case .dense(let batch, let inputs, _): return batch * inputs
        case .conv(let g): return g.inputShape.reduce(1, *)
        }
    }
    var weightCount: Int {
        switch self {
        case .dense(_, let inputs, let outputs): return inputs * outputs
        case .conv(let g): return g.weightShape.reduce(1, *)
        }
    }
    var biasCount: Int {
        switch self {
        case .dense(_, _, let outputs): return outputs
        case .conv(let g): return g.outChannels
        }
    }
    var batch: Int {
        switch self {
        case .dense(let batch, _, _): return batch
        case .conv(let g): return g.batch
        }
    }
    var outputCount: Int {
        switch self {
        case .dense(let batch, _, let outputs): return batch * outputs
        case .conv(let g): return g.outputShape.reduce(1, *)
        }
    }

    var description: String {
        switch self {
        case .dense(let batch, let inputs, let outputs): return "dense \(batch)×\(inputs)→\(outputs)"
        case .conv(let g):
            return "conv \(g.batch)×\(g.inChannels)×\(g.height)×\(g.width)→\(g.outChannels) k\(g.kernelSize) pad\(g.padding)"
        }
    }
}

/// What one forward and backward pass of a backend produced, downloaded.
struct LRTLayerRun {
    var variance: [Float]
    var output: [Float]
    var noiseScale: [Float]
    var gradTheta: [Float]
    var gradVariance: [Float]
    var gradBias: [Float]
    /// Empty when the pass had no ∂L/∂x to write.
    var gradInput: [Float]
}

/// What ∂L/∂σ² is filled with before backward, to see that `.deterministic` leaves it alone.
let untouchedGradVariance: Float = 7

/// Runs `weightVariance`, forward and backward of one layer on `backend`.
/// Under `.deterministic` σ² is set to exp(log σ²) by hand, so a layer that read it would show.
func runLRTLayer<B: LRTLayerOperations>(_ backend: B, _ shape: LRTLayerShape, _ inputs: LRTLayerInputs,
                                        noise: WeightNoise, key: NoiseKey, gradInput wantsGradInput: Bool = true) throws -> LRTLayerRun {
    let weightShape: [Int], inputShape: [Int], outputShape: [Int]
    switch shape {
    case .dense(let batch, let i, let o): (weightShape, inputShape, outputShape) = ([o, i], [batch, i], [batch, o])
    case .conv(let g): (weightShape, inputShape, outputShape) = (g.weightShape, g.inputShape, g.outputShape)
    }
    let x = try backend.tensor(inputs.x, shape: inputShape)
    let theta = try backend.tensor(inputs.theta, shape: weightShape)
    let logSigma2 = try backend.tensor(inputs.logSigma2, shape: weightShape)
    let variance = try backend.allocate(weightShape)
    if noise == .deterministic {
        try backend.upload(inputs.logSigma2.map { exp($0) }, to: variance)
    } else {
        try backend.weightVariance(theta: theta, logSigma2: logSigma2, noise: noise, into: variance)
    }
    let weights = LRTWeights(theta: theta, variance: variance, bias: try backend.tensor(inputs.bias, shape: [shape.biasCount]))
    let output = try backend.allocate(outputShape)
    let grad = try backend.tensor(inputs.grad, shape: outputShape)
    let gradients = LRTGradients(theta: try backend.allocate(weightShape), variance: try backend.allocate(weightShape),
                                 bias: try backend.allocate([shape.biasCount]))
    try backend.fill(gradients.variance, with: untouchedGradVariance)
    let gradInput = wantsGradInput ? try backend.allocate(inputShape) : nil

    switch shape {
    case .dense(let batch, let i, let o):
        let workspace = try DenseWorkspace(backend: backend, batch: batch, inputs: i, outputs: o)
        try backend.denseForward(input: x, weights: weights, noise: noise, key: key, output: output, workspace: workspace)
        let savedNoiseScale = try backend.download(workspace.noiseScale)
        try backend.denseBackward(input: x, weights: weights, noise: noise, gradOutput: grad, workspace: workspace,
                                  gradients: gradients, gradInput: gradInput)
        return try finish(savedNoiseScale)
    case .conv(let g):
        let workspace = try ConvWorkspace(backend: backend, geometry: g)
        try backend.convForward(input: x, weights: weights, geometry: g, noise: noise, key: key, output: output, workspace: workspace)
        let savedNoiseScale = try backend.download(workspace.noiseScale)
        try backend.convBackward(input: x, weights: weights, geometry: g, noise: noise, gradOutput: grad, workspace: workspace,
                                 gradients: gradients, gradInput: gradInput)
        return try finish(savedNoiseScale)
    }

    func finish(_ savedNoiseScale: [Float]) throws -> LRTLayerRun {
        LRTLayerRun(variance: try backend.download(variance), output: try backend.download(output), noiseScale: savedNoiseScale,
                    gradTheta: try backend.download(gradients.theta), gradVariance: try backend.download(gradients.variance),
                    gradBias: try backend.download(gradients.bias),
                    gradInput: try gradInput.map { try backend.download($0) } ?? [])
    }
}

/// The noise modes every test runs: free σ², σ² = α·θ², none.
let allWeightNoises: [WeightNoise] = [.lrt, .gaussian(alpha: 0.3), .deterministic]

/// The Double reference's σ², forward and backward for `inputs`, with ε taken from `key` as the backends draw it.
func lrtLayerReference(_ shape: LRTLayerShape, _ inputs: LRTLayerInputs, noise: WeightNoise, key: NoiseKey)
    -> (variance: [Double], forward: LRTLayerReference.Forward, gradients: LRTLayerReference.Gradients) {
    typealias Reference = LRTLayerReference
    let mode = Reference.Mode(noise)
    let x = inputs.x.map(Double.init), theta = inputs.theta.map(Double.init), bias = inputs.bias.map(Double.init)
    let grad = inputs.grad.map(Double.init)
    let variance = Reference.weightVariance(theta: theta, logSigma2: inputs.logSigma2.map(Double.init), mode: mode)
    let epsilon = (0..<shape.outputCount).map { Double(key.normal($0)) }
    switch shape {
    case .dense(let batch, let i, let o):
        let forward = Reference.denseForward(x: x, theta: theta, variance: variance, bias: bias, epsilon: epsilon,
                                             batch: batch, inputs: i, outputs: o, mode: mode)
        return (variance, forward, Reference.denseBackward(x: x, theta: theta, variance: variance, grad: grad,
                                                           noiseScale: forward.noiseScale, batch: batch, inputs: i, outputs: o, mode: mode))
    case .conv(let g):
        let forward = Reference.convForward(x: x, theta: theta, variance: variance, bias: bias, epsilon: epsilon, geometry: g, mode: mode)
        return (variance, forward, Reference.convBackward(x: x, theta: theta, variance: variance, grad: grad,
                                                          noiseScale: forward.noiseScale, geometry: g, mode: mode))
    }
}
