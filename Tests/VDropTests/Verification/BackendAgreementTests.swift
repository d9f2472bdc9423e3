import VDrop
import XCTest

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
}
