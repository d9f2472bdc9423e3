/// Which variable Adam trains for each weight's variance.
///
/// The paper (Appendix A) trains "means and logarithms of standard deviations": q = log σ.
/// The Sparse VD authors' code trains q = log σ² instead. Under plain gradient descent the two
/// are one change of variable apart, but Adam normalizes each coordinate's step by its own
/// gradient scale, so the step in log σ² is lr either way: training log σ moves log σ² twice as
/// far per step (log σ² = 2·log σ), and the runs differ (LeNet-300's compression most of all).
///
/// The arena keeps ℓ = log σ² whichever is trained (the layers, the regularizers and the
/// checkpoints read it); the optimizer works on q = ℓ/k with k = ``logSigma2PerTrained``:
/// ∂L/∂q = k·∂L/∂ℓ = k·σ²·∂L/∂σ², the step is taken on q and ℓ = k·q written back. Halving and
/// doubling are exact in Float, so this equals storing q itself, bit for bit.
public enum Parameterization: String, Codable, CaseIterable, Sendable, CustomStringConvertible {
    /// q = log σ, the paper's choice and the default.
    case logSigma = "log-sigma"
    /// q = log σ², the Sparse VD authors' code.
    case logSigma2 = "log-sigma2"

    /// k in ℓ = k·q: 2 for log σ, 1 for log σ².
    public var logSigma2PerTrained: Float {
        switch self {
        case .logSigma: return 2
        case .logSigma2: return 1
        }
    }

    public var description: String { rawValue }

    /// The name in checkpoints written before the choice existed: they all trained log σ².
    public static let beforeTheChoice: Parameterization = .logSigma2
}
