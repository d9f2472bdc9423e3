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
            throw ValidationError(error.message)
        }
        guard options.objective == "ard" || options.objective == "gamma" else {
            throw ValidationError("sweep trains the gamma objective; leave out --objective or pass --objective gamma.")
        }
    }

    /// The values of --a (TrainingOptions has checked them).
    var parsedA: [Float] { options.gammaAValues ?? [] }

    func run() throws {
        let model = ModelKind(rawValue: options.model) ?? .lenet5
        let backend = try options.device.makeBackend()
        let data = try DataSource.load(directory: options.data, model: model)
        let base = out ?? "runs/sweep-\(options.model)"
        print("vdrop sweep: \(options.model), gamma with b = \(options.gammaB), a in \(parsedA), \(seeds) seed(s), on \(backend.name)")
        let stop = Interruption.install()
        var rows: [(Float, SeedSummary)] = []
        for a in parsedA {
            var results: [TrainingResult] = []
            for seed in try TrainingConfiguration.seeds(from: options.seed, count: seeds) {
                var configuration = options.configuration(seed: seed)
                configuration.objective = "gamma"
                configuration.gammaA = a
                let name = "a-\(a)-seed-\(configuration.seed)"
                let folder = (base as NSString).appendingPathComponent(name)
                do {
                    results.append(try TrainCommand.trainOne(configuration: configuration, data: data, backend: backend, folder: folder,
                                                             resume: resume, force: force, stop: stop,
                                                             prefix: "[a \(a), seed \(configuration.seed)] ", logging: logging,
                                                             tensorboardSub: name))
                } catch let interrupted as TrainingInterrupted {
                    throw Interruption.exit(after: interrupted)
                }
            }
            rows.append((a, SeedSummary(label: String(a), results: results)))
        }
        print("")
        print("a        Error %             Compression")
        for (a, summary) in rows {
            print("\(String(format: "%.3f", a).padding(toLength: 9, withPad: " ", startingAt: 0))\(summary.error.formatted(digits: 2).padding(toLength: 20, withPad: " ", startingAt: 0))\(summary.compression.formatted(digits: 1))")
        }
        print("(gamma hyperprior, b = \(options.gammaB); mean ± std over \(seeds) seed(s))")
        try TrainCommand.writeReport(of: base)
    }
}
