import COpenCL

/// An OpenCL platform (one installed driver: PoCL, NVIDIA CUDA, ...) and its devices.
///
/// Platform and device ids are not reference counted in OpenCL 1.2, so these
/// are plain values.
public struct Platform: Sendable {
    /// Position in `clGetPlatformIDs`' list: the `P` of `--device P:D`.
    public let index: Int
    public let name: String
    public let vendor: String
    public let version: String
    public nonisolated(unsafe) let id: cl_platform_id

    /// Every platform the ICD loader finds; empty when none is installed (not an error).
    public static func all() throws -> [Platform] {
        var count: cl_uint = 0
        let status = clGetPlatformIDs(0, nil, &count)
        // The ICD loader answers CL_PLATFORM_NOT_FOUND_KHR when no driver is registered.
        if status == -1001 || count == 0 { return [] }
        try clCheck(status, "clGetPlatformIDs")
        var ids = [cl_platform_id?](repeating: nil, count: Int(count))
        try clCheck(clGetPlatformIDs(count, &ids, nil), "clGetPlatformIDs")
        return try ids.enumerated().compactMap { index, id in
            guard let id else { return nil }
            func info(_ param: Int32) throws -> String {
                try clInfoString("clGetPlatformInfo") { clGetPlatformInfo(id, cl_platform_info(param), $0, $1, $2) }
            }
            return Platform(index: index, name: try info(CL_PLATFORM_NAME), vendor: try info(CL_PLATFORM_VENDOR),
                            version: try info(CL_PLATFORM_VERSION), id: id)
        }
    }

    /// The platform's devices of every type, in the driver's order: the `D` of `--device P:D`.
    public func devices() throws -> [Device] {
        var count: cl_uint = 0
        let status = clGetDeviceIDs(id, cl_device_type(CL_DEVICE_TYPE_ALL), 0, nil, &count)
        if status == CL_DEVICE_NOT_FOUND || count == 0 { return [] }
        try clCheck(status, "clGetDeviceIDs")
        var ids = [cl_device_id?](repeating: nil, count: Int(count))
        try clCheck(clGetDeviceIDs(id, cl_device_type(CL_DEVICE_TYPE_ALL), count, &ids, nil), "clGetDeviceIDs")
        return try ids.enumerated().compactMap { index, deviceID in
            guard let deviceID else { return nil }
            return try Device(id: deviceID, platform: self, index: index)
        }
    }
}
