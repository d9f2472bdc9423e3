import Foundation

/// What the reduction kernels (`batch_norm.cl`, `reduce_sum.cl`) share: their
/// work-group size and the scratch buffer of the two-level sum.
extension OpenCLBackend {
    /// The work-group size of the reductions, passed as `-DWG_SIZE`: 256, or the
    /// largest power of two the device allows when that is less (the tree needs a power of two).
    var reductionGroupSize: Int {
        var size = 256
        while size > max(device.maxWorkGroupSize, 1) { size /= 2 }
        return size
    }
}

/// The device buffer a backend's ``OpenCLBackend/sum(_:into:)`` keeps its per-group
/// partial sums in: made on a backend's first sum and reused by every later one, so
/// a training step allocates nothing. Extensions hold no stored properties, so the
/// buffers live here, keyed by backend; an entry goes when its backend is gone.
final class ReductionScratch: @unchecked Sendable {
    private weak var backend: OpenCLBackend?
    private let tensor: Tensor

    private init(backend: OpenCLBackend, tensor: Tensor) {
        self.backend = backend
        self.tensor = tensor
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var scratches: [ObjectIdentifier: ReductionScratch] = [:]

    /// A tensor of at least `count` values owned by `backend`'s scratch.
    static func partials(for backend: OpenCLBackend, count: Int) throws -> Tensor {
        lock.lock()
        defer { lock.unlock() }
        let key = ObjectIdentifier(backend)
        // An identifier can be reused by a new backend after the old one is freed: check the weak reference.
        if let scratch = scratches[key], scratch.backend === backend, scratch.tensor.count >= count {
            return scratch.tensor
        }
        scratches = scratches.filter { $0.value.backend != nil }
        let tensor = try backend.allocate([count])
        scratches[key] = ReductionScratch(backend: backend, tensor: tensor)
        return tensor
    }
}
