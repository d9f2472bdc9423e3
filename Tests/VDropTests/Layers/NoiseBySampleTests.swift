import Foundation
import VDrop
import XCTest

/// The noise belongs to the sample, not to its place in a batch: a batch split in two, each half
/// with its first sample's global position, draws the noise of the whole batch. This is what
/// lets the ranks of a data-parallel run equal one process.
final class NoiseBySampleTests: XCTestCase {
    /// The logits of `samples` (each `sampleSize` values) under training noise, as one batch and
    /// as two halves keyed by their first sample; returns (whole, halves).
    private func logits(model: ModelKind, backend: any Backend, batch: Int) throws -> ([Float], [Float]) {
        let plan = ModelPlan(model: model, batch: batch)
        let sampleSize = plan.sampleShape.reduce(1, *)
        let samples = (0..<(batch * sampleSize)).map { Float(($0 * 7919) % 255) / 255 - 0.3 }
        func run(_ count: Int, first: Int) throws -> [Float] {
            let network = try Network(model: model, batch: count, backend: backend)
            try network.initializeParameters(seed: 11)
            try backend.upload(Array(samples[(first * sampleSize)..<((first + count) * sampleSize)]), to: network.input)
            let key = NoiseKey(seed: 11, step: 3, stream: 0, firstSample: first)
            return try backend.download(try network.forward(mode: .training(noise: .lrt, key: key)))
        }
        let half = batch / 2
        return (try run(batch, first: 0), try run(half, first: 0) + run(batch - half, first: half))
    }

    private func check(_ backend: any Backend) throws {
        for model in [ModelKind.lenet300, .lenet5] {
            let (whole, halves) = try logits(model: model, backend: backend, batch: 6)
            XCTAssertEqual(whole.count, halves.count)
            // The products' sums may round differently at another batch size; the noise must not
            // differ: a wrong sample position changes the logits by the noise's size (order 0.1–1).
            let worst = zip(whole, halves).map { abs($0 - $1) }.max() ?? .infinity
            XCTAssertLessThan(worst, 1e-4, "\(model) on \(backend.name)")
            let (_, shifted) = try logits(model: model, backend: backend, batch: 6)
            XCTAssertEqual(shifted, halves, "repeatable")
        }
    }

    func testHalvesDrawTheWholeBatchesNoiseOnTheCPUBackend() throws { try check(TestBackends.cpu) }

    func testHalvesDrawTheWholeBatchesNoiseOnOpenCL() throws { try check(try TestBackends.openCL()) }

    /// Without the sample's position the halves would repeat the first half's noise: the test
    /// above would see it.
    func testTheSecondHalfWithoutItsPositionDrawsOtherNoise() throws {
        let model = ModelKind.lenet300
        let backend = TestBackends.cpu
        let network = try Network(model: model, batch: 3, backend: backend)
        try network.initializeParameters(seed: 11)
        try backend.upload([Float](repeating: 0.5, count: 3 * 784), to: network.input)
        let atZero = try backend.download(try network.forward(mode: .training(noise: .lrt, key: NoiseKey(seed: 11, step: 3, stream: 0))))
        let atThree = try backend.download(try network.forward(mode: .training(noise: .lrt, key: NoiseKey(seed: 11, step: 3, stream: 0, firstSample: 3))))
        XCTAssertGreaterThan(zip(atZero, atThree).map { abs($0 - $1) }.max() ?? 0, 1e-3)
    }
}
