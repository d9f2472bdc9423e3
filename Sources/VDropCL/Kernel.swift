import COpenCL

/// A value that can be passed to a kernel: a buffer, a tensor (buffer and offset), or a
/// scalar of the kernel's C type.
public protocol KernelArgument {
    /// The OpenCL C types of the kernel parameters this value fills, in order: one for a
    /// scalar or a buffer, two (`float*`, `int`) for a tensor. A pointer is written "*".
    var kernelParameterTypes: [String] { get }
    /// How many parameters it fills: `kernelParameterTypes.count`, without building the array
    /// (every launch needs the count; only a kernel's first launch needs the types).
    var kernelParameterCount: Int { get }
    /// Sets the parameters starting at `index`.
    func set(on kernel: cl_kernel, index: cl_uint) throws
}

extension KernelArgument {
    /// One parameter: a buffer or a scalar.
    public var kernelParameterCount: Int { 1 }

    /// Passes the raw bytes of a trivial scalar.
    fileprivate func setScalar(on kernel: cl_kernel, index: cl_uint) throws {
        var value = self
        try withUnsafeBytes(of: &value) { raw in
            try clCheck(clSetKernelArg(kernel, index, raw.count, raw.baseAddress), "clSetKernelArg(\(index))")
        }
    }
}

extension Buffer: KernelArgument {
    public var kernelParameterTypes: [String] { ["*"] }
    public func set(on kernel: cl_kernel, index: cl_uint) throws {
        var mem: cl_mem? = handle
        try clCheck(clSetKernelArg(kernel, index, MemoryLayout<cl_mem>.stride, &mem), "clSetKernelArg(\(index), buffer)")
    }
}

/// A trivial scalar, passed by its bytes as the OpenCL C type of the same size that it names.
public protocol ScalarKernelArgument: KernelArgument {
    static var openCLType: String { get }
}

extension ScalarKernelArgument {
    public var kernelParameterTypes: [String] { [Self.openCLType] }
    public func set(on kernel: cl_kernel, index: cl_uint) throws { try setScalar(on: kernel, index: index) }
}

extension Int32: ScalarKernelArgument { public static var openCLType: String { "int" } }
extension UInt32: ScalarKernelArgument { public static var openCLType: String { "uint" } }
extension UInt64: ScalarKernelArgument { public static var openCLType: String { "ulong" } }
extension Float: ScalarKernelArgument { public static var openCLType: String { "float" } }

/// Owns one `cl_kernel`; keeps its program (and so its context) alive.
public final class Kernel: @unchecked Sendable {
    public let program: Program
    public let name: String
    public let handle: cl_kernel
    /// The kernel's parameter count, and their OpenCL C type names when the driver reports
    /// them (programs are built with `-cl-kernel-arg-info`); nil when it does not.
    public let parameterCount: Int
    public let parameterTypes: [String]?
    /// Whether the arguments of a launch have been checked against the signature: the first
    /// launch checks; every later one sets the same kinds of values from the same host code.
    private var signatureChecked = false

    public init(program: Program, name: String) throws {
        var status: cl_int = 0
        guard let kernel = clCreateKernel(program.handle, name, &status) else {
            throw CLError(status: status == CL_SUCCESS ? CL_INVALID_KERNEL_NAME : status, call: "clCreateKernel(\(name) in \(program.file))")
        }
        self.program = program
        self.name = name
        self.handle = kernel
        var count: cl_uint = 0
        try clCheck(clGetKernelInfo(kernel, cl_kernel_info(CL_KERNEL_NUM_ARGS), MemoryLayout<cl_uint>.size, &count, nil),
                    "clGetKernelInfo(\(name), CL_KERNEL_NUM_ARGS)")
        parameterCount = Int(count)
        parameterTypes = try? (0..<count).map { index in
            try clInfoString("clGetKernelArgInfo(\(name), \(index))") {
                clGetKernelArgInfo(kernel, index, cl_kernel_arg_info(CL_KERNEL_ARG_TYPE_NAME), $0, $1, $2)
            }
        }
    }

    deinit { clReleaseKernel(handle) }

    /// Sets every argument in order. `Int` values must be converted by the caller
    /// to the kernel's declared width (`Int32(n)`), which keeps sizes explicit.
    public func setArguments(_ arguments: KernelArgument...) throws {
        try setArguments(arguments)
    }

    public func setArguments(_ arguments: [KernelArgument]) throws {
        if !signatureChecked {
            checkSignature(arguments.flatMap(\.kernelParameterTypes))
            signatureChecked = true
        }
        var index: cl_uint = 0
        for argument in arguments {
            try argument.set(on: handle, index: index)
            index += cl_uint(argument.kernelParameterCount)
        }
    }

    /// A launch whose arguments do not fit the kernel's parameters is a bug in vdrop, not a
    /// user's mistake: it stops with the kernel's name and where the two part (`fatalError`,
    /// whose message survives optimized builds, unlike `precondition`'s).
    private func checkSignature(_ given: [String]) {
        if let mismatch = Self.mismatch(declaredCount: parameterCount, declaredTypes: parameterTypes, given: given) {
            fatalError("\(name) in \(program.file): \(mismatch)")
        }
    }

    /// Where the values a launch passes (``KernelArgument/kernelParameterTypes``, "*" for any
    /// buffer) part from the kernel's declared parameters, or nil when they fit.
    public static func mismatch(declaredCount: Int, declaredTypes: [String]?, given: [String]) -> String? {
        if given.count != declaredCount { return "the kernel takes \(declaredCount) parameters; the host passed \(given.count)" }
        guard let declaredTypes else { return nil }
        for (index, (expected, passed)) in zip(declaredTypes, given).enumerated() {
            let fits = passed == "*" ? expected.hasSuffix("*") : expected == passed
            if !fits { return "parameter \(index) is \(expected), the host passed \(passed == "*" ? "a buffer" : passed)" }
        }
        return nil
    }
}

/// A `uint2`: how kernels take 64-bit seeds and steps as two words.
extension SIMD2: KernelArgument, ScalarKernelArgument where Scalar == UInt32 {
    public static var openCLType: String { "uint2" }
}
