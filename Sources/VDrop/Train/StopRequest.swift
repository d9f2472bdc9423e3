import Foundation

/// A request, from another thread, that training stop at the next step boundary.
///
/// The CLI sets it from a Ctrl-C (SIGINT) handler; the trainer reads it between steps and
/// then saves a checkpoint of exactly the steps done, so an interrupted run loses nothing and
/// `--resume` continues it bit for bit. Tests set it directly.
public final class StopRequest: @unchecked Sendable {
    private let lock = NSLock()
    private var requested = false

    public init() {}

    public func request() {
        lock.lock()
        requested = true
        lock.unlock()
    }

    public var isRequested: Bool {
        lock.lock()
        defer { lock.unlock() }
        return requested
    }
}

/// Training stopped because a ``StopRequest`` asked it to; the checkpoint holds every step done.
public struct TrainingInterrupted: Error, CustomStringConvertible, Codable {
    /// Epochs completed, and steps completed in all.
    public let epoch: Int
    public let step: Int
    /// Steps per epoch, so the message can say where in the epoch it stopped.
    public let stepsPerEpoch: Int
    public let checkpoint: String?

    public var description: String {
        let inEpoch = step - epoch * stepsPerEpoch
        let place = inEpoch == 0 ? "after epoch \(epoch)" : "in epoch \(epoch + 1) after step \(inEpoch) of \(stepsPerEpoch)"
        return "Training was interrupted \(place); "
            + (checkpoint.map { "the checkpoint \($0) holds every step done." } ?? "it had no output folder, so nothing was saved.")
    }
}
