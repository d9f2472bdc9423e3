import Foundation
@testable import VDrop
import XCTest
@testable import VDropTools

/// The tune on a device's first use (``GemmAutoTuning``), on the test device as `--auto-tune on`
/// runs it: the first use times and saves, the second reads and times nothing, a new model's
/// shapes are added, a damaged or foreign report is named and replaced, and the routes chosen
/// compute what CLBlast computes, in a product and in training.
final class GemmAutoTuningTests: TemporaryFolderTestCase {
    /// The two tile shapes whose programs the GEMM tests build for every transposition (each other
    /// program costs PoCL about 5 s of CPU on a cold cache), one sample per route.
    let settings = GemmAutoTuning.Settings(budgetSeconds: 120, samples: 1, configurations: [.small, .large])
    /// Untransposed shapes, as the tuner's test uses: one program per tile shape.
    let first = [GemmShape(transposeA: false, transposeB: false, m: 29, n: 37, k: 53),
                 GemmShape(transposeA: false, transposeB: false, m: 37, n: 53, k: 29),
                 GemmShape(transposeA: false, transposeB: false, m: 37, n: 53, k: 29)]
    let second = [GemmShape(transposeA: false, transposeB: false, m: 37, n: 53, k: 29),
                  GemmShape(transposeA: false, transposeB: false, m: 53, n: 29, k: 600)]

    var path: String { folder + "/cache/clblast-test-device.json" }

    override func tearDownWithError() throws {
        // The test device is shared: later tests expect vdrop's rule.
        if let backend = try? TestBackends.openCL() { backend.tunedGemmRoutes = [:] }
        try super.tearDownWithError()
    }

    /// Runs the first-use tune of `workload`; returns the outcome and how often it announced timing.
    private func prepare(_ workload: [GemmShape]) throws -> (GemmAutoTuning.Outcome, announced: [Int], discarded: String?) {
        let backend = try TestBackends.openCL()
        var announced: [Int] = [], discarded: String?
        let outcome = try GemmAutoTuning.prepare(backend, workload: { workload }, path: path, settings: settings) { shapes, reason in
            announced.append(shapes)
            discarded = reason
        }
        return (outcome, announced, discarded)
    }

