import ArgumentParser
import Foundation
import VDrop
import VDropTools

/// `vdrop check`: does this device compute what the CPU backend computes?
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check the CPU backend's OpenBLAS against a Double reference, then a device against the CPU backend: the same steps from the same initialization, batch and noise.",
        discussion: """
            First OpenBLAS's products (every transpose pair, edge shapes and 67×129×257) against a Double reference, \
            each within (k + 2)·2⁻²⁴ of its bound: the CPU backend is the reference for the rest. With --device cpu \
            that is all. Then for each model and objective: the first step's gradients and the loss of every step, \
            on the device and on the CPU backend. Errors are normalized so that the tolerance is \
            \(BackendAgreement.tolerance) (what the tests hold PoCL to). Exits with status 1 when anything is wrong.
            """
    )

    @Option(parsing: .upToNextOption, help: "Models to check: lenet300, lenet5, vgglike (comma- or space-separated).")
    var models: [String] = ["lenet300,lenet5,vgglike"]

    @Option(parsing: .upToNextOption, help: "Objectives to check (comma- or space-separated).")
    var objectives: [String] = ["svdo,ard"]

    @Option(help: "Samples per step.")
    var batch: Int = 8

    @Option(help: "Training steps whose losses are compared [10; 3 for vgglike, whose trajectories part after a few steps even between two correct backends].")
    var steps: Int?

    @OptionGroup var device: DeviceOptions

    func validate() throws {
        guard ModelKind.list(models) != nil else { throw ValidationError(ModelKind.listHelp) }
        guard Objective.list(objectives) != nil else { throw ValidationError(Objective.listHelp) }
        guard batch >= 1 else { throw ValidationError("--batch must be at least 1.") }
        guard (steps ?? 1) >= 1 else { throw ValidationError("--steps must be at least 1.") }
    }

    /// VGG-like's loss is compared over 3 steps: with BatchNorm, Adam moves weights whose gradient
    /// is rounding noise (the conv bias right before BatchNorm) by ±lr either way, and on PoCL the
    /// two backends' losses part from 3e-5 after 3 steps to 1e-3 after 10. Its gradients, compared
    /// at the first step, agree to 6e-6.
    static func defaultSteps(_ model: ModelKind) -> Int { model == .vgglike ? 3 : 10 }

    func run() throws {
        let backend = try device.makeBackend(tuningFor: GemmAutoTuning.Workload.all(ModelKind.list(models)!, Objective.list(objectives)!, batch: batch)).backend
        try checkBLAS()
        guard !(backend is CPUBackend) else {
            let what = device.device == "cpu" ? "is the CPU backend itself" : "picks the CPU backend here"
            print("--device \(device.device) \(what), so there is no device to compare with it; name an OpenCL device, e.g. --device gpu or opencl-cpu, to check one.")
            return
        }
        let cpu = CPUBackend()
        print("vdrop check: \(backend.name) against the CPU backend, batch \(batch)")
        print("products: each of the first step against OpenBLAS on the same operands (tolerance \(BackendAgreement.productTolerance));")
        print("losses and gradients: tolerance \(BackendAgreement.tolerance), or 4 times how far the CPU backend's own move when their products change by ±2⁻²⁰")
        print("model     objective                 steps  product error  loss error (bound)     gradient error (bound)  verdict")
        var failures: [String] = []
        for model in ModelKind.list(models)! {
            for objective in Objective.list(objectives)! {
                let a = try BackendAgreement.measure(model: model, objective: objective, batch: batch,
                                                     steps: steps ?? Self.defaultSteps(model), device: backend, cpu: cpu)
                let product = a.productError.map { String(format: "%.2e", $0) } ?? "-"
                let loss = String(format: "%.2e (%.0e)", a.lossError, a.lossBound)
                let gradient = String(format: "%.2e (%.0e)", a.gradientError, a.gradientBound)
                var line = a.model.padding(toLength: 10, withPad: " ", startingAt: 0)
                line += a.objective.padding(toLength: 26, withPad: " ", startingAt: 0)
                line += "\(a.steps)".padding(toLength: 7, withPad: " ", startingAt: 0)
                line += product.padding(toLength: 15, withPad: " ", startingAt: 0)
                line += loss.padding(toLength: 23, withPad: " ", startingAt: 0)
                line += gradient.padding(toLength: 24, withPad: " ", startingAt: 0)
                print(line + (a.passed ? "agrees" : "DISAGREES"))
                fflush(stdout)
                if !a.passed { failures.append("\(a.model) \(a.objective)") }
            }
        }
        guard failures.isEmpty else {
            throw CommandFailure("\(backend.name) disagrees with the CPU backend on \(failures.joined(separator: ", ")).")
        }
        print("\(backend.name) agrees with the CPU backend.")
    }

    /// The CPU backend's OpenBLAS against a Double reference (``BLASSelfCheck``); throws when wrong.
    private func checkBLAS() throws {
        let blas = try BLASLibrary.shared()
        print("vdrop check: OpenBLAS, \(blas.summary)")
        let outcome = try BLASSelfCheck.result()
        print("OpenBLAS self-check: \(outcome.summary)")
        for failure in outcome.failures { print("  " + failure) }
        fflush(stdout)
        guard outcome.passed else {
            throw BLASLibraryError(message: "OpenBLAS computes wrong products with its \(blas.coreName) kernels on this machine, and the CPU backend relies on them; set OPENBLAS_CORETYPE to an older core (Haswell, Sandybridge or Prescott) or install another OpenBLAS build, then run `vdrop check --device cpu` again.")
        }
        print("")
    }
}
