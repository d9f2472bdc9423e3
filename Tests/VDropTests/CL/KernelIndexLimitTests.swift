@testable import VDrop
import XCTest

/// The OpenCL kernels index a buffer with `int`: a larger tensor is refused with a sentence when
/// it is requested, and a seed batch whose seeds together would pass the limit gets a buffer per
/// seed (its launches then run seed by seed) instead of one it cannot index.
final class KernelIndexLimitTests: XCTestCase {
    func testATensorPastTheKernelsIndexIsRefusedWithASentence() throws {
        let backend = try TestBackends.openCL()
        let before = backend.allocatedBytes
        XCTAssertThrowsError(try backend.allocate([2, 1 << 30])) { error in
            XCTAssertTrue(error is KernelIndexLimitError, "\(error)")
            XCTAssertTrue("\(error)".contains("2147483648 values"), "\(error)")
            XCTAssertTrue("\(error)".contains("smaller batch") && "\(error)".contains(backend.device.name), "\(error)")
        }
        XCTAssertEqual(backend.allocatedBytes, before, "refused before anything was allocated")
    }

    func testSeedsThatTogetherPassTheLimitGetABufferEach() throws {
        let backend = try TestBackends.openCL()
        let before = backend.liveBytes
        let pool = SeedStoragePool(seeds: 3, maxFloats: 100)
        var small: [DeviceStorage] = [], large: [DeviceStorage] = []
        for seed in 0..<3 {
            pool.begin(seed: seed)
            small.append(try pool.storage(capacity: 30, backend: backend))
            large.append(try pool.storage(capacity: 40, backend: backend))
        }
        XCTAssertTrue(small.allSatisfy { $0.buffer === small[0].buffer }, "3 × 30 floats fit one buffer")
        XCTAssertEqual(small.map(\.base), [0, 30, 60])
        XCTAssertEqual(Set(large.map { ObjectIdentifier($0.buffer) }).count, 3, "3 × 40 floats pass the limit: one buffer per seed")
        XCTAssertEqual(large.map(\.base), [0, 0, 0])
        XCTAssertGreaterThan(backend.liveBytes, before)
    }
}
