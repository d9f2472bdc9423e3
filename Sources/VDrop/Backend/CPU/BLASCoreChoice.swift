/// Which of OpenBLAS's kernel sets ("cores") the CPU backend runs, and who chose it.
///
/// OpenBLAS built with DYNAMIC_ARCH (Debian's) holds kernels for many processors and picks one
/// when it is loaded: `OPENBLAS_CORETYPE` when set, else its own detection from CPUID's family
/// and model numbers. Those numbers are what a hypervisor hides, and a model newer than the
/// library is unknown to it: Debian's 0.3.21 ran Prescott (SSE3) kernels on an AVX-512 Xeon VM,
/// 2.4× slower on LeNet-5. The instruction sets themselves are reported faithfully, so vdrop
/// names the core from them (``core(for:)``) and sets `OPENBLAS_CORETYPE` before loading the
/// library (``BLASLibrary``).
///
/// A value already in the environment is kept, never overridden: some machines set it (or
/// `OPENBLAS_L2_SIZE`, which vdrop never touches) because an older build computes wrong results
/// there with the kernels it would detect.
public struct BLASCoreChoice: Equatable, Sendable {
    public enum Source: Equatable, Sendable {
        /// `OPENBLAS_CORETYPE` was set before vdrop started; OpenBLAS follows it.
        case environment
        /// vdrop named the core from CPUID's instruction sets.
        case cpuid
        /// Neither: a processor that is not x86, or one without AVX, where OpenBLAS's own
        /// detection has nothing better to be corrected to.
        case openBLAS
        /// OpenBLAS was loaded in this process before vdrop loaded it, so its core was already chosen.
        case alreadyLoaded
    }

    /// The variable OpenBLAS reads when it is loaded.
    public static let environmentVariable = "OPENBLAS_CORETYPE"

    /// The name given to OpenBLAS (the environment's value, or vdrop's); nil when left to OpenBLAS.
    public let core: String?
    public let source: Source

    public init(core: String?, source: Source) {
        self.core = core
        self.source = source
    }

    /// The core for these instruction sets, by OpenBLAS 0.3.21's names (checked there with
    /// `openblas_get_corename()`): SkylakeX for AVX-512 F/DQ/BW/VL, Zen (AMD, Hygon) or Haswell
    /// (Intel and others) for AVX2 with FMA, Sandybridge for AVX; nil without AVX.
    ///
    /// Not Cooperlake or SapphireRapids: they add BF16 kernels and keep SkylakeX's single-precision
    /// GEMM, and 0.3.21 does not know the name SapphireRapids (it ignores an unknown name).
    public static func core(for features: CPUFeatures) -> String? {
        if features.avx512 { return "SkylakeX" }
        if features.avx2 && features.fma { return features.isAMDLike ? "Zen" : "Haswell" }
        if features.avx { return "Sandybridge" }
        return nil
    }

    /// The environment's `OPENBLAS_CORETYPE` when it has one (even an empty one: what the user
    /// set is theirs), else the core for `features`, else OpenBLAS's own detection.
    public static func decide(features: CPUFeatures?, environment: [String: String]) -> BLASCoreChoice {
        if let set = environment[environmentVariable] { return BLASCoreChoice(core: set, source: .environment) }
        if let features, let core = core(for: features) { return BLASCoreChoice(core: core, source: .cpuid) }
        return BLASCoreChoice(core: nil, source: .openBLAS)
    }

    /// Who chose, as the end of a sentence: "chosen by vdrop from CPUID", ...
    public var origin: String {
        switch source {
        case .environment: return "set by \(Self.environmentVariable)=\(core ?? "") in the environment"
        case .cpuid: return "chosen by vdrop from CPUID"
        case .openBLAS: return "detected by OpenBLAS itself"
        case .alreadyLoaded: return "chosen when another part of this process loaded OpenBLAS"
        }
    }
}
