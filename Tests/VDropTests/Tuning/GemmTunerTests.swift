import Foundation
import VDrop
import XCTest
import VDropTools

/// The CLBlast tuner: its choice of kernels from timings, its check of every configuration's
/// products, a (budget-free) run on the test device, and the report file it leaves.
final class GemmTunerTests: XCTestCase {
    let shapes = [GemmShape(transposeA: false, transposeB: false, m: 10, n: 10, k: 10),
                  GemmShape(transposeA: false, transposeB: true, m: 10, n: 10, k: 11),
                  GemmShape(transposeA: true, transposeB: false, m: 100, n: 100, k: 100)]
    let counts = [1, 2, 1]

    func testMinIndirectSizeIsTheSmallestCubeAboveTheDirectProducts() {
        XCTAssertEqual(GemmPathChoice.threshold(directBelow: 1, of: shapes), nil,
                       "no integer t has 1000 < t³ ≤ 1100")
        XCTAssertEqual(GemmPathChoice.threshold(directBelow: 2, of: shapes), 11, "1100 < 11³ = 1331 ≤ 10⁶")
        XCTAssertEqual(GemmPathChoice.threshold(directBelow: 0, of: shapes), CLBlastParameters.alwaysIndirect)
        XCTAssertEqual(GemmPathChoice.threshold(directBelow: 3, of: shapes), CLBlastParameters.alwaysDirect)
        XCTAssertGreaterThan(CLBlastParameters.alwaysDirect * CLBlastParameters.alwaysDirect * CLBlastParameters.alwaysDirect,
                             100_000 * 4608 * 512, "alwaysDirect must cover the largest product vgglike issues")
    }

    func testChoiceTakesEachKernelWhereItIsFastest() throws {
        let d = XgemmDirectConfiguration.seeds[2], x = XgemmConfiguration.seeds[3]
        // The direct kernel wins on the small products, the indirect one on the large one.
        let direct = [Timed<XgemmDirectConfiguration>(nil, seconds: [2, 2, 50]), Timed(d, seconds: [1, 1, 60])]
        let indirect = [Timed<XgemmConfiguration>(nil, seconds: [5, 5, 20]), Timed(x, seconds: [6, 6, 10])]
        let choice = try XCTUnwrap(GemmPathChoice.best(shapes: shapes, counts: counts, direct: direct, indirect: indirect))
        XCTAssertEqual(choice.direct, d)
        XCTAssertEqual(choice.indirect, x)
        XCTAssertEqual(choice.minIndirectSize, 11)
        XCTAssertEqual(choice.secondsPerStep, 1 + 2 * 1 + 10)
        XCTAssertEqual(choice.parameters.xgemm, x.parameters)
        XCTAssertEqual(choice.parameters.xgemmDirect, d.parameters)
    }

    func testChoiceKeepsCLBlastsOwnOnTiesAndDropsTheUnusedKernel() throws {
        let direct = [Timed<XgemmDirectConfiguration>(nil, seconds: [1, 1, 1]),
                      Timed(XgemmDirectConfiguration.seeds[1], seconds: [1, 1, 1])]
        let indirect = [Timed<XgemmConfiguration>(nil, seconds: [9, 9, 9]), Timed(XgemmConfiguration.seeds[1], seconds: [1, 1, 2])]
        let choice = try XCTUnwrap(GemmPathChoice.best(shapes: shapes, counts: counts, direct: direct, indirect: indirect))
        XCTAssertNil(choice.direct, "equal times: CLBlast's own configuration stays")
        XCTAssertNil(choice.indirect, "every shape runs direct, so the indirect kernel keeps CLBlast's parameters")
        XCTAssertEqual(choice.minIndirectSize, CLBlastParameters.alwaysDirect)
        XCTAssertEqual(choice.secondsPerStep, 4)
    }

    /// The broken configuration's kernel writes nothing, so it is measured after a good one, whose
    /// product of the same shape is left in C and in CLBlast's padded copy of it: it must still fail.
    func testAConfigurationWithWrongProductsIsRejected() throws {
        let backend = try TestBackends.openCL()
        // CLBlast keeps the last override of each kernel: leave valid ones (see TestGemmParameters).
        defer { XCTAssertNoThrow(try backend.applyGemmParameters(TestGemmParameters.overridden)) }
        let tuner = try GemmTuner(backend: backend, workload: [GemmShape(transposeA: false, transposeB: false, m: 64, n: 64, k: 64)])
        let good = tuner.measure(TestGemmParameters.overridden, GemmTuner.Settings(samples: 1))
        XCTAssertEqual(try good.get().count, 1)
        let result = tuner.measure(TestGemmParameters.broken, GemmTuner.Settings(samples: 1))
        XCTAssertThrowsError(try result.get(), "a configuration with wrong products was accepted")
    }

