import ArgumentParser
import Foundation
import VDrop

/// `vdrop train`: the paper's recipe on one model and objective, over one or several seeds.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a sparse Bayesian network and report test error and compression after trimming.",
        discussion: "Defaults are the paper's recipe (its Appendix A): Adam, lr 1e-3, batch 100, 200 epochs, lr decayed linearly to 0 from epoch 100, the regularizer annealed in over 20 epochs. Each epoch appends a line to DIR/metrics.jsonl (with per-layer metrics) and rewrites DIR/checkpoint.safetensors; weight histograms go to DIR/histograms.json; the end writes DIR/results.json and the run's report, DIR/report.html (see vdrop report)."
    )

    @OptionGroup var options: TrainingOptions

    @OptionGroup var logging: LoggingOptions

    @Option(help: "Train this many seeds (seed, seed+1, ...) and print mean ± std as in the paper's Table 1.")
    var seeds: Int = 1

    @Option(name: .customLong("seed-batch"), help: ArgumentHelp("Train this many of the --seeds at a time as one batched network on the device: every seed keeps its own data order, noise, folder and results, equal to its run alone. Default: all of them; 1 trains them one after another. With --devices (or under mpirun) each device trains whole runs one at a time instead.", valueName: "n"))
    var seedBatch: Int?

    @Option(name: .customLong("out"), help: "The folder for metrics, checkpoint and results (default: runs/MODEL-OBJECTIVE; with --seeds, one sub-folder per seed).")
    var out: String?

    @Flag(help: "Continue the run whose checkpoint is in the output folder, with the same flags (and the same --data).")
    var resume = false

    @Flag(help: "Start over in an output folder that holds a run, replacing it (without this, train refuses).")
    var force = false

    func validate() throws {
        do { _ = try TrainingConfiguration.seeds(from: options.seed, count: seeds) } catch let error as ConfigurationError {
            throw FlagNames.validationError(error)
        }
        if let seedBatch {
            guard seedBatch >= 1 else { throw ValidationError("--seed-batch takes a positive number of seeds (1: one after another).") }
            guard seedBatch == 1 || options.devices == nil else {
                throw ValidationError("--seed-batch batches seeds on one device; with --devices each device trains whole runs one at a time, so leave --seed-batch out (or give 1).")
            }
        }
        guard options.gammaAValues?.count == 1 else {
            throw ValidationError("train takes one value of --a; to train several, use vdrop sweep --a 0.505,0.51,...")
        }
    }

    func run() throws {
        let model = options.model
        let data = try DataSource.load(directory: options.data, model: model)
        let base = out ?? "runs/\(options.model)-\(options.objective)"
        print("vdrop train: \(options.model), objective \(options.objective); data \(data.source) (\(data.train.count) train, \(data.test.count) test)")
        let runs = try TrainingConfiguration.seeds(from: options.seed, count: seeds).map { seed in
            PlannedRun(configuration: options.configuration(seed: seed),
                       folder: seeds > 1 ? (base as NSString).appendingPathComponent("seed-\(seed)") : base,
                       label: seeds > 1 ? "seed \(seed)" : "", tensorboardSub: seeds > 1 ? "seed-\(seed)" : nil)
        }
        // Batched on the one device unless the runs are spread over several (--devices, mpirun).
        let batchSize = options.devices == nil ? min(seedBatch ?? seeds, seeds) : 1
        guard let results = try QueuedRuns.train(runs, options: options, logging: logging, data: data, resume: resume, force: force,
                                                 seedBatch: batchSize) else {
            return  // a rank other than 0 of an mpirun: rank 0 prints the table
        }
        if seeds > 1 {
            let summary = SeedSummary(label: "\(options.model) \(options.objective)", results: results.compactMap { $0 })
            print("")
            print("Objective                 Error %             Compression")
            print("\(summary.label.padding(toLength: 26, withPad: " ", startingAt: 0))\(summary.error.formatted(digits: 2).padding(toLength: 20, withPad: " ", startingAt: 0))\(summary.compression.formatted(digits: 1))")
            let trim = results.compactMap { $0 }.first?.evaluation.trim ?? options.trim.description
            print("(mean ± std over \(results.compactMap { $0 }.count) of \(seeds) seeds, trim \(trim))")
            if let note = QueuedRuns.missingNote(runs, results) { print(note) }
        }
        if results.contains(where: { $0 != nil }) { try Self.writeReport(of: base) }
        if results.contains(where: { $0 == nil }) { throw ExitCode.failure }
    }

    /// The report of the run (or runs) in `folder`, written as `folder/report.html`.
    static func writeReport(of folder: String) throws {
        let files = try Report.write(paths: [folder], to: (folder as NSString).appendingPathComponent("report.html"))
        print("Report: \(files.html)")
    }

    /// Trains (or resumes) one run into `folder` and prints its summary. Without `resume`, a
    /// folder that holds a run is refused unless `force`.
    static func trainOne(configuration: TrainingConfiguration, data: DataSplit, backend: any Backend, folder: String,
                         resume: Bool, force: Bool, stop: StopRequest?, prefix: String, logging: LoggingOptions,
                         tensorboardSub: String?, redraw: Bool = true) throws -> TrainingResult {
        let run = try prepare(configuration: configuration, data: data, backend: backend, folder: folder, resume: resume, force: force,
                              stop: stop, prefix: prefix, logging: logging, tensorboardSub: tensorboardSub, redraw: redraw)
        return try finish(run)
    }

    /// A run ready to train: its trainer (resumed where asked) and what prints and logs it.
    struct PreparedRun {
        let trainer: Trainer
        let observers: TrainingObservers
        /// Nil for a follower rank of a data-parallel run, which prints and writes nothing.
        let printer: ProgressPrinter?
        let folder: String
        let prefix: String
    }

    /// Builds the trainer of a run in `folder`, resumed from its checkpoint with `resume`. With
    /// `dataParallel`, rank 0 writes the folder and the other ranks only read its checkpoint.
    static func prepare(configuration: TrainingConfiguration, data: DataSplit, backend: any Backend, folder: String,
                        resume: Bool, force: Bool, stop: StopRequest?, prefix: String, logging: LoggingOptions,
                        tensorboardSub: String?, redraw: Bool, dataParallel: StepReduction? = nil,
                        member: SeedBatchMember? = nil) throws -> PreparedRun {
        let follower = (dataParallel?.rank ?? 0) != 0
        let run = RunFolder(folder)
        let checkpointExists = FileManager.default.fileExists(atPath: run.checkpointPath)
        if !(resume && checkpointExists) && !follower { try run.prepareForNewRun(force: force || resume) }
        let trainer = try Trainer(configuration: configuration, data: data, backend: backend, outputDirectory: follower ? nil : folder,
                                  dataParallel: dataParallel, member: member)
        trainer.stopRequest = stop
        let printer = follower ? nil : ProgressPrinter(totalEpochs: configuration.epochs, batch: configuration.batch, prefix: prefix, redraw: redraw)
        let observers = TrainingObservers()
        observers.members = printer.map { [$0] } ?? []
        if !follower { try logging.apply(to: trainer, observers: observers, tensorboardSub: tensorboardSub) }
        trainer.observer = observers
        if resume && checkpointExists {
            let checkpoint = try Checkpoint(contentsOf: run.checkpointPath)
            try trainer.resume(from: checkpoint, file: run.checkpointPath)
            let within = checkpoint.partialEpoch.map { ", step \($0.steps) of epoch \(checkpoint.epoch + 1)" } ?? ""
            printer?.note("Resuming \(run.checkpointPath) after epoch \(checkpoint.epoch)\(within).")
        } else if resume {
            printer?.note("No checkpoint in \(folder) to resume; starting from the beginning.")
        }
        return PreparedRun(trainer: trainer, observers: observers, printer: printer, folder: folder, prefix: prefix)
    }

    /// Trains a prepared run to its end and prints its summary.
    static func finish(_ run: PreparedRun) throws -> TrainingResult {
        let result = try withExtendedLifetime(run.observers) { try run.trainer.run() }
        report(result, of: run)
        return result
    }

    /// Prints a finished run's summary and where its files are.
    static func report(_ result: TrainingResult, of run: PreparedRun) {
        guard let printer = run.printer else { return }
        printSummary(result.evaluation, prefix: run.prefix)
        printer.note("Metrics, histograms, checkpoint and results are in \(run.folder)/.")
        for case let tensorboard as TensorBoardObserver in run.observers.members {
            if let failure = tensorboard.failure {
                printer.note("TensorBoard events stopped after an error: \(failure)")
            } else {
                printer.note("TensorBoard events: \(tensorboard.writer.path)")
            }
        }
    }

    static func printSummary(_ e: EvaluationResult, prefix: String) {
        print(String(format: "%@test error %.2f%% after trimming (%@), compression %.1fx", prefix, e.errorPercent, e.trim, e.compression))
        for layer in e.layers {
            print(String(format: "%@  %-8@ kept %8d of %8d weights (%.2f%%)", prefix, layer.layer, layer.kept, layer.weights, 100 * layer.keptFraction))
        }
    }
}
