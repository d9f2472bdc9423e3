import VDropCL

/// What a device backend can tell about its own work: the tools (`vdrop bench`) read it
/// through ``BackendCore/deviceActivity`` rather than through a backend's class. The CPU
/// backend has none of these (its work is the host's, timed by the host).
public protocol DeviceActivity: AnyObject {
    /// Bytes of device memory in use now (buffers not yet released).
    var liveBytes: Int { get }
    /// Kernels enqueued so far (GEMM libraries' launches included).
    var kernelsEnqueued: Int { get }
    /// The queue every launch goes to, for a per-kernel profile when it was made with profiling.
    var queue: Queue { get }
}
