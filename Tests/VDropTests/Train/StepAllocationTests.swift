import VDrop
import XCTest

/// Every buffer is allocated when the network is built (or, for reduction partials and
/// CLBlast's temporary buffer, by the first step): later steps allocate nothing.
final class StepAllocationTests: XCTestCase {
    func testStepsAfterTheFirstAllocateNothing() throws {
        var backends: [any Backend] = [TestBackends.cpu]
        if let openCL = try? TestBackends.openCL() { backends.append(openCL) }
        for backend in backends {
            let network = try Network(model: .lenet5, batch: 8, backend: backend)
            try network.initializeParameters(seed: 3)
            func step(_ index: Int) throws {
                try network.trainStep(StepSettings(objective: .svdo, seed: 3, step: index, datasetSize: 1000, learningRate: 1e-3,
                                                   regularizerWeight: 0.5), recordLoss: true)
                _ = try network.readLoss(settings: StepSettings(objective: .svdo, seed: 3, step: index, datasetSize: 1000,
                                                                learningRate: 1e-3, regularizerWeight: 0.5))
            }
            try step(0)
            let after = backend.allocatedBytes
            for index in 1...3 { try step(index) }
            XCTAssertEqual(backend.allocatedBytes, after, "\(backend.name) allocated inside training steps")
        }
    }
}
