import VDrop
import XCTest

/// Conv layers of a network share one scratch: a layer's backward must give the same
/// gradients after another layer has overwritten the shared columns since its forward.
final class ConvScratchTests: XCTestCase {
    private func gradients(backend: any Backend, shared: Bool) throws -> [[Float]] {
        let a = ConvGeometry(batch: 3, inChannels: 4, height: 9, width: 8, outChannels: 5, kernelSize: 3, padding: 1)
        let b = ConvGeometry(batch: 3, inChannels: 2, height: 11, width: 11, outChannels: 6, kernelSize: 5, padding: 0)
        let scratch = try ConvScratch(backend: backend, geometries: [a, b])
        func workspace(_ g: ConvGeometry) throws -> ConvWorkspace {
            shared ? try ConvWorkspace(backend: backend, geometry: g, sharing: scratch) : try ConvWorkspace(backend: backend, geometry: g)
        }
        let weightsA = LRTWeights(theta: try backend.tensor(testValues(a.weightShape.reduce(1, *), seed: 1), shape: a.weightShape),
                                  variance: try backend.tensor(testValues(a.weightShape.reduce(1, *), seed: 2, in: 0.01...0.1), shape: a.weightShape),
                                  bias: try backend.tensor(testValues(5, seed: 3), shape: [5]))
        let weightsB = LRTWeights(theta: try backend.tensor(testValues(b.weightShape.reduce(1, *), seed: 4), shape: b.weightShape),
                                  variance: try backend.tensor(testValues(b.weightShape.reduce(1, *), seed: 5, in: 0.01...0.1), shape: b.weightShape),
                                  bias: try backend.tensor(testValues(6, seed: 6), shape: [6]))
        let inputA = try backend.tensor(testValues(a.inputShape.reduce(1, *), seed: 7), shape: a.inputShape)
        let inputB = try backend.tensor(testValues(b.inputShape.reduce(1, *), seed: 8), shape: b.inputShape)
        let workspaceA = try workspace(a), workspaceB = try workspace(b)
        let outA = try backend.allocate(a.outputShape), outB = try backend.allocate(b.outputShape)
        let key = NoiseKey(seed: 1, step: 2, stream: 0)
        try backend.convForward(input: inputA, weights: weightsA, geometry: a, noise: .lrt, key: key, output: outA, workspace: workspaceA)
        try backend.convForward(input: inputB, weights: weightsB, geometry: b, noise: .lrt, key: key, output: outB, workspace: workspaceB)
        let grads = LRTGradients(theta: try backend.allocate(a.weightShape), variance: try backend.allocate(a.weightShape), bias: try backend.allocate([5]))
        let gradInput = try backend.allocate(a.inputShape)
        try backend.convBackward(input: inputA, weights: weightsA, geometry: a, noise: .lrt,
                                 gradOutput: try backend.tensor(testValues(a.outputShape.reduce(1, *), seed: 9), shape: a.outputShape),
                                 workspace: workspaceA, gradients: grads, gradInput: gradInput)
        return try [grads.theta, grads.variance, grads.bias, gradInput].map { try backend.download($0) }
    }

    func testSharedScratchGivesTheSameGradients() throws {
        var backends: [any Backend] = [TestBackends.cpu]
        if let openCL = try? TestBackends.openCL() { backends.append(openCL) }
        for backend in backends {
            let own = try gradients(backend: backend, shared: false)
            let shared = try gradients(backend: backend, shared: true)
            for (index, name) in ["θ", "σ²", "b", "x"].enumerated() {
                XCTAssertEqual(shared[index], own[index], "\(backend.name): ∂L/∂\(name) differs with a shared scratch")
            }
        }
    }
}
