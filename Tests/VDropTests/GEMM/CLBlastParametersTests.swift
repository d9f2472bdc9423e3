import VDrop
import XCTest

/// Overriding CLBlast's SGEMM parameters: the configurations the tuner tries are valid, and a GEMM
/// computed with overridden parameters on either path still equals OpenBLAS's.
final class CLBlastParametersTests: XCTestCase {
    /// An H100/H200's limits: 1024 threads per group, 48 KiB of local memory.
    let maxWorkGroup = 1024, localMemory: UInt64 = 48 * 1024

    func testEverySeedConfigurationIsValid() {
        for seed in XgemmConfiguration.seeds {
            XCTAssertTrue(seed.isValid(maxWorkGroupSize: maxWorkGroup, localMemory: localMemory), "\(seed)")
        }
        for seed in XgemmDirectConfiguration.seeds {
            XCTAssertTrue(seed.isValid(maxWorkGroupSize: maxWorkGroup, localMemory: localMemory), "\(seed)")
        }
    }

    func testValidityRulesRejectTilesThatDoNotSplitEvenly() {
        var xgemm = XgemmConfiguration.seeds[0]
        xgemm.mwg = 16  // 8 threads × vector width 4 = 32 rows per pass: 16 does not divide
        XCTAssertFalse(xgemm.isValid(maxWorkGroupSize: maxWorkGroup, localMemory: localMemory))
        xgemm = XgemmConfiguration.seeds[0]
        XCTAssertFalse(xgemm.isValid(maxWorkGroupSize: 128, localMemory: localMemory), "8×32 threads exceed a group of 128")
        XCTAssertFalse(xgemm.isValid(maxWorkGroupSize: maxWorkGroup, localMemory: 1024), "its tiles need 12 KiB of local memory")
        var direct = XgemmDirectConfiguration.seeds[0]
        direct.kwid = 16
        direct.wgd = 8
        XCTAssertFalse(direct.isValid(maxWorkGroupSize: maxWorkGroup, localMemory: localMemory))
    }

    func testOverriddenParametersComputeTheSameGemmOnBothPaths() throws {
        let backend = try TestBackends.openCL()
        defer { XCTAssertNoThrow(try backend.applyGemmParameters(CLBlastParameters.library)) }
        try backend.applyGemmParameters(TestGemmParameters.overridden)
        try assertSgemmMatchesCPU(backend, "direct kernel, overridden", size: TestGemmParameters.directSize)
        try assertSgemmMatchesCPU(backend, "indirect kernel, overridden", size: TestGemmParameters.indirectSize)
    }

    /// Proof the override reaches CLBlast's kernels: tiles its kernel cannot split give wrong
    /// products (which is why ``GemmTuner`` checks every candidate's results).
    func testAnOverrideReachesTheKernel() throws {
        let backend = try TestBackends.openCL()
        // Not `.library`: CLBlast keeps an override until the next one for that kernel, so the
        // broken tiles would stay for every later test of this process (see TestGemmParameters).
        defer { XCTAssertNoThrow(try backend.applyGemmParameters(TestGemmParameters.overridden)) }
        try backend.applyGemmParameters(TestGemmParameters.broken)
        let a = try backend.tensor(testValues(64 * 64, seed: 5), shape: [64, 64])
        let c = try backend.allocate([64, 64])
        do {
            try backend.gemm(transposeA: false, transposeB: false, m: 64, n: 64, k: 64, alpha: 1, a: a, b: a, beta: 0, c: c)
            let cpuC = try TestBackends.cpu.allocate([64, 64])
            let ca = try TestBackends.cpu.tensor(testValues(64 * 64, seed: 5), shape: [64, 64])
            try TestBackends.cpu.gemm(transposeA: false, transposeB: false, m: 64, n: 64, k: 64, alpha: 1, a: ca, b: ca, beta: 0, c: cpuC)
            let x = try backend.download(c), y = try TestBackends.cpu.download(cpuC)
            let largestError = zip(x, y).map { abs($0 - $1) }.max() ?? 0
            XCTAssertGreaterThan(largestError, 0.1, "the broken override did not change the product")
        } catch {
            // A driver may also refuse to build or launch it: that proves the point as well.
        }
    }

    func testAnIncompleteOverrideNamesTheKernel() throws {
        let backend = try TestBackends.openCL()
        defer { XCTAssertNoThrow(try backend.applyGemmParameters(CLBlastParameters.library)) }
        var parameters = XgemmConfiguration.seeds[0].parameters
        parameters["VWN"] = nil
        XCTAssertThrowsError(try backend.applyGemmParameters(CLBlastParameters(xgemm: parameters))) { error in
            XCTAssertTrue("\(error)".contains("Xgemm"), "\(error)")
        }
    }
}
