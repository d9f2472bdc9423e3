import Foundation

/// A training run saved at an epoch's end: parameters and BatchNorm statistics by name,
/// Adam's moments, the step, and the whole configuration (the RNG state is the seed and
/// the step: every random number is Philox of those).
///
/// Stored as safetensors, so `safetensors.numpy.load_file("checkpoint.safetensors")`
/// gives "conv1.theta", "conv1.log_sigma2", "conv1.bias", ... in PyTorch's layouts.
public struct Checkpoint {
    public static let formatVersion = "1"
    public var configuration: TrainingConfiguration
    /// Epochs completed.
    public var epoch: Int
    /// Steps completed (Adam's t).
    public var step: Int
    public var tensors: [String: SafeTensors.Entry]
    /// The data the run trained on (nil in checkpoints written before it was recorded).
    public var data: DataIdentity?
    /// Where the epoch after `epoch` stood when the checkpoint was written mid-epoch (an
    /// interrupted run); nil at an epoch's end.
    public var partialEpoch: EpochProgress?


    /// Reads the network's state from its backend.
    public init(network: Network, configuration: TrainingConfiguration, epoch: Int, step: Int,
                data: DataIdentity? = nil, partialEpoch: EpochProgress? = nil) throws {
        self.configuration = configuration
        self.epoch = epoch
        self.step = step
        self.data = data
        self.partialEpoch = partialEpoch
        let backend = network.backend
        var tensors: [String: SafeTensors.Entry] = [:]
        let parameters = try backend.download(network.arena.parameters)
        let state = try backend.download(network.state)
        for (name, view) in network.namedParameters() {
            let (source, base) = view.storage === network.state.storage ? (state, network.state.offset) : (parameters, network.arena.parameters.offset)
            let start = view.offset - base
            tensors[name] = SafeTensors.Entry(name: name, shape: view.shape, values: Array(source[start..<(start + view.count)]))
        }
        for (name, moment) in network.adam.namedMoments {
            tensors[name] = SafeTensors.Entry(name: name, shape: [moment.count], values: try backend.download(moment))
        }
        self.tensors = tensors
    }

