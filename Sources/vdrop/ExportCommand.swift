import ArgumentParser
import Foundation
import VDrop

/// `vdrop export`: the trimmed network of a checkpoint as a file other tools read.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export a trained network, trimmed: as PyTorch CSR tensors (csr), as the smaller dense network left when dead neurons and channels are removed (compact), or as ONNX (onnx, optionally --compact).",
        discussion: "csr and compact are safetensors files with the network's architecture, trim rule, compression and test error (measured here, on the test set of --data) in their metadata. vdrop reads them wherever it takes a trained network, and so do numpy, SciPy and PyTorch (scripts/check-export.py); onnx carries the same in its metadata_props, and onnxruntime runs it (scripts/check-onnx.py)."
    )

    /// The file formats; each case says how its bytes are made from the trimmed network.
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case csr, compact, onnx

        /// `compact`: an onnx file of the compacted network (the compact format always is).
        func data(for model: InferenceModel, compact: Bool) throws -> Data {
            switch self {
            case .csr: return try model.safeTensorsData(format: .csr)
            case .compact: return try model.safeTensorsData(format: .compact)
            case .onnx: return try (compact ? model.compacted() : model).onnxModel(producerVersion: VDropCommand.producer)
            }
        }
    }

    @Option(help: "The network to export: a checkpoint (DIR/checkpoint.safetensors of a training run), or a file `vdrop export` wrote.")
    var checkpoint: String

    @Option(help: "Trimming rule for a checkpoint: mu[:threshold] or logalpha[:threshold] (default: the run's own). An exported file is already trimmed.", transform: TrimRule.init(parsing:))
    var trim: TrimRule?

    @Option(help: "The file format: csr (each weight as PyTorch's CSR triplet, safetensors), compact (the smaller dense network, safetensors) or onnx (a standard ONNX model, opset 13).")
    var format: Format

    @Flag(help: "With --format onnx: export the compact network (dead neurons, channels and unread inputs removed).")
    var compact = false

    @Option(help: "The file to write (replaced atomically).")
    var out: String

    @Option(help: "A folder with the test set the error is measured on (default: Fashion-MNIST).")
    var data: String?

    @OptionGroup var device: DeviceOptions

    func validate() throws {
        if compact && format != .onnx {
            throw ValidationError(format == .compact ? "--format compact is compact already; leave out --compact." : "--compact goes with --format onnx (the csr format keeps every neuron).")
        }
    }

    func run() throws {
        let stored = try InferenceModel.read(contentsOf: checkpoint)
        var model = try InferenceModel.load(stored, file: checkpoint, rule: trim)
        var measured = "as recorded in the file"
        if case .checkpoint(let saved) = stored {
            // The error of exactly the network written: the checkpoint under the same rule.
            let split = try DataSource.load(directory: data, model: saved.configuration.model)
            let backend = try device.makeBackend()
            let result = try Evaluator.evaluate(checkpoint: saved, file: checkpoint, rule: try TrimRule(parsing: model.provenance.trim),
                                                test: split.test, backend: backend)
            model.provenance.testErrorPercent = result.errorPercent
            measured = "on \(split.test.count) test samples (\(backend.name))"
        }
        let bytes = try format.data(for: model, compact: compact)
        try writeAtomically(bytes, to: out)

        let p = model.provenance
        print("vdrop export: \(checkpoint) (\(p.model), trimmed by \(p.trim), compression \(String(format: "%.1f", p.compression))x) -> \(out)")
        print("test error " + (p.testErrorPercent.map { String(format: "%.2f%%", $0) } ?? "unknown") + " \(measured)")
        let counts = model.weightCounts
        print("format \(format.rawValue): \(model.stages.filter(\.isWeightLayer).count) weight layers, \(counts.total) weights, \(counts.nonZero) non-zero, \(model.parameterCount) parameters with biases and BatchNorm")
        let dense = 4 * model.parameterCount
        print(String(format: "file %@: %@, %.1fx smaller than the dense fp32 parameters (%@)",
                     out, Self.size(bytes.count), Double(dense) / Double(max(bytes.count, 1)), Self.size(dense)))
        if format == .compact || compact { printCompaction(of: model) }
    }

    /// The new architecture, what each layer lost, and the parameters and multiply-adds saved.
    private func printCompaction(of model: InferenceModel) {
        let (compact, summary) = model.compaction()
        print("compact architecture: \(Self.architecture(compact, originalInputs: summary.inputsBefore))")
        if summary.inputsAfter != summary.inputsBefore { print("  inputs: \(summary.inputsBefore) -> \(summary.inputsAfter) read") }
        for layer in summary.layers.dropLast() {  // the class outputs are never removed
            print("  \(layer.name): \(layer.unitsBefore) -> \(layer.unitsAfter) units (removed: \(layer.unread) no kept weight reads, \(layer.constant) constant, folded into the next bias)")
        }
        print("parameters \(model.parameterCount) -> \(compact.parameterCount); multiply-adds per sample (dense path) \(model.multiplyAdds(nonZeroOnly: false)) -> \(compact.multiplyAdds(nonZeroOnly: false)), non-zero \(model.multiplyAdds(nonZeroOnly: true)) -> \(compact.multiplyAdds(nonZeroOnly: true))")
    }

    /// E.g. "784 (412 read) -> 63 -> 41 -> 10", or "1x28x28 -> conv 12@5x5 -> pool -> conv 30@5x5 -> pool -> 480 -> 10".
    static func architecture(_ model: InferenceModel, originalInputs: Int) -> String {
        var parts = [model.inputSelection.map { "\(originalInputs) (\($0.count) read)" } ?? model.sampleShape.map(String.init).joined(separator: "x")]
        for stage in model.stages {
            switch stage {
            case .dense(let d): parts.append("\(d.outputs)")
            case .conv(let c): parts.append("conv \(c.outChannels)@\(c.kernelSize)x\(c.kernelSize)")
            case .maxPool: parts.append("pool")
            case .relu, .batchNorm: break
            }
        }
        return parts.joined(separator: " -> ")
    }

    static func size(_ bytes: Int) -> String {
        bytes < 1 << 20 ? String(format: "%.1f KB", Double(bytes) / 1024) : String(format: "%.2f MB", Double(bytes) / Double(1 << 20))
    }
}

extension InferenceModel.Stage {
    var isWeightLayer: Bool {
        switch self {
        case .dense, .conv: return true
        default: return false
        }
    }
}
