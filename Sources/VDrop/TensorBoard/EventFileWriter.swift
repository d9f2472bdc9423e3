import Foundation

/// Writes one TensorBoard event file: `DIR/events.out.tfevents.TIME.HOST.PID.vdrop`, a file
/// version record and then one framed `Event` per call, each written through to the file so
/// that TensorBoard shows an epoch as soon as it ends (and a killed run loses nothing
/// written before).
///
/// A resumed run opens a new file beside the old one, as TensorFlow's writers do; TensorBoard
/// reads every `*tfevents*` file of a folder in name order, and the names sort by start time.
public final class EventFileWriter {
    public let path: String
    private let handle: FileHandle

    public init(directory: String) throws {
        try RunFolder(directory).create()
        let now = Date().timeIntervalSince1970
        let host = ProcessInfo.processInfo.hostName.filter { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." }
        path = (directory as NSString).appendingPathComponent("events.out.tfevents.\(Int(now)).\(host.isEmpty ? "host" : host).\(getpid()).vdrop")
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw RunFolderError(path: directory, problem: "cannot hold a TensorBoard event file (is the folder writable?).")
        }
        handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try append(TensorBoardEvent.fileVersion(wallTime: now))
    }

    deinit { try? handle.close() }

    /// One event holding `values`, at `step` (vdrop uses the epoch).
    public func write(step: Int, values: [TensorBoardValue]) throws {
        guard !values.isEmpty else { return }
        try append(TensorBoardEvent.summary(wallTime: Date().timeIntervalSince1970, step: step, values: values))
    }

    private func append(_ event: [UInt8]) throws {
        do {
            try handle.write(contentsOf: Data(TFRecord.frame(event)))
        } catch {
            throw RunFolderError(path: path, problem: "cannot be written: \(RunFolder.reason(error)).")
        }
    }
}
