import Foundation
import VDrop

/// The regularizers of DESIGN.md's table in Double, written from the closed forms
/// (not from the rearranged forms the backends use), with their analytic gradients.
enum RegularizerReference {
    static let k1 = 0.63576, k2 = 1.87320, k3 = 1.48695

    /// R(θ, ℓ), ℓ = log σ².
    static func value(_ objective: Objective, theta: Double, logSigma2: Double) -> Double {
        let sigma2 = exp(logSigma2)
        switch objective {
        case .ard:
            return 0.5 * log1p(theta * theta / sigma2)
        case .gamma(let a, let b):
            let a = Double(a), b = Double(b)
            return 0.5 * (2 * a - 1) * log(sigma2 + theta * theta + 2 * b) - 0.5 * logSigma2
        case .svdo:
            let logAlpha = min(max(logSigma2 - log(theta * theta + 1e-16), -10), 10)
            let sigmoid = 1 / (1 + exp(-(k2 + k3 * logAlpha)))
            let softplus = log1p(exp(-logAlpha))
            return -(k1 * sigmoid - 0.5 * softplus - k1)
        case .gaussian, .none:
            return 0
        }
    }

    /// (∂R/∂θ, ∂R/∂ℓ).
    static func gradient(_ objective: Objective, theta: Double, logSigma2: Double) -> (theta: Double, logSigma2: Double) {
        let sigma2 = exp(logSigma2)
        switch objective {
        case .ard:
            let denominator = sigma2 + theta * theta
            return (theta / denominator, -0.5 * theta * theta / denominator)
        case .gamma(let a, let b):
            let c = 2 * Double(a) - 1
            let denominator = sigma2 + theta * theta + 2 * Double(b)
            return (c * theta / denominator, 0.5 * c * sigma2 / denominator - 0.5)
        case .svdo:
            let unclamped = logSigma2 - log(theta * theta + 1e-16)
            guard unclamped >= -10 && unclamped <= 10 else { return (0, 0) }
            let sigmoid = 1 / (1 + exp(-(k2 + k3 * unclamped)))
            // d/dλ of −k1·sigm(k2+k3λ) + ½·softplus(−λ) + k1.
            let dLogAlpha = -k1 * k3 * sigmoid * (1 - sigmoid) - 0.5 / (1 + exp(unclamped))
            return (dLogAlpha * -2 * theta / (theta * theta + 1e-16), dLogAlpha)
        case .gaussian, .none:
            return (0, 0)
        }
    }
}
