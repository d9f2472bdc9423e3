import COpenCL

/// Owns one `cl_context` on one device; released when the last user lets go.
///
/// Buffers and programs keep their context alive by holding a reference to it.
public final class Context: @unchecked Sendable {
    public let device: Device
    public let handle: cl_context

    public init(device: Device) throws {
        var status: cl_int = 0
        var deviceID: cl_device_id? = device.id
        guard let context = clCreateContext(nil, 1, &deviceID, nil, nil, &status) else {
            try clCheck(status == CL_SUCCESS ? CL_INVALID_CONTEXT : status, "clCreateContext")
            throw CLError(status: CL_INVALID_CONTEXT, call: "clCreateContext")
        }
        try clCheck(status, "clCreateContext")
        self.device = device
        self.handle = context
    }

    deinit { clReleaseContext(handle) }
}
