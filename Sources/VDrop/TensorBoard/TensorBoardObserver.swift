import Foundation

/// Turns a run's epoch records and weight histograms into TensorBoard events, one event
/// per epoch (its step is the epoch number).
///
/// Tags follow metrics.jsonl's keys, so a reader can match the two without a table:
/// `run/KEY` for each number of an epoch's line (`run/test_error`, `run/compression`, …) and
/// `FIELD/LAYER` for each number of its layers (`kept_mu/dense1`, `log_alpha_p50/dense1`,
/// …), which TensorBoard groups by field. Histograms: `log_alpha/LAYER` and `theta/LAYER`.
public final class TensorBoardObserver: TrainingObserver {
    public let writer: EventFileWriter
    /// The first error writing events; training goes on without TensorBoard after it.
    public private(set) var failure: Error?

    public init(directory: String) throws {
        writer = try EventFileWriter(directory: directory)
    }

    public func progress(epoch: Int, step: Int, stepsPerEpoch: Int, loss: StepLoss, imagesPerSecond: Double) {}
    public func note(_ message: String) {}

    public func epochFinished(_ record: EpochRecord) {
        write(step: record.epoch, values: Self.scalars(of: record))
    }

    public func histogramsTaken(_ snapshot: HistogramSnapshot) {
        write(step: snapshot.epoch, values: snapshot.layers.flatMap { layer in
            [TensorBoardValue.histogram(tag: "log_alpha/\(layer.layer)", histogram: TensorBoardHistogram(layer.logAlpha)),
             .histogram(tag: "theta/\(layer.layer)", histogram: TensorBoardHistogram(layer.theta))]
        })
    }

    private func write(step: Int, values: [TensorBoardValue]) {
        guard failure == nil else { return }
        do { try writer.write(step: step, values: values) } catch { failure = error }
    }

    /// Every number of the record's JSON line as a scalar, named as described above.
    public static func scalars(of record: EpochRecord) -> [TensorBoardValue] {
        guard let data = try? JSONEncoder().encode(record),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [] }
        var values: [TensorBoardValue] = []
        for key in object.keys.sorted() where key != "epoch" {
            if let number = object[key] as? NSNumber { values.append(.scalar(tag: "run/\(key)", value: number.floatValue)) }
        }
        for layer in (object["layers"] as? [[String: Any]]) ?? [] {
            guard let name = layer["layer"] as? String else { continue }
            for key in layer.keys.sorted() where key != "layer" && key != "weights" {
                if let number = layer[key] as? NSNumber { values.append(.scalar(tag: "\(key)/\(name)", value: number.floatValue)) }
            }
        }
        return values
    }
}
