import VDrop
import XCTest

/// Which OpenBLAS kernels the CPU backend asks for: from CPUID's instruction sets, unless the
/// environment already chose (a pure function, so every processor can be tested here).
final class BLASCoreChoiceTests: XCTestCase {
    private let intelAVX512 = CPUFeatures(vendor: "GenuineIntel", avx: true, fma: true, avx2: true,
                                          avx512F: true, avx512DQ: true, avx512BW: true, avx512VL: true)

    func testEachInstructionSetMapsToTheWidestCoreItCanRun() {
        XCTAssertEqual(BLASCoreChoice.core(for: intelAVX512), "SkylakeX")
        var zen4 = intelAVX512
        zen4.vendor = "AuthenticAMD"
        XCTAssertEqual(BLASCoreChoice.core(for: zen4), "SkylakeX", "AVX-512 runs SkylakeX kernels on AMD too")
        let avx2 = CPUFeatures(vendor: "GenuineIntel", avx: true, fma: true, avx2: true)
        XCTAssertEqual(BLASCoreChoice.core(for: avx2), "Haswell")
        XCTAssertEqual(BLASCoreChoice.core(for: CPUFeatures(vendor: "AuthenticAMD", avx: true, fma: true, avx2: true)), "Zen")
        XCTAssertEqual(BLASCoreChoice.core(for: CPUFeatures(vendor: "HygonGenuine", avx: true, fma: true, avx2: true)), "Zen")
        XCTAssertEqual(BLASCoreChoice.core(for: CPUFeatures(vendor: "GenuineIntel", avx: true)), "Sandybridge")
        XCTAssertEqual(BLASCoreChoice.core(for: CPUFeatures(vendor: "AuthenticAMD", avx: true, fma: true)), "Sandybridge",
                       "FMA without AVX2 (Bulldozer) is not enough for Haswell's kernels")
        XCTAssertNil(BLASCoreChoice.core(for: CPUFeatures(vendor: "GenuineIntel")), "without AVX OpenBLAS chooses itself")
    }

    func testPartialAVX512FallsBackToAVX2() {
        // Knights Landing has F and CD but neither BW nor VL, which SkylakeX's kernels use.
        var knightsLanding = CPUFeatures(vendor: "GenuineIntel", avx: true, fma: true, avx2: true, avx512F: true)
        XCTAssertEqual(BLASCoreChoice.core(for: knightsLanding), "Haswell")
        knightsLanding.avx512DQ = true
        knightsLanding.avx512BW = true
        XCTAssertEqual(BLASCoreChoice.core(for: knightsLanding), "Haswell", "VL is missing still")
    }

    func testTheEnvironmentsCoreIsNeverOverridden() {
        let forced = BLASCoreChoice.decide(features: intelAVX512, environment: ["OPENBLAS_CORETYPE": "Prescott"])
        XCTAssertEqual(forced, BLASCoreChoice(core: "Prescott", source: .environment))
        XCTAssertEqual(forced.origin, "set by OPENBLAS_CORETYPE=Prescott in the environment")
        let empty = BLASCoreChoice.decide(features: intelAVX512, environment: ["OPENBLAS_CORETYPE": ""])
        XCTAssertEqual(empty.source, .environment, "an empty value is still the user's")
    }

    func testVdropChoosesWhenTheEnvironmentDoesNot() {
        let chosen = BLASCoreChoice.decide(features: intelAVX512, environment: ["PATH": "/usr/bin"])
        XCTAssertEqual(chosen, BLASCoreChoice(core: "SkylakeX", source: .cpuid))
        // OPENBLAS_L2_SIZE is the user's too, but it is about caches, not kernels: it stays
        // untouched and vdrop still names the core.
        let withCacheSize = BLASCoreChoice.decide(features: intelAVX512, environment: ["OPENBLAS_L2_SIZE": "1048576"])
        XCTAssertEqual(withCacheSize, BLASCoreChoice(core: "SkylakeX", source: .cpuid))
    }

    func testWithoutFeaturesOpenBLASDetectsItself() {
        XCTAssertEqual(BLASCoreChoice.decide(features: nil, environment: [:]), BLASCoreChoice(core: nil, source: .openBLAS))
        XCTAssertEqual(BLASCoreChoice.decide(features: CPUFeatures(vendor: "GenuineIntel"), environment: [:]).source, .openBLAS)
    }

    func testThisProcessorsFeaturesAreRead() throws {
        #if arch(x86_64)
        let features = try XCTUnwrap(CPUFeatures.current)
        XCTAssertFalse(features.vendor.isEmpty)
        // Each wider set implies the narrower ones on every real processor.
        if features.avx2 { XCTAssertTrue(features.avx, features.summary) }
        if features.avx512 { XCTAssertTrue(features.avx2 && features.fma, features.summary) }
        #else
        throw XCTSkip("CPUID exists on x86 only.")
        #endif
    }
}
