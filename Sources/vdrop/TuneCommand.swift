import ArgumentParser
import Foundation
import VDrop
import VDropTools

/// `vdrop tune`: fits CLBlast's SGEMM parameters to the device and saves them for later runs.
struct TuneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tune",
        abstract: "Fit CLBlast's SGEMM parameters to an OpenCL device and pick the fastest engine for each product the models' training steps issue.",
        discussion: """
            Times CLBlast's own parameters, then configurations of its direct and indirect GEMM kernels until the \
            budget is spent, rejecting any whose products differ; keeps the fastest combination if it beats CLBlast's own. \
            Then times every product shape on CLBlast and on vdrop's tiled kernel (three tile shapes, unsplit and split \
            along k) and keeps the fastest route of each. The report is saved where train, eval, sweep and bench find it \
            for this device (--gemm-parameters auto).
            """
    )

    @Option(parsing: .upToNextOption, help: "Models whose GEMMs to time (lenet300 has none: its dense layers are vdrop's own kernels).")
    var models: [String] = ["lenet5,vgglike"]

    @Option(help: "Objective of the training step whose GEMMs are timed.")
    var objective: String = "svdo"

    @Option(help: "Samples per step.")
    var batch: Int = 100

    @Option(help: "Seconds to spend trying configurations (the baseline and the final check come on top).")
    var budget: Double = 120

    @Option(help: "Timed samples per GEMM shape and configuration (their median counts).")
    var samples: Int = 3

    @Option(help: "Key of the random configurations.")
    var seed: UInt64 = 1

    @Option(help: "Where to save the report (default: the file --gemm-parameters auto reads for this device).")
    var out: String?

    @Option(name: .long, help: ArgumentHelp(
        "The OpenCL device to tune: auto or gpu (the first GPU), opencl-cpu, or P:D as `vdrop devices` lists.", valueName: "device"))
    var device: String = "auto"

    func validate() throws {
        guard ModelKind.list(models) != nil else { throw ValidationError(ModelKind.listHelp) }
        guard batch >= 1 else { throw ValidationError("--batch must be at least 1.") }
        guard budget >= 0 else { throw ValidationError("--budget must be 0 seconds or more.") }
        guard samples >= 1 else { throw ValidationError("--samples must be at least 1.") }
        guard Objective.list([objective])?.count == 1 else { throw ValidationError("--objective takes ard, svdo, gamma, gaussian or none.") }
        do {
            guard try DeviceChoice(parsing: device) != .cpu else {
                throw ValidationError("vdrop tune fits CLBlast on an OpenCL device; --device cpu has none.")
            }
        } catch let error as DeviceSelectionError { throw FlagNames.validationError(error) }
    }

    func run() throws {
        let choice = try DeviceChoice(parsing: device)
        guard let backend = try BackendFactory.makeOpenCL(choice, gemm: .library) else {
            throw CommandFailure("--device \(device) found no GPU to tune; name an OpenCL device, e.g. --device opencl-cpu (`vdrop devices` lists them).")
        }
        let kinds = ModelKind.list(models)!
        let workload = try GemmTuner.workload(of: kinds, objective: Objective.list([objective])![0], batch: batch, backend: backend)
        let tuner = try GemmTuner(backend: backend, workload: workload)
        print("vdrop tune on \(backend.name): \(tuner.shapes.count) GEMM shapes, \(workload.count) GEMMs per step of \(kinds.map(\.rawValue).joined(separator: " + ")), budget \(Int(budget)) s")
        let report = try tuner.run(GemmTuner.Settings(budgetSeconds: budget, seed: seed, samples: samples)) { line in
            print(line)
            fflush(stdout)
        }
        print("")
        print(String(format: "GEMMs per step: %.3f ms all on CLBlast's own parameters, %.3f ms on vdrop's rule for the routes, %.3f ms tuned (%.2fx); %d configurations tried, %d rejected, %.0f s",
                     report.libraryMsPerStep, report.ruleMsPerStep ?? .nan, report.tunedMsPerStep, report.speedup, report.configurationsTried,
                     report.rejected.count, report.seconds))
        if report.parameters == .library { print("No configuration beat CLBlast's own parameters; they stay.") }
        let path = out ?? GemmTuningFile.defaultPath(for: backend.device)
        // After a first use that is tuning this device at the same moment, not in the middle of it.
        try GemmTuningFile.withLock(path) { try GemmTuningFile.save(report, to: path) }
        print("wrote \(path)")
    }
}
