import Foundation
import VDrop
import XCTest

/// The per-weight regularizers (Float, as both backends compute them) against
/// DESIGN.md's closed forms in Double, and those against finite differences.
final class RegularizerTests: XCTestCase {
    static let objectives: [Objective] = [.ard, .svdo, .gamma(a: 1, b: 0), .gamma(a: 0.505, b: 1e-8),
                                          .gamma(a: 2, b: 0.5), .gaussian(alpha: 1), .none]

    /// (θ, log σ²): ordinary points, tiny and zero θ, σ² far above and below θ²
    /// (log α ≈ 12 at θ = 10⁻³ and ≈ −12 at θ = 1), σ² outside Float's range.
    static let points: [(Float, Float)] = [
        (0.5, -2), (-1.3, 1), (0.05, -8), (3, 4), (-2, -20),
        (1e-6, 0), (1e-6, -12), (-1e-6, -30), (0, -3), (0, 5),
        (1e-3, Float(log(1e-6) + 12.0)), (1, -12), (-0.2, Float(log(0.04) - 12.0)),
        (1, -100), (0, -100),
    ]

    /// Float relative error is a few ulps of each exp/log; ard is also held to pure
    /// relative accuracy (atol ≈ 0) to show no digits are lost to cancellation at tiny
    /// θ or large σ². Gamma's ½(c−1)·ℓ term and svdo's log α carry an absolute error
    /// of about ε·|ℓ| ≈ 10⁻⁵ at |ℓ| = 100; svdo's ∂/∂θ is ∂/∂λ times 2/θ, so relative.
    static func tolerance(_ objective: Objective) -> (atol: Double, rtol: Double) {
        switch objective {
        case .ard: return (1e-30, 1e-6)
        // The Double closed form ½c·log(σ²+θ²+2b) − ½ℓ (and ½cσ²/(σ²+θ²+2b) − ½) itself cancels
        // at c = 1 when θ² ≪ σ²: ~1e-16·max(1, |ℓ|).
        case .gamma(a: 1, b: 0): return (1e-13, 1e-6)
        case .svdo: return (1e-5, 1e-4)
        default: return (2e-5, 1e-5)
        }
    }

    func testValuesMatchTheClosedFormsInDouble() {
        for objective in Self.objectives {
            let regularizer = Regularizer(objective: objective)
            let actual = Self.points.map { Double(regularizer.value(theta: $0.0, logSigma2: $0.1)) }
            let expected = Self.points.map { RegularizerReference.value(objective, theta: Double($0.0), logSigma2: Double($0.1)) }
            let tolerance = Self.tolerance(objective)
            assertClose(actual, expected, atol: tolerance.atol, rtol: tolerance.rtol, "R of \(objective)")
        }
    }

    func testGradientsMatchTheClosedFormsInDouble() {
        for objective in Self.objectives {
            let regularizer = Regularizer(objective: objective)
            let actual = Self.points.map { regularizer.gradient(theta: $0.0, logSigma2: $0.1) }
            let expected = Self.points.map { RegularizerReference.gradient(objective, theta: Double($0.0), logSigma2: Double($0.1)) }
            let tolerance = Self.tolerance(objective)
            assertClose(actual.map { Double($0.theta) }, expected.map(\.theta), atol: tolerance.atol, rtol: tolerance.rtol,
                        "∂R/∂θ of \(objective)")
            assertClose(actual.map { Double($0.logSigma2) }, expected.map(\.logSigma2), atol: tolerance.atol, rtol: tolerance.rtol,
                        "∂R/∂log σ² of \(objective)")
        }
    }

    /// Central differences with h = 1e-3·max(1, |x|) at points where R is smooth on that scale
    /// (σ not far below h, svdo's log α away from its clamp); truncation error O(h²·R''') ≲ 1e-5.
    func testReferenceGradientsMatchFiniteDifferences() {
        let points: [(Double, Double)] = [(0.3, -3), (-0.7, -1), (1.5, 0.5), (0.05, -2), (-2.5, 2), (0.9, -6)]
        for objective in Self.objectives {
            var numeric: [Double] = [], analytic: [Double] = []
            for (theta, logSigma2) in points {
                let f = { (t: Double, l: Double) in RegularizerReference.value(objective, theta: t, logSigma2: l) }
                let ht = 1e-3 * max(1, abs(theta)), hl = 1e-3 * max(1, abs(logSigma2))
                numeric.append((f(theta + ht, logSigma2) - f(theta - ht, logSigma2)) / (2 * ht))
                numeric.append((f(theta, logSigma2 + hl) - f(theta, logSigma2 - hl)) / (2 * hl))
                let g = RegularizerReference.gradient(objective, theta: theta, logSigma2: logSigma2)
                analytic += [g.theta, g.logSigma2]
            }
            assertClose(numeric, analytic, atol: 1e-5, rtol: 1e-4, "finite differences of \(objective)")
        }
    }

