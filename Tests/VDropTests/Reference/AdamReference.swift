import Foundation
import VDrop

/// DESIGN.md's Adam step with the fused regularizer gradient over an arena
/// [θ (W) | log σ² (W) | plain (P)], in Double, exactly as documented on
/// ``OptimizerOperations`` — with the variance's trained variable q = ℓ/k kept as its own
/// array here (the backends keep ℓ and step q through it), so the chain rule is written out:
/// ``OptimizerOperations/adamUpdate(objective:parameters:gradients:firstMoment:secondMoment:weightCount:settings:)``.
enum AdamReference {
    static func update(objective: Objective, parameters p: inout [Double], gradients grad: [Double],
                       firstMoment m: inout [Double], secondMoment v: inout [Double],
                       weightCount w: Int, settings: AdamSettings) {
        let beta1 = Double(settings.beta1), beta2 = Double(settings.beta2)
        let t = Double(settings.step), lr = Double(settings.learningRate), epsilon = Double(settings.epsilon)
        let weight = Double(settings.regularizerWeight)
        func step(_ i: Int, _ g: Double) {
            m[i] = beta1 * m[i] + (1 - beta1) * g
            v[i] = beta2 * v[i] + (1 - beta2) * g * g
            let mHat = m[i] / (1 - pow(beta1, t)), vHat = v[i] / (1 - pow(beta2, t))
            p[i] -= lr * mHat / (vHat.squareRoot() + epsilon)
        }
        let k = Double(settings.parameterization.logSigma2PerTrained)
        var gradients = grad
        for i in 0..<w {
            let r = RegularizerReference.gradient(objective, theta: p[i], logSigma2: p[w + i])
            gradients[i] += weight * r.theta
            // ℓ = k·q: ∂L/∂q = k·∂L/∂ℓ = k·(σ²·∂L/∂σ² + w·∂R/∂ℓ).
            gradients[w + i] = k * (exp(p[w + i]) * grad[w + i] + weight * r.logSigma2)
        }
        // The trained variables: θ, q = ℓ/k, the plain parameters.
        for i in w..<(2 * w) { p[i] /= k }
        for i in 0..<p.count where i < w || i >= 2 * w || objective.trainsLogSigma2 {
            step(i, gradients[i])
        }
        for i in w..<(2 * w) { p[i] *= k }
        if objective.trainsLogSigma2, let clip = settings.logSigma2Max {
            for i in w..<(2 * w) { p[i] = min(p[i], Double(clip)) }
        }
    }
}
