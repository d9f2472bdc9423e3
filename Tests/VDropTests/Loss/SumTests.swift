import VDrop
import XCTest

/// The deterministic sum on both backends against a Double sum.
final class SumTests: XCTestCase {
    private func sum(_ backend: any LossOperations, _ values: [Float]) throws -> Float {
        let input = try backend.tensor(values, shape: [values.count])
        // Output in the middle of a storage: the offset must be honoured and the neighbours untouched.
        let output = try backend.tensor([7, 7, 7], shape: [3])
        try backend.sum(input, into: output.slice(from: 1, shape: [1]))
        let result = try backend.download(output)
        XCTAssertEqual([result[0], result[2]], [7, 7], "\(backend.name): sum wrote beside its output")
        return result[1]
    }

    private var backends: [any LossOperations] {
        [TestBackends.cpu as any LossOperations] + ((try? TestBackends.openCL()).map { [$0] } ?? [])
    }

    func testSumsMatchADoubleSum() throws {
        for backend in backends {
            for count in [1, 1000, 1_000_003] {
                let values = testValues(count, seed: UInt64(50 + count), in: -1...2)
                let exact = values.reduce(0.0) { $0 + Double($1) }
                let magnitude = values.reduce(0.0) { $0 + Double(abs($1)) }
                let result = try sum(backend, values)
                // A tree over ≤ 2²⁰ values after ≤ 16 sequential additions per work item has
                // depth ≤ 40, so |error| ≤ 40·2⁻²⁴·Σ|x| ≈ 2.4e-6·Σ|x| (plus the final rounding);
                // the CPU's Double sum is far inside that. Dropped values are caught by the exact test below.
                let tolerance = 2.4e-6 * magnitude + abs(exact) * 6e-8
                XCTAssertEqual(Double(result), exact, accuracy: tolerance, "\(backend.name): sum of \(count) values")
                XCTAssertEqual(try sum(backend, values).bitPattern, result.bitPattern, "\(backend.name): repeated sums differ")
            }
        }
    }

    func testSumOfSixteenthsIsExact() throws {
        // Multiples of 1/16 in [-1, 1]: every partial sum in any order is a multiple of 1/16
        // below Σ|x| ≤ 1,000,003 < 2²⁰, so exactly representable; a dropped or doubled value would show.
        let values = testValues(1_000_003, seed: 61).map { ($0 * 16).rounded() / 16 }
        let exact = values.reduce(0.0) { $0 + Double($1) }
        for backend in backends {
            XCTAssertEqual(Double(try sum(backend, values)), exact, "\(backend.name): exact sum of sixteenths")
        }
    }

    func testSumOfNothingIsZero() throws {
        for backend in backends {
            let output = try backend.tensor([5], shape: [1])
            try backend.sum(try backend.allocate([0]), into: output)
            XCTAssertEqual(try backend.download(output), [0], backend.name)
        }
    }
}
