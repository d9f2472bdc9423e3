import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A library error a user can cause or fix (OpenBLAS missing, or not OpenBLAS), as a sentence.
public struct BLASLibraryError: Error, CustomStringConvertible {
    public let message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}

/// OpenBLAS, loaded by vdrop at first use instead of linked, with the few functions the CPU
/// backend calls.
///
/// Why not linked: OpenBLAS picks its kernel set in a library constructor, when it is loaded.
/// Linked, that is before `main`, from CPUID's family and model numbers, which hypervisors hide:
/// on an AVX-512 Xeon VM Debian's 0.3.21 picked Prescott (SSE3) kernels and LeNet-5's step took
/// 135 ms instead of 56 ms. Loaded here, vdrop first sets `OPENBLAS_CORETYPE` from the
/// instruction sets themselves, unless the environment already set it (``BLASCoreChoice``).
/// A side effect: commands that only use an OpenCL device run without OpenBLAS installed.
///
/// The library is loaded once per process and never unloaded (its thread pool lives as long),
/// so this type has no `deinit`; ``shared()`` returns the one instance.
public final class BLASLibrary: @unchecked Sendable {
    /// The file the loader mapped, e.g. `/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblasp-r0.3.21.so`.
    public let path: String
    /// `openblas_get_config()`: version and build options, e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Zen MAX_THREADS=64".
    public let configuration: String
    /// `openblas_get_corename()`: the kernel set it runs, e.g. "Zen", "SkylakeX".
    public let coreName: String
    /// The core vdrop asked for, and who chose it.
    public let coreChoice: BLASCoreChoice
    /// What CPUID reported when the core was chosen (nil off x86).
    public let features: CPUFeatures?

    /// `cblas_sgemm` from OpenBLAS's cblas.h: order, transA, transB (C enums, int-sized), M, N, K,
    /// alpha, A, lda, B, ldb, beta, C, ldc; `blasint` is 32 bits in libopenblas.so.0 (the 64-bit
    /// build is libopenblas64).
    private typealias SgemmFunction = @convention(c) (Int32, Int32, Int32, Int32, Int32, Int32, Float,
                                                      UnsafePointer<Float>?, Int32, UnsafePointer<Float>?, Int32,
                                                      Float, UnsafeMutablePointer<Float>?, Int32) -> Void
    private typealias SetThreadsFunction = @convention(c) (Int32) -> Void
    private typealias GetThreadsFunction = @convention(c) () -> Int32
    private typealias GetStringFunction = @convention(c) () -> UnsafePointer<CChar>?

    private let sgemmFunction: SgemmFunction
    private let setThreadsFunction: SetThreadsFunction
    private let getThreadsFunction: GetThreadsFunction

    // cblas.h's CBLAS_ORDER and CBLAS_TRANSPOSE values.
    private static let rowMajor: Int32 = 101, noTranspose: Int32 = 111, transpose: Int32 = 112

    private static let loaded: Result<BLASLibrary, Error> = Result { try BLASLibrary() }

    /// The process's OpenBLAS, loaded at the first call; later calls return it (or the same error).
    public static func shared() throws -> BLASLibrary { try loaded.get() }

