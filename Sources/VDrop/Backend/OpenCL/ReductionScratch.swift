import Foundation

/// Small device buffers that reductions keep between calls, one set per backend.
///
/// The two-level sums write one partial per work-group into a scratch buffer;
/// allocating it per call would put an allocation inside the training step, and an
/// extension of ``OpenCLBackend`` cannot hold a stored property, so the buffers
/// live here, keyed by backend and name and dropped when their backend is gone.
final class ReductionScratch: @unchecked Sendable {
    static let shared = ReductionScratch()

    private struct Entry {
        weak var owner: OpenCLBackend?
        let buffer: Buffer
    }

    private let lock = NSLock()
    private var entries: [String: Entry] = [:]

    /// A buffer of at least `floats` values for `backend`, made on first use and reused after.
    func buffer(for backend: OpenCLBackend, name: String, floats: Int) throws -> Buffer {
        lock.lock()
        defer { lock.unlock() }
        let key = "\(ObjectIdentifier(backend).hashValue)/\(name)"
        if let entry = entries[key], entry.owner === backend, entry.buffer.byteCount >= floats * MemoryLayout<Float>.stride {
            return entry.buffer
        }
        // Entries of released backends would otherwise keep their buffers (and contexts) alive.
        entries = entries.filter { $0.value.owner != nil }
        let buffer = try Buffer(context: backend.context, floats: floats)
        entries[key] = Entry(owner: backend, buffer: buffer)
        return buffer
    }
}
