import COpenCL

/// Owns the one in-order `cl_command_queue` vdrop uses per device.
///
/// Everything on a device goes through one in-order queue, so commands need no
/// events: each one sees the results of those enqueued before it.
public final class Queue: @unchecked Sendable {
    public let context: Context
    let handle: cl_command_queue

    public init(context: Context) throws {
        var status: cl_int = 0
        guard let queue = clCreateCommandQueue(context.handle, context.device.id, 0, &status) else {
            throw CLError(status: status == CL_SUCCESS ? CL_INVALID_COMMAND_QUEUE : status, call: "clCreateCommandQueue")
        }
        self.context = context
        self.handle = queue
    }

    deinit { clReleaseCommandQueue(handle) }

    /// Blocks until every command enqueued so far has completed.
    public func finish() throws { try clCheck(clFinish(handle), "clFinish") }

    /// Hands enqueued commands to the device without waiting for them.
    public func flush() throws { try clCheck(clFlush(handle), "clFlush") }

    /// Launches `kernel` over `global` work items (1–3 dimensions) in groups of `local`, or
    /// groups the driver picks when `local` is nil. Arguments must be set beforehand.
    public func enqueue(_ kernel: Kernel, global: [Int], local: [Int]? = nil) throws {
        precondition(!global.isEmpty && global.count <= 3, "a launch has 1 to 3 dimensions")
        if global.contains(0) { return }
        var globalSizes = global
        if let local {
            precondition(local.count == global.count, "local and global sizes must have the same dimensions")
            // OpenCL 1.2 requires the global size to be a multiple of the group size.
            for d in 0..<global.count { globalSizes[d] = (global[d] + local[d] - 1) / local[d] * local[d] }
            var localSizes = local
            try clCheck(clEnqueueNDRangeKernel(handle, kernel.handle, cl_uint(global.count), nil,
                                               &globalSizes, &localSizes, 0, nil, nil), "clEnqueueNDRangeKernel(\(kernel.name))")
        } else {
            try clCheck(clEnqueueNDRangeKernel(handle, kernel.handle, cl_uint(global.count), nil,
                                               &globalSizes, nil, 0, nil, nil), "clEnqueueNDRangeKernel(\(kernel.name))")
        }
        kernelsEnqueued += 1
    }

    /// Kernels launched through this queue since it was made: the benchmark reports it per step.
    public private(set) var kernelsEnqueued = 0

    /// Counts a launch made by a library (CLBlast) on this queue.
    func countLibraryLaunch(_ count: Int = 1) { kernelsEnqueued += count }
}
