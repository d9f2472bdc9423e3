import Foundation

/// One line of `metrics.jsonl`: how an epoch went.
public struct EpochRecord: Codable, Equatable, Sendable {
    /// 1-based.
    public var epoch: Int
    /// Learning rate and β_t at the epoch's last step.
    public var lr: Double
    public var beta: Double
    /// N·mean cross-entropy and Σ R, averaged over the steps read back in the epoch.
    public var dataTerm: Double
    public var regularizer: Double
    /// Training error in percent over the batches read back (every --log-every steps).
    public var trainError: Double
    /// Test error in percent after trimming, deterministic mode; nil in the epochs that
    /// `--eval-every` skips.
    public var testError: Double?
    /// Σ weights / Σ kept weights under the run's trim rule (every epoch: it needs no test pass).
    public var compression: Double
    /// Wall-clock seconds of the epoch's training steps, and images per second.
    public var seconds: Double
    public var imagesPerSecond: Double
    /// Per weight layer: kept fractions under both trim rules, log α quantiles, mean |θ|
    /// (nil in metrics written before they were recorded).
    public var layers: [LayerMetrics]? = nil

    enum CodingKeys: String, CodingKey {
        case epoch, lr, beta, seconds, compression
        case dataTerm = "data_term", regularizer, trainError = "train_error", testError = "test_error"
        case imagesPerSecond = "images_per_second", layers
    }
}

/// Appends one JSON object per line to a file (JSON Lines).
public final class JSONLinesWriter {
    let handle: FileHandle

    public init(path: String, truncate: Bool) throws {
        if truncate || !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw RunFolderError(path: path, problem: "cannot be created (is the folder writable?).")
            }
        }
        handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
    }

    deinit { try? handle.close() }

    public func append<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var line = try encoder.encode(value)
        line.append(0x0A)
        try handle.write(contentsOf: line)
    }
}
