/// What a network minimizes besides the data term: the prior over its weights.
///
/// L = N · mean_batch(cross-entropy) + β_t · s · Σ_weights R(θ, log σ²); the
/// per-weight R of each case is written out on ``Regularizer``.
public enum Objective: Equatable, Sendable, CustomStringConvertible {
    /// ARD dropout, the paper's eq. (3): R = ½·log(1 + θ²/σ²).
    case ard
    /// Sparse variational dropout's approximation, the paper's eq. (4).
    case svdo
    /// ARD with a Gamma(a, b) hyperprior on the precisions (Section 4, Appendix B); a > ½, b ≥ 0.
    case gamma(a: Float, b: Float)
    /// Gaussian dropout with a fixed rate: σ² = α·θ², no regularizer (eq. 2).
    case gaussian(alpha: Float)
    /// A plain network: deterministic forward, no regularizer.
    case none

    /// How the layers draw their weights under this objective while training.
    public var weightNoise: WeightNoise {
        switch self {
        case .ard, .svdo, .gamma: return .lrt
        case .gaussian(let alpha): return .gaussian(alpha: alpha)
        case .none: return .deterministic
        }
    }

    /// Whether log σ² is a trained parameter (false: it stays at its initial value, unused).
    public var trainsLogSigma2: Bool {
        switch self {
        case .ard, .svdo, .gamma: return true
        case .gaussian, .none: return false
        }
    }

    public var description: String {
        switch self {
        case .ard: return "ard"
        case .svdo: return "svdo"
        case .gamma(let a, let b): return "gamma(a=\(a), b=\(b))"
        case .gaussian(let alpha): return "gaussian(alpha=\(alpha))"
        case .none: return "none"
        }
    }
}

/// How a dense or conv layer turns its weights into outputs.
public enum WeightNoise: Equatable, Sendable {
    /// Local reparameterization with free σ² = exp(log σ²):
    /// out = x∗θ + b + √((x⊙x)∗σ² + 1e-8)·ε.
    case lrt
    /// Local reparameterization with σ² = α·θ² (Gaussian dropout).
    case gaussian(alpha: Float)
    /// out = x∗θ + b (evaluation, and the `none` objective).
    case deterministic
}
