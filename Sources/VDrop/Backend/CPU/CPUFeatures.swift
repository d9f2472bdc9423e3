#if arch(x86_64) || arch(i386)
import CCPUID
#endif

/// The vector instruction sets this x86-64 processor can run, read from CPUID, for choosing
/// OpenBLAS's kernels (``BLASCoreChoice``).
///
/// A set counts only when the processor has it *and* the operating system saves its registers
/// (XCR0 via XGETBV): a hypervisor can pass AVX-512 through while the guest kernel does not
/// enable it, and then its instructions fault. This is the test OpenBLAS's own `support_avx512()`
/// makes. The model name and family numbers are not read: hypervisors hide or change them, and
/// that is how OpenBLAS 0.3.21 ends up on Prescott (SSE3) kernels on an AVX-512 Xeon.
public struct CPUFeatures: Equatable, Sendable {
    /// CPUID's vendor string: `GenuineIntel`, `AuthenticAMD`, `HygonGenuine`, ...
    public var vendor: String
    public var avx = false
    public var fma = false
    public var avx2 = false
    public var avx512F = false
    public var avx512DQ = false
    public var avx512BW = false
    public var avx512VL = false

    public init(vendor: String, avx: Bool = false, fma: Bool = false, avx2: Bool = false, avx512F: Bool = false,
                avx512DQ: Bool = false, avx512BW: Bool = false, avx512VL: Bool = false) {
        self.vendor = vendor
        self.avx = avx
        self.fma = fma
        self.avx2 = avx2
        self.avx512F = avx512F
        self.avx512DQ = avx512DQ
        self.avx512BW = avx512BW
        self.avx512VL = avx512VL
    }

    /// F, DQ, BW and VL: what OpenBLAS's SkylakeX kernels use (Skylake-SP and every later Xeon,
    /// AMD Zen 4 and later).
    public var avx512: Bool { avx512F && avx512DQ && avx512BW && avx512VL }

    /// AMD and Hygon (a licensed Zen): OpenBLAS's Zen kernels are tuned for their caches.
    public var isAMDLike: Bool { vendor == "AuthenticAMD" || vendor == "HygonGenuine" }

    /// The sets present, widest first, e.g. "AVX-512 (F, DQ, BW, VL), AVX2, FMA, AVX"; "SSE only"
    /// when none of these is usable.
    public var summary: String {
        var sets: [String] = []
        let avx512Parts = [("F", avx512F), ("DQ", avx512DQ), ("BW", avx512BW), ("VL", avx512VL)].filter(\.1).map(\.0)
        if !avx512Parts.isEmpty { sets.append("AVX-512 (\(avx512Parts.joined(separator: ", ")))") }
        if avx2 { sets.append("AVX2") }
        if fma { sets.append("FMA") }
        if avx { sets.append("AVX") }
        return sets.isEmpty ? "SSE only" : sets.joined(separator: ", ")
    }

    /// This processor's features; nil on a processor that is not x86.
    public static let current: CPUFeatures? = read()

    private static func read() -> CPUFeatures? {
        #if arch(x86_64) || arch(i386)
        func cpuid(_ leaf: UInt32, _ subleaf: UInt32 = 0) -> (eax: UInt32, ebx: UInt32, ecx: UInt32, edx: UInt32) {
            var registers: [UInt32] = [0, 0, 0, 0]
            _ = registers.withUnsafeMutableBufferPointer { vdrop_cpuid(leaf, subleaf, $0.baseAddress) }
            return (registers[0], registers[1], registers[2], registers[3])
        }
        func bit(_ register: UInt32, _ index: UInt32) -> Bool { register >> index & 1 == 1 }

        let leaf0 = cpuid(0)
        // The vendor string is EBX, EDX, ECX as little-endian ASCII.
        let vendorBytes = [leaf0.ebx, leaf0.edx, leaf0.ecx].flatMap { word in (0..<4).map { UInt8(truncatingIfNeeded: word >> ($0 * 8)) } }
        var features = CPUFeatures(vendor: String(decoding: vendorBytes.filter { $0 != 0 }, as: UTF8.self))
        let leaf1 = cpuid(1)
        // XGETBV faults unless the OS set OSXSAVE; without it no AVX state is saved either.
        guard bit(leaf1.ecx, 27) else { return features }
        let xcr0 = vdrop_xgetbv0()
        let osSavesAVX = xcr0 & 0x6 == 0x6        // XMM and YMM state
        let osSavesAVX512 = xcr0 & 0xE6 == 0xE6   // and opmask, ZMM0-15 upper halves, ZMM16-31
        guard osSavesAVX else { return features }
        features.avx = bit(leaf1.ecx, 28)
        features.fma = bit(leaf1.ecx, 12)
        guard leaf0.eax >= 7 else { return features }
        let leaf7 = cpuid(7)
        features.avx2 = bit(leaf7.ebx, 5)
        if osSavesAVX512 {
            features.avx512F = bit(leaf7.ebx, 16)
            features.avx512DQ = bit(leaf7.ebx, 17)
            features.avx512BW = bit(leaf7.ebx, 30)
            features.avx512VL = bit(leaf7.ebx, 31)
        }
        return features
        #else
        return nil
        #endif
    }
}
