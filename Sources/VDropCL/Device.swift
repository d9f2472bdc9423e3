import COpenCL

/// One OpenCL device and the facts vdrop needs about it.
public struct Device: Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable { case gpu, cpu, accelerator, other }

    public let platformIndex: Int
    public let index: Int
    public let platformName: String
    public let name: String
    public let vendor: String
    public let kind: Kind
    public let computeUnits: Int
    /// Global memory in bytes.
    public let globalMemory: UInt64
    /// Largest single allocation in bytes (`CL_DEVICE_MAX_MEM_ALLOC_SIZE`).
    public let maxAllocation: UInt64
    public let maxWorkGroupSize: Int
    /// Local (work-group shared) memory in bytes.
    public let localMemory: UInt64
    /// e.g. "OpenCL C 1.2 pocl".
    public let openCLCVersion: String
    public let driverVersion: String
    public nonisolated(unsafe) let id: cl_device_id

    public init(id: cl_device_id, platform: Platform, index: Int) throws {
        func string(_ param: Int32) throws -> String {
            try clInfoString("clGetDeviceInfo") { clGetDeviceInfo(id, cl_device_info(param), $0, $1, $2) }
        }
        func value<T>(_ param: Int32, _ initial: T) throws -> T {
            try clInfoValue("clGetDeviceInfo", initial) { clGetDeviceInfo(id, cl_device_info(param), $0, $1, $2) }
        }
        self.id = id
        self.platformIndex = platform.index
        self.index = index
        self.platformName = platform.name
        self.name = try string(CL_DEVICE_NAME)
        self.vendor = try string(CL_DEVICE_VENDOR)
        let type = try value(CL_DEVICE_TYPE, cl_device_type(0))
        if type & cl_device_type(CL_DEVICE_TYPE_GPU) != 0 {
            kind = .gpu
        } else if type & cl_device_type(CL_DEVICE_TYPE_CPU) != 0 {
            kind = .cpu
        } else if type & cl_device_type(CL_DEVICE_TYPE_ACCELERATOR) != 0 {
            kind = .accelerator
        } else {
            kind = .other
        }
        computeUnits = Int(try value(CL_DEVICE_MAX_COMPUTE_UNITS, cl_uint(0)))
        globalMemory = try value(CL_DEVICE_GLOBAL_MEM_SIZE, cl_ulong(0))
        maxAllocation = try value(CL_DEVICE_MAX_MEM_ALLOC_SIZE, cl_ulong(0))
        maxWorkGroupSize = try value(CL_DEVICE_MAX_WORK_GROUP_SIZE, Int(0))
        localMemory = try value(CL_DEVICE_LOCAL_MEM_SIZE, cl_ulong(0))
        openCLCVersion = try string(CL_DEVICE_OPENCL_C_VERSION)
        driverVersion = try string(CL_DRIVER_VERSION)
    }

    /// "P:D name (platform)", the form `--device` accepts and `vdrop devices` prints.
    public var description: String { "\(platformIndex):\(index) \(name) (\(platformName))" }
}
