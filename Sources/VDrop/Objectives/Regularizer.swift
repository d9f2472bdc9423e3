import Foundation

/// The per-weight regularizer R(θ, ℓ) of an ``Objective`` with ℓ = log σ², and its partial derivatives.
///
/// | objective | R | ∂R/∂θ | ∂R/∂ℓ |
/// |---|---|---|---|
/// | `ard` | ½·log(1 + θ²/σ²) | θ/(σ²+θ²) | −½·θ²/(σ²+θ²) |
/// | `gamma(a, b)` | ½(2a−1)·log(σ²+θ²+2b) − ½ℓ | (2a−1)θ/(σ²+θ²+2b) | ½(2a−1)σ²/(σ²+θ²+2b) − ½ |
/// | `svdo` | −(k1·sigm(k2+k3·λ) − ½·softplus(−λ) − k1) | through λ | through λ |
/// | `gaussian`, `none` | 0 | 0 | 0 |
///
/// For `svdo`, λ = log α = ℓ − log(θ²+10⁻¹⁶) clamped to [−10, 10], with zero gradient where the clamp acts.
///
/// `ard` is `gamma` with a = 1, b = 0, and both are computed by one formula that
/// stays accurate for tiny θ and large |ℓ|: with c = 2a−1, y = θ²+2b and r = y·e^(−ℓ),
/// R = ½(c−1)·ℓ + ½c·log1p(r), ∂R/∂θ = cθe^(−ℓ)/(1+r), ∂R/∂ℓ = ½(c−1) − ½c·r/(1+r).
/// (The textbook ½·(log(σ²+θ²) − ℓ) subtracts two nearly equal numbers when θ² ≪ σ² and
/// loses every digit of R there.) When r overflows (σ² ≪ θ², r ≥ 10³⁰) the limit forms
/// R = ½c·log y − ½ℓ, ∂R/∂θ = cθ/y, ∂R/∂ℓ = −½ are exact to Float precision.
///
/// `Kernels/regularizers.clh` holds the same formulas in OpenCL C.
public struct Regularizer: Equatable, Sendable {
    /// Which formula applies; the raw value is the id the kernels take.
    public enum Kind: Int32, Sendable {
        case zero = 0
        case ard = 1
        case gamma = 2
        case svdo = 3
    }

    public let kind: Kind
    /// The Gamma hyperprior's shape a and rate b (1 and 0 for `ard`, unused otherwise).
    public let a: Float
    public let b: Float

    /// sigm(k2 + k3·log α) fit of Molchanov et al. (Sparse VD, eq. 14), the paper's eq. (4).
    public static let k1: Float = 0.63576
    public static let k2: Float = 1.87320
    public static let k3: Float = 1.48695
    /// Where the svdo regularizer clamps log α.
    public static let svdoLogAlphaRange: ClosedRange<Float> = -10...10
    /// Keeps log(θ²) finite at θ = 0 in log α.
    public static let logAlphaEpsilon: Float = 1e-16
    /// Above this r = (θ²+2b)/σ², log1p(r) equals log r to Float precision and r/(1+r) is 1.
    static let largeRatio: Float = 1e30

    public init(objective: Objective) {
        switch objective {
        case .ard: kind = .ard; a = 1; b = 0
        case .gamma(let shape, let rate): kind = .gamma; a = shape; b = rate
        case .svdo: kind = .svdo; a = 1; b = 0
        case .gaussian, .none: kind = .zero; a = 1; b = 0
        }
    }

    /// R(θ, ℓ) for one weight, ℓ = log σ².
    @inline(__always)
    public func value(theta: Float, logSigma2: Float) -> Float {
        switch kind {
        case .zero: return 0
        case .ard, .gamma: return Self.logRatio(c: 2 * a - 1, twoB: 2 * b, theta: theta, logSigma2: logSigma2).value
        case .svdo: return Self.svdo(theta: theta, logSigma2: logSigma2).value
        }
    }

    /// (∂R/∂θ, ∂R/∂ℓ) for one weight, ℓ = log σ².
    @inline(__always)
    public func gradient(theta: Float, logSigma2: Float) -> (theta: Float, logSigma2: Float) {
        switch kind {
        case .zero: return (0, 0)
        case .ard, .gamma:
            let r = Self.logRatio(c: 2 * a - 1, twoB: 2 * b, theta: theta, logSigma2: logSigma2, includeValue: false)
            return (r.dTheta, r.dLogSigma2)
        case .svdo:
            let r = Self.svdo(theta: theta, logSigma2: logSigma2, includeValue: false)
            return (r.dTheta, r.dLogSigma2)
        }
    }

