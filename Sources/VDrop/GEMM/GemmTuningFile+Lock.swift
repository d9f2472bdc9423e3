import Foundation

extension GemmTuningFile {
    /// Runs `body` while holding an exclusive lock on `path` + ".lock" (`flock`), so that processes
    /// (and threads: each call opens the file anew, and such locks exclude each other) that tune
    /// the same device take turns: the second reads what the first saved instead of timing the
    /// same shapes while the first is timing them. The report itself is still replaced by a rename
    /// (``save(_:to:)``), so a reader that takes no lock never sees half a file. Where the lock
    /// file cannot be made (a read-only folder), `body` runs unlocked. The kernel drops the lock
    /// when its process ends, however it ends.
    public static func withLock<Result>(_ path: String, _ body: () throws -> Result) rethrows -> Result {
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty { try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        let descriptor = open(path + ".lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { return try body() }
        defer { close(descriptor) }
        while flock(descriptor, LOCK_EX) != 0 {
            guard errno == EINTR else { return try body() }
        }
        defer { flock(descriptor, LOCK_UN) }
        return try body()
    }
}
