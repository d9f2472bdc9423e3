import Foundation

/// One Adam step's constants, shared by both backends so they round alike:
/// bc1 = 1−β1^t and bc2 = 1−β2^t computed in Double, then Float.
struct AdamStepConstants {
    let learningRate, beta1, beta2, epsilon, biasCorrection1, biasCorrection2, regularizerWeight: Float
    /// +∞ when no clip is set, so min(ℓ, logSigma2Max) is the identity.
    let logSigma2Max: Float
    /// k in ℓ = k·q, q the trained variable (``Parameterization``).
    let logSigma2PerTrained: Float

    init(_ settings: AdamSettings) {
        learningRate = settings.learningRate
        beta1 = settings.beta1
        beta2 = settings.beta2
        epsilon = settings.epsilon
        biasCorrection1 = Float(1 - pow(Double(settings.beta1), Double(settings.step)))
        biasCorrection2 = Float(1 - pow(Double(settings.beta2), Double(settings.step)))
        regularizerWeight = settings.regularizerWeight
        logSigma2Max = settings.logSigma2Max ?? .infinity
        logSigma2PerTrained = settings.parameterization.logSigma2PerTrained
    }

    /// m = β1m + (1−β1)g, v = β2v + (1−β2)g², p −= lr·(m/bc1)/(√(v/bc2) + ε) at index i; returns the new p.
    @inline(__always)
    func apply(_ p: UnsafeMutablePointer<Float>, _ m: UnsafeMutablePointer<Float>, _ v: UnsafeMutablePointer<Float>,
               _ i: Int, _ g: Float) -> Float {
        let mNew = beta1 * m[i] + (1 - beta1) * g
        let vNew = beta2 * v[i] + (1 - beta2) * g * g
        m[i] = mNew
        v[i] = vNew
        let pNew = p[i] - learningRate * (mNew / biasCorrection1) / ((vNew / biasCorrection2).squareRoot() + epsilon)
        p[i] = pNew
        return pNew
    }

    /// The step of ℓ = p[i] = log σ² through the trained q = ℓ/k: `gradLogSigma2` is ∂L/∂ℓ, so
    /// g_q = k·∂L/∂ℓ, q −= lr·m̂/(√v̂ + ε), and p[i] = min(k·q, logSigma2Max). With k = 1 this is
    /// ``apply(_:_:_:_:_:)`` exactly; with k = 2 the halving and doubling are exact.
    @inline(__always)
    func applyToLogSigma2(_ p: UnsafeMutablePointer<Float>, _ m: UnsafeMutablePointer<Float>, _ v: UnsafeMutablePointer<Float>,
                          _ i: Int, gradLogSigma2: Float) {
        let k = logSigma2PerTrained
        let g = k * gradLogSigma2
        let mNew = beta1 * m[i] + (1 - beta1) * g
        let vNew = beta2 * v[i] + (1 - beta2) * g * g
        m[i] = mNew
        v[i] = vNew
        let qNew = p[i] / k - learningRate * (mNew / biasCorrection1) / ((vNew / biasCorrection2).squareRoot() + epsilon)
        p[i] = min(k * qNew, logSigma2Max)
    }
}
