import Foundation
import VDrop
import XCTest

/// The loss a step reports: N·mean CE + β·s·ΣR, with the Gamma constant C when b > 0.
final class ReportedLossTests: XCTestCase {
    func testGammaIsReportedWithItsConstant() throws {
        let backend = TestBackends.cpu
        let network = try Network(model: .lenet300, batch: 3, backend: backend)
        try network.initializeParameters(seed: 4)
        try backend.upload(testValues(3 * 784, seed: 1, in: 0...1), to: network.input)
        try backend.upload([1, 2, 3], to: network.labels)
        let objective = Objective.gamma(a: 0.51, b: 1e-8)
        let settings = StepSettings(objective: objective, seed: 4, step: 0, datasetSize: 600, learningRate: 1e-3, regularizerWeight: 0.25)
        // ΣR at the initial parameters, before the step's update.
        let sum = try backend.allocate([1])
        try backend.regularizerValue(objective: objective, theta: network.arena.thetaSegment(of: network.arena.parameters),
                                     logSigma2: network.arena.logSigma2Segment(of: network.arena.parameters), into: sum)
        let plainSum = Double(try backend.download(sum)[0])
        try network.trainStep(settings, recordLoss: true)
        let loss = try network.readLoss(settings: settings)
        let c = 1 - 0.51 + 0.51 * log(1e-8) - lgamma(0.51) + 0.5 * (2 * 0.51 - 1) * log(2 * 0.51 - 1)
        let expected = plainSum - Double(network.arena.weightCount) * c
        XCTAssertEqual(loss.regularizer, expected, accuracy: 1e-6 * abs(expected))
        XCTAssertEqual(loss.total, loss.dataTerm + 0.25 * loss.regularizer, accuracy: 1e-9 * abs(loss.total))
        XCTAssertEqual(loss.dataTerm / 600 * 3, Double(try backend.download(network.rowLoss).reduce(0, +)), accuracy: 1e-3)
    }
}
