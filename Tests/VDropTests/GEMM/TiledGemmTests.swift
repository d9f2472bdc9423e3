import VDrop
import XCTest
import VDropTools

/// vdrop's tiled SGEMM (`gemm_tiled.cl`): how products are routed to it and cut along k, that
/// every configuration equals OpenBLAS with each operand stored either way, split or not, and that a training
/// step with every product on it agrees with the CPU backend.
final class TiledGemmTests: XCTestCase {
    let h200 = 132

    func testSplitsGiveFourGroupsPerComputeUnitAsKAllows() {
        // LeNet-5's first conv: one tile; 4 groups per compute unit would be 528 slices, k allows 225.
        XCTAssertEqual(SplitKPlan.slices(tiles: 1, k: 57_600, computeUnits: h200), 225)
        XCTAssertEqual(SplitKPlan(k: 57_600, wanted: 225, kStep: 16), SplitKPlan(slices: 225, chunk: 256))
        // VGG-like's second conv: 9 tiles, 59 chunks of 1744 (whole 16-value steps).
        XCTAssertEqual(SplitKPlan.slices(tiles: 9, k: 102_400, computeUnits: h200), 59)
        XCTAssertEqual(SplitKPlan(k: 102_400, wanted: 59, kStep: 16), SplitKPlan(slices: 59, chunk: 1744))
        // Rounding chunks up to whole steps can leave fewer chunks than asked for.
        XCTAssertEqual(SplitKPlan(k: 100, wanted: 4, kStep: 16), SplitKPlan(slices: 4, chunk: 32))
        XCTAssertEqual(SplitKPlan(k: 40, wanted: 4, kStep: 16), SplitKPlan(slices: 3, chunk: 16))
        // Enough tiles already, or too short a k: no split.
        XCTAssertEqual(SplitKPlan.slices(tiles: 576, k: 1_600, computeUnits: h200), 1)
        XCTAssertEqual(SplitKPlan.slices(tiles: 1, k: 500, computeUnits: h200), 1)
        // Every plan covers k with its last chunk non-empty.
        for k in [1, 15, 512, 517, 4_099, 57_600, 102_400] {
            for wanted in [1, 2, 3, 59, 225, 1000] {
                let plan = SplitKPlan(k: k, wanted: wanted, kStep: 16)
                XCTAssertEqual(plan.chunk % 16, 0)
                XCTAssertGreaterThanOrEqual(plan.slices * plan.chunk, k, "k \(k), \(wanted) wanted")
                XCTAssertLessThan((plan.slices - 1) * plan.chunk, k, "k \(k), \(wanted) wanted: an empty last chunk")
            }
        }
    }

    func testTheUntunedRuleSplitsProductsWithFewLargeTilesOnGPUsOnly() throws {
        func route(_ ta: Bool, _ tb: Bool, _ m: Int, _ n: Int, _ k: Int, _ units: Int = 132) -> GemmRoute {
            GemmRoute.automatic(for: GemmShape(transposeA: ta, transposeB: tb, m: m, n: n, k: k), computeUnits: units)
        }
        // Under 4 tiles of 128 × 128: 64 × 64 tiles; k = 57 600 allows 225 chunks of 256.
        XCTAssertEqual(route(false, true, 20, 25, 57_600), .tiled(.small, slices: 225))
        // 5, 9, 72 and 16 large tiles: enough slices for 4 groups per compute unit, as k allows.
        XCTAssertEqual(route(false, true, 64, 576, 102_400), .tiled(.large, slices: 106))
        XCTAssertEqual(route(false, true, 128, 1152, 25_600), .tiled(.large, slices: 59))
        XCTAssertEqual(route(false, true, 512, 2304, 1_600), .tiled(.large, slices: 6))
        XCTAssertEqual(route(false, false, 512, 400, 4_608), .tiled(.large, slices: 18), "forward products split too")
        XCTAssertEqual(route(false, true, 512, 4608, 1_600), .clblast, "144 large tiles fill an H200")
        XCTAssertEqual(route(false, true, 20, 25, 500), .clblast, "k too short for two chunks")
        XCTAssertEqual(route(false, false, 64, 102_400, 576), .clblast)
        XCTAssertEqual(route(true, false, 576, 102_400, 64), .clblast)
        // 2 compute units.
        XCTAssertEqual(route(false, true, 20, 25, 57_600, 2), .tiled(.small, slices: 8))
        XCTAssertEqual(route(false, true, 50, 500, 6_400, 2), .clblast, "4 large tiles fill 2 compute units")
        // A CPU device (PoCL) keeps every product on CLBlast.
        let pocl = try TestBackends.openCL()
        XCTAssertEqual(pocl.device.kind, .cpu)
        XCTAssertEqual(GemmRoute.automatic(for: GemmShape(transposeA: false, transposeB: true, m: 20, n: 25, k: 57_600), device: pocl.device), .clblast)
    }

