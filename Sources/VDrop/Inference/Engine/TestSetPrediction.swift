/// A data set's predictions by an ``InferenceEngine``, its error and its speed: what `vdrop infer` reports.
public struct TestSetPrediction: Sendable {
    public let labels: [Int]
    public let predictions: [Int]
    /// Wall-clock seconds of the predictions alone (uploads, the passes, read-backs; not the
    /// data's loading or the engine's building).
    public let seconds: Double

    public var errors: Int { zip(labels, predictions).reduce(0) { $0 + ($1.0 != $1.1 ? 1 : 0) } }
    public var errorPercent: Double { labels.isEmpty ? 0 : 100 * Double(errors) / Double(labels.count) }
    public var imagesPerSecond: Double { Double(labels.count) / max(seconds, 1e-9) }

    /// Predicts every sample of `dataset` with `engine`. A data set whose samples are not the
    /// model's shape is a sentence.
    public init(engine: InferenceEngine, dataset: Dataset) throws {
        guard dataset.sampleShape == engine.model.sampleShape else {
            throw ConfigurationError("the data set \(dataset.name) holds samples of shape \(dataset.sampleShape), the network reads \(engine.model.sampleShape).")
        }
        let images = dataset.images
        let start = Stopwatch.now()
        predictions = try engine.predictions(samples: images, count: dataset.count)
        seconds = Stopwatch.now() - start
        labels = dataset.labels.map(Int.init)
    }

    /// `index,label,prediction`, one line per sample after the header.
    public var csv: String {
        var text = "index,label,prediction\n"
        for (index, (label, prediction)) in zip(labels, predictions).enumerated() { text += "\(index),\(label),\(prediction)\n" }
        return text
    }
}

extension InferenceModel {
    /// The model kind the provenance names, which says which data set it reads; a sentence when unknown.
    public func modelKind(file: String) throws -> ModelKind {
        guard let kind = ModelKind(rawValue: provenance.model) else {
            throw ModelFileError(file: file, problem: "names model \"\(provenance.model)\", which is none of \(ModelKind.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        return kind
    }
}
