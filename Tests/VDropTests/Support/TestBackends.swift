import Foundation
import VDrop
import XCTest
import VDropCL

/// The backends tests compare, made once per test process.
///
/// Building an OpenCL program on PoCL takes seconds, so every test shares one
/// ``OpenCLBackend`` (and with it the compiled kernels). Set `VDROP_TEST_DEVICE`
/// to `P:D` to test another device than the first one found.
enum TestBackends {
    static let cpu = CPUBackend()

    private static let openCLResult: Result<OpenCLBackend, Error> = Result {
        let platforms = try Platform.all()
        var devices: [Device] = []
        for platform in platforms { devices += try platform.devices() }
        if let wanted = ProcessInfo.processInfo.environment["VDROP_TEST_DEVICE"] {
            guard let device = devices.first(where: { "\($0.platformIndex):\($0.index)" == wanted }) else {
                throw XCTSkip("VDROP_TEST_DEVICE=\(wanted) names no OpenCL device")
            }
            return try OpenCLBackend(device: device)
        }
        guard let device = devices.first else {
            throw XCTSkip("No OpenCL platform is installed (install pocl-opencl-icd); OpenCL tests are skipped.")
        }
        return try OpenCLBackend(device: device)
    }

    /// The shared OpenCL backend, or an `XCTSkip` when the machine has no OpenCL device.
    static func openCL() throws -> OpenCLBackend { try openCLResult.get() }
}

/// Deterministic test inputs from Philox, so a failure reproduces exactly.
func testValues(_ count: Int, seed: UInt64, in range: ClosedRange<Float> = -1...1) -> [Float] {
    let key = NoiseKey(seed: seed, step: 0, stream: 0x7E57)
    return (0..<count).map { i in
        let unit = Float(key.word(i) >> 8) / Float(1 << 24)
        return range.lowerBound + (range.upperBound - range.lowerBound) * unit
    }
}

/// Asserts |actual − expected| ≤ atol + rtol·|expected| everywhere; on failure
/// prints the largest violation, where it is, and both values.
func assertClose(_ actual: [Float], _ expected: [Float], atol: Float, rtol: Float, _ what: String,
                 file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(actual.count, expected.count, "\(what): counts differ", file: file, line: line)
    var worst = -1, worstExcess: Float = 0, maxError: Float = 0
    for i in 0..<min(actual.count, expected.count) {
        let error = abs(actual[i] - expected[i])
        maxError = max(maxError, error.isNaN ? .infinity : error)
        let excess = error - (atol + rtol * abs(expected[i]))
        if excess > worstExcess || error.isNaN || !actual[i].isFinite && expected[i].isFinite {
            if worst < 0 || excess > worstExcess || error.isNaN { worst = i; worstExcess = error.isNaN ? .infinity : excess }
        }
    }
    if worst >= 0 {
        XCTFail("\(what): |a−b| exceeds \(atol) + \(rtol)·|b| at index \(worst): got \(actual[worst]), expected \(expected[worst]); largest error \(maxError)",
                file: file, line: line)
    }
}

/// The same for Double results against a Double reference.
func assertClose(_ actual: [Double], _ expected: [Double], atol: Double, rtol: Double, _ what: String,
                 file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(actual.count, expected.count, "\(what): counts differ", file: file, line: line)
    var worst = -1, worstExcess = 0.0, maxError = 0.0
    for i in 0..<min(actual.count, expected.count) {
        let error = abs(actual[i] - expected[i])
        maxError = max(maxError, error.isNaN ? .infinity : error)
        let excess = error - (atol + rtol * abs(expected[i]))
        if excess > worstExcess || error.isNaN { worst = i; worstExcess = error.isNaN ? .infinity : excess }
    }
    if worst >= 0 {
        XCTFail("\(what): |a−b| exceeds \(atol) + \(rtol)·|b| at index \(worst): got \(actual[worst]), expected \(expected[worst]); largest error \(maxError)",
                file: file, line: line)
    }
}

/// Like ``assertClose(_:_:atol:rtol:_:file:line:)`` for results where a few elements may
/// legitimately part ways (an optimizer step on a gradient that is zero up to rounding):
/// at most `allowedOutliers` elements may exceed atol + rtol·|expected|, and none may be
/// further than `outlierBound` or non-finite. On failure prints how many and the worst.
func assertMostlyClose(_ actual: [Float], _ expected: [Float], atol: Float, rtol: Float, allowedOutliers: Int,
                       outlierBound: Float, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(actual.count, expected.count, "\(what): counts differ", file: file, line: line)
    var outliers = 0, worst = -1, maxError: Float = 0
    for i in 0..<min(actual.count, expected.count) {
        let error = abs(actual[i] - expected[i])
        guard error.isFinite else {
            XCTFail("\(what): index \(i) is \(actual[i]) against \(expected[i])", file: file, line: line)
            return
        }
        if error > atol + rtol * abs(expected[i]) { outliers += 1 }
        if error > maxError { maxError = error; worst = i }
    }
    print("\(what): \(outliers) of \(expected.count) beyond \(atol) + \(rtol)·|b|, largest error \(maxError)")
    XCTAssertLessThanOrEqual(outliers, allowedOutliers, "\(what): \(outliers) elements beyond \(atol) + \(rtol)·|b|",
                             file: file, line: line)
    if worst >= 0, maxError > outlierBound {
        XCTFail("\(what): index \(worst) is \(actual[worst]) against \(expected[worst]), further than \(outlierBound)",
                file: file, line: line)
    }
}
