import Foundation
import VDrop
import VDropTools

/// `--auto-tune`: the short tune of a device's product routes on first use (``GemmAutoTuning``),
/// for the commands that run training steps (train, sweep, bench, check).
extension DeviceOptions {
    enum AutoTuneMode: String, CaseIterable {
        case auto, on, off
    }

    var autoTuneMode: AutoTuneMode? { AutoTuneMode(rawValue: autoTune) }

    /// The `--auto-tune` checks of ``validate()``, as a sentence; nil when they pass.
    var autoTuneProblem: String? {
        guard let mode = autoTuneMode else { return "--auto-tune must be auto, on or off (not \(autoTune))." }
        guard mode == .on else { return nil }
        if gemmParameters != "auto" {
            return "--auto-tune on times the routes into the report that --gemm-parameters auto reads; it cannot go with --gemm-parameters \(gemmParameters)."
        }
        if gemmRoutes != "auto" { return "--auto-tune on times each product's route; --gemm-routes \(gemmRoutes) sets them all, so leave one of the two out." }
        return nil
    }

    /// Whether `backend` is tuned on first use: with --gemm-parameters and --gemm-routes auto, on a
    /// GPU unless --auto-tune off, on any OpenCL device with --auto-tune on.
    func tunesOnFirstUse(_ backend: OpenCLBackend) -> Bool {
        guard gemmParameters == "auto", routing == .automatic, let mode = autoTuneMode else { return false }
        return mode == .on || (mode == .auto && backend.device.kind == .gpu)
    }

    /// The backend of `choice` (nil: `--device`) made ready for the training steps of `workloads`:
    /// where ``tunesOnFirstUse(_:)``, the routes of their products come from the device's cached
    /// report, timed now for the shapes it lacks (one line says so, how long it took and where it
    /// saved them); elsewhere as ``makeBackend(_:profiling:)``. `announce` gets the backend before
    /// any timing; `label` starts the lines (a device of several, a rank).
    func makeBackend(_ choice: DeviceChoice? = nil, profiling: Bool = false, tuningFor workloads: [GemmAutoTuning.Workload],
                     label: String = "", announce: (any Backend) -> Void = { _ in }) throws -> (backend: any Backend, tuning: GemmAutoTuning.Outcome?) {
        guard autoTuneMode != .off, gemmParameters == "auto", routing == .automatic else {
            let backend = try makeBackend(choice ?? self.choice, profiling: profiling)
            announce(backend)
            return (backend, nil)
        }
        // CLBlast's own parameters until the cached report is read: a damaged one is then retuned, not fatal.
        guard let device = try BackendFactory.makeOpenCL(choice ?? self.choice, gemm: .library, profiling: profiling) else {
            let backend = try BackendFactory.makeCPUBackend()
            announce(backend)
            return (backend, nil)
        }
        announce(device)
        device.gemmRouting = .automatic
        device.useConvRoute(convRouteChoice)
        device.seedProducts = SeedProducts(rawValue: seedProducts) ?? .standard
        guard tunesOnFirstUse(device) else {
            try device.useGemmParameters(.automatic)
            return (device, nil)
        }
        let settings = GemmAutoTuning.Settings()
        // On one line when this process prints for one device; several devices' lines would interleave.
        let sameLine = label.isEmpty
        let outcome = try GemmAutoTuning.prepare(device, workload: { try GemmAutoTuning.record(workloads, on: device) },
                                                 settings: settings) { shapes, discarded in
            if let discarded { print(label + "auto-tune: setting aside the cached report, which this run replaces: \(discarded)") }
            print(label + "auto-tune: first use of \(device.device.name) for these products: timing the routes of \(Self.shapes(shapes)) on CLBlast and vdrop's tiled kernel (at most \(Int(settings.budgetSeconds)) s, once; --auto-tune off skips it)",
                  terminator: sameLine ? "... " : "\n")
            fflush(stdout)
        }
        if outcome.tuned || outcome.timingFailure != nil { print((sameLine ? "" : label + "auto-tune: ") + Self.summary(of: outcome)) }
        fflush(stdout)
        return (device, outcome)
    }

    /// "1 shape", "5 shapes".
    static func shapes(_ count: Int) -> String { count == 1 ? "1 shape" : "\(count) shapes" }

    /// "done in 2.4 s: …; saved to PATH", with what was left undone.
    static func summary(of outcome: GemmAutoTuning.Outcome) -> String {
        var line = String(format: "done in %.1f s: %@ timed, %d moved to vdrop's tiled kernel, their GEMMs %.3f ms per step on vdrop's rule, %.3f on the routes chosen",
                          outcome.totalSeconds, shapes(outcome.shapesTimed), outcome.shapesRoutedToTiled, outcome.ruleMsPerStep, outcome.chosenMsPerStep)
        if outcome.shapesLeft > 0 { line += "; \(shapes(outcome.shapesLeft)) left for the next run (on vdrop's rule until then)" }
        if let failure = outcome.timingFailure { line += "; timing stopped: \(failure)" }
        if let failure = outcome.saveFailure {
            line += "; not saved (\(failure)), so the next run times them again"
        } else if outcome.tuned {
            line += "; saved to \(outcome.path)"
        }
        return line
    }
}

extension Array where Element == PlannedRun {
    /// The distinct (model, objective, batch) these runs train, each rank taking `1/ranks` of a batch.
    func gemmWorkloads(ranks: Int = 1) -> [GemmAutoTuning.Workload] {
        var workloads: [GemmAutoTuning.Workload] = []
        for run in self {
            guard let objective = try? run.configuration.resolvedObjective() else { continue }
            let workload = GemmAutoTuning.Workload(model: run.configuration.model, objective: objective,
                                                   batch: Swift.max(1, run.configuration.batch / ranks))
            if !workloads.contains(workload) { workloads.append(workload) }
        }
        return workloads
    }
}

extension GemmAutoTuning.Workload {
    /// Each of `models` with each of `objectives`, at `batch` (bench and check).
    static func all(_ models: [ModelKind], _ objectives: [Objective], batch: Int) -> [GemmAutoTuning.Workload] {
        models.flatMap { model in objectives.map { GemmAutoTuning.Workload(model: model, objective: $0, batch: batch) } }
    }
}
