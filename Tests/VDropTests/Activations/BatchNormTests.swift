import VDrop
import XCTest

/// BatchNorm in training and evaluation mode: reference gradients against finite
/// differences, the CPU backend against the reference, OpenCL against the CPU.
final class BatchNormTests: XCTestCase {
    typealias Shape = BatchNormReference.Shape
    private let epsilon: Float = 1e-5, momentum: Float = 0.1

    /// Channel c's values get an offset and scale of their own, so the per-channel statistics differ.
    private func inputs(_ shape: Shape, seed: UInt64) -> [Float] {
        var x = testValues(shape.count, seed: seed)
        for b in 0..<shape.batch {
            for c in 0..<shape.channels {
                for s in 0..<shape.spatial { x[shape.index(b, c, s)] = x[shape.index(b, c, s)] * Float(1 + c % 4) + Float(c) * 0.5 - 2 }
            }
        }
        return x
    }

    func testReferenceBackwardMatchesFiniteDifferences() {
        let shape = Shape(batch: 3, channels: 2, spatial: 5)
        let x = inputs(shape, seed: 31).map(Double.init)
        let gamma = testValues(2, seed: 32, in: 0.5...1.5).map(Double.init), beta = testValues(2, seed: 33).map(Double.init)
        let w = testValues(shape.count, seed: 34).map(Double.init)
        let forward = BatchNormReference.trainingForward(x, gamma: gamma, beta: beta, shape, epsilon: 1e-5)
        let analytic = BatchNormReference.backward(x, gamma: gamma, gradOutput: w, mean: forward.mean,
                                                   inverseStd: forward.inverseStd, shape)
        let loss = { (x: [Double], gamma: [Double], beta: [Double]) in
            weightedSum(w, BatchNormReference.trainingForward(x, gamma: gamma, beta: beta, shape, epsilon: 1e-5).output)
        }
        // Central differences err by O(h²)·f''' ≈ 1e-6·|f'''|; the loss is smooth with
        // |f'''| of order 1 for unit-scale inputs, so 1e-5 + 1e-4·|g| leaves a margin of ten.
        assertClose(analytic.gradInput, FiniteDifference.gradient(at: x) { loss($0, gamma, beta) },
                    atol: 1e-5, rtol: 1e-4, "batch norm dx vs finite differences")
        assertClose(analytic.gradGamma, FiniteDifference.gradient(at: gamma) { loss(x, $0, beta) },
                    atol: 1e-5, rtol: 1e-4, "batch norm dγ vs finite differences")
        assertClose(analytic.gradBeta, FiniteDifference.gradient(at: beta) { loss(x, gamma, $0) },
                    atol: 1e-5, rtol: 1e-4, "batch norm dβ vs finite differences")
    }

    /// The values one backend produces for two training forwards (x1 then x2), a backward
    /// after the second, and an evaluation forward of x1 with the running statistics.
    private struct Run {
        var output2: [Float], mean: [Float], inverseStd: [Float], runningMean: [Float], runningVariance: [Float]
        var gradInput: [Float], gradGamma: [Float], gradBeta: [Float], evaluation: [Float]
    }