    /// The transposes each configuration is checked with. A's staged loads depend on TRANS_A alone
    /// and B's on TRANS_B alone, so (N, N) and (T, T) run every line of every configuration; `.large`
    /// and `.small`, which the LeNet-5 step below runs with (N, T) and (T, N) too, take all four.
    /// Each pair is a program PoCL compiles for about 5 s of CPU: all twenty took 98 s on a cold cache.
    static func transposes(_ configuration: TiledGemmConfiguration) -> [(Bool, Bool)] {
        [.large, .small].contains(configuration) ? allTransposes : [(false, false), (true, true)]
    }

    func testEveryConfigurationEqualsOpenBLAS() throws {
        let device = try TestBackends.openCL(), cpu = TestBackends.cpu
        // Outputs smaller than, not a multiple of and larger than a tile; k not a multiple of the
        // 16-value step; unsplit with α, β and split into 3 with β = 0 (C's NaNs must not be read).
        let cases: [(m: Int, n: Int, k: Int, slices: Int, alpha: Float, beta: Float)] = [
            (7, 13, 29, 1, 0.5, 1.5), (131, 70, 45, 1, 1, 0), (70, 130, 777, 3, 1, 0), (37, 53, 300, 3, 0.5, 2)]
        for configuration in TiledGemmConfiguration.candidates {
            for (ta, tb) in Self.transposes(configuration) {
                for c in cases {
                    let shape = GemmShape(transposeA: ta, transposeB: tb, m: c.m, n: c.n, k: c.k)
                    let a = testValues(c.m * c.k, seed: 11), b = testValues(c.n * c.k, seed: 12), initial = testValues(c.m * c.n, seed: 13)
                    let deviceC = try device.tensor(initial.map { c.beta == 0 ? .nan : $0 }, shape: [c.m, c.n])
                    try device.gemm(shape, route: .tiled(configuration, slices: c.slices), alpha: c.alpha,
                                    a: try device.tensor(a, shape: [c.m * c.k]), b: try device.tensor(b, shape: [c.n * c.k]),
                                    beta: c.beta, c: deviceC)
                    let cpuC = try cpu.tensor(initial, shape: [c.m, c.n])
                    try cpu.gemm(transposeA: ta, transposeB: tb, m: c.m, n: c.n, k: c.k, alpha: c.alpha,
                                 a: try cpu.tensor(a, shape: [c.m * c.k]), b: try cpu.tensor(b, shape: [c.n * c.k]), beta: c.beta, c: cpuC)
                    // Sums of k products of values in [-1, 1] are about √k in size; both orders round within √k·1e-6.
                    let scale = Float(c.k).squareRoot()
                    assertClose(try device.download(deviceC), try cpu.download(cpuC), atol: 2e-6 * scale, rtol: 1e-5,
                                "\(configuration) \(shape), \(c.slices) slices, α=\(c.alpha) β=\(c.beta)")
                }
            }
        }
    }

    func testALeNet5StepWithEveryProductTiledAgreesWithTheCPUBackend() throws {
        let device = try TestBackends.openCL()
        defer { device.gemmRouting = .automatic }
        for configuration in [TiledGemmConfiguration.large, .small] {
            device.gemmRouting = .allTiled(configuration)
            let agreement = try BackendAgreement.measure(model: .lenet5, objective: .svdo, batch: 6, steps: 3,
                                                         device: device, cpu: TestBackends.cpu)
            XCTAssertTrue(agreement.passed, "\(configuration): \(agreement)")
            // Every product of the step, on the tiled kernel, equals OpenBLAS to rounding.
            XCTAssertLessThan(try XCTUnwrap(agreement.productError), 1e-5, "\(configuration)")
        }
    }
}
