import ArgumentParser
import Foundation
import VDrop

/// `vdrop sweep`: the Gamma hyperprior's accuracy–sparsity trade-off over a list of a (Table 2).
struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Train the gamma objective for each of several a and print error and compression as in the paper's Table 2."
    )

    @OptionGroup var options: TrainingOptions

    @OptionGroup var logging: LoggingOptions

    @Option(help: "Seeds per value of a.")
    var seeds: Int = 1

    @Option(name: .customLong("out"), help: "The folder for the runs (default: runs/sweep-MODEL), one sub-folder per a and seed.")
    var out: String?

    @Flag(help: "Continue the sweep in the output folder: each run resumes from its checkpoint (same flags and --data), finished runs are only re-evaluated.")
    var resume = false

    @Flag(help: "Start over in an output folder that holds runs, replacing them (without this, sweep refuses).")
    var force = false

    func validate() throws {
        do { _ = try TrainingConfiguration.seeds(from: options.seed, count: seeds) } catch let error as ConfigurationError {
            throw FlagNames.validationError(error)
        }
        guard options.objective == .ard || options.objective == .gamma else {
            throw ValidationError("sweep trains the gamma objective; leave out --objective or pass --objective gamma.")
        }
    }

    /// The values of --a (TrainingOptions has checked them).
    var parsedA: [Float] { options.gammaAValues ?? [] }

    func run() throws {
        let model = options.model
        let data = try DataSource.load(directory: options.data, model: model)
        let base = out ?? "runs/sweep-\(options.model)"
        print("vdrop sweep: \(options.model), gamma with b = \(options.gammaB), a in \(parsedA), \(seeds) seed(s)")
        let seedList = try TrainingConfiguration.seeds(from: options.seed, count: seeds)
        let runs = parsedA.flatMap { a in
            seedList.map { seed -> PlannedRun in
                var configuration = options.configuration(seed: seed)
                configuration.objective = .gamma
                configuration.gammaA = a
                let name = "a-\(a)-seed-\(seed)"
                return PlannedRun(configuration: configuration, folder: (base as NSString).appendingPathComponent(name),
                                  label: "a \(a), seed \(seed)", tensorboardSub: name)
            }
        }
        guard let results = try QueuedRuns.train(runs, options: options, logging: logging, data: data, resume: resume, force: force) else {
            return  // a rank other than 0 of an mpirun: rank 0 prints the table
        }
        print("")
        print("a        Error %             Compression")
        for (index, a) in parsedA.enumerated() {
            let finished = results[(index * seeds)..<((index + 1) * seeds)].compactMap { $0 }
            let row = String(format: "%.3f", a).padding(toLength: 9, withPad: " ", startingAt: 0)
            guard !finished.isEmpty else { print(row + "(no run finished)"); continue }
            let summary = SeedSummary(label: String(a), results: finished)
            let count = finished.count < seeds ? "   (\(finished.count) of \(seeds) seeds)" : ""
            print("\(row)\(summary.error.formatted(digits: 2).padding(toLength: 20, withPad: " ", startingAt: 0))\(summary.compression.formatted(digits: 1))\(count)")
        }
        print("(gamma hyperprior, b = \(options.gammaB); mean ± std over \(seeds) seed(s))")
        if let note = QueuedRuns.missingNote(runs, results) { print(note) }
        if results.contains(where: { $0 != nil }) { try TrainCommand.writeReport(of: base) }
        if results.contains(where: { $0 == nil }) { throw ExitCode.failure }
    }
}