    private func run(_ backend: any ActivationOperations, _ shape: Shape, x1: [Float], x2: [Float], gamma: [Float],
                     beta: [Float], g: [Float]) throws -> Run {
        let dims = [shape.batch, shape.channels, shape.spatial], channels = [shape.channels]
        let input1 = try backend.offsetTensor(x1, shape: dims), input2 = try backend.offsetTensor(x2, shape: dims)
        let gammaT = try backend.offsetTensor(gamma, shape: channels), betaT = try backend.offsetTensor(beta, shape: channels)
        let output = try backend.offsetTensor([Float](repeating: 0, count: shape.count), shape: dims)
        let runningMean = try backend.offsetTensor([Float](repeating: 0, count: shape.channels), shape: channels)
        let runningVariance = try backend.offsetTensor([Float](repeating: 1, count: shape.channels), shape: channels)
        let saved = try BatchNormSaved(backend: backend, channels: shape.channels)
        for input in [input1, input2] {
            try backend.batchNormForward(input: input, gamma: gammaT, beta: betaT, output: output, runningMean: runningMean,
                                         runningVariance: runningVariance, saved: saved, training: true,
                                         momentum: momentum, epsilon: epsilon)
        }
        let output2 = try backend.download(output)
        let gradInput = try backend.offsetTensor([Float](repeating: 9, count: shape.count), shape: dims)
        let gradGamma = try backend.offsetTensor([Float](repeating: 9, count: shape.channels), shape: channels)
        let gradBeta = try backend.offsetTensor([Float](repeating: 9, count: shape.channels), shape: channels)
        try backend.batchNormBackward(input: input2, gamma: gammaT, gradOutput: try backend.offsetTensor(g, shape: dims),
                                      saved: saved, gradInput: gradInput, gradGamma: gradGamma, gradBeta: gradBeta)
        let evaluation = try backend.allocate(dims)
        try backend.batchNormForward(input: input1, gamma: gammaT, beta: betaT, output: evaluation, runningMean: runningMean,
                                     runningVariance: runningVariance, saved: saved, training: false,
                                     momentum: momentum, epsilon: epsilon)
        return Run(output2: output2, mean: try backend.download(saved.mean), inverseStd: try backend.download(saved.inverseStd),
                   runningMean: try backend.download(runningMean), runningVariance: try backend.download(runningVariance),
                   gradInput: try backend.download(gradInput), gradGamma: try backend.download(gradGamma),
                   gradBeta: try backend.download(gradBeta), evaluation: try backend.download(evaluation))
    }

    /// Conv-like [7, 13, 63] (B·S = 441, no multiple of 256), dense-like [7, 13, 1], and
    /// [5, 3, 1000] (B·S = 5000: every work item of a 256-group loops about 20 times).
    private let shapes = [Shape(batch: 7, channels: 13, spatial: 63), Shape(batch: 7, channels: 13, spatial: 1),
                          Shape(batch: 5, channels: 3, spatial: 1000)]

    private func data(_ shape: Shape) -> (x1: [Float], x2: [Float], gamma: [Float], beta: [Float], g: [Float]) {
        (inputs(shape, seed: 35), inputs(shape, seed: 36), testValues(shape.channels, seed: 37, in: 0.5...1.5),
         testValues(shape.channels, seed: 38), testValues(shape.count, seed: 39))
    }

    func testCPUMatchesReference() throws {
        for shape in shapes {
            let (x1, x2, gamma, beta, g) = data(shape)
            let cpu = try run(TestBackends.cpu, shape, x1: x1, x2: x2, gamma: gamma, beta: beta, g: g)
            let d = { (values: [Float]) in values.map(Double.init) }
            let first = BatchNormReference.trainingForward(d(x1), gamma: d(gamma), beta: d(beta), shape, epsilon: 1e-5)
            let second = BatchNormReference.trainingForward(d(x2), gamma: d(gamma), beta: d(beta), shape, epsilon: 1e-5)
            var runningMean = [Double](repeating: 0, count: shape.channels), runningVariance = [Double](repeating: 1, count: shape.channels)
            for pass in [first, second] {
                BatchNormReference.updateRunning(mean: &runningMean, variance: &runningVariance, batchMean: pass.mean,
                                                 batchVariance: pass.variance, n: shape.n, momentum: 0.1)
            }
            let backward = BatchNormReference.backward(d(x2), gamma: d(gamma), gradOutput: d(g), mean: second.mean,
                                                       inverseStd: second.inverseStd, shape)
            let evaluation = BatchNormReference.evaluationForward(d(x1), gamma: d(gamma), beta: d(beta), runningMean: runningMean,
                                                                  runningVariance: runningVariance, shape, epsilon: 1e-5)
            let f = { (values: [Double]) in values.map(Float.init) }
            let label = "\([shape.batch, shape.channels, shape.spatial])"
            // Statistics are summed in Double, so each value carries only a few Float roundings
            // of values of order 1–10: 1e-5 absolute + 1e-5 relative.
            assertClose(cpu.output2, f(second.output), atol: 1e-5, rtol: 1e-5, "cpu batch norm output \(label)")
            assertClose(cpu.mean, f(second.mean), atol: 1e-5, rtol: 1e-5, "cpu saved mean \(label)")
            assertClose(cpu.inverseStd, f(second.inverseStd), atol: 1e-5, rtol: 1e-5, "cpu saved 1/std \(label)")
            assertClose(cpu.runningMean, f(runningMean), atol: 1e-5, rtol: 1e-5, "cpu running mean \(label)")
            assertClose(cpu.runningVariance, f(runningVariance), atol: 1e-5, rtol: 1e-5, "cpu running variance \(label)")
            assertClose(cpu.evaluation, f(evaluation), atol: 1e-5, rtol: 1e-5, "cpu evaluation output \(label)")
            // dγ and dβ are sums of n ≤ 5000 terms of order 1 (summed in Double); dx cancels
            // n·g against the two sums, so it gets an absolute slack of n·1e-7 scaled by γ·invStd/n.
            assertClose(cpu.gradBeta, f(backward.gradBeta), atol: 1e-4, rtol: 1e-5, "cpu dβ \(label)")
            assertClose(cpu.gradGamma, f(backward.gradGamma), atol: 1e-4, rtol: 1e-5, "cpu dγ \(label)")
            assertClose(cpu.gradInput, f(backward.gradInput), atol: 2e-5, rtol: 1e-4, "cpu dx \(label)")
        }
    }

