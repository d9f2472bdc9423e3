import Foundation
import VDropCL
import VDrop

/// The short tune a device gets on first use: the routes of the product shapes a training step is
/// about to issue, timed once, kept in the device's tuning report and read back by later runs.
///
/// `vdrop tune` also searches CLBlast's own parameters (a minute or more); this times only the
/// routes (``GemmRouteTimer``: CLBlast, and vdrop's tiled kernel in each tile shape, unsplit and
/// split along k), which is where an untuned H200 lost most: VGG-like's step took 21.6 ms untuned
/// and 17.85 tuned, while the products it sends to CLBlast gained little from CLBlast's parameters.
///
/// The report is the one `--gemm-parameters auto` reads (``GemmTuningFile/defaultPath(for:)``):
/// shapes it already holds for this device and driver are not timed again, new shapes are added
/// to it (another model's run adds its own), and a report from `vdrop tune` keeps its CLBlast
/// parameters, with which the new shapes are timed. A damaged report, or one written under
/// another driver, is replaced. Processes tuning the same device take turns
/// (``GemmTuningFile/withLock(_:_:)``), and the file is replaced by a rename.
public enum GemmAutoTuning {
    /// What one training step computes: its products' shapes come from recording one step.
    public struct Workload: Equatable, Sendable {
        public var model: ModelKind
        public var objective: Objective
        public var batch: Int

        public init(model: ModelKind, objective: Objective, batch: Int) {
            self.model = model
            self.objective = objective
            self.batch = batch
        }
    }

    public struct Settings: Sendable {
        /// Seconds of route timing at most: no new shape is started after them (the costliest
        /// shapes go first). The shapes left are timed by the next run.
        public var budgetSeconds: Double = 10
        /// Timed samples per route (their median counts).
        public var samples: Int = 3
        /// The tile shapes of `gemm_tiled.cl` tried for each product.
        public var configurations: [TiledGemmConfiguration] = TiledGemmConfiguration.candidates

        public init(budgetSeconds: Double = 10, samples: Int = 3,
                    configurations: [TiledGemmConfiguration] = TiledGemmConfiguration.candidates) {
            self.budgetSeconds = budgetSeconds
            self.samples = samples
            self.configurations = configurations
        }
    }

    /// What ``prepare(_:workload:path:settings:willTime:)`` did.
    public struct Outcome: Sendable {
        /// The report read, and written when shapes were timed.
        public var path: String
        /// Distinct shapes of the workload, those the report held already, and those timed now.
        public var shapes: Int
        public var shapesCached: Int
        public var shapesTimed: Int
        /// Shapes the budget left untimed (they run on vdrop's rule this time).
        public var shapesLeft: Int
        /// Seconds spent timing (0 when nothing was timed), and in all: reading the report,
        /// recording the workload's step, timing and saving (the cost of a first use).
        public var seconds: Double
        public var totalSeconds: Double = 0
        /// Milliseconds per step of the timed shapes on vdrop's rule (``GemmRoute/automatic(for:device:)``)
        /// and on the routes chosen.
        public var ruleMsPerStep: Double
        public var chosenMsPerStep: Double
        /// Timed shapes that left CLBlast.
        public var shapesRoutedToTiled: Int
        /// Why the report on disk was not used (damaged, another device or driver), as a sentence.
        public var discarded: String?
        /// Why the report could not be saved (the routes still apply to this run), or why timing
        /// stopped early (the shapes left run on vdrop's rule).
        public var saveFailure: String?
        public var timingFailure: String?

        /// Whether this run timed anything.
        public var tuned: Bool { shapesTimed > 0 }
    }

    /// The shapes of one step of each workload on `backend`.
    public static func record(_ workloads: [Workload], on backend: OpenCLBackend) throws -> [GemmShape] {
        try workloads.flatMap { try GemmTuner.workload(of: [$0.model], objective: $0.objective, batch: $0.batch, backend: backend) }
    }