    /// Reads a checkpoint file; a damaged or foreign file throws a sentence naming it.
    public init(contentsOf path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ModelFileError(file: path, problem: "cannot be read (missing, or no permission).")
        }
        try self.init(data: data, file: path)
    }

    /// Decodes a checkpoint file's bytes; `path` is the file errors name.
    public init(data: Data, file path: String) throws {
        let (entries, metadata) = try SafeTensors.decode(data, file: path)
        let configuration: TrainingConfiguration?
        do {
            configuration = try metadata["vdrop.configuration"].map { try JSONDecoder().decode(TrainingConfiguration.self, from: Data($0.utf8)) }
        } catch let error as ConfigurationError {
            // A name vdrop does not know (a model, an objective, a trimming rule): say which.
            throw ModelFileError(file: path, problem: "holds a configuration vdrop cannot run (\(error.wording)) The checkpoint is damaged or was not written by vdrop; start the run again.")
        } catch {
            configuration = nil
        }
        guard metadata["vdrop.format"] == Self.formatVersion, let configuration,
              let epoch = metadata["vdrop.epoch"].flatMap(Int.init), let step = metadata["vdrop.step"].flatMap(Int.init) else {
            throw ModelFileError(file: path, problem: "is a safetensors file but not a vdrop checkpoint (its metadata lacks vdrop.format, vdrop.configuration, vdrop.epoch or vdrop.step).")
        }
        self.configuration = configuration
        self.epoch = epoch
        self.step = step
        tensors = entries
        self.data = try metadata["vdrop.data"].map { try Self.decode(DataIdentity.self, $0, key: "vdrop.data", file: path) }
        partialEpoch = try metadata["vdrop.partial_epoch"].map { try Self.decode(EpochProgress.self, $0, key: "vdrop.partial_epoch", file: path) }
        try validate(file: path)
    }

    /// Writes the checkpoint atomically (temporary file, fsync, rename).
    public func write(to path: String) throws {
        let json = String(decoding: try JSONEncoder().encode(configuration), as: UTF8.self)
        // vdrop.parameterization repeats the configuration's for readers: the file's log_sigma2
        // tensors are log σ² either way, and the Adam moments are those of the trained variable.
        var metadata = ["vdrop.format": Self.formatVersion, "vdrop.configuration": json, "vdrop.epoch": String(epoch),
                        "vdrop.step": String(step), "vdrop.rng": "philox4x32-10 seed=\(configuration.seed) step=\(step)",
                        "vdrop.parameterization": configuration.parameterization.rawValue]
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        if let data { metadata["vdrop.data"] = String(decoding: try encoder.encode(data), as: UTF8.self) }
        if let partialEpoch { metadata["vdrop.partial_epoch"] = String(decoding: try encoder.encode(partialEpoch), as: UTF8.self) }
        let entries = tensors.keys.sorted().compactMap { tensors[$0] }
        try writeAtomically(try SafeTensors.encode(entries, metadata: metadata), to: path)
    }

    /// One JSON value of the metadata, or a sentence naming the key when it is damaged.
    private static func decode<T: Decodable>(_ type: T.Type, _ json: String, key: String, file: String) throws -> T {
        guard let value = try? JSONDecoder().decode(T.self, from: Data(json.utf8)) else {
            throw ModelFileError(file: file, problem: "has damaged metadata: \(key) cannot be read.")
        }
        return value
    }

    /// Puts the saved state into `network`, which must be built for the same model.
    /// `includeOptimizer: false` loads the weights only (evaluation).
    public func restore(into network: Network, includeOptimizer: Bool = true, file: String) throws {
        try Self.restoreParameters(tensors, into: network, model: configuration.model.rawValue, file: file)
        guard includeOptimizer else { return }
        let backend = network.backend
        for (name, moment) in network.adam.namedMoments {
            guard let entry = tensors[name], entry.values.count == moment.count else {
                throw ModelFileError(file: file, problem: "lacks the optimizer state \"\(name)\" needed to resume.")
            }
            guard Adam.isUsable(entry.values, name: name) else {
                throw ModelFileError(file: file, problem: "holds a damaged optimizer state \"\(name)\" (non-finite or negative values); resume from an earlier checkpoint or start again.")
            }
            try backend.upload(entry.values, to: moment)
        }
    }

    /// Puts every parameter and BatchNorm statistic of `tensors` (by the plan's names) into
    /// `network`; the optimizer state is left as it is. Shared by `restore` and `--init-from`.
    static func restoreParameters(_ tensors: [String: SafeTensors.Entry], into network: Network, model: String, file: String) throws {
        let backend = network.backend
        var parameters = try backend.download(network.arena.parameters)
        var state = try backend.download(network.state)
        for (name, view) in network.namedParameters() {
            guard let entry = tensors[name] else {
                throw ModelFileError(file: file, problem: "lacks the tensor \"\(name)\" that model \(model) needs.")
            }
            guard entry.shape == view.shape else {
                throw ModelFileError(file: file, problem: "tensor \"\(name)\" has shape \(entry.shape), the model needs \(view.shape).")
            }
            // BatchNorm divides by √(running variance + ε).
            guard !name.hasSuffix(".running_var") || entry.values.allSatisfy({ $0 >= 0 }) else {
                throw ModelFileError(file: file, problem: "tensor \"\(name)\" holds a negative variance; the checkpoint is damaged.")
            }
            if view.storage === network.state.storage {
                let start = view.offset - network.state.offset
                state.replaceSubrange(start..<(start + view.count), with: entry.values)
            } else {
                let start = view.offset - network.arena.parameters.offset
                parameters.replaceSubrange(start..<(start + view.count), with: entry.values)
            }
        }
        if let bad = parameters.firstIndex(where: { !$0.isFinite }) {
            throw ModelFileError(file: file, problem: "holds a non-finite parameter (at arena position \(bad)).")
        }
        if let bad = state.firstIndex(where: { !$0.isFinite }) {
            throw ModelFileError(file: file, problem: "holds a non-finite BatchNorm statistic (at position \(bad)).")
        }
        try backend.upload(parameters, to: network.arena.parameters)
        try backend.upload(state, to: network.state)
    }
}
