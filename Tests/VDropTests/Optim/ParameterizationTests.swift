import Foundation
@testable import VDrop
import XCTest
@testable import VDropTools

/// Training log σ (the paper) or log σ² (Sparse VD's code): the gradient reaches the trained
/// variable by the chain rule, Adam's step is taken in that variable, both backends and both
/// CPU code paths agree, and checkpoints say which was trained.
final class ParameterizationTests: XCTestCase {
    static let weights = 64

    /// θ in [−1, 1], ℓ in [−6, 1]; fixed data gradients G_θ and G_σ² (∂L_data/∂σ²).
    static let theta = testValues(weights, seed: 61), logSigma2 = testValues(weights, seed: 62, in: -6...1)
    static let dataGradTheta = testValues(weights, seed: 63), dataGradVariance = testValues(weights, seed: 64)
    static let regularizerWeight: Float = 0.7

    /// One Adam step from zero moments; returns the parameters and the first moment.
    /// At t = 1, m = (1−β1)·g, so m/(1−β1) is the gradient the optimizer used.
    func firstStep(_ backend: OptimizerOperations, _ objective: Objective, _ parameterization: Parameterization,
                   learningRate: Float = 1e-3) throws -> (p: [Float], gradient: [Float]) {
        let w = Self.weights
        let p = try backend.tensor(Self.theta + Self.logSigma2, shape: [2 * w])
        let g = try backend.tensor(Self.dataGradTheta + Self.dataGradVariance, shape: [2 * w])
        let m = try backend.tensor([Float](repeating: 0, count: 2 * w), shape: [2 * w])
        let v = try backend.tensor([Float](repeating: 0, count: 2 * w), shape: [2 * w])
        let settings = AdamSettings(learningRate: learningRate, step: 1, regularizerWeight: Self.regularizerWeight,
                                    parameterization: parameterization)
        try backend.adamUpdate(objective: objective, parameters: p, gradients: g, firstMoment: m, secondMoment: v,
                               weightCount: w, settings: settings)
        return (try backend.download(p), try backend.download(m).map { $0 / (1 - settings.beta1) })
    }

    /// L(θ, q) = Σ G_θ·θ + Σ G_σ²·exp(k·q) + w·Σ R(θ, k·q): a loss whose data term has the
    /// fixed gradients above. Its central differences in q are what g_q must be:
    /// ∂L/∂q = k·σ²·G_σ² + k·w·∂R/∂ℓ, the factor k = 2 for log σ included.
    func testTheGradientReachesTheTrainedVariableByTheChainRule() throws {
        let w = Self.weights
        var backends: [OptimizerOperations] = [TestBackends.cpu]
        if let gpu = try? TestBackends.openCL() { backends.append(gpu) }
        for objective: Objective in [.ard, .svdo, .gamma(a: 0.505, b: 1e-8)] {
            for parameterization in Parameterization.allCases {
                let k = Double(parameterization.logSigma2PerTrained)
                func loss(_ i: Int, _ q: Double) -> Double {
                    let theta = Double(Self.theta[i]), logSigma2 = k * q
                    return Double(Self.dataGradTheta[i]) * theta + Double(Self.dataGradVariance[i]) * exp(logSigma2)
                        + Double(Self.regularizerWeight) * RegularizerReference.value(objective, theta: theta, logSigma2: logSigma2)
                }
                let expected = (0..<w).map { i in
                    FiniteDifference.gradient(at: [Double(Self.logSigma2[i]) / k]) { loss(i, $0[0]) }[0]
                }
                for backend in backends {
                    let used = try firstStep(backend, objective, parameterization).gradient
                    // Central differences carry h²/6 times the third derivative: with h = 1e-3·max(1, |q|)
                    // and that derivative ≤ k³·e·|G| ≈ 22 where ℓ is largest (ℓ ≤ 1, so h = 1e-3 there),
                    // below 1e-5; the Float gradient adds 1e-6 relative.
                    assertClose(Array(used[w...]).map(Double.init), expected, atol: 1e-4, rtol: 1e-4,
                                "g_q of \(objective), \(parameterization) on \(backend.name)")
                }
            }
        }
    }

    /// Adam's first step moves each trained variable by lr·g/(|g| + ε) ≈ lr, so log σ² moves by
    /// about lr when it is trained and by 2·lr when log σ is: the dynamics differ, not only the variable.
    func testLogSigmaMovesLogSigma2TwiceAsFarPerStep() throws {
        let w = Self.weights, lr: Float = 1e-2
        for parameterization in Parameterization.allCases {
            let (p, gradient) = try firstStep(TestBackends.cpu, .ard, parameterization, learningRate: lr)
            let k = parameterization.logSigma2PerTrained
            for i in 0..<w {
                let moved = p[w + i] - Self.logSigma2[i]
                let expected = -k * lr * gradient[w + i] / (abs(gradient[w + i]) + 1e-8)
                XCTAssertEqual(moved, expected, accuracy: 1e-5, "log σ² \(i), \(parameterization)")
            }
        }
    }

