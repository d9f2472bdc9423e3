import Foundation
import VDrop
import XCTest

/// The fused Adam update over the arena [θ (W) | log σ² (W) | plain (P)]: the CPU
/// backend against the documented update in Double, OpenCL against the CPU.
final class AdamUpdateTests: XCTestCase {
    static let weights = 1000, plain = 37
    static var total: Int { 2 * weights + plain }

    /// Every objective, with the settings its recipe uses (the Gamma prior with the −8 clip).
    static let cases: [(Objective, Float?)] = [(.ard, nil), (.svdo, nil), (.gamma(a: 0.505, b: 1e-8), -8),
                                               (.gaussian(alpha: 1), nil), (.none, nil)]

    /// θ in [−1, 1] (one zero, one tiny), log σ² in [−12, 2], plain in [−1, 1].
    static let initialParameters: [Float] = {
        var p = testValues(weights, seed: 21) + testValues(weights, seed: 22, in: -12...2) + testValues(plain, seed: 23)
        p[0] = 0
        p[1] = 1e-6
        return p
    }()

    /// Step t's data gradients: ∂L/∂θ, ∂L/∂σ² and plain gradients in [−1, 1].
    static func gradients(step: Int) -> [Float] { testValues(total, seed: 30 + UInt64(step)) }

    static func settings(step: Int, clip: Float?, parameterization: Parameterization = .logSigma) -> AdamSettings {
        AdamSettings(learningRate: 0.01, step: step, regularizerWeight: 0.3, logSigma2Max: clip, parameterization: parameterization)
    }

    /// Runs `steps` updates from zero moments; returns (parameters, m, v).
    func run(_ backend: OptimizerOperations, _ objective: Objective, clip: Float?, steps: Int,
             parameterization: Parameterization = .logSigma) throws -> ([Float], [Float], [Float]) {
        // One storage for all four arenas at offsets, as the trainer lays them out.
        let total = Self.total
        let storage = try backend.allocate([4 * total + 5])
        let p = storage.slice(from: 5, shape: [total]), g = storage.slice(from: 5 + total, shape: [total])
        let m = storage.slice(from: 5 + 2 * total, shape: [total]), v = storage.slice(from: 5 + 3 * total, shape: [total])
        try backend.upload(Self.initialParameters, to: p)
        for step in 1...steps {
            try backend.upload(Self.gradients(step: step), to: g)
            try backend.adamUpdate(objective: objective, parameters: p, gradients: g, firstMoment: m, secondMoment: v,
                                   weightCount: Self.weights, settings: Self.settings(step: step, clip: clip, parameterization: parameterization))
        }
        return (try backend.download(p), try backend.download(m), try backend.download(v))
    }

    func reference(_ objective: Objective, clip: Float?, steps: Int,
                   parameterization: Parameterization = .logSigma) -> ([Double], [Double], [Double]) {
        var p = Self.initialParameters.map(Double.init)
        var m = [Double](repeating: 0, count: Self.total), v = m
        for step in 1...steps {
            AdamReference.update(objective: objective, parameters: &p, gradients: Self.gradients(step: step).map(Double.init),
                                 firstMoment: &m, secondMoment: &v, weightCount: Self.weights,
                                 settings: Self.settings(step: step, clip: clip, parameterization: parameterization))
        }
        return (p, m, v)
    }