    func testOpenCLMatchesCPU() throws {
        let gpu = try TestBackends.openCL()
        for shape in shapes {
            let (x1, x2, gamma, beta, g) = data(shape)
            let a = try run(gpu, shape, x1: x1, x2: x2, gamma: gamma, beta: beta, g: g)
            let b = try run(TestBackends.cpu, shape, x1: x1, x2: x2, gamma: gamma, beta: beta, g: g)
            let label = "\([shape.batch, shape.channels, shape.spatial])"
            // The device sums in Float in a tree (relative error ≲ log₂(n)·6e-8 ≈ 1e-6 of Σ|x|),
            // the CPU in Double: values of order 1–10 agree to 1e-5 + 1e-5·|b|, sums over n to 1e-4.
            assertClose(a.output2, b.output2, atol: 1e-5, rtol: 1e-5, "opencl vs cpu batch norm output \(label)")
            assertClose(a.mean, b.mean, atol: 1e-5, rtol: 1e-5, "opencl vs cpu saved mean \(label)")
            assertClose(a.inverseStd, b.inverseStd, atol: 1e-5, rtol: 1e-5, "opencl vs cpu saved 1/std \(label)")
            assertClose(a.runningMean, b.runningMean, atol: 1e-5, rtol: 1e-5, "opencl vs cpu running mean \(label)")
            assertClose(a.runningVariance, b.runningVariance, atol: 1e-5, rtol: 1e-5, "opencl vs cpu running variance \(label)")
            assertClose(a.evaluation, b.evaluation, atol: 1e-5, rtol: 1e-5, "opencl vs cpu evaluation output \(label)")
            assertClose(a.gradBeta, b.gradBeta, atol: 1e-4, rtol: 1e-5, "opencl vs cpu dβ \(label)")
            assertClose(a.gradGamma, b.gradGamma, atol: 1e-4, rtol: 1e-5, "opencl vs cpu dγ \(label)")
            assertClose(a.gradInput, b.gradInput, atol: 2e-5, rtol: 1e-4, "opencl vs cpu dx \(label)")
        }
    }

    func testOpenCLIsDeterministic() throws {
        let gpu = try TestBackends.openCL()
        let shape = shapes[2]
        let (x1, x2, gamma, beta, g) = data(shape)
        let first = try run(gpu, shape, x1: x1, x2: x2, gamma: gamma, beta: beta, g: g)
        let second = try run(gpu, shape, x1: x1, x2: x2, gamma: gamma, beta: beta, g: g)
        XCTAssertEqual(first.mean, second.mean)
        XCTAssertEqual(first.inverseStd, second.inverseStd)
        XCTAssertEqual(first.gradGamma, second.gradGamma)
        XCTAssertEqual(first.gradInput, second.gradInput)
    }
}

extension BackendCore {
    /// `values` stored 3 values into a larger storage, so every kernel's offset argument is exercised.
    fileprivate func offsetTensor(_ values: [Float], shape: [Int]) throws -> Tensor {
        let storage = try makeStorage(capacity: values.count + 4)
        let tensor = Tensor(storage: storage, offset: 3, shape: shape)
        try upload(values, to: tensor)
        return tensor
    }
}