    /// The clip (log σ < −4 ⇔ log σ² < −8) binds the same whichever variable is trained.
    func testTheClipAppliesToTheTrainedVariable() throws {
        for parameterization in Parameterization.allCases {
            let w = 16
            let p = try TestBackends.cpu.tensor([Float](repeating: 0.1, count: w) + [Float](repeating: -7.999, count: w), shape: [2 * w])
            let g = try TestBackends.cpu.tensor([Float](repeating: 0, count: w) + [Float](repeating: -1, count: w), shape: [2 * w])
            let m = try TestBackends.cpu.tensor([Float](repeating: 0, count: 2 * w), shape: [2 * w])
            let v = try TestBackends.cpu.tensor([Float](repeating: 0, count: 2 * w), shape: [2 * w])
            try TestBackends.cpu.adamUpdate(objective: .gamma(a: 0.505, b: 1e-8), parameters: p, gradients: g, firstMoment: m,
                                            secondMoment: v, weightCount: w,
                                            settings: AdamSettings(learningRate: 0.1, step: 1, regularizerWeight: 0, logSigma2Max: -8,
                                                                   parameterization: parameterization))
            XCTAssertEqual(Array(try TestBackends.cpu.download(p)[w...]), [Float](repeating: -8, count: w), "\(parameterization)")
        }
    }

    /// The CPU backend updates eight weights at a time on SIMD lanes and the rest one by one,
    /// each with its own copy of the regularizer formulas: both must give the same numbers.
    func testTheEightLanePathEqualsTheScalarPath() throws {
        let backend = TestBackends.cpu
        let w = 8 * 40
        // θ with zeros, tiny and large values; ℓ across the range where svdo clamps log α.
        var theta = testValues(w, seed: 71)
        theta[0] = 0; theta[1] = 1e-7; theta[2] = -3
        let logSigma2 = testValues(w, seed: 72, in: -20...12)
        let grad = testValues(2 * w, seed: 73)
        for objective: Objective in [.ard, .svdo, .gamma(a: 0.51, b: 1e-8), .gamma(a: 2, b: 0.5)] {
            for parameterization in Parameterization.allCases {
                let step = AdamStepConstants(AdamSettings(learningRate: 1e-2, step: 3, regularizerWeight: 0.4, logSigma2Max: 2,
                                                          parameterization: parameterization))
                let regularizer = Regularizer(objective: objective)
                var vector = (p: theta + logSigma2, m: testValues(2 * w, seed: 74), v: testValues(2 * w, seed: 75, in: 0...1))
                var scalar = vector
                vector.p.withUnsafeMutableBufferPointer { p in vector.m.withUnsafeMutableBufferPointer { m in
                    vector.v.withUnsafeMutableBufferPointer { v in
                        var g = grad
                        g.withUnsafeMutableBufferPointer { g in
                            for start in stride(from: 0, to: w, by: 8) {
                                XCTAssertTrue(backend.adamUpdateEight(start, w: w, p: p.baseAddress!, grad: g.baseAddress!, m: m.baseAddress!,
                                                                      v: v.baseAddress!, regularizer: regularizer, step: step, trainsLogSigma2: true))
                            }
                        }
                    }
                } }
                for i in 0..<w {
                    let r = regularizer.gradient(theta: scalar.p[i], logSigma2: scalar.p[w + i])
                    let gradLogSigma2 = exp(scalar.p[w + i]) * grad[w + i] + step.regularizerWeight * r.logSigma2
                    scalar.p.withUnsafeMutableBufferPointer { p in scalar.m.withUnsafeMutableBufferPointer { m in
                        scalar.v.withUnsafeMutableBufferPointer { v in
                            _ = step.apply(p.baseAddress!, m.baseAddress!, v.baseAddress!, i, grad[i] + step.regularizerWeight * r.theta)
                            step.applyToLogSigma2(p.baseAddress!, m.baseAddress!, v.baseAddress!, w + i, gradLogSigma2: gradLogSigma2)
                        }
                    } }
                }
                // Lanes use VectorMath's exp and log (within 2 ulps of the libm ones), so the two
                // paths agree to a few ulps of the values, not bit for bit.
                let what = "\(objective), \(parameterization)"
                assertClose(vector.p, scalar.p, atol: 1e-6, rtol: 1e-5, "parameters, \(what)")
                assertClose(vector.m, scalar.m, atol: 1e-6, rtol: 1e-5, "first moments, \(what)")
                assertClose(vector.v, scalar.v, atol: 1e-9, rtol: 1e-5, "second moments, \(what)")
            }
        }
    }

    /// The trajectory of a real network: OpenCL equals the CPU under either parameterization,
    /// and the two parameterizations part after the first update.
    func testBothBackendsAgreeOnATrajectoryUnderEitherParameterization() throws {
        let gpu = try TestBackends.openCL()
        var finals: [Parameterization: [Float]] = [:]
        for parameterization in Parameterization.allCases {
            let cpu = try Trajectory.run(model: .lenet300, objective: .svdo, batch: 8, steps: 4, parameterization: parameterization,
                                         backend: TestBackends.cpu)
            let device = try Trajectory.run(model: .lenet300, objective: .svdo, batch: 8, steps: 4, parameterization: parameterization,
                                            backend: gpu)
            assertClose(device.parameters, cpu.parameters, atol: 1e-5, rtol: 1e-5, "lenet300 parameters, \(parameterization)")
            assertClose(device.losses.map(\.total), cpu.losses.map(\.total), atol: 1e-3, rtol: 1e-5, "losses, \(parameterization)")
            finals[parameterization] = cpu.parameters
        }
        XCTAssertNotEqual(finals[.logSigma], finals[.logSigma2], "the parameterization changed nothing")
    }
}
