import Foundation

/// The folder of one training run: `metrics.jsonl`, `checkpoint.safetensors`, `results.json`,
/// `histograms.json`.
///
/// It keeps what a user trained safe from the three ways it was lost: starting a new run over
/// an old one (refused unless forced), a kill between appending an epoch's metrics and
/// renaming its checkpoint into place (the metrics are cut back to the checkpoint on resume),
/// and temporary files of killed writers piling up (removed when a run starts).
public struct RunFolder: Sendable {
    public let path: String

    public init(_ path: String) { self.path = path }

    public var checkpointPath: String { file("checkpoint.safetensors") }
    public var metricsPath: String { file("metrics.jsonl") }
    public var resultsPath: String { file("results.json") }
    public var histogramsPath: String { file("histograms.json") }

    func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    /// The run files the folder holds (empty when it holds no run).
    public var runFiles: [String] {
        [checkpointPath, metricsPath, resultsPath, histogramsPath].filter { FileManager.default.fileExists(atPath: $0) }
            .map { ($0 as NSString).lastPathComponent }
    }

    /// Creates the folder (and its parents); a path that cannot be a folder throws a sentence.
    public func create() throws {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) {
            guard isFolder.boolValue else { throw RunFolderError(path: path, problem: "is a file, not a folder; name a folder for the run's output.") }
        } else {
            do {
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            } catch {
                throw RunFolderError(path: path, problem: "cannot be created as a folder: \(Self.reason(error)).")
            }
        }
        guard access(path, W_OK | X_OK) == 0 else {
            throw RunFolderError(path: path, problem: "is not writable: \(String(cString: strerror(errno))).")
        }
    }

    /// Refuses to start a new run where one is (unless `force`, which removes the old run's files).
    public func prepareForNewRun(force: Bool) throws {
        let existing = runFiles
        guard !existing.isEmpty else { return }
        guard force else {
            throw RunFolderError(path: path, problem: "already holds a run (\(existing.joined(separator: ", "))); continue it with \(.resume), or pass \(.force) to replace it.")
        }
        for name in existing { try? FileManager.default.removeItem(atPath: file(name)) }
    }

    /// Removes `NAME.tmp-PID` files that ``writeAtomically(_:to:)`` left behind when its
    /// process was killed; a file of a process still running is left alone.
    public func removeOrphanedTemporaryFiles() {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else { return }
        for name in names {
            guard let marker = name.range(of: ".tmp-", options: .backwards),
                  let pid = Int32(name[marker.upperBound...]), pid > 0 else { continue }
            if pid != getpid(), kill(pid, 0) == 0 || errno == EPERM { continue }
            try? FileManager.default.removeItem(atPath: file(name))
        }
    }

    /// Keeps the lines of metrics.jsonl up to epoch `epoch` and drops the rest: the epochs
    /// after the checkpoint (a kill after the metrics append, before the checkpoint's rename)
    /// and any line cut short. Rewritten atomically.
    public func truncateMetrics(toEpoch epoch: Int) throws {
        guard let data = FileManager.default.contents(atPath: metricsPath) else { return }
        var kept = Data()
        for line in data.split(separator: 0x0A, omittingEmptySubsequences: true) {
            guard let record = try? JSONDecoder().decode(EpochNumber.self, from: Data(line)), record.epoch <= epoch else { continue }
            kept.append(contentsOf: line)
            kept.append(0x0A)
        }
        if kept != data { try writeAtomically(kept, to: metricsPath) }
    }

    private struct EpochNumber: Decodable { let epoch: Int }

    /// The sentence inside a Foundation error, without its domain and code.
    static func reason(_ error: Error) -> String {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if nsError.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(nsError.code))) }
        switch nsError.code {
        case NSFileWriteNoPermissionError: return "permission denied"
        case NSFileWriteOutOfSpaceError: return "no space left on the device"
        case NSFileWriteFileExistsError: return "a file of that name is in the way"
        case NSFileWriteInvalidFileNameError: return "the name is not valid (too long?)"
        case NSFileWriteVolumeReadOnlyError: return "the file system is read-only"
        default: return "the system refused (\(nsError.localizedDescription))"
        }
    }
}

/// A run's output folder, or a file in it (metrics, histograms, event files).
public enum RunFolderFile: FileKind {}

/// A run's output folder cannot be used, said as a sentence.
public typealias RunFolderError = FileError<RunFolderFile>

extension FileError where Kind == RunFolderFile {
    public init(path: String, problem: SettingMessage) { self.init(file: path, problem: problem) }
    /// The run folder or the file in it.
    public var path: String { file }
}
