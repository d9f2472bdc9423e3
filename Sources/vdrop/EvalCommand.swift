import ArgumentParser
import Foundation
import VDrop

/// `vdrop eval`: re-evaluates a saved checkpoint, with any trimming rule.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate a checkpoint: test error after trimming, compression and the kept fraction per layer."
    )

    @Option(help: "The checkpoint file (DIR/checkpoint.safetensors of a training run).")
    var checkpoint: String

    @Option(help: "Trimming rule: mu[:threshold] or logalpha[:threshold] (default: the run's own).")
    var trim: String?

    @Option(help: "A folder with MNIST-style IDX files or CIFAR-10 binary batches (default: Fashion-MNIST).")
    var data: String?

    @Option(help: "Evaluation batch size (default: the run's).")
    var batch: Int?

    @OptionGroup var device: DeviceOptions

    func validate() throws {
        if let trim { do { _ = try TrimRule(parsing: trim) } catch let error as ConfigurationError { throw ValidationError(error.message) } }
        if let batch, batch < 1 { throw ValidationError("--batch must be at least 1; got \(batch).") }
    }

    func run() throws {
        let saved = try Checkpoint(contentsOf: checkpoint)
        let configuration = saved.configuration
        let model = configuration.modelKind
        let rule = try TrimRule(parsing: trim ?? configuration.trim)
        let split = try DataSource.load(directory: data, model: model)
        let backend = try device.makeBackend()
        print("vdrop eval: \(checkpoint) (\(configuration.model), \(configuration.objective), epoch \(saved.epoch)) on \(backend.name), \(split.test.count) test samples")
        TrainCommand.printSummary(try Evaluator.evaluate(checkpoint: saved, file: checkpoint, rule: rule, test: split.test,
                                                         backend: backend, batch: batch), prefix: "")
    }
}
