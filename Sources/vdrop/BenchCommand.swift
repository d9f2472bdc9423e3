import ArgumentParser
import Foundation
import VDrop
import VDropTools

/// `vdrop bench`: operations and whole training steps, device against the CPU backend.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time every operation and the whole training step of each model on the device and on the CPU backend; with --inference, a trained network's dense, sparse and compact inference.",
        discussion: "Prints median times over at least 20 runs after a warm-up, GFLOP/s or GB/s, the device's speed-up, kernels per step, the memory each network allocates and the peak host memory; --json writes the same as JSON."
    )

    @Option(parsing: .upToNextOption, help: "Models to measure: lenet300, lenet5, vgglike (comma- or space-separated).")
    var models: [String] = ["lenet300,lenet5,vgglike"]

    @Option(parsing: .upToNextOption, help: "Objectives of the step benchmark (comma- or space-separated).")
    var objectives: [String] = ["svdo,ard"]

    @Option(parsing: .upToNextOption, help: "Samples per step (one size; default 100), or with --inference the batch sizes to time (comma- or space-separated; default 1,100).")
    var batch: [String] = []

    @Flag(help: "Time inference instead of training: images/s of --weights on the dense and the sparse path, on the device and on the CPU backend, with its FLOP, byte and file size reductions.")
    var inference = false

    @Option(help: "With --inference: the network to time (a checkpoint or an exported file).")
    var weights: String?

    @Option(help: "With --inference: the trimming rule for a checkpoint (default: the run's own).", transform: TrimRule.init(parsing:))
    var trim: TrimRule?

    @Option(help: "Timed samples per measurement (at least 20 for the published numbers).")
    var samples: Int = 20

    @Flag(help: "Skip the per-operation table.")
    var skipOperations = false

    @Flag(help: "Skip the CPU backend's step timings (they take minutes for vgglike).")
    var skipCPUSteps = false

    @Flag(help: "Also time every kernel of each device step with OpenCL profiling events, over 10 more steps, and print where the step's device time goes (the queue then keeps events, so quote step times from a run without it).")
    var profile = false


    @Option(help: "Also time the step of this many seeds trained as one batched network (train --seeds N), beside the single network's step: its images/s count every seed's images, so its ratio to the single step's is its speed-up over the seeds trained one after another.")
    var seeds: Int = 1

    @Option(help: "Also write the measurements to this JSON file.")
    var json: String?

    @Option(parsing: .upToNextOption, help: ArgumentHelp(
        "Time each model's device step once per conv route named here, one after the other in this run, instead of only --conv-route's (comma- or space-separated; each as --conv-route takes it, e.g. im2col,fused,implicit,implicit:large).",
        valueName: "routes"))
    var convRoutes: [String] = []

    /// Whether a ReLU after a BatchNorm runs in the BatchNorm's passes (``ModelPlan``).
    enum BatchNormReLU: String, ExpressibleByArgument, CaseIterable {
        case fused, separate
    }

    @Option(help: "How the steps run a ReLU after a BatchNorm (VGG-like): fused into the BatchNorm's passes (the default, as train does) or separate, a layer of its own, to time what the fusion saves.")
    var bnRelu: BatchNormReLU = .fused

    @OptionGroup var device: DeviceOptions

    /// The --conv-routes, or nil when one is not a route.
    var convRouteList: [ConvRouteChoice]? {
        let words = convRoutes.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let routes = words.compactMap(ConvRouteChoice.init(parsing:))
        return routes.count == words.count ? routes : nil
    }

    var modelKinds: [ModelKind] { ModelKind.list(models) ?? [] }
    var objectiveList: [Objective] { Objective.list(objectives) ?? [] }

    func validate() throws {
        guard ModelKind.list(models) != nil else { throw ValidationError(ModelKind.listHelp) }
        guard Objective.list(objectives) != nil else { throw ValidationError(Objective.listHelp) }
        guard let sizes = batchSizes, sizes.allSatisfy({ $0 >= 1 }) else {
            throw ValidationError("--batch takes positive whole numbers, comma- or space-separated (not \(batch.joined(separator: " "))).")
        }
        guard inference || sizes.count == 1 else { throw ValidationError("--batch takes one size for the training benchmark.") }
        guard !inference || weights != nil else { throw ValidationError("--inference needs --weights FILE, the network to time.") }
        guard inference || weights == nil else { throw ValidationError("--weights is for --inference.") }
        guard samples >= 1 else { throw ValidationError("--samples must be at least 1.") }
        guard seeds >= 1 else { throw ValidationError("--seeds must be at least 1.") }
        guard seeds == 1 || !inference else { throw ValidationError("--seeds times training steps; leave it out with --inference.") }
        guard convRouteList != nil else {
            throw ValidationError("--conv-routes takes routes, comma- or space-separated, each \(ConvRouteChoice.help) (not \(convRoutes.joined(separator: " "))).")
        }
    }

    /// The --batch sizes, or nil when one is not a number.
    var batchSizes: [Int]? {
        let words = batch.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if words.isEmpty { return inference ? [1, 100] : [100] }
        let sizes = words.compactMap { Int($0) }
        return sizes.count == words.count ? sizes : nil
    }

    func run() throws {
        if inference, let weights {
            try InferenceBenchReport(weights: weights, trim: trim, batches: batchSizes ?? [1, 100], samples: samples,
                                     device: device, json: json).run()
            return
        }
        let batch = batchSizes?.first ?? 100
        let cpu = CPUBackend()
        let (chosen, firstUse) = try device.makeBackend(profiling: profile, tuningFor: GemmAutoTuning.Workload.all(modelKinds, objectiveList, batch: batch))
        let deviceBackend: (any Backend)? = chosen is CPUBackend ? nil : chosen
        if profile && deviceBackend == nil {
            print("--profile times the kernels of an OpenCL device; the CPU backend has none, so no profile is printed.")
        }
        let kernels = (try? BLASLibrary.shared()).map { ", OpenBLAS \($0.coreName) kernels \($0.coreChoice.origin)" } ?? ""
        print("vdrop bench on \(deviceBackend?.name ?? "the CPU backend only") (CPU backend: \(cpu.threadCount) threads\(kernels)), batch \(batch), \(samples) samples")
        let gemmParameters = deviceBackend?.gemmControl.map {
            "\($0.gemmParameters); routes: \(device.gemmRoutes); conv: \(convRouteList?.isEmpty == false ? convRoutes.joined(separator: ",") : device.convRoute)"
                + (seeds > 1 ? "; seed products: \($0.seedProducts)" : "")
        }
        if let gemmParameters { print("CLBlast SGEMM parameters: \(gemmParameters)") }
        if let hint = device.tuningHint(for: chosen) { print(hint) }
        if let firstUse, !firstUse.tuned, firstUse.shapes > 0 {
            print("auto-tune: all \(firstUse.shapes) product shapes were timed before (\(firstUse.path)); nothing to time")
        }

        var operations: [OperationMeasurement] = []
        if !skipOperations {
            operations = try OperationBenchmark.measure(models: modelKinds, batch: batch, cpu: cpu, device: deviceBackend, samples: samples)
            print("")
            print(pad("operation", 26) + pad("shape", 30) + pad("cpu ms", 10) + pad("device ms", 11) + pad("cpu rate", 18) + pad("device rate", 18) + "speed-up")
            for m in operations {
                print(pad(m.operation, 26) + pad(m.shape, 30) + pad(String(format: "%.3f", m.cpuMs), 10)
                      + pad(m.deviceMs.map { String(format: "%.3f", $0) } ?? "-", 11)
                      + pad(String(format: "%.1f %@", m.cpuRate, m.rateUnit), 18)
                      + pad(m.deviceRate.map { String(format: "%.1f %@", $0, m.rateUnit) } ?? "-", 18)
                      + (m.speedup.map { String(format: "%.1fx", $0) } ?? "-"))
            }
        }

        let fused = bnRelu == .fused
        var deviceSteps: [StepMeasurement] = []
        var cpuSteps: [StepMeasurement] = []
        print("")
        print(pad("model", 10) + pad("objective", 26) + pad("backend", 34) + pad("ms/step", 10) + pad("images/s", 11) + pad("kernels/step", 14) + pad("network", 12) + "device in use")
        for model in modelKinds {
            for objective in objectiveList {
                if let deviceBackend {
                    for route in timedConvRoutes(deviceBackend) {
                        if let route { deviceBackend.gemmControl?.useConvRoute(route) }
                        var m = try StepBenchmark.measure(model: model, objective: objective, batch: batch, backend: deviceBackend,
                                                          samples: samples, profileSteps: profile ? 10 : 0, fuseBatchNormReLU: fused)
                        if let route { m.backend += " conv \(route)" }
                        deviceSteps.append(m)
                        printStep(m)
                        if let profile = m.profile { printProfile(profile) }
                        if seeds > 1 {
                            let batched = try SeedBatchBenchmark.measure(model: model, objective: objective, batch: batch, seeds: seeds,
                                                                         backend: deviceBackend, samples: samples, fuseBatchNormReLU: fused)
                            deviceSteps.append(batched)
                            printStep(batched, single: m)
                        }
                    }
                }
                if !skipCPUSteps {
                    // vgglike takes seconds per step on a few cores: fewer samples keep the run bounded.
                    let cpuSamples = model == .vgglike ? min(samples, 3) : samples
                    let m = try StepBenchmark.measure(model: model, objective: objective, batch: batch, backend: cpu,
                                                      samples: cpuSamples, stepsPerSample: model == .vgglike ? 1 : 5,
                                                      warmupSteps: model == .vgglike ? 1 : 5, fuseBatchNormReLU: fused)
                    cpuSteps.append(m)
                    printStep(m)
                    if seeds > 1 {
                        let batched = try SeedBatchBenchmark.measure(model: model, objective: objective, batch: batch, seeds: seeds, backend: cpu,
                                                                     samples: cpuSamples, stepsPerSample: model == .vgglike ? 1 : 5,
                                                                     warmupSteps: model == .vgglike ? 1 : 5, fuseBatchNormReLU: fused)
                        cpuSteps.append(batched)
                        printStep(batched, single: m)
                    }
                }
            }
        }
        let peak = Stopwatch.peakResidentBytes()
        print("")
        print(String(format: "peak host memory %.1f MiB", Double(peak) / 1_048_576))
        if let json {
            let report = BenchmarkReport(date: ISO8601DateFormatter().string(from: Date()), device: deviceBackend?.name ?? "none",
                                         cpuThreads: cpu.threadCount, operations: operations, deviceSteps: deviceSteps,
                                         cpuSteps: cpuSteps, peakHostBytes: peak, gemmParameters: gemmParameters,
                                         firstUseTuningSeconds: firstUse?.totalSeconds, firstUseShapesTimed: firstUse?.shapesTimed)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try writeAtomically(try encoder.encode(report), to: json)
            print("wrote \(json)")
        }
    }

    /// The conv routes to time a device step on: nil alone (the backend's own) when --conv-routes
    /// is not given or the device is not OpenCL.
    private func timedConvRoutes(_ backend: any Backend) -> [ConvRouteChoice?] {
        guard backend.gemmControl != nil, let routes = convRouteList, !routes.isEmpty else { return [nil] }
        return routes
    }

    /// One step's line; a seed batch's (`single`: the one-network step it is compared with) says
    /// its seeds and ends with its images/s over the single step's.
    private func printStep(_ m: StepMeasurement, single: StepMeasurement? = nil) {
        let backend = m.seeds.map { "\(m.backend) ×\($0) seeds" } ?? m.backend
        let ratio = single.map { String(format: "   %.2fx the images/s of %d runs in a row", m.imagesPerSecond / $0.imagesPerSecond, m.seeds ?? 1) } ?? ""
        print(pad(m.model, 10) + pad(m.objective, 26) + pad(backend, 34) + pad(String(format: "%.3f", m.msPerStep), 10)
              + pad(String(format: "%.0f", m.imagesPerSecond), 11) + pad(m.kernelsPerStep.map { String(format: "%.0f", $0) } ?? "-", 14)
              + pad(String(format: "%.1f MiB", Double(m.networkBytes) / 1_048_576), 12)
              + (m.deviceBytesInUse.map { String(format: "%.1f MiB", Double($0) / 1_048_576) } ?? "-") + ratio)
        fflush(stdout)
    }

    /// The kernels that take 95% of the step's busy time, then the rest in one line.
    private func printProfile(_ profile: KernelProfile) {
        print(String(format: "    device time per step: %.3f ms busy in a %.3f ms span (the rest is the device waiting for launches)",
                     profile.busyMsPerStep, profile.spanMsPerStep))
        var covered = 0.0
        var rest = profile.entries[...]
        while let entry = rest.first, covered < 0.95 {
            print("    " + pad(entry.name, 44) + pad(String(format: "%.0f×", entry.launchesPerStep), 6)
                  + pad(String(format: "%.4f ms", entry.msPerStep), 12) + String(format: "%4.1f%%", entry.share * 100))
            covered += entry.share
            rest = rest.dropFirst()
        }
        if !rest.isEmpty {
            print("    " + pad("\(rest.count) other kernels", 50) + pad(String(format: "%.4f ms", rest.map(\.msPerStep).reduce(0, +)), 12)
                  + String(format: "%4.1f%%", rest.map(\.share).reduce(0, +) * 100))
        }
        fflush(stdout)
    }

    private func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text.padding(toLength: width, withPad: " ", startingAt: 0)
    }
}
