import Foundation

/// Trained dense weights a run starts from (`train --init-from FILE`): sparsifying a model the
/// user already has instead of training one from scratch.
///
/// Two files are read:
/// - safetensors in PyTorch's layout, what `safetensors.torch.save_file(model.state_dict())`
///   writes for vdrop's architectures: `dense1.weight` [out, in], `dense1.bias`, `conv1.weight`
///   [out, in, k, k], and BatchNorm's `bn1.weight`, `bn1.bias`, `bn1.running_mean`,
///   `bn1.running_var` (`bn1.num_batches_tracked` is ignored);
/// - a vdrop checkpoint of the same model (typically trained with `--objective none`): its θ,
///   biases and BatchNorm tensors.
///
/// θ takes the file's weights and every log σ² starts at −8 (σ = e⁻⁴ ≈ 0.018: the Sparse VD
/// authors' fine-tuning start), so the first forward passes are the given network's with
/// barely any noise, and the regularizer then decides which weights it can do without.
public struct InitialWeights {
    /// The log σ² every weight starts from.
    public static let startingLogSigma2: Float = -8

    /// Tensors under the network's own names (``ModelPlan/parameterNames``), log σ² included.
    public let tensors: [String: SafeTensors.Entry]
    public let model: ModelKind

    /// Reads `path` for `model`; a tensor that is missing, unknown to the model, of another shape
    /// or not finite is a sentence naming it (in the file's own names).
    public init(contentsOf path: String, model: ModelKind) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ModelFileError(file: path, problem: "cannot be read (missing, or no permission).")
        }
        try self.init(data: data, file: path, model: model)
    }

    public init(data: Data, file path: String, model: ModelKind) throws {
        let (entries, metadata) = try SafeTensors.decode(data, file: path)
        let plan = ModelPlan(model: model, batch: 1)
        let fromCheckpoint = metadata["vdrop.format"] != nil
        if fromCheckpoint {
            let checkpoint = try Checkpoint(data: data, file: path)
            guard checkpoint.configuration.model == model else {
                throw ConfigurationError("\(path) is a checkpoint of model \(checkpoint.configuration.model); \(.model) is \(model.rawValue). Give \(.model) \(checkpoint.configuration.model), or weights of \(model.rawValue).")
            }
        }
        // The file's name for each tensor the network needs, and the shape it must have.
        var wanted: [(fileName: String, name: String, shape: [Int])] = []
        for stage in plan.stages {
            guard let key = stage.key else { continue }
            switch stage.operation {
            case .dense(let inputs, let outputs, _):
                wanted += [(fromCheckpoint ? "\(key).theta" : "\(key).weight", "\(key).theta", [outputs, inputs]),
                           ("\(key).bias", "\(key).bias", [outputs])]
            case .conv(let g, _):
                wanted += [(fromCheckpoint ? "\(key).theta" : "\(key).weight", "\(key).theta", g.weightShape),
                           ("\(key).bias", "\(key).bias", [g.outChannels])]
            case .batchNorm(let channels, _):
                wanted += ["weight", "bias", "running_mean", "running_var"].map { ("\(key).\($0)", "\(key).\($0)", [channels]) }
            case .relu, .maxPool:
                break
            }
        }
        if !fromCheckpoint {
            let known = Set(wanted.map(\.fileName))
            let unknown = entries.keys.filter { !known.contains($0) && !$0.hasSuffix(".num_batches_tracked") }.sorted()
            if let first = unknown.first {
                throw ModelFileError(file: path, problem: "holds the tensor \"\(first)\"\(unknown.count > 1 ? " (and \(unknown.count - 1) more)" : ""), which model \(model.rawValue) has no place for; it takes \(wanted.map(\.fileName).joined(separator: ", ")).")
            }
        }
        var tensors: [String: SafeTensors.Entry] = [:]
        for (fileName, name, shape) in wanted {
            guard let entry = entries[fileName] else {
                throw ModelFileError(file: path, problem: "lacks the tensor \"\(fileName)\" (shape \(shape)) that model \(model.rawValue) needs.")
            }
            guard entry.shape == shape else {
                throw ModelFileError(file: path, problem: "tensor \"\(fileName)\" has shape \(entry.shape); model \(model.rawValue) needs \(shape).")
            }
            guard entry.values.allSatisfy({ $0.isFinite }) else {
                throw ModelFileError(file: path, problem: "tensor \"\(fileName)\" holds a non-finite value.")
            }
            if fileName.hasSuffix(".running_var"), !entry.values.allSatisfy({ $0 >= 0 }) {
                throw ModelFileError(file: path, problem: "tensor \"\(fileName)\" holds a negative variance.")
            }
            tensors[name] = SafeTensors.Entry(name: name, shape: shape, values: entry.values)
            if name.hasSuffix(".theta") {
                let logSigma2 = name.replacingOccurrences(of: ".theta", with: ".log_sigma2")
                tensors[logSigma2] = SafeTensors.Entry(name: logSigma2, shape: shape,
                                                       values: [Float](repeating: Self.startingLogSigma2, count: entry.values.count))
            }
        }
        self.tensors = tensors
        self.model = model
    }

    /// Puts the weights into `network` (built for the same model); Adam's moments stay as they are (zero at the start).
    public func load(into network: Network, file: String) throws {
        try Checkpoint.restoreParameters(tensors, into: network, model: model.rawValue, file: file)
    }
}