    /// Makes `backend` ready for `workload`'s products: applies the report at `path` when it holds
    /// every shape, else times the missing shapes' routes, adds them to the report, saves it and
    /// applies it. `workload` is called once the report's CLBlast parameters are applied, so that
    /// CLBlast compiles its kernels once; `willTime` is called before timing with the number of
    /// shapes to time and why a report on disk was discarded, if one was.
    public static func prepare(_ backend: OpenCLBackend, workload: () throws -> [GemmShape],
                               path: String? = nil, settings: Settings = Settings(),
                               willTime: (_ shapes: Int, _ discarded: String?) -> Void = { _, _ in }) throws -> Outcome {
        let path = path ?? GemmTuningFile.defaultPath(for: backend.device)
        return try GemmTuningFile.withLock(path) { () throws -> Outcome in
            let entered = Stopwatch.now()
            var discarded: String?
            let cached = readCache(path, for: backend.device, discarded: &discarded)
            try backend.applyGemmParameters(cached?.parameters ?? .library)
            let shapes = try workload()
            let known = cached?.routes ?? [:]
            let missing = shapes.filter { known[$0] == nil }
            let distinct = Set(shapes).count
            var outcome = Outcome(path: path, shapes: distinct, shapesCached: distinct - Set(missing).count, shapesTimed: 0, shapesLeft: 0,
                                  seconds: 0, totalSeconds: 0, ruleMsPerStep: 0, chosenMsPerStep: 0, shapesRoutedToTiled: 0, discarded: discarded)
            guard !missing.isEmpty else {
                if let cached { backend.adoptRoutes(of: cached, from: path) }
                outcome.totalSeconds = Stopwatch.now() - entered
                return outcome
            }
            willTime(Set(missing).count, discarded)
            let started = Stopwatch.now()
            let timer = try GemmRouteTimer(backend: backend, workload: missing)
            // The costliest shapes first, so a budget cut leaves the cheap ones to the rule.
            let order = timer.shapes.indices.sorted { (timer.counts[$0] * timer.shapes[$0].product, $1) > (timer.counts[$1] * timer.shapes[$1].product, $0) }
            var rejected: [String] = []
            var choices: [Int: GemmRouteTimer.Choice] = [:]
            do {
                choices = try timer.chooseRoutes(order, samples: settings.samples, configurations: settings.configurations,
                                                 deadline: started + settings.budgetSeconds, progress: { _ in }, rejected: &rejected)
            } catch {
                outcome.timingFailure = "\(error)"
            }
            outcome.seconds = Stopwatch.now() - started
            // Splits tried and not chosen can need more partial sums than training will: give them back.
            backend.releaseSplitPartialSums()
            let timings = choices.keys.sorted().map { index -> GemmTuningReport.ShapeTiming in
                let choice = choices[index]!
                return GemmTuningReport.ShapeTiming(shape: timer.shapes[index], perStep: timer.counts[index],
                                                    libraryMs: (choice.clblastSeconds ?? choice.seconds) * 1e3,
                                                    ruleMs: choice.ruleSeconds.map { $0 * 1e3 }, tunedMs: choice.seconds * 1e3,
                                                    route: choice.route)
            }
            outcome.shapesTimed = timings.count
            outcome.shapesLeft = timer.shapes.count - timings.count
            outcome.ruleMsPerStep = timings.reduce(0) { $0 + Double($1.perStep) * ($1.ruleMs ?? $1.libraryMs) }
            outcome.chosenMsPerStep = timings.reduce(0) { $0 + Double($1.perStep) * $1.tunedMs }
            outcome.shapesRoutedToTiled = timings.filter { $0.route != .clblast }.count
            let report = (cached ?? emptyReport(for: backend.device)).adding(timings, rejected: rejected, seconds: outcome.seconds)
            if !timings.isEmpty {
                do { try GemmTuningFile.save(report, to: path) } catch { outcome.saveFailure = "\(error)" }
            }
            backend.adoptRoutes(of: report, from: path)
            outcome.totalSeconds = Stopwatch.now() - entered
            return outcome
        }
    }

    /// The report at `path` when it is one for `device` under its driver; else nil, with the
    /// reason in `discarded` when a file was there.
    static func readCache(_ path: String, for device: Device, discarded: inout String?) -> GemmTuningReport? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let report: GemmTuningReport
        do { report = try GemmTuningFile.load(path) } catch {
            discarded = "\(error)"
            return nil
        }
        guard report.device == device.name else {
            discarded = "\(path) was tuned for \(report.device), not \(device.name)."
            return nil
        }
        guard report.driver == device.driverVersion else {
            discarded = "\(path) was tuned under driver \(report.driver); this device runs \(device.driverVersion)."
            return nil
        }
        return report
    }

    /// A report with CLBlast's own parameters and no shapes yet.
    static func emptyReport(for device: Device) -> GemmTuningReport {
        GemmTuningReport(device: device.name, driver: device.driverVersion, date: "", parameters: .library,
                         libraryMsPerStep: 0, ruleMsPerStep: nil, tunedMsPerStep: 0, configurationsTried: 0,
                         rejected: [], seconds: 0, shapes: [])
    }
}

extension GemmTuningReport {
    /// This report with `timings` in place of any earlier timing of the same shapes, its totals
    /// summed again over all its shapes (the rule's only when every shape has one), `rejected`
    /// and `seconds` added, dated now.
    func adding(_ timings: [ShapeTiming], rejected moreRejected: [String], seconds moreSeconds: Double) -> GemmTuningReport {
        var report = self
        let replaced = Set(timings.map(\.shape))
        report.shapes = (shapes.filter { !replaced.contains($0.shape) } + timings)
            .sorted { ($0.shape.product, $0.shape.description) < ($1.shape.product, $1.shape.description) }
        report.libraryMsPerStep = report.shapes.reduce(0) { $0 + Double($1.perStep) * $1.libraryMs }
        report.tunedMsPerStep = report.shapes.reduce(0) { $0 + Double($1.perStep) * $1.tunedMs }
        report.ruleMsPerStep = report.shapes.allSatisfy { $0.ruleMs != nil }
            ? report.shapes.reduce(0) { $0 + Double($1.perStep) * ($1.ruleMs ?? 0) } : nil
        report.rejected += moreRejected
        report.seconds += moreSeconds
        report.date = ISO8601DateFormatter().string(from: Date())
        return report
    }
}
