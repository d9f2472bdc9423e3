import COpenCL
import Foundation
import VDropCL

/// Tuning parameters for CLBlast's SGEMM on one device, set with `CLBlastOverrideParameters`.
///
/// CLBlast computes a GEMM one of two ways: the *direct* kernel (`XgemmDirect`, one launch,
/// any size) or the *indirect* one (`Xgemm`, fast but it needs operands padded and transposed to
/// multiples of its tile, so up to three more launches). A product of m·n·k below
/// `minIndirectSize`³ takes the direct path. Each part left nil keeps CLBlast's own choice, which
/// for a chip missing from its database (the H200 is) is a generic vendor default.
public struct CLBlastParameters: Codable, Equatable, Sendable {
    /// The indirect kernel's 16 parameters (GEMMK, KREG, KWG, KWI, MDIMA, MDIMC, MWG, NDIMB,
    /// NDIMC, NWG, SA, SB, STRM, STRN, VWM, VWN), or nil.
    public var xgemm: [String: Int]?
    /// The direct kernel's 10 parameters (KWID, MDIMAD, MDIMCD, NDIMBD, NDIMCD, PADA, PADB,
    /// VWMD, VWND, WGD), or nil.
    public var xgemmDirect: [String: Int]?
    /// CLBlast's `XGEMM_MIN_INDIRECT_SIZE`: products with m·n·k < this³ run direct. Or nil.
    public var minIndirectSize: Int?

    public init(xgemm: [String: Int]? = nil, xgemmDirect: [String: Int]? = nil, minIndirectSize: Int? = nil) {
        self.xgemm = xgemm
        self.xgemmDirect = xgemmDirect
        self.minIndirectSize = minIndirectSize
    }

    /// No overrides: CLBlast's database.
    public static let library = CLBlastParameters()

    /// A `minIndirectSize` that sends every product of this program to the direct kernel.
    public static let alwaysDirect = 1 << 20
    /// A `minIndirectSize` that sends every product to the indirect kernel.
    public static let alwaysIndirect = 0

    /// Makes these the parameters CLBlast uses on `device` from its next GEMM on, in every
    /// queue of this process. CLBlast keeps compiled kernels per device and routine, not per
    /// parameter set, so its caches are emptied first; the next GEMM of each kind compiles again.
    /// Reached through ``OpenCLBackend/applyGemmParameters(_:)``, which also forgets the
    /// temporary-buffer sizes that depend on them.
    func apply(to device: Device) throws {
        try clblastCheck(CLBlastClearCache(), "CLBlastClearCache")
        if let xgemm { try Self.override(device, kernel: "Xgemm", xgemm) }
        if let xgemmDirect { try Self.override(device, kernel: "XgemmDirect", xgemmDirect) }
        if let minIndirectSize { try Self.override(device, kernel: "GemmRoutine", ["XGEMM_MIN_INDIRECT_SIZE": minIndirectSize]) }
    }

    private static func override(_ device: Device, kernel: String, _ values: [String: Int]) throws {
        let names = values.keys.sorted()
        let cNames = names.map { strdup($0) }
        defer { cNames.forEach { free($0) } }
        var pointers: [UnsafePointer<CChar>?] = cNames.map { UnsafePointer($0) }
        var sizes = names.map { values[$0]! }
        let status = pointers.withUnsafeMutableBufferPointer { namePointers in
            sizes.withUnsafeMutableBufferPointer { valuePointers in
                CLBlastOverrideParameters(device.id, kernel, CLBlastPrecisionSingle, names.count,
                                          namePointers.baseAddress, valuePointers.baseAddress)
            }
        }
        let settings = names.map { "\($0)=\(values[$0]!)" }.joined(separator: " ")
        try clblastCheck(status, "CLBlastOverrideParameters(\(kernel): \(settings))")
    }
}
