import Foundation
@testable import VDrop
import XCTest
@testable import VDropTools

/// `--auto-tune on` as a user meets it: the run times the shapes the device's cached report lacks
/// and says so in one line, with how long it took and where it saved them.
extension CommandLineTests {
    func testBenchTimesTheShapesTheCacheLacksOnceAndSaysSo() throws {
        let backend = try TestBackends.openCL()
        let workload = try GemmAutoTuning.record([GemmAutoTuning.Workload(model: .lenet5, objective: .svdo, batch: 2)], on: backend)
        // Left for the run to time: an untransposed shape, whose programs the GEMM tests build for
        // every tile shape (another transposition would cost PoCL seconds per tile shape on a cold cache).
        let left = try XCTUnwrap(workload.first { !$0.transposeA && !$0.transposeB }, "\(workload)")
        // What an earlier first use left: every other shape, on CLBlast.
        let cache = folder + "/cache"
        let path = cache + "/" + (GemmTuningFile.defaultPath(for: backend.device) as NSString).lastPathComponent
        let earlier = GemmAutoTuning.emptyReport(for: backend.device).adding(
            Set(workload).subtracting([left]).map { shape in
                GemmTuningReport.ShapeTiming(shape: shape, perStep: workload.filter { $0 == shape }.count, libraryMs: 1, ruleMs: 1,
                                             tunedMs: 1, route: .clblast)
            }, rejected: [], seconds: 1)
        try GemmTuningFile.save(earlier, to: path)

        let arguments = ["bench", "--device", "opencl-cpu", "--models", "lenet5", "--objectives", "svdo", "--batch", "2",
                         "--samples", "1", "--skip-operations", "--skip-cpu-steps", "--auto-tune", "on"]
        let first = try vdrop(arguments, environment: ["VDROP_CACHE_DIR": cache])
        XCTAssertEqual(first.status, 0, first.output)
        let line = try XCTUnwrap(first.output.split(separator: "\n").first { $0.contains("auto-tune") }, first.output)
        XCTAssertTrue(line.contains("timing the routes of 1 shape ") && line.contains("done in") && line.contains("saved to \(path)"), String(line))
        let report = try GemmTuningFile.load(path)
        XCTAssertEqual(Set(report.routes.keys), Set(workload), "the shape timed is added to the report")
        XCTAssertEqual(report.shapes.first { $0.shape != left }?.tunedMs, 1, "the shapes it held are kept")

        // The next run finding every shape and timing none is GemmAutoTuningTests' (a bench process costs PoCL seconds).
    }
}
