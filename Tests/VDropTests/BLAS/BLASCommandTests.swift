import Foundation
import VDrop
import XCTest

/// The built `vdrop` in a process of its own, where OpenBLAS is loaded fresh: the one way to see
/// which kernels it picks under a given environment (a process loads it only once).
final class BLASCommandTests: XCTestCase {
    /// Runs the `vdrop` built beside the tests with `environment` changed; its output and status.
    private func vdrop(_ arguments: [String], environment changes: [String: String?]) throws -> (output: String, status: Int32) {
        let folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let executable = folder.appendingPathComponent("vdrop")
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            throw XCTSkip("No vdrop executable beside the tests (\(executable.path)); `swift build` makes it.")
        }
        var environment = ProcessInfo.processInfo.environment
        for (name, value) in changes { environment[name] = value }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (output, process.terminationStatus)
    }

    private func blasLine(_ output: String) -> String {
        output.split(separator: "\n").first { $0.contains("BLAS:") }.map(String.init) ?? "(no BLAS line in:\n\(output))"
    }

    func testDevicesRespectsACoreTheEnvironmentSet() throws {
        let (output, status) = try vdrop(["devices"], environment: ["OPENBLAS_CORETYPE": "Prescott"])
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(blasLine(output).contains("kernels Prescott, set by OPENBLAS_CORETYPE=Prescott in the environment"),
                      blasLine(output))
    }

    func testDevicesSaysWhenOpenBLASIgnoredTheEnvironmentsCore() throws {
        let (output, status) = try vdrop(["devices"], environment: ["OPENBLAS_CORETYPE": "NoSuchCore"])
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(blasLine(output).contains("set by OPENBLAS_CORETYPE=NoSuchCore in the environment; OpenBLAS did not take NoSuchCore"),
                      blasLine(output))
    }

    func testDevicesNamesTheCoreVdropChoseFromCPUID() throws {
        let (output, status) = try vdrop(["devices"], environment: ["OPENBLAS_CORETYPE": nil])
        XCTAssertEqual(status, 0, output)
        let line = blasLine(output)
        XCTAssertTrue(line.contains("OpenBLAS"), line)
        guard let features = CPUFeatures.current, let core = BLASCoreChoice.core(for: features) else {
            XCTAssertTrue(line.contains("detected by OpenBLAS itself"), line)
            return
        }
        XCTAssertTrue(line.contains("kernels \(core), chosen by vdrop from CPUID"), line)
    }

    func testCheckOnTheCPUSelfChecksOpenBLAS() throws {
        let (output, status) = try vdrop(["check", "--device", "cpu"], environment: [:])
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(output.contains("OpenBLAS self-check: 40 products"), output)
        XCTAssertTrue(output.contains("): correct."), output)
    }
}
