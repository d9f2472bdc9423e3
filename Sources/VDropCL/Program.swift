import COpenCL
import Foundation
import Kernels

/// Owns one built `cl_program`: a kernel file compiled for one device with one set of options.
///
/// Build programs through ``ProgramCache`` so each (device, file, options) is compiled once.
public final class Program: @unchecked Sendable {
    public let context: Context
    /// The kernel file it was built from, e.g. "lrt_dense.cl".
    public let file: String
    public let options: String
    public let handle: cl_program

    /// Compiles `source` (already with its `#include`s resolved). A compiler error throws
    /// ``KernelBuildError`` with the full build log.
    public init(context: Context, file: String, source: String, options: String) throws {
        var status: cl_int = 0
        let program: cl_program? = source.withCString { text in
            var pointer: UnsafePointer<CChar>? = text
            var length = strlen(text)
            return clCreateProgramWithSource(context.handle, 1, &pointer, &length, &status)
        }
        guard let program else {
            throw CLError(status: status == CL_SUCCESS ? CL_INVALID_PROGRAM : status, call: "clCreateProgramWithSource(\(file))")
        }
        self.context = context
        self.file = file
        self.options = options
        self.handle = program
        var deviceID: cl_device_id? = context.device.id
        let buildStatus = clBuildProgram(program, 1, &deviceID, options, nil, nil)
        if buildStatus == CL_BUILD_PROGRAM_FAILURE || buildStatus == CL_INVALID_BUILD_OPTIONS {
            let log = (try? clInfoString("clGetProgramBuildInfo") {
                clGetProgramBuildInfo(program, context.device.id, cl_program_build_info(CL_PROGRAM_BUILD_LOG), $0, $1, $2)
            }) ?? "(the driver returned no build log)"
            throw KernelBuildError(file: file, options: options, device: context.device.name, log: log)
        }
        try clCheck(buildStatus, "clBuildProgram(\(file))")
    }

    deinit { clReleaseProgram(handle) }

    /// A new kernel object for the `__kernel` function `name` in this program.
    public func kernel(_ name: String) throws -> Kernel { try Kernel(program: self, name: name) }
}

/// Builds each (file, options) once per context and hands out the same program after.
///
/// OpenCL C has no way to include a file that is embedded in the binary, so
/// `#include "x.clh"` lines are replaced by the embedded header's text here.
public final class ProgramCache: @unchecked Sendable {
    public let context: Context
    private var programs: [String: Program] = [:]

    public init(context: Context) { self.context = context }

    /// What every program is built with: OpenCL C 1.2 (PoCL and NVIDIA both take it), and the
    /// kernels' parameter types kept, so ``Kernel`` can check each launch against its signature.
    public static let baseOptions = "-cl-std=CL1.2 -cl-kernel-arg-info "

    /// The program for an embedded kernel file, built with ``baseOptions`` plus `options`.
    public func program(_ file: String, options: String = "") throws -> Program {
        let key = file + "\u{0}" + options
        if let program = programs[key] { return program }
        guard let source = KernelSources.text(of: file) else {
            preconditionFailure("no embedded kernel file named \(file)")
        }
        let program = try Program(context: context, file: file, source: try KernelSources.resolvingIncludes(source, in: file),
                                   options: (Self.baseOptions + options).trimmingTrailingSpace)
        programs[key] = program
        return program
    }

    /// Builds a program from source text that is not embedded (tests, tools).
    public func program(named file: String, source: String, options: String = "") throws -> Program {
        try Program(context: context, file: file, source: try KernelSources.resolvingIncludes(source, in: file),
                    options: (Self.baseOptions + options).trimmingTrailingSpace)
    }
}

extension String {
    fileprivate var trimmingTrailingSpace: String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}
