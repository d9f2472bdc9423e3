import Foundation

extension InferenceModel {
    /// What a file holding a trained network turned out to be.
    public enum StoredNetwork {
        /// A training checkpoint: untrimmed θ and log σ², trimmed when it is loaded.
        case checkpoint(Checkpoint)
        /// A file `vdrop export` wrote: already trimmed (and, for compact, shrunk).
        case exported(InferenceModel, SafeTensorsFormat)
        /// An ONNX file (`vdrop export --format onnx`, or another exporter's graph of the same operators).
        case onnx(InferenceModel)
    }

    /// Reads `path` and tells a checkpoint from an exported file by the `vdrop.format`
    /// metadata (a checkpoint's is a version number, an exported file's its format's name).
    public static func read(contentsOf path: String) throws -> StoredNetwork {
        if let onnx = try onnxContents(of: path) { return .onnx(try InferenceModel(onnx: onnx, file: path)) }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ModelFileError(file: path, problem: "cannot be read (missing, or no permission).")
        }
        // The header is read once for its metadata (any type, so that an exported file's I64
        // indices pass); a checkpoint is then read by its own reader, which takes F32 only.
        let metadata = try SafeTensors.decode(data, file: path, dtypes: [.f32, .i64], what: "vdrop network file").metadata
        if let format = exportedFormat(metadata) {
            return .exported(try InferenceModel(exportedData: data, file: path), format)
        }
        return .checkpoint(try Checkpoint(data: data, file: path))
    }

    /// The network stored at `path`, whatever vdrop wrote there: a training checkpoint (trimmed
    /// by `rule`, or by the run's own rule when nil) or an exported file. Every command that takes
    /// a trained network (`eval`, `infer`, `bench --inference`, `export`) reads through here, so
    /// a format learned here is learned by all of them.
    ///
    /// An exported file was trimmed when it was written and keeps no σ² to trim by again, so a
    /// `rule` given for one is refused rather than silently ignored.
    public static func load(contentsOf path: String, rule: TrimRule? = nil) throws -> InferenceModel {
        try load(read(contentsOf: path), file: path, rule: rule)
    }

    /// The network of a file already read (see ``load(contentsOf:rule:)``); `file` is its path, for errors.
    public static func load(_ stored: StoredNetwork, file path: String, rule: TrimRule? = nil) throws -> InferenceModel {
        switch stored {
        case .checkpoint(let checkpoint):
            return try InferenceModel(checkpoint: checkpoint, rule: rule ?? checkpoint.configuration.trim, file: path)
        case .exported(let model, let format):
            if let rule {
                throw ConfigurationError("\(path) is an exported \(format.rawValue) network, already trimmed by \(model.provenance.trim); it holds no σ² to trim by \(rule) again (leave out \(.trim), or export the checkpoint with that rule).")
            }
            return model
        case .onnx(let model):
            if let rule {
                throw ConfigurationError("\(path) is an ONNX network, already trimmed by \(model.provenance.trim); it holds no σ² to trim by \(rule) again (leave out \(.trim), or export the checkpoint with that rule).")
            }
            return model
        }
    }
}
