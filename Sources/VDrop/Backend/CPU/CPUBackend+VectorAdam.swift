/// The fused regularizer + Adam update over weights, eight at a time.
///
/// The same formulas as ``Regularizer/gradient(theta:logSigma2:)`` and ``AdamStepConstants``,
/// with ``VectorMath`` for exp and log; lanes whose log σ² lies outside the vector exp's
/// range (|ℓ| > 87, σ² near Float's limits) take the scalar path instead.
extension CPUBackend {
    typealias Vector = SIMD8<Float>

    /// Updates weights `start ..< start + 8` (θ at i, ℓ at w + i); false when a lane's ℓ is out of
    /// range and nothing was written (the caller then takes the scalar path).
    @inline(__always)
    func adamUpdateEight(_ start: Int, w: Int, p: UnsafeMutablePointer<Float>, grad: UnsafeMutablePointer<Float>,
                         m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>,
                         regularizer: Regularizer, step: AdamStepConstants, trainsLogSigma2: Bool) -> Bool {
        let theta = VectorMath.load(p + start), logSigma2 = VectorMath.load(p + w + start)
        guard all(logSigma2 .>= -87) && all(logSigma2 .<= 87) else { return false }
        let (dTheta, dLogSigma2) = regularizerGradient(regularizer, theta: theta, logSigma2: logSigma2)
        let weight = step.regularizerWeight
        adam(p + start, m + start, v + start, gradient: VectorMath.load(grad + start) + weight * dTheta, step)
        if trainsLogSigma2 {
            // The layers wrote ∂L/∂σ²; ∂L/∂ℓ = σ²·∂L/∂σ²; Adam trains q = ℓ/k with ∂L/∂q = k·∂L/∂ℓ.
            let k = step.logSigma2PerTrained
            let gradient = k * (VectorMath.exp(logSigma2) * VectorMath.load(grad + w + start) + weight * dLogSigma2)
            let q = adam(logSigma2 / k, m + w + start, v + w + start, gradient: gradient, step)
            let updated = k * q
            VectorMath.store(updated.replacing(with: step.logSigma2Max, where: updated .> step.logSigma2Max), p + w + start)
        }
        return true
    }

    /// m = β1m + (1−β1)g, v = β2v + (1−β2)g², p −= lr·(m/bc1)/(√(v/bc2) + ε).
    @inline(__always)
    private func adam(_ p: UnsafeMutablePointer<Float>, _ m: UnsafeMutablePointer<Float>, _ v: UnsafeMutablePointer<Float>,
                      gradient g: Vector, _ step: AdamStepConstants) {
        VectorMath.store(adam(VectorMath.load(p), m, v, gradient: g, step), p)
    }

    /// The same step on a value held in lanes; stores the moments, returns the new value.
    @inline(__always)
    private func adam(_ p: Vector, _ m: UnsafeMutablePointer<Float>, _ v: UnsafeMutablePointer<Float>,
                      gradient g: Vector, _ step: AdamStepConstants) -> Vector {
        let mNew = step.beta1 * VectorMath.load(m) + (1 - step.beta1) * g
        let vNew = step.beta2 * VectorMath.load(v) + (1 - step.beta2) * g * g
        VectorMath.store(mNew, m)
        VectorMath.store(vNew, v)
        return p - step.learningRate * (mNew / step.biasCorrection1) / (VectorMath.squareRoot(vNew / step.biasCorrection2) + step.epsilon)
    }

    /// (∂R/∂θ, ∂R/∂ℓ) on eight lanes: the branches of the scalar forms as lane masks.
    @inline(__always)
    private func regularizerGradient(_ regularizer: Regularizer, theta: Vector, logSigma2: Vector) -> (Vector, Vector) {
        switch regularizer.kind {
        case .zero:
            return (Vector(), Vector())
        case .ard, .gamma:
            let c = 2 * regularizer.a - 1
            let y = theta * theta + 2 * regularizer.b
            let inverseSigma2 = VectorMath.exp(-logSigma2)
            let r = y * inverseSigma2
            let onePlusR = 1 + r
            var dTheta = c * theta * inverseSigma2 / onePlusR
            var dLogSigma2 = 0.5 * (c - 1) - 0.5 * c * r / onePlusR
            // Where r ≥ 1e30, r/(1+r) is 1 and θ/(σ²+θ²+2b) is θ/y (y > 0 there, as ℓ ≥ −87).
            let large = r .>= Regularizer.largeRatio
            dTheta = dTheta.replacing(with: c * theta / y, where: large)
            dLogSigma2 = dLogSigma2.replacing(with: -0.5, where: large)
            return (dTheta, dLogSigma2)
        case .svdo:
            let thetaSquaredPlus = theta * theta + Regularizer.logAlphaEpsilon
            let unclamped = logSigma2 - VectorMath.log(thetaSquaredPlus)
            let range = Regularizer.svdoLogAlphaRange
            let low = Vector(repeating: range.lowerBound), high = Vector(repeating: range.upperBound)
            let logAlpha = unclamped.replacing(with: low, where: unclamped .< low).replacing(with: high, where: unclamped .> high)
            let expMinusZ = VectorMath.exp(-(Regularizer.k2 + Regularizer.k3 * logAlpha))
            let s = 1 / (1 + expMinusZ)
            let oneMinusS = expMinusZ / (1 + expMinusZ)
            let dLogAlpha = -Regularizer.k1 * Regularizer.k3 * s * oneMinusS - 0.5 / (1 + VectorMath.exp(logAlpha))
            let inside = (unclamped .>= range.lowerBound) .& (unclamped .<= range.upperBound)
            let zero = Vector()
            return (zero.replacing(with: dLogAlpha * (-2 * theta / thetaSquaredPlus), where: inside),
                    zero.replacing(with: dLogAlpha, where: inside))
        }
    }
}