    func testGammaWithAOneAndBZeroIsARD() {
        let ard = Regularizer(objective: .ard), gamma = Regularizer(objective: .gamma(a: 1, b: 0))
        for (theta, logSigma2) in Self.points {
            XCTAssertEqual(gamma.value(theta: theta, logSigma2: logSigma2), ard.value(theta: theta, logSigma2: logSigma2))
            let a = ard.gradient(theta: theta, logSigma2: logSigma2), g = gamma.gradient(theta: theta, logSigma2: logSigma2)
            XCTAssertEqual(g.theta, a.theta, "∂R/∂θ at θ=\(theta), ℓ=\(logSigma2)")
            XCTAssertEqual(g.logSigma2, a.logSigma2, "∂R/∂ℓ at θ=\(theta), ℓ=\(logSigma2)")
        }
        // And the two closed forms agree in Double (ordinary points: the gamma form cancels at tiny θ).
        for (theta, logSigma2) in [(0.5, -2.0), (-1.3, 1.0), (3.0, 4.0), (0.01, -12.0)] {
            XCTAssertEqual(RegularizerReference.value(.gamma(a: 1, b: 0), theta: theta, logSigma2: logSigma2),
                           RegularizerReference.value(.ard, theta: theta, logSigma2: logSigma2), accuracy: 1e-13)
            let a = RegularizerReference.gradient(.ard, theta: theta, logSigma2: logSigma2)
            let g = RegularizerReference.gradient(.gamma(a: 1, b: 0), theta: theta, logSigma2: logSigma2)
            XCTAssertEqual(g.theta, a.theta, accuracy: 1e-13)
            XCTAssertEqual(g.logSigma2, a.logSigma2, accuracy: 1e-13)
        }
    }

    func testSVDOClampGivesZeroGradientOutsideItsRange() {
        let svdo = Regularizer(objective: .svdo)
        let theta: Float = 0.1, logThetaSquared = Float(log(0.01))
        for logAlpha: Float in [10.5, 12, 30, -10.5, -12, -30] {
            let g = svdo.gradient(theta: theta, logSigma2: logThetaSquared + logAlpha)
            XCTAssertEqual(g.theta, 0, "∂R/∂θ at log α = \(logAlpha)")
            XCTAssertEqual(g.logSigma2, 0, "∂R/∂ℓ at log α = \(logAlpha)")
            // The value is the clamp's: R at log α = ±10.
            let edge: Float = logAlpha > 0 ? 10 : -10
            XCTAssertEqual(svdo.value(theta: theta, logSigma2: logThetaSquared + logAlpha),
                           svdo.value(theta: theta, logSigma2: logThetaSquared + edge), accuracy: 1e-5)
        }
        for logAlpha: Float in [9.5, -9.5, 0] {
            let g = svdo.gradient(theta: theta, logSigma2: logThetaSquared + logAlpha)
            XCTAssertNotEqual(g.logSigma2, 0, "inside the clamp at log α = \(logAlpha)")
            XCTAssertNotEqual(g.theta, 0, "inside the clamp at log α = \(logAlpha)")
        }
    }

    func testValidationRejectsGammaPriorsThatDoNotExist() {
        for objective: Objective in [.gamma(a: 0.5, b: 1), .gamma(a: 0.3, b: 0), .gamma(a: 2, b: -1), .gamma(a: .nan, b: 0),
                                     .gaussian(alpha: -1)] {
            XCTAssertThrowsError(try objective.validate(), "\(objective)") { error in
                let sentence = "\(error)"
                XCTAssertTrue(sentence.hasSuffix(".") && sentence.first?.isUppercase == true, "not a sentence: \(sentence)")
            }
        }
        do { try Objective.gamma(a: 0.3, b: 0).validate() } catch { XCTAssertTrue("\(error)".contains("0.5"), "\(error)") }
        do { try Objective.gamma(a: 2, b: -1).validate() } catch { XCTAssertTrue("\(error)".contains("rate b"), "\(error)") }
        for objective: Objective in [.ard, .svdo, .gamma(a: 0.505, b: 0), .gamma(a: 1, b: 1e-8), .gaussian(alpha: 1), .none] {
            XCTAssertNoThrow(try objective.validate(), "\(objective)")
        }
    }

    func testGammaConstantMatchesItsClosedForm() throws {
        // a = 3/2, b = 2: C = −½ + (3/2)·log 2 − log(√π/2) + log 2, with Γ(3/2) = √π/2.
        let expected = -0.5 + 1.5 * log(2.0) - log(Double.pi.squareRoot() / 2) + log(2.0)
        XCTAssertEqual(try XCTUnwrap(Regularizer.gammaConstant(a: 1.5, b: 2)), expected, accuracy: 1e-12)
        // a = 1, b = 1: C = 0 + 0 − log Γ(1) + ½·log 1 = 0.
        XCTAssertEqual(try XCTUnwrap(Regularizer.gammaConstant(a: 1, b: 1)), 0, accuracy: 1e-15)
        XCTAssertNil(Regularizer.gammaConstant(a: 0.505, b: 0))
        XCTAssertNil(Regularizer.gammaConstant(a: 0.5, b: 1))
    }
}
