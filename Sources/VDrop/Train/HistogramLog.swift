import Foundation

/// `histograms.json` of a run: the weight histograms taken at initialization, every
/// `--histogram-every` epochs and at the end, for the report's histograms and heat maps.
///
/// Rewritten whole (atomically) at each snapshot rather than appended to, because it is one
/// JSON document; it stays small (100 bins × 5 histograms per layer per snapshot). Like
/// metrics.jsonl, resuming cuts it back to the checkpoint's epoch.
public struct HistogramLog: Codable, Equatable, Sendable {
    public static let formatVersion = 1
    public var format = HistogramLog.formatVersion
    public var snapshots: [HistogramSnapshot] = []

    public init(snapshots: [HistogramSnapshot] = []) { self.snapshots = snapshots }

    /// Reads a log; a missing file is an empty log, a damaged one a sentence naming it.
    public init(contentsOf path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            self.init()
            return
        }
        do {
            self = try JSONDecoder().decode(HistogramLog.self, from: data)
        } catch {
            throw RunFolderError(path: path, problem: "is not a histogram log vdrop wrote (\(error.localizedDescription)); delete it to start a new one.")
        }
    }

    /// Keeps the snapshots up to epoch `epoch`, and replaces one of the same epoch.
    public mutating func record(_ snapshot: HistogramSnapshot) {
        truncate(toEpoch: snapshot.epoch - 1)
        snapshots.append(snapshot)
    }

    public mutating func truncate(toEpoch epoch: Int) {
        snapshots.removeAll { $0.epoch > epoch }
    }

    public func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try writeAtomically(try encoder.encode(self), to: path)
    }
}
