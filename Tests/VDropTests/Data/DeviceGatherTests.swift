import VDrop
import XCTest

/// Batches gathered on a backend from byte pixels equal the host's normalized samples.
final class DeviceGatherTests: XCTestCase {
    func testGatheredBatchesEqualTheHostsNormalizedSamples() throws {
        var backends: [any Backend] = [TestBackends.cpu]
        if let openCL = try? TestBackends.openCL() { backends.append(openCL) }
        // 37 CIFAR-shaped samples (3 channels, so per-channel scale and shift matter) of random bytes.
        let count = 37, shape = [3, 4, 5], size = 60
        let pixels = testValues(count * size, seed: 11, in: 0...255).map { UInt8($0.rounded(.down)) }
        let dataset = Dataset(name: "random", sampleShape: shape, pixels: pixels, scale: [0.5, 1.0 / 255, 2], shift: [-1, 0, 0.25],
                              labels: (0..<count).map { UInt8($0 % 10) }, classes: 10)
        let host = dataset.images
        let order = DeviceDataset.shuffledOrder(count: count, seed: 5, epoch: 2).map(Int.init)
        for backend in backends {
            let network = try Network(specs: [.dense(outputs: 10)], sampleShape: shape, batch: 8, backend: backend)
            let device = try DeviceDataset(dataset, backend: backend)
            try device.setOrder(order.map(Float.init))
            // Start 32 runs past the end (37 samples) and wraps around to the start of the order.
            for start in [0, 13, 32] {
                try device.gatherBatch(start: start, into: network)
                let gathered = try backend.download(network.input), labels = try backend.download(network.labels)
                for b in 0..<8 {
                    let sample = order[(start + b) % count]
                    // byte·scale + shift, one rounding (or one fused multiply-add) apart at most.
                    assertClose(Array(gathered[(b * size)..<((b + 1) * size)]), Array(host[(sample * size)..<((sample + 1) * size)]),
                                atol: 1e-6, rtol: 1e-6, "\(backend.name) batch from \(start), row \(b)")
                    XCTAssertEqual(labels[b], Float(sample % 10), "\(backend.name) label of row \(b)")
                }
            }
        }
    }
}
