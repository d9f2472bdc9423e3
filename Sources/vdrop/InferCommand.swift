import ArgumentParser
import Foundation
import VDrop

/// `vdrop infer`: the test set's predictions by a trained network on the dense or the sparse path.
struct InferCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "infer",
        abstract: "Predict the test set with a trained network (a checkpoint or an exported file) on the dense or the sparse path.",
        discussion: "Prints the test error, images per second and the path used; --out writes index,label,prediction as CSV."
    )

    @Option(help: "The network: a training checkpoint or a file `vdrop export` wrote.")
    var weights: String

    @Option(help: "A folder with MNIST-style IDX files or CIFAR-10 binary batches (default: Fashion-MNIST).")
    var data: String?

    @Option(help: "Samples per pass.")
    var batch: Int = 100

    @Option(help: "dense (GEMMs over every weight), sparse (CSR products and sparse-filter convolutions over the non-zeros) or auto (sparse when at most 15% of the weights are non-zero).")
    var path: String = "auto"

    @Option(help: "Trimming rule for a checkpoint: mu[:threshold] or logalpha[:threshold] (default: the run's own).", transform: TrimRule.init(parsing:))
    var trim: TrimRule?

    @Option(help: "Also write the predictions to this CSV file (index,label,prediction).")
    var out: String?

    @OptionGroup var device: DeviceOptions

    func validate() throws {
        guard batch >= 1 else { throw ValidationError("--batch must be at least 1; got \(batch).") }
        guard path == "auto" || InferencePath(rawValue: path) != nil else {
            throw ValidationError("--path must be dense, sparse or auto (not \(path)).")
        }
    }

    func run() throws {
        let model = try InferenceModel.load(contentsOf: weights, rule: trim)
        let split = try DataSource.load(directory: data, model: try model.modelKind(file: weights))
        let chosenPath = InferencePath(rawValue: path) ?? InferencePath.automatic(for: model)
        let backend = try device.makeBackend()
        let engine = try InferenceEngine(model: model, backend: backend, path: chosenPath, batchSize: min(batch, max(split.test.count, 1)))
        let counts = model.weightCounts
        print("vdrop infer: \(weights) (\(model.provenance.model), trim \(model.provenance.trim), \(counts.nonZero) of \(counts.total) weights non-zero) on \(backend.name), \(split.test.count) test samples")
        let result = try TestSetPrediction(engine: engine, dataset: split.test)
        print(String(format: "path %@%@, batch %d: test error %.2f%% (%d of %d), %.0f images/s",
                     chosenPath.rawValue, path == "auto" ? " (auto)" : "", engine.batchSize, result.errorPercent, result.errors,
                     result.labels.count, result.imagesPerSecond))
        if let out {
            try writeAtomically(Data(result.csv.utf8), to: out)
            print("wrote \(out)")
        }
    }
}
