import VDrop
import XCTest
import VDropTools

/// `vdrop check`'s measure of agreement: zero for equal runs, over the tolerance for a wrong
/// value or a NaN, and within it for the OpenCL device here.
final class BackendAgreementTests: XCTestCase {
    func testEqualRunsHaveNoError() {
        XCTAssertEqual(BackendAgreement.lossError([3e5, 2e5], [3e5, 2e5]), 0)
        XCTAssertEqual(BackendAgreement.gradientError([0, -2, 5], [0, -2, 5]), 0)
    }

    func testAWrongValueOrANaNExceedsTheTolerance() {
        // One gradient off by 0.2% of the largest: what a wrong kernel would be far beyond.
        XCTAssertGreaterThan(BackendAgreement.gradientError([0, -2, 5.02], [0, -2, 5]), BackendAgreement.tolerance)
        XCTAssertLessThan(BackendAgreement.gradientError([0.000_001, -2, 5], [0, -2, 5]), BackendAgreement.tolerance,
                          "a near-zero gradient's rounding is measured against the largest gradient")
        XCTAssertGreaterThan(BackendAgreement.lossError([3e5, 2.01e5], [3e5, 2e5]), BackendAgreement.tolerance)
        XCTAssertEqual(BackendAgreement.lossError([.nan], [1]), .infinity)
        XCTAssertEqual(BackendAgreement.gradientError([.nan, 1], [0, 1]), .infinity)
    }

    func testTheOpenCLDeviceAgreesWithTheCPUBackend() throws {
        let agreement = try BackendAgreement.measure(model: .lenet300, objective: .svdo, batch: 5, steps: 4,
                                                     device: try TestBackends.openCL(), cpu: TestBackends.cpu)
        XCTAssertTrue(agreement.passed, "\(agreement)")
        XCTAssertGreaterThan(agreement.lossError + agreement.gradientError, 0, "two backends that round differently should not agree to the bit")
    }

    func testTheCPUBackendsPerturbationChangesEachProductByItsSizeBothWays() throws {
        let cpu = CPUBackend(threads: 1)
        defer { cpu.productObserver = nil }
        let (m, n, k) = (8, 16, 5)
        let a = try cpu.tensor(testValues(m * k, seed: 1), shape: [m * k]), b = try cpu.tensor(testValues(k * n, seed: 2), shape: [k * n])
        func product() throws -> [Float] {
            let c = try cpu.allocate([m * n])
            try cpu.gemm(transposeA: false, transposeB: false, m: m, n: n, k: k, alpha: 1, a: a, b: b, beta: 0, c: c)
            return try cpu.download(c)
        }
        let exact = try product()
        cpu.productObserver = ProductPerturbation(relative: 1e-3)
        let perturbed = try product()
        var ups = 0, downs = 0
        for (p, e) in zip(perturbed, exact) where e != 0 {
            let ratio = p / e
            if abs(ratio - 1.001) < 1e-6 { ups += 1 } else if abs(ratio - 0.999) < 1e-6 { downs += 1 } else { XCTFail("ratio \(ratio)") }
        }
        XCTAssertGreaterThan(ups, 10, "the pattern changes elements up")
        XCTAssertGreaterThan(downs, 10, "and down: a uniform scale would cancel in BatchNorm")
    }
}