    func testCPUMatchesTheDoubleReference() throws {
        for parameterization in Parameterization.allCases {
            for (objective, clip) in Self.cases {
                for steps in [1, 3] {
                    let (p, m, v) = try run(TestBackends.cpu, objective, clip: clip, steps: steps, parameterization: parameterization)
                    let (rp, rm, rv) = reference(objective, clip: clip, steps: steps, parameterization: parameterization)
                    // The Float gradients g = O(1) carry ~1e-6 relative error; m sums three of them with
                    // cancellation, so its error is ~1e-7·|g|, not relative to m (atol 1e-6, times k for
                    // g_q = k·g_ℓ). Each step moves p by ≤ lr·|m̂|/√v̂ ≈ 0.01 with that relative error,
                    // plus the rounding of p (|ℓ| ≤ 12: ulp 1e-6), doubled for ℓ = 2q.
                    let what = "\(objective), \(steps) step(s), \(parameterization)"
                    let k = Double(parameterization.logSigma2PerTrained)
                    assertClose(p.map(Double.init), rp, atol: k * 2e-6, rtol: 1e-6, "parameters of \(what)")
                    assertClose(m.map(Double.init), rm, atol: k * 1e-6, rtol: 1e-5, "first moments of \(what)")
                    assertClose(v.map(Double.init), rv, atol: k * k * 1e-9, rtol: 1e-5, "second moments of \(what)")
                }
            }
        }
    }

    func testOpenCLMatchesTheCPU() throws {
        let gpu = try TestBackends.openCL()
        for parameterization in Parameterization.allCases {
            for (objective, clip) in Self.cases {
                let (p, m, v) = try run(gpu, objective, clip: clip, steps: 3, parameterization: parameterization)
                let (hp, hm, hv) = try run(TestBackends.cpu, objective, clip: clip, steps: 3, parameterization: parameterization)
                // The same Float formulas; exp, log, sqrt and division may differ by a few ulps on the
                // device and a·b+c may be fused, so gradients agree to ~1e-6 relative: m (a sum of three
                // of them with cancellation) to 1e-6 absolute (k·1e-6 for g_q = k·g_ℓ), v to 1e-5 relative,
                // parameters to an ulp of themselves plus lr·1e-5.
                let what = "\(objective), \(parameterization) on OpenCL"
                let k = parameterization.logSigma2PerTrained
                assertClose(p, hp, atol: k * 1e-6, rtol: 1e-6, "parameters of \(what)")
                assertClose(m, hm, atol: k * 1e-6, rtol: 1e-5, "first moments of \(what)")
                assertClose(v, hv, atol: k * k * 1e-9, rtol: 1e-5, "second moments of \(what)")
            }
        }
    }

    func testLogSigma2OnlyMovesWhenTheObjectiveTrainsIt() throws {
        let w = Self.weights
        for objective: Objective in [.gaussian(alpha: 1), .none] {
            let (p, m, v) = try run(TestBackends.cpu, objective, clip: -8, steps: 2)
            XCTAssertEqual(Array(p[w..<(2 * w)]), Array(Self.initialParameters[w..<(2 * w)]), "log σ² of \(objective)")
            XCTAssertTrue(m[w..<(2 * w)].allSatisfy { $0 == 0 } && v[w..<(2 * w)].allSatisfy { $0 == 0 }, "moments of \(objective)")
            XCTAssertNotEqual(Array(p[0..<w]), Array(Self.initialParameters[0..<w]), "θ of \(objective) did not move")
        }
    }

    func testTheClipClipsLogSigma2() throws {
        let w = Self.weights
        let initial = Self.initialParameters[w..<(2 * w)]
        XCTAssertGreaterThan(initial.filter { $0 > -8 }.count, 500, "the test needs log σ² above the clip")
        var backends: [OptimizerOperations] = [TestBackends.cpu]
        if let gpu = try? TestBackends.openCL() { backends.append(gpu) }
        for backend in backends {
            let (clipped, _, _) = try run(backend, .gamma(a: 0.505, b: 1e-8), clip: -8, steps: 1)
            let (free, _, _) = try run(backend, .gamma(a: 0.505, b: 1e-8), clip: nil, steps: 1)
            for i in w..<(2 * w) {
                XCTAssertEqual(clipped[i], min(free[i], -8), "log σ² \(i - w) on \(backend.name)")
            }
            XCTAssertGreaterThan(free[w..<(2 * w)].filter { $0 > -8 }.count, 500, "without the clip log σ² stays above −8")
            XCTAssertEqual(Array(clipped[0..<w]), Array(free[0..<w]), "the clip touches θ on \(backend.name)")
        }
    }
}
