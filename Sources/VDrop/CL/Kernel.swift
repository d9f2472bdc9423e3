import COpenCL

/// A value that can be passed to a kernel: a buffer or a scalar of the kernel's C type.
public protocol KernelArgument {
    func set(on kernel: cl_kernel, index: cl_uint) throws
}

extension KernelArgument {
    /// Passes the raw bytes of a trivial scalar.
    fileprivate func setScalar(on kernel: cl_kernel, index: cl_uint) throws {
        var value = self
        try withUnsafeBytes(of: &value) { raw in
            try clCheck(clSetKernelArg(kernel, index, raw.count, raw.baseAddress), "clSetKernelArg(\(index))")
        }
    }
}

extension Buffer: KernelArgument {
    public func set(on kernel: cl_kernel, index: cl_uint) throws {
        var mem: cl_mem? = handle
        try clCheck(clSetKernelArg(kernel, index, MemoryLayout<cl_mem>.stride, &mem), "clSetKernelArg(\(index), buffer)")
    }
}

/// Scalars map to OpenCL C types of the same size: Int32 → int, UInt32 → uint, Float → float, UInt64 → ulong.
extension Int32: KernelArgument { public func set(on kernel: cl_kernel, index: cl_uint) throws { try setScalar(on: kernel, index: index) } }
extension UInt32: KernelArgument { public func set(on kernel: cl_kernel, index: cl_uint) throws { try setScalar(on: kernel, index: index) } }
extension UInt64: KernelArgument { public func set(on kernel: cl_kernel, index: cl_uint) throws { try setScalar(on: kernel, index: index) } }
extension Float: KernelArgument { public func set(on kernel: cl_kernel, index: cl_uint) throws { try setScalar(on: kernel, index: index) } }

/// Owns one `cl_kernel`; keeps its program (and so its context) alive.
public final class Kernel: @unchecked Sendable {
    public let program: Program
    public let name: String
    let handle: cl_kernel

    init(program: Program, name: String) throws {
        var status: cl_int = 0
        guard let kernel = clCreateKernel(program.handle, name, &status) else {
            throw CLError(status: status == CL_SUCCESS ? CL_INVALID_KERNEL_NAME : status, call: "clCreateKernel(\(name) in \(program.file))")
        }
        self.program = program
        self.name = name
        self.handle = kernel
    }

    deinit { clReleaseKernel(handle) }

    /// Sets every argument in order. `Int` values must be converted by the caller
    /// to the kernel's declared width (`Int32(n)`), which keeps sizes explicit.
    public func setArguments(_ arguments: KernelArgument...) throws {
        try setArguments(arguments)
    }

    public func setArguments(_ arguments: [KernelArgument]) throws {
        for (index, argument) in arguments.enumerated() {
            try argument.set(on: handle, index: cl_uint(index))
        }
    }
}
extension SIMD2: KernelArgument where Scalar == UInt32 {
    /// A `uint2`: how kernels take 64-bit seeds and steps as two words.
    public func set(on kernel: cl_kernel, index: cl_uint) throws { try setScalar(on: kernel, index: index) }
}
