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
