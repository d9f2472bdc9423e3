import COpenCL

/// Owns the one in-order `cl_command_queue` vdrop uses per device.
///
/// Everything on a device goes through one in-order queue, so commands need no
/// events: each one sees the results of those enqueued before it.
public final class Queue: @unchecked Sendable {
    public let context: Context
    public let handle: cl_command_queue

    /// Whether the queue was made with `CL_QUEUE_PROFILING_ENABLE`, so ``recordsEvents`` can time commands.
    public let profilingEnabled: Bool

    /// `profiling` makes a queue whose commands can be timed on the device (``recordsEvents``);
    /// training never asks for one, because keeping events costs host time per launch.
    public init(context: Context, profiling: Bool = false) throws {
        var status: cl_int = 0
        let properties = profiling ? cl_command_queue_properties(CL_QUEUE_PROFILING_ENABLE) : 0
        guard let queue = clCreateCommandQueue(context.handle, context.device.id, properties, &status) else {
            throw CLError(status: status == CL_SUCCESS ? CL_INVALID_COMMAND_QUEUE : status, call: "clCreateCommandQueue")
        }
        self.context = context
        self.handle = queue
        self.profilingEnabled = profiling
    }

    deinit {
        for command in recorded { clReleaseEvent(command.event) }
        clReleaseCommandQueue(handle)
    }

    /// Blocks until every command enqueued so far has completed.
    public func finish() throws { try clCheck(clFinish(handle), "clFinish") }

    /// Hands enqueued commands to the device without waiting for them.
    public func flush() throws { try clCheck(clFlush(handle), "clFlush") }

    /// Launches `kernel` over `global` work items (1–3 dimensions) in groups of `local`, or
    /// groups the driver picks when `local` is nil. Arguments must be set beforehand. `label`
    /// names the launch in a profile (default: the kernel's name); it is only evaluated then.
    public func enqueue(_ kernel: Kernel, global: [Int], local: [Int]? = nil, label: @autoclosure () -> String? = nil) throws {
        precondition(!global.isEmpty && global.count <= 3, "a launch has 1 to 3 dimensions")
        if global.contains(0) { return }
        var globalSizes = global
        if let local {
            precondition(local.count == global.count, "local and global sizes must have the same dimensions")
            // OpenCL 1.2 requires the global size to be a multiple of the group size.
            for d in 0..<global.count { globalSizes[d] = (global[d] + local[d] - 1) / local[d] * local[d] }
            var localSizes = local
            try enqueueCommand(label() ?? kernel.name) { event in
                try clCheck(clEnqueueNDRangeKernel(handle, kernel.handle, cl_uint(global.count), nil,
                                                   &globalSizes, &localSizes, 0, nil, event), "clEnqueueNDRangeKernel(\(kernel.name))")
            }
        } else {
            try enqueueCommand(label() ?? kernel.name) { event in
                try clCheck(clEnqueueNDRangeKernel(handle, kernel.handle, cl_uint(global.count), nil,
                                                   &globalSizes, nil, 0, nil, event), "clEnqueueNDRangeKernel(\(kernel.name))")
            }
        }
    }

    /// Kernels launched through this queue since it was made (own kernels, fills and CLBlast
    /// routines): the benchmark reports it per step.
    public private(set) var kernelsEnqueued = 0

    /// While true, every command enqueued keeps its event for ``takeRecordedCommands()``.
    /// Only a queue made with `profiling: true` can record.
    public var recordsEvents = false {
        didSet { precondition(!recordsEvents || profilingEnabled, "only a profiling queue records events") }
    }

    private var recorded: [(name: String, spansPrecedingGap: Bool, event: cl_event)] = []

    /// Enqueues one command through `enqueue`, which gets the slot for its event: a place to
    /// write it while ``recordsEvents`` is on, else nil (no event is made). Counts the launch.
    /// `spansPrecedingGap` marks a library routine that may run kernels before the one whose
    /// event it returns (CLBlast's padding and transposes): its time then starts where the
    /// previous recorded command ended.
    public func enqueueCommand(_ name: @autoclosure () -> String, spansPrecedingGap: Bool = false,
                        _ enqueue: (UnsafeMutablePointer<cl_event?>?) throws -> Void) throws {
        if recordsEvents {
            var event: cl_event?
            try enqueue(&event)
            if let event { recorded.append((name(), spansPrecedingGap, event)) }
        } else {
            try enqueue(nil)
        }
        kernelsEnqueued += 1
    }

    /// Waits for the device, then returns the device times of the commands recorded since the
    /// last call (in enqueue order) and forgets them.
    public func takeRecordedCommands() throws -> [RecordedCommand] {
        try finish()
        let commands = recorded
        recorded = []
        defer { for command in commands { clReleaseEvent(command.event) } }
        func time(_ event: cl_event, _ parameter: Int32) throws -> UInt64 {
            var value: cl_ulong = 0
            try clCheck(clGetEventProfilingInfo(event, cl_profiling_info(parameter), MemoryLayout<cl_ulong>.size, &value, nil),
                        "clGetEventProfilingInfo")
            return UInt64(value)
        }
        return try commands.map {
            RecordedCommand(name: $0.name, spansPrecedingGap: $0.spansPrecedingGap,
                            startNanoseconds: try time($0.event, CL_PROFILING_COMMAND_START),
                            endNanoseconds: try time($0.event, CL_PROFILING_COMMAND_END))
        }
    }
}
