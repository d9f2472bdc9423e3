import ArgumentParser
import Foundation
import VDrop

/// `vdrop eval`: re-evaluates a saved checkpoint, with any trimming rule.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate a checkpoint or an exported file: test error after trimming, compression and the kept fraction per layer."
    )

    @Option(help: "The checkpoint file (DIR/checkpoint.safetensors of a training run), or a file vdrop export wrote.")
    var checkpoint: String

    @Option(help: "Trimming rule: mu[:threshold] or logalpha[:threshold] (default: the run's own).", transform: TrimRule.init(parsing:))
    var trim: TrimRule?

    @Option(help: "A folder with MNIST-style IDX files or CIFAR-10 binary batches (default: Fashion-MNIST).")
    var data: String?

    @Option(help: "Evaluation batch size (default: the run's).")
    var batch: Int?

    @OptionGroup var device: DeviceOptions

    func validate() throws {
        if let batch, batch < 1 { throw ValidationError("--batch must be at least 1; got \(batch).") }
    }

    func run() throws {
        let saved: Checkpoint
        let stored = try InferenceModel.read(contentsOf: checkpoint)
        switch stored {
        case .checkpoint(let read): saved = read
        case .exported(_, let format): return try evaluateExported(stored, format: format.rawValue)
        case .onnx: return try evaluateExported(stored, format: "onnx")
        }
        let configuration = saved.configuration
        let model = configuration.model
        let rule = trim ?? configuration.trim
        let split = try DataSource.load(directory: data, model: model)
        let backend = try device.makeBackend()
        print("vdrop eval: \(checkpoint) (\(configuration.model), \(configuration.objective), epoch \(saved.epoch)) on \(backend.name), \(split.test.count) test samples")
        TrainCommand.printSummary(try Evaluator.evaluate(checkpoint: saved, file: checkpoint, rule: rule, test: split.test,
                                                         backend: backend, batch: batch), prefix: "")
    }

    /// An exported file (already trimmed): its deterministic network on the inference engine's
    /// dense path, which runs the products `vdrop eval` runs on a checkpoint.
    private func evaluateExported(_ stored: InferenceModel.StoredNetwork, format: String) throws {
        let model = try InferenceModel.load(stored, file: checkpoint,
                                            rule: trim)
        let split = try DataSource.load(directory: data, model: try model.modelKind(file: checkpoint))
        let backend = try device.makeBackend()
        let engine = try InferenceEngine(model: model, backend: backend, path: .dense,
                                         batchSize: min(batch ?? 100, max(split.test.count, 1)))
        print("vdrop eval: \(checkpoint) (exported \(format), \(model.provenance.model), trimmed by \(model.provenance.trim)) on \(backend.name), \(split.test.count) test samples")
        let result = try TestSetPrediction(engine: engine, dataset: split.test)
        print(String(format: "test error %.2f%% (%@), compression %.1fx when trimmed", result.errorPercent, model.provenance.trim,
                     model.provenance.compression))
        for stage in model.stages {
            let (name, weights): (String, [Float])
            switch stage {
            case .dense(let d): (name, weights) = (d.name, d.weight)
            case .conv(let c): (name, weights) = (c.name, c.weight)
            default: continue
            }
            let kept = weights.reduce(0) { $0 + ($1 != 0 ? 1 : 0) }
            print(String(format: "  %-8@ non-zero %8d of %8d weights (%.2f%%)", name, kept, weights.count, 100 * Double(kept) / Double(max(weights.count, 1))))
        }
    }
}