    func testAStepsWorkloadIsItsGemms() throws {
        let backend = try TestBackends.openCL()
        // LeNet-5's conv layers with local reparameterization: each has the mean and variance
        // products forward and the θ and σ² weight gradients; the second also the two products of
        // its input gradient. Its dense layers are vdrop's own kernels. Every product is recorded,
        // whichever engine runs it.
        let workload = try GemmTuner.workload(of: [.lenet5], objective: .svdo, batch: 2, backend: backend)
        XCTAssertEqual(workload.count, 10, "\(workload)")
        XCTAssertEqual(workload.filter { !$0.transposeA && $0.transposeB && $0.k == 2 * 576 }.count, 2, "\(workload)")
        XCTAssertNil(backend.productObserver, "recording stops after the step")
        XCTAssertThrowsError(try GemmTuner(backend: backend, workload: try GemmTuner.workload(of: [.lenet300], objective: .svdo,
                                                                                             batch: 2, backend: backend))) { error in
            XCTAssertTrue("\(error)".contains("lenet300"), "\(error)")
        }
    }

    func testATuningRunLeavesCorrectParametersAndAReportTheBackendReads() throws {
        let backend = try TestBackends.openCL()
        defer { XCTAssertNoThrow(try backend.useGemmParameters(.library)) }
        // Each program the run builds takes seconds of CPU on PoCL, so the shapes ask for few: untransposed
        // (every transposition is a program of its own for each tiled configuration, and TiledGemmTests
        // builds the untransposed ones too), and of one m·n·k, so the cut between CLBlast's two kernels
        // falls below or above both and the run keeps a program it built already, where a cut between
        // them would be another (10 s of CPU).
        let workload = [GemmShape(transposeA: false, transposeB: false, m: 29, n: 37, k: 53),
                        GemmShape(transposeA: false, transposeB: false, m: 37, n: 53, k: 29),
                        GemmShape(transposeA: false, transposeB: false, m: 37, n: 53, k: 29)]
        let tuner = try GemmTuner(backend: backend, workload: workload)
        XCTAssertEqual(tuner.counts, [1, 2])
        var lines: [String] = []
        let report = try tuner.run(GemmTuner.Settings(budgetSeconds: 0, samples: 1)) { lines.append($0) }
        XCTAssertEqual(report.device, backend.device.name)
        XCTAssertEqual(report.shapes.map(\.perStep), [1, 2])
        XCTAssertGreaterThan(report.libraryMsPerStep, 0)
        XCTAssertNotNil(report.ruleMsPerStep)
        XCTAssertTrue(lines.first?.contains("CLBlast's own parameters") == true, "\(lines)")
        // Each shape was timed on CLBlast and the tiled kernel and keeps the fastest route.
        XCTAssertEqual(report.routes.count, 2, "\(report.shapes)")
        for shape in tuner.shapes {
            let routes = tuner.routes(for: shape)
            XCTAssertEqual(routes.first, .clblast)
            XCTAssertTrue(routes.contains(.tiled(.large, slices: 1)), "\(routes)")
            XCTAssertTrue(lines.contains { $0.hasPrefix("\(shape)") && $0.contains("→ \(report.routes[shape]!)") }, "\(lines)")
        }
        try assertSgemmMatchesCPU(backend, "after tuning")

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vdrop-tuning-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/report.json"
        try GemmTuningFile.save(report, to: path)
        XCTAssertEqual(try GemmTuningFile.load(path), report)
        try backend.useGemmParameters(.file(path))
        XCTAssertEqual(backend.tunedGemmRoutes, report.routes)
        try assertSgemmMatchesCPU(backend, "on the tuned routes")
        XCTAssertTrue(backend.gemmParameters.contains(path) && (report.parameters == .library) != backend.gemmParameters.hasPrefix("tuned"),
                      backend.gemmParameters)

        // A report from before routes existed (no route, no rule timings) still loads, without routes.
        var old = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        old["ruleMsPerStep"] = nil
        old["shapes"] = (old["shapes"] as? [[String: Any]])?.map { shape in shape.filter { $0.key != "route" && $0.key != "ruleMs" } }
        try JSONSerialization.data(withJSONObject: old).write(to: URL(fileURLWithPath: path))
        let loaded = try GemmTuningFile.load(path)
        XCTAssertTrue(loaded.routes.isEmpty)
        XCTAssertEqual(loaded.parameters, report.parameters)

        var foreign = report
        foreign.device = "Some Other GPU"
        try GemmTuningFile.save(foreign, to: path)
        XCTAssertThrowsError(try backend.useGemmParameters(.file(path))) { error in
            XCTAssertTrue("\(error)".contains("Some Other GPU"), "\(error)")
        }
        try Data("{\"device\": 3}".utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try GemmTuningFile.load(path)) { error in
            XCTAssertTrue("\(error)".contains("vdrop tune"), "\(error)")
        }
        XCTAssertThrowsError(try GemmTuningFile.load(folder + "/missing.json"))
    }
}