    /// R = ½c·log(σ²+θ²+2b) − ½ℓ and its gradient, in the cancellation-free form of the type's comment.
    @inline(__always)
    /// `includeValue: false` skips the logarithm (value 0) where only the gradient is wanted:
    /// it is most of the cost in the optimizer's pass over every weight.
    static func logRatio(c: Float, twoB: Float, theta: Float, logSigma2: Float, includeValue: Bool = true)
        -> (value: Float, dTheta: Float, dLogSigma2: Float) {
        let y = theta * theta + twoB
        let inverseSigma2 = exp(-logSigma2)
        let r = y * inverseSigma2
        // Also false for r = NaN, i.e. y = 0 with σ² below Float's range.
        if r < largeRatio {
            let onePlusR = 1 + r
            return (includeValue ? 0.5 * (c - 1) * logSigma2 + 0.5 * c * log1p(r) : 0,
                    c * theta * inverseSigma2 / onePlusR,
                    0.5 * (c - 1) - 0.5 * c * r / onePlusR)
        }
        if y > 0 {
            return (includeValue ? 0.5 * c * log(y) - 0.5 * logSigma2 : 0, c * theta / y, -0.5)
        }
        return (0.5 * (c - 1) * logSigma2, 0, 0.5 * (c - 1))
    }

    /// The svdo regularizer through λ = clamp(ℓ − log(θ²+10⁻¹⁶), −10, 10):
    /// ∂R/∂λ = −k1·k3·s(1−s) − ½·sigm(−λ) with s = sigm(k2+k3·λ), 1−s = sigm(−(k2+k3·λ)); ∂λ/∂ℓ = 1, ∂λ/∂θ = −2θ/(θ²+10⁻¹⁶).
    @inline(__always)
    static func svdo(theta: Float, logSigma2: Float, includeValue: Bool = true) -> (value: Float, dTheta: Float, dLogSigma2: Float) {
        let thetaSquaredPlus = theta * theta + logAlphaEpsilon
        let unclamped = logSigma2 - log(thetaSquaredPlus)
        let logAlpha = min(max(unclamped, svdoLogAlphaRange.lowerBound), svdoLogAlphaRange.upperBound)
        // s = sigm(z) and 1−s = e^(−z)/(1+e^(−z)) from one exp: 1 − s itself would cancel for large z.
        let expMinusZ = exp(-(k2 + k3 * logAlpha))
        let s = 1 / (1 + expMinusZ)
        let oneMinusS = expMinusZ / (1 + expMinusZ)
        // −(k1·s − ½·softplus(−λ) − k1) rearranged as k1·(1−s) + ½·softplus(−λ), which keeps
        // its digits where s → 1; softplus(−λ) = log1p(e^(−λ)), free of overflow for |λ| ≤ 10.
        let value = includeValue ? k1 * oneMinusS + 0.5 * log1p(exp(-logAlpha)) : 0
        guard svdoLogAlphaRange.contains(unclamped) else { return (value, 0, 0) }
        let dLogAlpha = -k1 * k3 * s * oneMinusS - 0.5 / (1 + exp(logAlpha))
        return (value, dLogAlpha * (-2 * theta / thetaSquaredPlus), dLogAlpha)
    }

    /// The Gamma(a, b) objective's constant C = 1 − a + a·log b − log Γ(a) + ½(2a−1)·log(2a−1).
    ///
    /// It only shifts the reported objective (Σ R + C per weight), so it is left out of
    /// ``OptimizerOperations/regularizerValue(objective:theta:logSigma2:into:)``. Nil where it
    /// is not finite: b = 0 (log b = −∞), a ≤ ½ or b < 0 (no such objective).
    public static func gammaConstant(a: Double, b: Double) -> Double? {
        guard a > 0.5, b > 0, a.isFinite, b.isFinite else { return nil }
        return 1 - a + a * log(b) - lgamma(a) + 0.5 * (2 * a - 1) * log(2 * a - 1)
    }
}
