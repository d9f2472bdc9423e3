import VDrop
import XCTest

/// The split-K kernel for long-k products A·Bᵀ (the conv weight gradients): how it cuts k, and
/// that it equals OpenBLAS and leaves a training step agreeing with the CPU backend.
final class SplitKGemmTests: XCTestCase {
    func testPlansEnoughSlicesForFourGroupsPerComputeUnit() {
        let h200 = 132
        // LeNet-5's first conv: one tile; 4 groups per compute unit would be 528 slices, k allows 225.
        XCTAssertEqual(SplitKPlan.plan(m: 20, n: 25, k: 57_600, computeUnits: h200, mode: .automatic), SplitKPlan(slices: 225, chunk: 256))
        // VGG-like's second conv: 9 tiles, 59 slices of 1744 (a whole number of 16-value steps).
        XCTAssertEqual(SplitKPlan.plan(m: 64, n: 576, k: 102_400, computeUnits: h200, mode: .automatic), SplitKPlan(slices: 59, chunk: 1744))
        // 36 tiles: 15 slices, whose rounded chunks still need 15.
        XCTAssertEqual(SplitKPlan.plan(m: 128, n: 1152, k: 25_600, computeUnits: h200, mode: .automatic), SplitKPlan(slices: 15, chunk: 1712))
        // 288 tiles: 2 slices. 576 tiles, 4 per compute unit already, or too short a k, or never: CLBlast.
        XCTAssertEqual(SplitKPlan.plan(m: 512, n: 2304, k: 1_600, computeUnits: h200, mode: .automatic), SplitKPlan(slices: 2, chunk: 800))
        XCTAssertNil(SplitKPlan.plan(m: 512, n: 4608, k: 1_600, computeUnits: h200, mode: .automatic))
        XCTAssertNil(SplitKPlan.plan(m: 20, n: 25, k: 500, computeUnits: h200, mode: .automatic))
        XCTAssertNil(SplitKPlan.plan(m: 20, n: 25, k: 57_600, computeUnits: h200, mode: .never))
        // PoCL's 2 compute units.
        XCTAssertEqual(SplitKPlan.plan(m: 20, n: 25, k: 57_600, computeUnits: 2, mode: .automatic), SplitKPlan(slices: 8, chunk: 7200))
        XCTAssertEqual(SplitKPlan.plan(m: 50, n: 300, k: 6_400, computeUnits: 2, mode: .automatic), SplitKPlan(slices: 2, chunk: 3200))
        XCTAssertNil(SplitKPlan.plan(m: 50, n: 500, k: 6_400, computeUnits: 2, mode: .automatic), "8 tiles fill 2 compute units")
        // Every plan covers k with its last chunk non-empty.
        for k in [512, 517, 4_099, 57_600, 102_400] {
            for (m, n) in [(1, 1), (20, 25), (64, 576), (300, 300)] {
                guard let plan = SplitKPlan.plan(m: m, n: n, k: k, computeUnits: h200, mode: .automatic) else {
                    XCTFail("\(m)×\(n)×\(k) has room for two chunks")
                    continue
                }
                XCTAssertEqual(plan.chunk % 16, 0)
                XCTAssertGreaterThanOrEqual(plan.slices * plan.chunk, k, "\(m)×\(n)×\(k)")
                XCTAssertLessThan((plan.slices - 1) * plan.chunk, k, "\(m)×\(n)×\(k): an empty last chunk")
            }
        }
    }

    func testSplitKEqualsOpenBLAS() throws {
        let device = try TestBackends.openCL(), cpu = TestBackends.cpu
        // Edges in every dimension: outputs smaller than, not a multiple of and larger than a tile,
        // k not a multiple of the 16-value step, and LeNet-5's first weight gradient.
        for (m, n, k) in [(7, 13, 1_000), (70, 130, 777), (64, 64, 512), (20, 25, 57_600)] {
            XCTAssertNotNil(SplitKPlan.plan(m: m, n: n, k: k, computeUnits: device.device.computeUnits, mode: .automatic))
            for (alpha, beta) in [(Float(1), Float(0)), (0.5, 1.5)] {
                let a = testValues(m * k, seed: 11), b = testValues(n * k, seed: 12), c = testValues(m * n, seed: 13)
                let deviceC = try device.tensor(c.map { beta == 0 ? .nan : $0 }, shape: [m, n])
                try device.gemm(transposeA: false, transposeB: true, m: m, n: n, k: k, alpha: alpha,
                                a: try device.tensor(a, shape: [m * k]), b: try device.tensor(b, shape: [n * k]), beta: beta, c: deviceC)
                let cpuC = try cpu.tensor(c, shape: [m, n])
                try cpu.gemm(transposeA: false, transposeB: true, m: m, n: n, k: k, alpha: alpha,
                             a: try cpu.tensor(a, shape: [m * k]), b: try cpu.tensor(b, shape: [n * k]), beta: beta, c: cpuC)
                // Sums of k products of values in [-1, 1] are about √k in size; both orders round within √k·1e-6.
                let scale = Float(k).squareRoot()
                assertClose(try device.download(deviceC), try cpu.download(cpuC), atol: 2e-6 * scale, rtol: 1e-5,
                            "split-K \(m)×\(n)×\(k) α=\(alpha) β=\(beta) (β = 0 must not read C's NaNs)")
            }
        }
    }

    func testALeNet5StepWithSplitKAgreesWithTheCPUBackend() throws {
        let device = try TestBackends.openCL()
        let agreement = try BackendAgreement.measure(model: .lenet5, objective: .svdo, batch: 6, steps: 3,
                                                     device: device, cpu: TestBackends.cpu)
        XCTAssertTrue(agreement.passed, "\(agreement)")
    }
}
