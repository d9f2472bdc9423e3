import Foundation

extension InferenceModel {
    /// The network stored at `path`, whatever vdrop wrote there: a training checkpoint (trimmed
    /// by `rule`, or by the run's own rule when nil) or an exported file. Every command that takes
    /// a trained network (`eval`, `infer`, `bench --inference`, `export`) reads through here, so
    /// a format learned here is learned by all of them.
    public static func load(contentsOf path: String, rule: TrimRule? = nil) throws -> InferenceModel {
        if let onnx = try onnxContents(of: path) { return try InferenceModel(onnx: onnx, file: path) }
        let checkpoint = try Checkpoint(contentsOf: path)
        return try InferenceModel(checkpoint: checkpoint, rule: rule ?? TrimRule(parsing: checkpoint.configuration.trim), file: path)
    }
}
