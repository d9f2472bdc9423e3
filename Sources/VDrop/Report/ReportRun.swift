import Foundation

/// One training run as the report reads it back from its folder: metrics.jsonl, and when
/// present results.json, histograms.json and the checkpoint (for the first layer's weights).
public struct ReportRun {
    public var folder: String
    public var records: [EpochRecord]
    public var result: TrainingResult?
    public var configuration: TrainingConfiguration?
    public var histograms: HistogramLog

    /// Reads the run in `folder`; a folder without metrics.jsonl, or a damaged file, throws a sentence.
    public init(folder: String) throws {
        self.folder = folder
        let run = RunFolder(folder)
        guard let metrics = FileManager.default.contents(atPath: run.metricsPath) else {
            throw ReportError("\(folder) holds no metrics.jsonl; name the folder of a vdrop training run (or one holding runs, such as a run of several seeds or a sweep).")
        }
        var records: [EpochRecord] = []
        let lines = metrics.split(separator: 0x0A, omittingEmptySubsequences: true)
        for (index, line) in lines.enumerated() {
            do {
                records.append(try JSONDecoder().decode(EpochRecord.self, from: Data(line)))
            } catch where index == lines.count - 1 {
                // A run killed while appending leaves its last line cut short; the rest stands.
            } catch {
                throw ReportError("\(run.metricsPath): line \(index + 1) is not an epoch record vdrop wrote (\(error.localizedDescription)).")
            }
        }
        self.records = records
        if let data = FileManager.default.contents(atPath: run.resultsPath) {
            guard let result = try? JSONDecoder().decode(TrainingResult.self, from: data) else {
                throw ReportError("\(run.resultsPath) is not a results file vdrop wrote; delete it, or run vdrop eval on the checkpoint.")
            }
            self.result = result
        }
        configuration = result?.configuration
        histograms = try HistogramLog(contentsOf: run.histogramsPath)
    }

    /// The runs under `path`: the folder itself when it holds metrics.jsonl, else those of its
    /// sub-folders that do (a --seeds run, a sweep), in name order with numbers compared as numbers.
    public static func discover(_ path: String) throws -> [ReportRun] {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue else {
            throw ReportError("\(path) is not a folder; name the folder of a vdrop training run.")
        }
        if FileManager.default.fileExists(atPath: RunFolder(path).metricsPath) { return [try ReportRun(folder: path)] }
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [])
            .filter { FileManager.default.fileExists(atPath: RunFolder((path as NSString).appendingPathComponent($0)).metricsPath) }
            .sorted { $0.compare($1, options: .numeric) == .orderedAscending }
        guard !names.isEmpty else {
            throw ReportError("\(path) holds no vdrop run: neither it nor a folder inside it has a metrics.jsonl.")
        }
        return try names.map { try ReportRun(folder: (path as NSString).appendingPathComponent($0)) }
    }

    /// The configuration from results.json, else from the checkpoint (a run still going or stopped).
    mutating func loadConfigurationIfMissing() {
        guard configuration == nil else { return }
        configuration = (try? Checkpoint(contentsOf: RunFolder(folder).checkpointPath))?.configuration
    }

    /// The final test error: results.json's, else the last evaluated epoch's.
    public var finalError: Double? { result?.evaluation.errorPercent ?? records.last(where: { $0.testError != nil })?.testError }
    public var finalCompression: Double? { result?.evaluation.compression ?? records.last?.compression }

    /// θ, log σ² and shape of the first weight layer (`dense1` or `conv1`), from the checkpoint.
    func firstLayer() -> (key: String, shape: [Int], theta: [Float], logSigma2: [Float])? {
        guard let checkpoint = try? Checkpoint(contentsOf: RunFolder(folder).checkpointPath) else { return nil }
        for key in ["dense1", "conv1"] {
            if let theta = checkpoint.tensors["\(key).theta"], let logSigma2 = checkpoint.tensors["\(key).log_sigma2"],
               theta.values.count == logSigma2.values.count {
                return (key, theta.shape, theta.values, logSigma2.values)
            }
        }
        return nil
    }
}

/// A report that cannot be made, said as a sentence.
public struct ReportError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