    func testTheFirstUseTimesAndSavesAndTheSecondReadsWithoutTiming() throws {
        let backend = try TestBackends.openCL()
        let (tuned, announced, discarded) = try prepare(first)
        XCTAssertEqual(announced, [2], "two distinct shapes to time")
        XCTAssertNil(discarded)
        XCTAssertTrue(tuned.tuned)
        XCTAssertEqual(tuned.shapesTimed, 2)
        XCTAssertEqual(tuned.shapesLeft, 0)
        XCTAssertNil(tuned.saveFailure)
        XCTAssertGreaterThan(tuned.seconds, 0)
        let report = try GemmTuningFile.load(path)
        XCTAssertEqual(report.device, backend.device.name)
        XCTAssertEqual(report.driver, backend.device.driverVersion)
        XCTAssertEqual(Set(report.routes.keys), Set(first))
        XCTAssertEqual(report.shapes.map(\.perStep), [1, 2], "the repeated shape runs twice per step")
        XCTAssertEqual(report.tunedMsPerStep, report.shapes.reduce(0) { $0 + Double($1.perStep) * $1.tunedMs }, accuracy: 1e-12)
        XCTAssertEqual(backend.tunedGemmRoutes, report.routes, "the routes apply at once")
        XCTAssertTrue(backend.gemmParameters.contains(path), backend.gemmParameters)
        let written = try Data(contentsOf: URL(fileURLWithPath: path))

        backend.tunedGemmRoutes = [:]
        let (cached, announcedAgain, _) = try prepare(first)
        XCTAssertEqual(announcedAgain, [], "the second use must not time again")
        XCTAssertFalse(cached.tuned)
        XCTAssertEqual(cached.shapesCached, 2)
        XCTAssertEqual(backend.tunedGemmRoutes, report.routes, "the cached routes apply")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), written, "a read leaves the file as it was")
    }

    func testANewModelsShapesAreAddedToTheReport() throws {
        _ = try prepare(first)
        let before = try GemmTuningFile.load(path)
        let (outcome, announced, _) = try prepare(second)
        XCTAssertEqual(announced, [1], "only the shape the report lacks is timed")
        XCTAssertEqual(outcome.shapesCached, 1)
        let after = try GemmTuningFile.load(path)
        XCTAssertEqual(Set(after.routes.keys), Set(first + second))
        for timing in before.shapes {
            XCTAssertEqual(after.shapes.first { $0.shape == timing.shape }, timing, "an earlier shape's timing is kept")
        }
        XCTAssertEqual(try TestBackends.openCL().tunedGemmRoutes, after.routes)
    }

    func testADamagedOrForeignReportIsNamedAndReplaced() throws {
        try FileManager.default.createDirectory(atPath: folder + "/cache", withIntermediateDirectories: true)
        try Data("{\"device\": \"cut sh".utf8).write(to: URL(fileURLWithPath: path))
        let (outcome, announced, discarded) = try prepare(first)
        XCTAssertEqual(announced, [2])
        XCTAssertEqual(outcome.discarded, discarded)
        let reason = try XCTUnwrap(discarded)
        XCTAssertTrue(reason.contains(path) && reason.contains("is not a tuning report"), reason)
        XCTAssertEqual(Set(try GemmTuningFile.load(path).routes.keys), Set(first), "the damaged file is replaced")

        var foreign = try GemmTuningFile.load(path)
        foreign.driver = "0.0-another-driver"
        try GemmTuningFile.save(foreign, to: path)
        let (_, again, reasonAgain) = try prepare(first)
        XCTAssertEqual(again, [2], "a report of another driver is timed again")
        XCTAssertTrue(reasonAgain?.contains("0.0-another-driver") == true, "\(reasonAgain ?? "no reason")")
        XCTAssertEqual(try GemmTuningFile.load(path).driver, try TestBackends.openCL().device.driverVersion)
    }

    func testABudgetTooShortForAShapeLeavesItForTheNextRun() throws {
        let backend = try TestBackends.openCL()
        var short = settings
        short.budgetSeconds = 0
        let outcome = try GemmAutoTuning.prepare(backend, workload: { first }, path: path, settings: short)
        XCTAssertEqual(outcome.shapesTimed, 0)
        XCTAssertEqual(outcome.shapesLeft, 2)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path), "nothing timed, nothing saved")
        XCTAssertTrue(backend.tunedGemmRoutes.isEmpty, "the untimed shapes take vdrop's rule")
    }

    /// Each shape on its chosen route (through the backend's own routing, as training calls it),
    /// and on every other route the tune could have chosen, against OpenBLAS with α and β, within
    /// the GEMM tests' tolerance: on PoCL CLBlast is usually the fastest, so the chosen routes alone
    /// would not show that a tiled choice is safe.
    func testEveryRouteTheTuneCanChooseComputesWhatTheUntunedPathComputes() throws {
        let backend = try TestBackends.openCL(), cpu = TestBackends.cpu
        defer { backend.gemmRouting = .automatic }
        _ = try prepare(first + second)
        let chosen = backend.tunedGemmRoutes
        XCTAssertEqual(Set(chosen.keys), Set(first + second))
        let candidates = try GemmRouteTimer(backend: backend, workload: first + second)
        for shape in Set(first + second) {
            let routes = candidates.routes(for: shape, configurations: settings.configurations)
            XCTAssertTrue(routes.contains(chosen[shape]!), "\(shape): \(chosen[shape]!) is not among \(routes)")
            XCTAssertTrue(routes.contains { if case .tiled(_, let slices) = $0 { return slices > 1 } else { return false } } || shape.k < 512,
                          "\(shape): no split route among \(routes)")
            let (m, n, k) = (shape.m, shape.n, shape.k)
            let a = testValues(m * k, seed: 2), b = testValues(k * n, seed: 3), c = testValues(m * n, seed: 4)
            let cpuC = try cpu.tensor(c, shape: [m, n])
            try cpu.gemm(transposeA: false, transposeB: false, m: m, n: n, k: k, alpha: 0.5,
                         a: try cpu.tensor(a, shape: [m * k]), b: try cpu.tensor(b, shape: [k * n]), beta: 2, c: cpuC)
            let expected = try cpu.download(cpuC)
            for route in [nil] + routes.map(Optional.some) {
                let deviceC = try backend.tensor(c, shape: [m, n])
                let (deviceA, deviceB) = (try backend.tensor(a, shape: [m * k]), try backend.tensor(b, shape: [k * n]))
                if let route {
                    try backend.gemm(shape, route: route, alpha: 0.5, a: deviceA, b: deviceB, beta: 2, c: deviceC)
                } else {
                    try backend.gemm(transposeA: false, transposeB: false, m: m, n: n, k: k, alpha: 0.5, a: deviceA, b: deviceB, beta: 2, c: deviceC)
                }
                // Sums of k ≤ 600 products of values in [−1, 1], halved: either order's rounding stays below 1e-4 + 1e-5·|C|.
                assertClose(try backend.download(deviceC), expected, atol: 1e-4, rtol: 1e-5, "\(shape) on \(route.map { "\($0)" } ?? "the chosen route \(chosen[shape]!)")")
            }
        }
    }

    /// LeNet-5's step (batch 2) on the routes a first use leaves (one shape timed now, the others
    /// from the report an earlier use saved, several of them tiled and one split along k) equals,
    /// bit for bit, the same steps on the same routes given as a file (`--gemm-parameters FILE`),
    /// and CLBlast's steps within rounding.
    func testTrainingOnFirstUseRoutesEqualsTrainingOnTheSameRoutesGivenExplicitly() throws {
        let backend = try TestBackends.openCL()
        defer {
            backend.gemmRouting = .automatic
            XCTAssertNoThrow(try backend.useGemmParameters(.library))
        }
        let workload = try GemmAutoTuning.record([GemmAutoTuning.Workload(model: .lenet5, objective: .svdo, batch: 2)], on: backend)
        let left = try XCTUnwrap(workload.first { !$0.transposeA && !$0.transposeB }, "\(workload)")
        let earlier = Set(workload).subtracting([left]).map { shape -> GemmTuningReport.ShapeTiming in
            let route: GemmRoute = shape.k >= 1000 ? .tiled(.small, slices: 3) : .tiled(.large, slices: 1)
            return GemmTuningReport.ShapeTiming(shape: shape, perStep: 1, libraryMs: 2, ruleMs: 2, tunedMs: 1, route: route)
        }
        XCTAssertTrue(earlier.contains { $0.route == .tiled(.small, slices: 3) }, "no shape of \(workload) is split")
        try GemmTuningFile.save(GemmAutoTuning.emptyReport(for: backend.device).adding(earlier, rejected: [], seconds: 1), to: path)

        let outcome = try GemmAutoTuning.prepare(backend, workload: { workload }, path: path, settings: settings)
        XCTAssertEqual(outcome.shapesTimed, 1)
        let routes = backend.tunedGemmRoutes
        XCTAssertEqual(routes.count, Set(workload).count, "every shape of the step has a route")
        let onFirstUseRoutes = try steps(on: backend)

        backend.tunedGemmRoutes = [:]
        try backend.useGemmParameters(.file(path))
        XCTAssertEqual(backend.tunedGemmRoutes, routes)
        let onGivenRoutes = try steps(on: backend)
        XCTAssertEqual(onFirstUseRoutes.losses, onGivenRoutes.losses)
        XCTAssertTrue(onFirstUseRoutes.parameters == onGivenRoutes.parameters, "the parameters after the steps differ")

        backend.gemmRouting = .clblastOnly
        let onCLBlast = try steps(on: backend)
        // Two steps apart only in the order of the products' sums: the losses agree to float rounding.
        for (tuned, clblast) in zip(onFirstUseRoutes.losses, onCLBlast.losses) {
            XCTAssertEqual(tuned, clblast, accuracy: 1e-5 * abs(clblast), "\(onFirstUseRoutes.losses) against \(onCLBlast.losses)")
        }
        XCTAssertFalse(onFirstUseRoutes.parameters == onCLBlast.parameters, "the tiled routes were not taken")
    }

    /// Two steps of LeNet-5 from a fixed start: the losses and the parameters after them.
    private func steps(on backend: OpenCLBackend) throws -> (losses: [Double], parameters: [Float]) {
        let network = try Network(model: .lenet5, batch: 2, backend: backend)
        try network.initializeParameters(seed: 3)
        try backend.upload(testValues(2 * 784, seed: 1, in: 0...1), to: network.input)
        try backend.upload([1, 7], to: network.labels)
        var losses: [Double] = []
        for step in 0..<2 {
            let settings = StepSettings(objective: .svdo, seed: 3, step: step, datasetSize: 600, learningRate: 1e-3, regularizerWeight: 1)
            try network.trainStep(settings, recordLoss: true)
            losses.append(try network.readLoss(settings: settings).total)
        }
        return (losses, try backend.download(network.arena.parameters))
    }
}