    /// C = α·op(A)·op(B) + β·C in row-major order, op(X) = X or Xᵀ; C is m × n, the inner size k.
    /// With β = 0, C is only written (NaN there does not spread).
    @inline(__always)
    public func sgemm(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                      a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                      beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        sgemmFunction(Self.rowMajor, transposeA ? Self.transpose : Self.noTranspose, transposeB ? Self.transpose : Self.noTranspose,
                      Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// OpenBLAS's own threads for one call (process-wide).
    public var threadCount: Int {
        get { Int(getThreadsFunction()) }
        set { setThreadsFunction(Int32(max(1, newValue))) }
    }

    /// The names tried, in order: the loader's search (LD_LIBRARY_PATH, where the GPU bundle's
    /// run.sh puts its copy, then the system's), the bundle's `lib/` beside the executable, the
    /// unversioned development name, and Debian's variant folders in case the alternatives link
    /// is missing.
    static var candidates: [String] {
        #if os(macOS)
        return ["libopenblas.dylib", "/opt/homebrew/opt/openblas/lib/libopenblas.dylib",
                "/usr/local/opt/openblas/lib/libopenblas.dylib"]
        #else
        var names = ["libopenblas.so.0"]
        if let executable = Bundle.main.executableURL {
            names.append(executable.deletingLastPathComponent().appendingPathComponent("lib/libopenblas.so.0").path)
        }
        names.append("libopenblas.so")
        #if arch(x86_64)
        let multiarch = "/usr/lib/x86_64-linux-gnu"
        #else
        let multiarch = "/usr/lib/aarch64-linux-gnu"
        #endif
        names += ["openblas-pthread", "openblas-openmp", "openblas-serial"].map { "\(multiarch)/\($0)/libopenblas.so.0" }
        return names
        #endif
    }

    private init() throws {
        let features = CPUFeatures.current
        // A copy another part of the process loaded has chosen its core already; use it as it is.
        let handle: UnsafeMutableRawPointer, choice: BLASCoreChoice
        if let loaded = Self.candidates.lazy.compactMap({ dlopen($0, RTLD_NOW | RTLD_NOLOAD) }).first {
            handle = loaded
            choice = BLASCoreChoice(core: nil, source: .alreadyLoaded)
        } else {
            choice = BLASCoreChoice.decide(features: features, environment: ProcessInfo.processInfo.environment)
            handle = try Self.open(settingCore: choice.source == .cpuid ? choice.core : nil)
        }

        func symbol<Function>(_ name: String, as type: Function.Type) throws -> Function {
            guard let address = dlsym(handle, name) else {
                throw BLASLibraryError(message: "The BLAS library vdrop loaded has no \(name), so it is not OpenBLAS; install Debian's libopenblas0 (apt-get install libopenblas0) and make sure it is the libopenblas.so.0 the loader finds.")
            }
            return unsafeBitCast(address, to: type)
        }
        sgemmFunction = try symbol("cblas_sgemm", as: SgemmFunction.self)
        setThreadsFunction = try symbol("openblas_set_num_threads", as: SetThreadsFunction.self)
        getThreadsFunction = try symbol("openblas_get_num_threads", as: GetThreadsFunction.self)
        let corename = try symbol("openblas_get_corename", as: GetStringFunction.self)
        let config = try symbol("openblas_get_config", as: GetStringFunction.self)
        coreName = corename().map { String(cString: $0) } ?? "unknown"
        configuration = config().map { String(cString: $0) } ?? "unknown"
        path = dlsym(handle, "cblas_sgemm").flatMap { Self.mappedFile(containing: $0) } ?? "libopenblas.so.0"
        coreChoice = choice
        self.features = features
    }

    /// dlopen's the first candidate that loads, with `OPENBLAS_CORETYPE=core` in the environment
    /// while OpenBLAS's constructor reads it. The variable is removed afterwards, so processes
    /// vdrop starts see the environment the user gave (and make their own choice).
    private static func open(settingCore core: String?) throws -> UnsafeMutableRawPointer {
        if let core { setenv(BLASCoreChoice.environmentVariable, core, 0) }
        defer { if core != nil { unsetenv(BLASCoreChoice.environmentVariable) } }
        var failures: [String] = []
        for name in candidates {
            if let handle = dlopen(name, RTLD_NOW | RTLD_LOCAL) { return handle }
            failures.append(dlerror().map { String(cString: $0) } ?? name)
        }
        throw BLASLibraryError(message: """
            The CPU backend needs OpenBLAS and none could be loaded; install it with `apt-get install libopenblas0` \
            (or libopenblas-dev), or put a libopenblas.so.0 on LD_LIBRARY_PATH. Tried: \(failures.joined(separator: "; ")).
            """)
    }

    /// The path of the file mapped at `address`, from /proc/self/maps (Swift's Glibc module does
    /// not declare dladdr, a GNU extension); nil elsewhere.
    private static func mappedFile(containing address: UnsafeMutableRawPointer) -> String? {
        guard let maps = try? String(contentsOfFile: "/proc/self/maps", encoding: .utf8) else { return nil }
        let target = UInt(bitPattern: address)
        for line in maps.split(separator: "\n") {
            // "start-end perms offset dev inode   path"
            let fields = line.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: true)
            guard fields.count == 6, let dash = fields[0].firstIndex(of: "-"),
                  let start = UInt(fields[0][..<dash], radix: 16),
                  let end = UInt(fields[0][fields[0].index(after: dash)...], radix: 16),
                  start <= target && target < end else { continue }
            return fields[5].trimmingCharacters(in: .whitespaces)
        }
        return nil
    }

    /// One line for `vdrop devices`: the library, its kernels and who chose them.
    public var summary: String {
        var line = "\(configuration) (\(path)); kernels \(coreName), \(coreChoice.origin)"
        if coreChoice.source == .cpuid, let features { line += " (\(features.summary))" }
        if let asked = coreChoice.core, asked.lowercased() != coreName.lowercased() {
            // OpenBLAS ignores a name it does not know and may replace kernels the build or the
            // processor lacks; say so rather than let the line read as if it were followed.
            line += "; OpenBLAS did not take \(asked) (a name it does not know, or kernels this build or processor lacks)"
        }
        return line
    }
}
